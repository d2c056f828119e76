"""The Bolt app: one `AsyncApp` in the bot's event loop, every listener acks first.

Each listener calls `ack()` and returns at once (so the HTTP response or the Socket Mode envelope
ack goes out in milliseconds) after handing the work (user lookup, the core, Late) to the lane
(`adapters/lane.py`), which starts it once the acknowledgements of a burst are out: work never
delays the next ack. Work that opens a form (a bare `/late post`, the shortcut, Reject and Edit)
must reach `views.open` within the trigger's 3 s, so it starts at once in a task of its own.
Running work is in `SlackBot.tasks` and is given `GRACE` seconds on shutdown. The app is built
with `process_before_response=True` so that Bolt itself starts no untracked work.

`running_slack` starts everything (HTTP mode, its route mounted on latebot's HTTP server, or Socket
Mode when `SLACK_APP_TOKEN` is set) and stops it cleanly; `SlackService` runs it under the runtime.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped, warning_token_skipped
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier

from adapters.http import HttpServer
from adapters.lane import Lane, keep_what_started
from adapters.slack import handlers, translate
from adapters.slack.context import SlackContext
from adapters.slack.media import Uploads
from adapters.slack.people import People
from adapters.slack.port import Pacer, SlackPort, web_client
from adapters.slack.translate import is_bare_post
from bot.errors import ConfigError
from bot.ports import BotPort
from bot.settings import Settings

log = logging.getLogger("latebot.slack")

COMMAND = "/late"
SHORTCUT = "post_to_social"
ACTIONS = re.compile(r"^late:")
VIEWS = re.compile(r"^late:")
EVENTS_PATH = "/slack/events"
GRACE = 5.0  # seconds in-flight work may take to finish on shutdown
# With the lane full, an ack waits this long (from the request's arrival) for room: inside Slack's 3 s.
FULL_WAIT = 2.0


def _secret(value: Any, name: str) -> str:
    if value is None or not value.get_secret_value():
        raise ConfigError(f"setting {name}: required for the Slack adapter")
    return str(value.get_secret_value())


class _TokenNotUnused(logging.Filter):
    """Drops the one warning Bolt's `AsyncApp` gives every start: it reads `SLACK_BOT_TOKEN` from the
    environment by itself (`token = token or os.environ.get(...)`) and, when a `client` is given
    as well, warns that this token "will be unused". Ours is the same token, in the client latebot
    builds (its base URL, pooled session and 429 handling) and in `authorize`; no argument can stop
    Bolt from reading the variable, so the warning is filtered here, by its exact text."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() not in _UNUSED_TOKEN


_UNUSED_TOKEN = frozenset({warning_client_prioritized_and_token_skipped(), warning_token_skipped()})


def bolt_logger() -> logging.Logger:
    """Bolt's own logger for the app, under latebot's name (so it has latebot's format and level)."""
    logger = logging.getLogger("latebot.slack.bolt")
    if not any(isinstance(f, _TokenNotUnused) for f in logger.filters):
        logger.addFilter(_TokenNotUnused())
    return logger


def socket_mode_configured(settings: Settings) -> bool:
    return settings.SLACK_APP_TOKEN is not None and bool(settings.SLACK_APP_TOKEN.get_secret_value())


class SlackBot:
    def __init__(self, settings: Settings, bot: BotPort, session: aiohttp.ClientSession, *,
                 pacer: Pacer | None = None, socket_mode: bool = False, full_wait: float = FULL_WAIT) -> None:
        self.settings = settings
        self.bot = bot
        self.session = session
        self.token = _secret(settings.SLACK_BOT_TOKEN, "SLACK_BOT_TOKEN")
        secret = "" if socket_mode else _secret(settings.SLACK_SIGNING_SECRET, "SLACK_SIGNING_SECRET")
        self.client = web_client(self.token, settings.SLACK_API_URL, session)
        self.port = SlackPort(self.client, pacer)
        self.ctx = SlackContext(
            bot=bot, client=self.client, session=session, port=self.port, people=People(self.client),
            uploads=Uploads(self.client, session, token=self.token, api_url=settings.SLACK_API_URL, bot=bot),
        )
        self.lane = Lane("slack")
        self.full_wait = full_wait
        self._spawned: set[asyncio.Task[None]] = set()
        self.identity: AuthorizeResult | None = None
        self._identity_lock = asyncio.Lock()

        async def authorize(enterprise_id: str | None = None, team_id: str | None = None,
                            user_id: str | None = None) -> AuthorizeResult:
            return await self._authorize()

        self.app = AsyncApp(
            # Bolt names a logger after the app and sets its level: "latebot" would silence all of ours.
            name="latebot-slack",
            logger=bolt_logger(),
            signing_secret=secret,
            client=web_client(None, settings.SLACK_API_URL, session),
            authorize=authorize,
            process_before_response=True,
            request_verification_enabled=not socket_mode,
        )
        self.verifier = SignatureVerifier(secret) if secret else None
        self.handled: list[tuple[str, str]] = []
        self._listen()

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Check the token with `auth.test` (fail fast) and register the port with the core."""
        try:
            await self._authorize()
        except SlackApiError as exc:
            error = exc.response.get("error")
            raise ConfigError(f"setting SLACK_BOT_TOKEN: Slack refused it ({error})") from None
        self.bot.register(self.port)
        self.lane.start()

    async def _authorize(self) -> AuthorizeResult:
        if self.identity is None:
            async with self._identity_lock:
                if self.identity is None:
                    resp = await self.client.auth_test()
                    self.identity = AuthorizeResult.from_auth_test_response(
                        bot_token=self.token, auth_test_response=resp)
                    log.info("Slack: connected to %s as %s", resp.get("team"), resp.get("user"))
        return self.identity

    @property
    def tasks(self) -> set[asyncio.Task[None]]:
        """The work running now: from the lane, and what started at once (forms, an overflow)."""
        return self.lane.tasks | self._spawned

    async def close(self, grace: float = GRACE) -> None:
        """Let queued and running work finish (up to `grace` seconds), then cancel what is left."""
        started = time.monotonic()
        await self.lane.close(grace)
        if self._spawned:
            left = max(0.0, grace - (time.monotonic() - started))
            _, pending = await asyncio.wait(set(self._spawned), timeout=left)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        await self.ctx.uploads.close()
        await self.ctx.people.close()

    async def idle(self) -> None:
        """Wait until every piece of work queued or started so far (and any it started) is done."""
        while self._spawned or self.lane.waiting or self.lane.tasks:
            await asyncio.gather(*set(self._spawned), return_exceptions=True)
            await self.lane.idle()

    def spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        self._spawned.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._spawned.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("Slack task %s failed", task.get_name(), exc_info=task.exception())

    async def events(self, request: web.Request) -> web.StreamResponse:
        """`POST /slack/events` (HTTP mode): Bolt verifies the signature before any listener runs.

        A body Bolt could not parse is refused first: 400 when it is signed (Slack's, or someone's
        with the secret; one line in the log), 401 when it is not."""
        body = await request.read()
        problem = translate.malformed(body, request.content_type)
        if problem is not None:
            if not self._signed(body, request.headers):
                return web.json_response({"error": "invalid request"}, status=401)
            log.warning("Slack: refused a malformed signed request (%s)", problem)
            return web.json_response({"error": f"malformed request: {problem}"}, status=400)
        bolt_response = await self.app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    def _signed(self, body: bytes, headers: Any) -> bool:
        stamp, signature = headers.get("X-Slack-Request-Timestamp", ""), headers.get("X-Slack-Signature", "")
        if self.verifier is None or not stamp.isdigit() or not signature:
            return False
        return self.verifier.is_valid(body, stamp, signature)

    # --- listeners: ack, then the work in the lane ------------------------------------------

    def _listen(self) -> None:
        Handler = Callable[[SlackContext, dict[str, Any], float], Coroutine[Any, Any, None]]

        def later(kind: str, work: Handler, urgent: Callable[[dict[str, Any]], bool] = lambda _: False,
                  wanted: Callable[[dict[str, Any]], bool] = lambda _: True) -> Callable[..., Awaitable[None]]:
            async def listener(ack: AsyncAck, body: dict[str, Any]) -> None:
                received = time.monotonic()
                self.lane.acked()
                await ack()  # recorded now, sent when this returns (process_before_response)
                if not wanted(body):
                    return
                name = f"slack-{kind}-{body.get('trigger_id', '')}"
                if urgent(body):
                    self.spawn(work(self.ctx, body, received), name=name)
                    return
                job = functools.partial(work, self.ctx, body, received)
                stopped = functools.partial(handlers.abandoned, self.ctx, body, received)
                if await self.lane.put(name, job, stopped, until=received + self.full_wait):
                    return
                # Still full at Slack's deadline: acknowledge, and wait for room in a task of its own.
                log.warning("Slack: the work lane is full (%d waiting); %s waits for room", self.lane.waiting, name)
                self.spawn(self._queue_later(name, job, stopped), name=f"{name}-waiting")

            return listener

        def opens_form(body: dict[str, Any]) -> bool:
            button = translate.clicked(body)
            return button is not None and self.bot.may_open_form(button[0])

        def latebot_button(body: dict[str, Any]) -> bool:
            # A link button's click is only acked: nothing to look up, queue or answer.
            return translate.clicked(body) is not None

        self.app.command(COMMAND)(later("command", handlers.command, lambda b: is_bare_post(str(b.get("text", "")))))
        self.app.action(ACTIONS)(later("action", handlers.press, opens_form, wanted=latebot_button))
        self.app.view_submission(VIEWS)(later("view", handlers.submit))
        self.app.message_shortcut(SHORTCUT)(later("shortcut", handlers.shortcut, lambda _: True))
        self.handled = [("command", COMMAND), ("message_shortcut", SHORTCUT)]

    async def _queue_later(self, name: str, job: Callable[[], Coroutine[Any, Any, None]],
                           stopped: Callable[[], Coroutine[Any, Any, None]]) -> None:
        await self.lane.put(name, job, stopped)


@contextlib.asynccontextmanager
async def running_slack(settings: Settings, bot: BotPort, *, http: HttpServer | None = None,
                        host: str = "127.0.0.1", port: int = 0, pacer: Pacer | None = None,
                        full_wait: float = FULL_WAIT) -> AsyncIterator[tuple[SlackBot, str]]:
    """Start the Slack adapter; yields it and the HTTP server's base URL.

    In HTTP mode `POST /slack/events` is mounted on `http` (a server of its own on `host:port` when
    none is given); in Socket Mode (with `SLACK_APP_TOKEN`) Slack's events come over the socket.
    """
    socket_mode = socket_mode_configured(settings)
    async with contextlib.AsyncExitStack() as stack:
        session = await stack.enter_async_context(aiohttp.ClientSession())
        slack = SlackBot(settings, bot, session, pacer=pacer, socket_mode=socket_mode, full_wait=full_wait)
        stack.push_async_callback(slack.close)
        await slack.start()
        if http is None:
            http = HttpServer(host=host, port=port)
            await stack.enter_async_context(http.serving())
        if socket_mode:
            from adapters.slack.socket import socket_mode as connect

            app_token = _secret(settings.SLACK_APP_TOKEN, "SLACK_APP_TOKEN")
            await stack.enter_async_context(connect(slack.app, app_token, settings.SLACK_API_URL, session))
        else:
            http.mount("POST", EVENTS_PATH, slack.events)
            stack.callback(http.unmount, "POST", EVENTS_PATH)
        http.status["slack"] = "socket" if socket_mode else "http"
        stack.callback(http.status.pop, "slack", None)
        keep_what_started()
        yield slack, http.url


class SlackService:
    """The Slack adapter as a service of the runtime, its route on the process's HTTP server."""

    name = "slack"

    def __init__(self, settings: Settings, bot: BotPort, http: HttpServer) -> None:
        self.settings = settings
        self.bot = bot
        self.http = http

    async def run(self) -> None:
        async with running_slack(self.settings, self.bot, http=self.http):
            log.info("Slack adapter running (%s mode)", "socket" if socket_mode_configured(self.settings) else "http")
            await asyncio.Event().wait()
