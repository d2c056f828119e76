"""A fake Discord: the gateway (websocket) and the REST API on loopback, for real discord.py.

It sends HELLO, answers IDENTIFY with READY and a GUILD_CREATE of a test server, ACKs
heartbeats, and dispatches INTERACTION_CREATE payloads built from the recorded fixtures in
`tests/fixtures/discord/`. Every REST call is recorded with its JSON body and arrival time.
Like Discord it refuses a second answer to an interaction, an answer after 3 s, a followup
after the token expired, and bot routes without the bot token; and it can be told to fail.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import mimetypes
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "discord"
TOKEN = "MTE4MDAwMDAwMDAwMDAwMDAwMQ.GfAkEt.fake-discord-bot-token-for-tests"
APP_ID = "1180000000000000001"
GUILD_ID = "1180000000000000100"
GENERAL = "1180000000000000200"
APPROVALS = "1180000000000000201"
ALERTS = "1180000000000000202"
APPROVERS_ROLE = "1180000000000000300"
USERS = {
    "alice": "1180000000000000401",
    "bob": "1180000000000000402",
    "carol": "1180000000000000403",
    "dana": "1180000000000000404",
}
EPHEMERAL = 64


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text())


@dataclass
class Call:
    method: str
    path: str  # relative to /api/v10, e.g. /channels/1/messages
    query: dict[str, str]
    json: Any
    at: float  # time.monotonic() at arrival
    status: int = 0
    response: Any = None  # the JSON answered, for a message: the message as created


@dataclass
class Failure:
    method: str
    pattern: re.Pattern[str]
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    times: int


@dataclass
class Dispatched:
    payload: dict[str, Any]
    at: float
    answered: bool = False


@dataclass
class FakeDiscord:
    token: str = TOKEN
    callback_deadline: float = 3.0
    token_ttl: float = 15 * 60.0
    calls: list[Call] = field(default_factory=list)
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    interactions: dict[str, Dispatched] = field(default_factory=dict)
    files: dict[str, tuple[int, str]] = field(default_factory=dict)  # attachment path -> (size, type)
    identified: int = 0
    # While set (and not yet set off), `GET /guilds/{id}/members/{id}` is answered only once it is.
    hold_members: asyncio.Event | None = None

    def __post_init__(self) -> None:
        self._ids = itertools.count(1310200000000000000)
        self._seq = itertools.count(1)
        self._sockets: set[web.WebSocketResponse] = set()
        self._failures: list[Failure] = []
        self._bucket: tuple[int, float, int, float] | None = None
        self._windows: dict[str, tuple[float, int]] = {}  # channel -> (window opened, messages in it)
        self._posts = 0
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        app.router.add_get("/attachments/{tail:.*}", self._attachment)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def __aexit__(self, *exc: object) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def snowflake(self) -> str:
        return str(next(self._ids))

    # --- gateway -----------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.add(ws)
        try:
            await ws.send_json(
                {
                    "op": 10,
                    "d": {"heartbeat_interval": 41250, "_trace": ["fake-gateway"]},
                    "s": None,
                    "t": None,
                }
            )
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                data = json.loads(msg.data)
                if data["op"] == 1:
                    await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
                elif data["op"] == 2:
                    if data["d"].get("token") != self.token:
                        await ws.close(code=4004, message=b"Authentication failed.")
                        break
                    ready = fixture("ready")
                    ready["resume_gateway_url"] = self.gateway_url
                    await self._send(ws, "READY", ready)
                    await self._send(ws, "GUILD_CREATE", fixture("guild_create"))
                    self.identified += 1
                    await self._notify()
        finally:
            self._sockets.discard(ws)
        return ws

    async def close_gateway(self, code: int, reason: str = "") -> None:
        """Close every gateway connection with `code`, as Discord does (4004: the token is revoked)."""
        for ws in list(self._sockets):
            await ws.close(code=code, message=reason.encode())

    async def _send(self, ws: web.WebSocketResponse, event: str, data: Any) -> None:
        await ws.send_json({"op": 0, "t": event, "s": next(self._seq), "d": data})

    async def dispatch(self, event: str, data: Any) -> None:
        for ws in list(self._sockets):
            await self._send(ws, event, data)

    # --- interactions ------------------------------------------------------------------------

    async def interact(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Dispatch an INTERACTION_CREATE (with a fresh id and token); returns the payload sent."""
        payload = copy.deepcopy(payload)
        payload["id"] = self.snowflake()
        payload["token"] = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)
        self.interactions[payload["token"]] = Dispatched(payload, time.monotonic())
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    async def redeliver(self, payload: dict[str, Any]) -> None:
        """Dispatch an interaction again, as it was (same id and token): as a replayed gateway event
        would. Like Discord, the fake refuses a second answer to it."""
        await self.dispatch("INTERACTION_CREATE", payload)

    def refused(self, payload: dict[str, Any]) -> list[Call]:
        """Answers to `payload` the fake refused (a second answer, one after 3 s)."""
        path = f"/interactions/{payload['id']}/{payload['token']}/callback"
        return [c for c in self.calls if c.path == path and c.status >= 400]

    def dispatched_at(self, payload: dict[str, Any]) -> float:
        return self.interactions[payload["token"]].at

    def _base(self, name: str, user: str, channel: str) -> dict[str, Any]:
        payload: dict[str, Any] = fixture(name)
        payload["member"] = fixture("members")[user]
        payload["channel_id"] = channel
        payload["channel"] = {
            **payload["channel"],
            "id": channel,
            "name": {GENERAL: "general", APPROVALS: "approvals", ALERTS: "alerts"}[channel],
        }
        return payload

    def _command_id(self, name: str) -> str:
        for scope in self.commands.values():
            for c in scope:
                if c["name"] == name:
                    return str(c["id"])
        return "1310000000000000010"

    def slash(
        self,
        sub: str,
        options: dict[str, str] | None = None,
        *,
        user: str = "alice",
        channel: str = GENERAL,
        attachment: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """`/late <sub>` with string options (and an attachment for `media`)."""
        payload = self._base("application_command", user, channel)
        opts: list[dict[str, Any]] = [{"name": k, "type": 3, "value": v} for k, v in (options or {}).items()]
        data = {
            "guild_id": GUILD_ID,
            "id": self._command_id("late"),
            "name": "late",
            "type": 1,
            "options": [{"name": sub, "type": 1, "options": opts}],
        }
        if attachment is not None:
            opts.append({"name": "media", "type": 11, "value": attachment["id"]})
            data["resolved"] = {"attachments": {attachment["id"]: attachment}}
        payload["data"] = data
        return payload

    def autocomplete(
        self, sub: str, options: dict[str, str], focused: str, *, user: str = "alice", channel: str = GENERAL
    ) -> dict[str, Any]:
        payload = self._base("autocomplete", user, channel)
        opts = [
            {"name": k, "type": 3, "value": v, **({"focused": True} if k == focused else {})}
            for k, v in options.items()
        ]
        payload["data"] = {
            "guild_id": GUILD_ID,
            "id": self._command_id("late"),
            "name": "late",
            "type": 1,
            "options": [{"name": sub, "type": 1, "options": opts}],
        }
        return payload

    def click(self, message_id: str, custom_id: str, *, user: str = "bob") -> dict[str, Any]:
        """A click on a button of a message the bot posted (the message as Discord has it now)."""
        message = self.messages[message_id]
        payload = self._base("component", user, message["channel_id"])
        payload["message"] = copy.deepcopy(message)
        payload["data"] = {"component_type": 2, "custom_id": custom_id, "id": 2}
        return payload

    def submit(
        self,
        custom_id: str,
        values: dict[str, str],
        *,
        user: str = "bob",
        channel: str = GENERAL,
        message_id: str | None = None,
    ) -> dict[str, Any]:
        """A modal submission; `values` by text input custom_id."""
        payload = self._base("modal_submit", user, channel)
        if message_id is None:
            payload.pop("message", None)
        else:
            payload["message"] = copy.deepcopy(self.messages[message_id])
        rows = [
            {
                "id": n * 2 + 1,
                "type": 1,
                "components": [{"custom_id": k, "id": n * 2 + 2, "type": 4, "value": v}],
            }
            for n, (k, v) in enumerate(values.items())
        ]
        payload["data"] = {"custom_id": custom_id, "components": rows}
        return payload

    def message_menu(
        self, *, content: str, attachments: int = 1, user: str = "alice", channel: str = GENERAL
    ) -> dict[str, Any]:
        """ "Post to social" on a message of `content` with `attachments` images (served by this fake)."""
        payload = self._base("message_context_menu", user, channel)
        data = payload["data"]
        data["id"] = self._command_id("Post to social")
        message = next(iter(data["resolved"]["messages"].values()))
        message["content"] = content
        message["channel_id"] = channel
        recorded = message["attachments"][0]
        message["attachments"] = [
            {**recorded, **self.attachment(f"team{n}.jpg" if n else "team.jpg", size=recorded["size"])}
            for n in range(attachments)
        ]
        for a in message["attachments"]:
            a.pop("ephemeral", None)  # attachments of a message are not ephemeral
        return payload

    def attachment(self, filename: str = "launch.png", size: int = 48_213) -> dict[str, Any]:
        """An attachment as Discord resolves it; its bytes (`size` of them) are served by this fake on
        its API host, as Discord's CDN serves them, until `expire_attachments()`."""
        attachment_id = self.snowflake()
        path = f"/attachments/{GENERAL}/{attachment_id}/{filename}"
        url = f"http://127.0.0.1:{self.port}{path}?ex=674a1b2c&is=6748c9ac&hm=4b0c"
        kind = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        self.files[path] = (size, kind)
        return {
            "id": attachment_id,
            "filename": filename,
            "size": size,
            "url": url,
            "proxy_url": url,
            "content_type": kind,
            "width": 1200,
            "height": 630,
            "ephemeral": True,
        }

    def expire_attachments(self) -> None:
        """Every attachment link stops working (the CDN answers 404, as for an expired signature)."""
        self.files.clear()

    async def _attachment(self, request: web.Request) -> web.StreamResponse:
        known = self.files.get(request.path)
        status = 200 if known is not None else 404
        self.calls.append(Call("GET", request.path, dict(request.query), None, time.monotonic(), status))
        await self._notify()
        if known is None:
            return web.Response(status=404, text="This content is no longer available.")
        size, kind = known
        # Streamed, as the CDN does: a client may read the length and hang up (a file too large).
        response = web.StreamResponse(headers={"Content-Type": kind})
        response.content_length = size
        await response.prepare(request)
        header = b"\x89PNG\r\n\x1a\n" if kind == "image/png" else b"\xff\xd8\xff\xe0"
        sent = 0
        try:
            while sent < size:
                chunk = (header if sent == 0 else b"") + b"0" * (1 << 16)
                chunk = chunk[: size - sent]
                await response.write(chunk)
                sent += len(chunk)
            await response.write_eof()
        except (ConnectionError, RuntimeError):
            pass  # the client hung up
        return response

    def callbacks(self, payload: dict[str, Any] | None = None) -> list[Call]:
        calls = [c for c in self.calls if c.path.endswith("/callback") and c.status < 300]
        if payload is not None:
            calls = [
                c for c in calls if c.path == f"/interactions/{payload['id']}/{payload['token']}/callback"
            ]
        return calls

    def followups(self, payload: dict[str, Any]) -> list[Call]:
        prefix = f"/webhooks/{APP_ID}/{payload['token']}"
        return [c for c in self.calls if c.path.startswith(prefix) and c.status < 300]

    def channel_calls(self, method: str | None = None, channel: str | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.path.startswith("/channels/")
            and c.status < 300
            and (method is None or c.method == method)
            and (channel is None or c.path.startswith(f"/channels/{channel}/"))
        ]

    def cards(self) -> list[dict[str, Any]]:
        """Messages the bot posted in a channel with an embed (approval cards), as they are now."""
        posted = [c.response["id"] for c in self.channel_calls("POST") if c.json.get("embeds") and c.response]
        return [self.messages[i] for i in posted if i in self.messages]

    async def wait_until(self, predicate: Callable[[], Any], within: float = 5.0) -> Any:
        async with self._changed:
            result = predicate()
            deadline = time.monotonic() + within
            while not result:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("the fake Discord did not see what was expected in time")
                try:
                    await asyncio.wait_for(self._changed.wait(), left)
                except TimeoutError:
                    pass
                result = predicate()
            return result

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # --- REST ----------------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        pattern: str,
        status: int,
        body: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls matching `method` and the path regex with an error."""
        self._failures.append(Failure(method, re.compile(pattern), status, body or {}, headers or {}, times))

    def clear_failures(self) -> None:
        self._failures.clear()

    def rate_limit(self, method: str, pattern: str, retry_after: float = 0.2, times: int = 1) -> None:
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
        headers = {
            "Retry-After": str(max(1, round(retry_after))),
            "X-RateLimit-Scope": "user",
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Bucket": "fake",
            "X-RateLimit-Reset-After": str(retry_after),
            "Via": "1.1 google",
        }
        self.fail(method, pattern, 429, body, headers=headers, times=times)

    def limit_messages(self, limit: int, per: float, *, every: int = 0, retry_after: float = 0.1) -> None:
        """Discord's per-channel bucket for `POST /channels/{id}/messages`: `limit` messages per window of
        `per` seconds (a window opens with its first message and resets whole), said in `X-RateLimit-*`
        headers on every answer, a 429 with `retry_after` beyond it; and, with `every`, every `every`th
        message a 429 anyway (a limit shared with other routes)."""
        self._bucket = (limit, per, every, retry_after)

    def _bucketed(self, call: Call) -> tuple[web.Response | None, dict[str, str]]:
        """The 429 (or None) and the headers for a message post under `limit_messages`."""
        m = re.fullmatch(r"/channels/(\d+)/messages", call.path)
        if self._bucket is None or m is None or call.method != "POST":
            return None, {}
        limit, per, every, injected = self._bucket
        now = time.monotonic()
        opened, used = self._windows.get(m[1], (now, 0))
        if now - opened >= per:
            opened, used = now, 0
        self._posts += 1
        reset = per - (now - opened)
        wait = reset if used >= limit else injected if every and self._posts % every == 0 else 0.0
        headers = {"X-RateLimit-Limit": str(limit), "X-RateLimit-Bucket": "messages", "Via": "1.1 google"}
        if wait:
            self._windows[m[1]] = (opened, used)
            headers |= {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": f"{wait:.3f}",
                        "X-RateLimit-Reset": f"{time.time() + wait:.3f}", "X-RateLimit-Scope": "user",
                        "Retry-After": str(max(1, round(wait)))}
            body = {"message": "You are being rate limited.", "retry_after": round(wait, 3), "global": False}
            return _json(body, status=429, headers=headers), {}
        self._windows[m[1]] = (opened, used + 1)
        headers |= {"X-RateLimit-Remaining": str(limit - used - 1), "X-RateLimit-Reset-After": f"{reset:.3f}",
                    "X-RateLimit-Reset": f"{time.time() + reset:.3f}"}
        return None, headers

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body: Any = None
        if request.can_read_body:
            text = await request.text()
            body = json.loads(text) if text and request.content_type == "application/json" else text
        call = Call(request.method, path, dict(request.query), body, time.monotonic())
        self.calls.append(call)
        if self.hold_members is not None and "/members/" in path:
            await self._notify()
            await self.hold_members.wait()
        limited, headers = self._bucketed(call)
        response = self._failure(call) or limited or self._route(request, call)
        response.headers.update(headers)
        call.status = response.status
        await self._notify()
        return response

    def _failure(self, call: Call) -> web.Response | None:
        for f in self._failures:
            if f.times > 0 and f.method == call.method and f.pattern.search(call.path):
                f.times -= 1
                return _json(f.body, status=f.status, headers=f.headers)
        return None

    def _route(self, request: web.Request, call: Call) -> web.Response:
        path, method = call.path, call.method
        if m := re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", path):
            return self._callback(m[1], m[2], call)
        if m := re.fullmatch(rf"/webhooks/{APP_ID}/([^/]+)(?:/messages/(@original|\d+))?", path):
            return self._webhook(m[1], m[2], call)
        if request.headers.get("Authorization") != f"Bot {self.token}":
            return _error(401, 0, "401: Unauthorized")
        if path in ("/gateway", "/gateway/bot"):
            limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
            return _json({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})
        if path == "/users/@me":
            return _json(fixture("ready")["user"])
        if path in ("/applications/@me", "/oauth2/applications/@me"):
            return _json(fixture("application"))
        if m := re.fullmatch(rf"/applications/{APP_ID}(?:/guilds/(\d+))?/commands", path):
            if method == "PUT":
                return self._sync(m[1] or "global", call.json)
            return _json(self.commands.get(m[1] or "global", []))
        if m := re.fullmatch(r"/channels/(\d+)", path):
            return self._channel(m[1], method)
        if m := re.fullmatch(r"/channels/(\d+)/messages(?:/(\d+))?", path):
            return self._channel_message(m[1], m[2], call)
        if (m := re.fullmatch(rf"/guilds/{GUILD_ID}/members/(\d+)", path)) and method == "GET":
            member = next((v for v in fixture("members").values() if v["user"]["id"] == m[1]), None)
            return _json(member) if member is not None else _error(404, 10007, "Unknown Member")
        return _error(404, 0, "404: Not Found")

    def _sync(self, scope: str, commands: list[dict[str, Any]]) -> web.Response:
        synced = []
        for c in commands:
            defaults: dict[str, Any] = {
                "description": "",
                "options": [],
                "default_member_permissions": None,
                "nsfw": False,
                "dm_permission": True,
                "contexts": None,
                "integration_types": [0],
                "type": 1,
            }
            synced.append(
                {
                    **defaults,
                    **c,
                    "id": self.snowflake(),
                    "application_id": APP_ID,
                    "version": self.snowflake(),
                    **({"guild_id": scope} if scope != "global" else {}),
                }
            )
        self.commands[scope] = synced
        return _json(synced)

    def _callback(self, interaction_id: str, token: str, call: Call) -> web.Response:
        sent = self.interactions.get(token)
        if sent is None or sent.payload["id"] != interaction_id:
            return _error(404, 10062, "Unknown interaction")
        if sent.answered:
            return _error(400, 40060, "Interaction has already been acknowledged.")
        if call.at - sent.at > self.callback_deadline:
            return _error(404, 10062, "Unknown interaction")
        sent.answered = True
        kind = call.json["type"]
        data = call.json.get("data") or {}
        interaction = {"id": interaction_id, "type": sent.payload["type"]}
        resource: dict[str, Any] = {"type": kind}
        if kind in (4, 5):
            message = self._message(
                sent.payload["channel_id"], data, interaction=sent.payload, loading=kind == 5
            )
            self.messages[message["id"]] = message
            sent.payload["_original"] = message["id"]
            interaction |= {
                "response_message_id": message["id"],
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(message["flags"] & EPHEMERAL),
            }
            resource["message"] = message
        elif kind == 7 and "message" in sent.payload:
            message = self.messages.get(sent.payload["message"]["id"], sent.payload["message"])
            message.update({k: v for k, v in data.items() if k in ("content", "embeds", "components")})
            resource["message"] = message
        return _json({"interaction": interaction, "resource": resource})

    def _webhook(self, token: str, message_id: str | None, call: Call) -> web.Response:
        sent = self.interactions.get(token)
        if sent is None or call.at - sent.at > self.token_ttl:
            return _error(401, 50027, "Invalid Webhook Token")
        if message_id == "@original":
            message_id = sent.payload.get("_original")
        channel = sent.payload["channel_id"]
        if call.method == "POST" and message_id is None:
            message = self._message(channel, call.json, interaction=sent.payload)
            self.messages[message["id"]] = message
            call.response = message
            return _json(message)
        if message_id is None or message_id not in self.messages:
            return _error(404, 10008, "Unknown Message")
        if call.method == "DELETE":
            self.messages.pop(message_id)
            return web.Response(status=204)
        message = self.messages[message_id]
        message.update(
            {k: v for k, v in (call.json or {}).items() if k in ("content", "embeds", "components")}
        )
        message["flags"] &= ~128  # no longer loading
        return _json(message)

    def _channel(self, channel: str, method: str) -> web.Response:
        """`/channels/{id}`: GET is a channel of the test server (what a channel check fetches). Discord
        also has PATCH and DELETE there, which need Manage Channels, a permission the bot's roles in the
        guild fixture do not grant; any other method is not a route."""
        if method not in ("GET", "PATCH", "DELETE"):
            return _error(405, 0, "405: Method Not Allowed")
        found = next((c for c in fixture("guild_create")["channels"] if c["id"] == channel), None)
        if found is None:
            return _error(404, 10003, "Unknown Channel")
        if method != "GET":
            return _error(403, 50013, "Missing Permissions")
        return _json({**found, "guild_id": GUILD_ID})

    def _channel_message(self, channel: str, message_id: str | None, call: Call) -> web.Response:
        known = {c["id"] for c in fixture("guild_create")["channels"]}
        if channel not in known:
            return _error(404, 10003, "Unknown Channel")
        if call.method == "POST" and message_id is None:
            message = self._message(channel, call.json)
            self.messages[message["id"]] = message
            call.response = message
            return _json(message)
        if message_id is None or message_id not in self.messages:
            return _error(404, 10008, "Unknown Message")
        message = self.messages[message_id]
        if call.method == "PATCH":
            message.update({k: v for k, v in call.json.items() if k in ("content", "embeds", "components")})
            message["edited_timestamp"] = datetime.now(UTC).isoformat()
        return _json(message)

    def _message(
        self,
        channel: str,
        body: dict[str, Any],
        *,
        interaction: dict[str, Any] | None = None,
        loading: bool = False,
    ) -> dict[str, Any]:
        flags = int(body.get("flags") or 0) | (128 if loading else 0)
        components = [
            {**row, "components": [{k: v for k, v in c.items()} for c in row.get("components", [])]}
            for row in body.get("components") or []
        ]
        message: dict[str, Any] = {
            "id": self.snowflake(),
            "channel_id": channel,
            "guild_id": GUILD_ID,
            "type": 0 if not interaction else 20,
            "author": fixture("ready")["user"],
            "content": body.get("content") or "",
            "embeds": body.get("embeds") or [],
            "components": components,
            "attachments": [],
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": False,
            "flags": flags,
            "timestamp": datetime.now(UTC).isoformat(),
            "edited_timestamp": None,
        }
        if interaction is not None:
            message["application_id"] = APP_ID
            message["webhook_id"] = APP_ID
        if body.get("message_reference"):
            message["message_reference"] = body["message_reference"]
        return message


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # Exactly `application/json`, as Discord sends it (discord.py compares the header as is).
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


def _error(status: int, code: int, message: str) -> web.Response:
    return _json({"message": message, "code": code}, status=status)


def bot_settings(fake: FakeDiscord, tmp_path: Path, **extra: Any) -> Any:
    """Settings that point the Discord bot at `fake` (REST base and gateway)."""
    from bot.settings import Settings

    values: dict[str, Any] = {
        "DISCORD_TOKEN": fake.token,
        "DISCORD_API_BASE": fake.api_base,
        "LATEBOT_DB": tmp_path / "latebot.db",
        **extra,
    }
    return Settings(_env_file=None, **values)
