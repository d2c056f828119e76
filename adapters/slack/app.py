"""The Bolt app: one `AsyncApp` in the bot's event loop, every listener acks first.

Each listener calls `ack()` and returns at once (so the HTTP response or the Socket Mode envelope
ack goes out in milliseconds), then the work runs in a task of its own: user lookup, the core,
Late. Tasks are kept in `SlackBot.tasks` until done and awaited on shutdown. The app is built
with `process_before_response=True` so that Bolt itself starts no untracked work.

`running_slack` starts everything (HTTP mode, or Socket Mode when `SLACK_APP_TOKEN` is set) and
stops it cleanly; `run_slack` runs it until cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, Protocol

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.errors import SlackApiError

from adapters.slack import handlers
from adapters.slack.media import MediaSink, Uploads
from adapters.slack.people import People
from adapters.slack.port import Pacer, SlackPort, web_client
from adapters.slack.server import WebhookHandler, serving
from bot.errors import ConfigError
from bot.messages import Actor, ButtonPress, Form, FormSubmission, Invocation, Place
from bot.ports import ChatPort, Responder
from bot.settings import Settings

log = logging.getLogger("latebot.slack")

COMMAND = "/late"
SHORTCUT = "post_to_social"
ACTIONS = re.compile(r"^late:")
VIEWS = re.compile(r"^late:")
SEEN_TTL = 600.0


class RouterLike(Protocol):
    """The core side the adapter calls (`commands.router.Router`)."""

    async def invoke(self, inv: Invocation, responder: Responder) -> None: ...
    async def press(self, press: ButtonPress, responder: Responder) -> None: ...
    async def submit(self, sub: FormSubmission, responder: Responder) -> None: ...
    async def post_form(self, place: Place, actor: Actor, *, text: str = "",
                        media: list[str] | None = None) -> Form: ...
    def register(self, port: ChatPort) -> None: ...


def _secret(value: Any, name: str) -> str:
    if value is None or not value.get_secret_value():
        raise ConfigError(f"setting {name}: required for the Slack adapter")
    return str(value.get_secret_value())


class SlackBot:
    def __init__(self, settings: Settings, router: RouterLike, session: aiohttp.ClientSession, *,
                 pacer: Pacer | None = None, socket_mode: bool = False) -> None:
        self.settings = settings
        self.router = router
        self.session = session
        self.token = _secret(settings.SLACK_BOT_TOKEN, "SLACK_BOT_TOKEN")
        secret = "" if socket_mode else _secret(settings.SLACK_SIGNING_SECRET, "SLACK_SIGNING_SECRET")
        self.client = web_client(self.token, settings.SLACK_API_URL, session)
        self.port = SlackPort(self.client, pacer)
        self.people = People(self.client)
        sink = router if isinstance(router, MediaSink) else None
        self.uploads = Uploads(self.client, session, token=self.token, api_url=settings.SLACK_API_URL,
                               sink=sink)
        self.tasks: set[asyncio.Task[None]] = set()
        self.seen: dict[str, float] = {}
        self.identity: AuthorizeResult | None = None
        self._identity_lock = asyncio.Lock()
        async def authorize(enterprise_id: str | None = None, team_id: str | None = None,
                            user_id: str | None = None) -> AuthorizeResult:
            return await self._authorize()

        self.app = AsyncApp(
            name="latebot",
            signing_secret=secret,
            client=web_client(None, settings.SLACK_API_URL, session),
            authorize=authorize,
            process_before_response=True,
            request_verification_enabled=not socket_mode,
        )
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
        self.router.register(self.port)

    async def _authorize(self) -> AuthorizeResult:
        if self.identity is None:
            async with self._identity_lock:
                if self.identity is None:
                    resp = await self.client.auth_test()
                    self.identity = AuthorizeResult.from_auth_test_response(
                        bot_token=self.token, auth_test_response=resp)
                    log.info("Slack: connected to %s as %s", resp.get("team"), resp.get("user"))
        return self.identity

    async def close(self, grace: float = 10.0) -> None:
        """Let running work finish (up to `grace` seconds), then cancel what is left."""
        if self.tasks:
            _, pending = await asyncio.wait(set(self.tasks), timeout=grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        await self.uploads.close()
        await self.people.close()

    async def idle(self) -> None:
        """Wait until every task started so far (and any they started) is done."""
        while self.tasks:
            await asyncio.gather(*set(self.tasks), return_exceptions=True)

    def spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        self.tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("Slack task %s failed", task.get_name(), exc_info=task.exception())

    def first_time(self, key: str | None) -> bool:
        """Forms opened by the adapter itself: a retried delivery opens nothing twice."""
        if not key:
            return True
        now = time.monotonic()
        for k, at in list(self.seen.items()):
            if now - at > SEEN_TTL:
                del self.seen[k]
        if key in self.seen:
            return False
        self.seen[key] = now
        return True

    # --- listeners: ack, then work in a task -----------------------------------------------------

    def _listen(self) -> None:
        def later(kind: str, work: Callable[[SlackBot, dict[str, Any], float], Coroutine[Any, Any, None]]
                  ) -> Callable[..., Awaitable[None]]:
            async def listener(ack: AsyncAck, body: dict[str, Any]) -> None:
                received = time.monotonic()
                await ack()
                self.spawn(work(self, body, received), name=f"slack-{kind}-{body.get('trigger_id', '')}")

            return listener

        self.app.command(COMMAND)(later("command", handlers.command))
        self.app.action(ACTIONS)(later("action", handlers.press))
        self.app.view_submission(VIEWS)(later("view", handlers.submit))
        self.app.message_shortcut(SHORTCUT)(later("shortcut", handlers.shortcut))
        self.handled = [("command", COMMAND), ("message_shortcut", SHORTCUT)]


@contextlib.asynccontextmanager
async def running_slack(settings: Settings, router: RouterLike, *, host: str = "0.0.0.0", port: int = 3000,
                        webhooks: WebhookHandler | None = None, pacer: Pacer | None = None
                        ) -> AsyncIterator[tuple[SlackBot, str]]:
    """Start the Slack adapter; yields the bot and the HTTP server's base URL.

    HTTP mode serves `/slack/events`, `/healthz` and `/late/webhooks`; in Socket Mode (with
    `SLACK_APP_TOKEN`) Slack's events come over the socket and the port serves only the other two.
    """
    socket_mode = settings.SLACK_APP_TOKEN is not None and bool(settings.SLACK_APP_TOKEN.get_secret_value())
    async with aiohttp.ClientSession() as session:
        bot = SlackBot(settings, router, session, pacer=pacer, socket_mode=socket_mode)
        try:
            await bot.start()
            async with contextlib.AsyncExitStack() as stack:
                url = await stack.enter_async_context(
                    serving(None if socket_mode else bot.app, host=host, port=port, webhooks=webhooks,
                            mode="socket" if socket_mode else "http"))
                if socket_mode:
                    from adapters.slack.socket import socket_mode as connect

                    app_token = _secret(settings.SLACK_APP_TOKEN, "SLACK_APP_TOKEN")
                    await stack.enter_async_context(connect(bot, app_token))
                yield bot, url
        finally:
            await bot.close()


async def run_slack(settings: Settings, router: RouterLike, *, port: int = 3000,
                    webhooks: WebhookHandler | None = None) -> None:
    """Run the Slack adapter until cancelled."""
    async with running_slack(settings, router, port=port, webhooks=webhooks) as (_, url):
        log.info("Slack adapter running; HTTP on %s", url)
        await asyncio.Event().wait()
