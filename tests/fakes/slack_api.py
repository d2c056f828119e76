"""A fake Slack on loopback: the Web API, response_urls, file downloads and a Socket Mode websocket.

Every call is recorded with its parsed body and arrival time. Like Slack it checks the bot token,
refuses Block Kit over Slack's limits (`invalid_blocks`), honours a `trigger_id` for 3 seconds and
once, keeps posted messages so that `chat.update` finds them, and can be told to fail (e.g. 429
with `Retry-After`). It also builds signed requests from the recorded payloads in
`tests/fixtures/slack/`, so that tests send Slack-shaped bodies to the app.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import hmac
import itertools
import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from aiohttp import WSMsgType, web

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "slack"
TOKEN = "xoxb-1234567890-0987654321-fAkEsLaCkBoTtOkEn"
APP_TOKEN = "xapp-1-A0LATEBOT-1234567890-fakeapptoken"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAM = "T0LATEBOT"
BOT_USER = "U0LATEBOT"
GENERAL = "C0GENERAL"
APPROVALS = "C0APPROVE"
CHANNELS = {GENERAL: "general", APPROVALS: "approvals", "C0OLD": "old-news"}
USERS: dict[str, dict[str, Any]] = {
    "alice": {"id": "U0ALICE", "tz": "Europe/Berlin", "is_admin": True, "real_name": "Alice Archer"},
    "bob": {"id": "U0BOB", "tz": "America/New_York", "is_admin": False, "real_name": "Bob Baker"},
    "carol": {"id": "U0CAROL", "tz": "Asia/Tokyo", "is_admin": False, "real_name": "Carol Chen"},
}
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000b49444154789c6360000200000500017a5eab3f0000000049454e44ae426082"
)
PINGS = ("<!channel>", "<!here>", "<!everyone>")


def fixture(name: str) -> Any:
    path = FIXTURES / name
    return json.loads(path.read_text()) if path.suffix == ".json" else path.read_text().strip()


def sign(body: str, *, secret: str = SIGNING_SECRET, ts: int | None = None) -> dict[str, str]:
    ts = int(time.time()) if ts is None else ts
    base = f"v0:{ts}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


def signed_form(body: str) -> dict[str, str]:
    """The headers of a form post from Slack: its content type and a fresh signature of `body`."""
    return {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}


def interactive_body(payload: dict[str, Any]) -> str:
    return "payload=" + quote(json.dumps(payload, separators=(",", ":")))


@dataclass
class Call:
    method: str
    body: dict[str, Any]
    at: float
    status: int = 200
    ok: bool = True
    error: str | None = None


@dataclass
class Failure:
    method: str
    times: int
    status: int = 200
    error: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class SlackFile:
    name: str
    mimetype: str
    content: bytes
    size: int | None = None  # what files.info says, when not the content's length

    @property
    def declared(self) -> int:
        return len(self.content) if self.size is None else self.size


@dataclass
class FakeSlack:
    token: str = TOKEN
    trigger_ttl: float = 3.0
    calls: list[Call] = field(default_factory=list)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    not_in: set[str] = field(default_factory=set)  # channels the bot is not a member of
    archived: set[str] = field(default_factory=lambda: {"C0OLD"})
    # Files that `files.info` knows and the file host serves, by id.
    files: dict[str, SlackFile] = field(default_factory=lambda: {"F0PHOTO1": SlackFile("launch.png", "image/png", PNG)})
    # While set and not yet released, file downloads wait (a slow file host).
    hold_files: asyncio.Event | None = None
    # User groups by id -> their members (`usergroups.list`); change it to change who is in a group.
    usergroups: dict[str, set[str]] = field(default_factory=lambda: {"S0APPROVERS": {USERS["carol"]["id"]}})
    port: int = 0

    def __post_init__(self) -> None:
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._triggers: dict[str, float] = {}
        self._used: set[str] = set()
        self._failures: list[Failure] = []
        self._every: dict[str, tuple[int, int]] = {}
        self._runner: web.AppRunner | None = None
        self._sockets: set[web.WebSocketResponse] = set()
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._changed = asyncio.Condition()
        self.connections = 0

    # --- lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{key}", self._response_url)
        app.router.add_get("/files/{id}/{name}", self._file)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.hold_files is not None:
            self.hold_files.set()  # a held download must not keep the server from stopping
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    # --- test controls -----------------------------------------------------------------------

    def fail(
        self,
        method: str,
        *,
        times: int = 1,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        self._failures.append(Failure(method, times, status, error or "ratelimited", headers))

    def rate_limit_every(self, method: str, every: int, *, retry_after: int = 1) -> None:
        """Answer every `every`th call of `method` with 429 and `Retry-After` (a busy workspace)."""
        self._every[method] = (every, retry_after)

    def trigger(self) -> str:
        n = next(self._ids)
        trigger = f"{7934600000000 + n}.7512345678.{uuid.uuid4().hex}"
        self._triggers[trigger] = time.monotonic()
        return trigger

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.ok]

    async def wait_for(self, method: str, count: int = 1, within: float = 10.0) -> list[Call]:
        async def enough() -> list[Call]:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.called(method)) >= count)
            return self.called(method)

        return await asyncio.wait_for(enough(), within)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # --- payload builders (shaped like the recorded fixtures) -----------------------------------

    def slash(
        self, text: str, *, user: str = "alice", channel: str = GENERAL, trigger: str | None = None
    ) -> str:
        fields = dict(parse_qsl(fixture("slash_command.form"), keep_blank_values=True))
        fields.update(
            text=text,
            user_id=USERS[user]["id"],
            user_name=user,
            channel_id=channel,
            trigger_id=trigger or self.trigger(),
            response_url=f"{self.url}/response/cmd{next(self._ids)}",
        )
        return urlencode(fields)

    def _user(self, payload: dict[str, Any], user: str) -> None:
        payload["user"] = {**payload["user"], "id": USERS[user]["id"], "username": user, "name": user}

    def click(
        self,
        message: dict[str, Any],
        label: str,
        *,
        user: str = "bob",
        channel: str | None = None,
        trigger: str | None = None,
    ) -> str:
        """A block_actions body: `user` pressed the button labelled `label` on a posted `message`."""
        payload = fixture("block_actions.json")
        self._user(payload, user)
        channel = channel or message["channel"]
        button = next(
            e
            for b in message["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["text"]["text"] == label
        )
        payload["container"].update(message_ts=message["ts"], channel_id=channel)
        payload["channel"]["id"] = channel
        payload["message"].update(ts=message["ts"], blocks=message["blocks"], text=message.get("text", ""))
        payload["actions"] = [
            {
                **payload["actions"][0],
                "action_id": button["action_id"],
                "value": button.get("value", ""),
                "text": button["text"],
                "action_ts": f"{time.time():.6f}",
            }
        ]
        payload["actions"][0].pop("style", None)
        payload["trigger_id"] = trigger or self.trigger()
        payload["response_url"] = f"{self.url}/response/act{next(self._ids)}"
        return interactive_body(payload)

    def submit(
        self,
        view: dict[str, Any],
        answers: dict[str, Any] | None = None,
        *,
        user: str = "alice",
        view_id: str = "V0POSTFORM",
        trigger: str | None = None,
    ) -> str:
        """A view_submission body for an opened `view`, its inputs filled like Slack does:
        initial values unless `answers` (by field id) says otherwise."""
        payload = fixture("view_submission.json")
        self._user(payload, user)
        payload["view"].update(
            id=view_id,
            callback_id=view["callback_id"],
            blocks=view["blocks"],
            private_metadata=view.get("private_metadata", ""),
            state={"values": state_of(view, answers or {})},
        )
        payload["trigger_id"] = trigger or self.trigger()
        return interactive_body(payload)

    def add_file(self, file_id: str, name: str, mimetype: str, content: bytes, *, size: int | None = None) -> None:
        """A file `files.info` describes (with `size`, when given, instead of the content's length)."""
        self.files[file_id] = SlackFile(name, mimetype, content, size)

    def shortcut(
        self,
        *,
        text: str | None = None,
        user: str = "alice",
        channel: str = GENERAL,
        files: bool | list[str] = True,
        trigger: str | None = None,
    ) -> str:
        """A message_action body; `files` False drops the message's files, a list of ids of
        `self.files` replaces them."""
        payload = fixture("message_action.json")
        self._user(payload, user)
        payload["channel"]["id"] = channel
        if text is not None:
            payload["message"]["text"] = text
        if not files:
            payload["message"].pop("files", None)
        elif isinstance(files, list):
            template = payload["message"]["files"][0]
            payload["message"]["files"] = [
                {**template, "id": fid, "name": self.files[fid].name, "title": self.files[fid].name,
                 "mimetype": self.files[fid].mimetype, "size": self.files[fid].declared}
                for fid in files
            ]
        payload["trigger_id"] = trigger or self.trigger()
        payload["response_url"] = f"{self.url}/response/sc{next(self._ids)}"
        return interactive_body(payload)

    # --- Web API -----------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await _body(request)
        call = Call(method, body, time.monotonic())
        self.calls.append(call)
        try:
            every, retry_after = self._every.get(method, (0, 0))
            if every and sum(c.method == method for c in self.calls) % every == 0:
                call.status, call.ok, call.error = 429, False, "ratelimited"
                return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                         headers={"Retry-After": str(retry_after)})
            for f in self._failures:
                if f.method == method and f.times > 0:
                    f.times -= 1
                    call.status, call.ok, call.error = f.status, False, f.error
                    return web.json_response(
                        {"ok": False, "error": f.error}, status=f.status, headers=f.headers
                    )
            expected = APP_TOKEN if method == "apps.connections.open" else self.token
            auth = request.headers.get("Authorization", "")
            if auth != f"Bearer {expected}" and body.get("token") != expected:
                return self._error(call, "not_authed" if not auth else "invalid_auth")
            handler = getattr(self, "_m_" + method.replace(".", "_"), None)
            if handler is None:
                return self._error(call, "unknown_method")
            result: dict[str, Any] = handler(body)
            if not result.get("ok", True):
                return self._error(call, str(result["error"]), result)
            return web.json_response({"ok": True, **result})
        finally:
            await self._notify()

    def _error(self, call: Call, error: str, extra: dict[str, Any] | None = None) -> web.Response:
        call.ok, call.error = False, error
        return web.json_response({**(extra or {}), "ok": False, "error": error})

    def _next_ts(self) -> str:
        return f"{1764000000 + next(self._ts)}.000100"

    def _m_auth_test(self, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://latebot-test.slack.com/",
            "team": "Latebot Test",
            "user": "latebot",
            "team_id": TEAM,
            "user_id": BOT_USER,
            "bot_id": "B0LATEBOT",
            "is_enterprise_install": False,
        }

    def _m_chat_postMessage(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = str(body.get("channel", ""))
        if channel in self.not_in:
            return {"ok": False, "error": "not_in_channel"}
        problems = message_problems(body)
        if problems:
            return {"ok": False, "error": "invalid_blocks", "errors": problems}
        if channel.startswith("U"):
            channel = "D" + channel[1:]
        message = {
            "type": "message",
            "user": BOT_USER,
            "ts": self._next_ts(),
            "channel": channel,
            "text": body.get("text", ""),
            "blocks": body.get("blocks") or [],
            "thread_ts": body.get("thread_ts"),
        }
        self.messages.setdefault(channel, []).append(message)
        return {"channel": channel, "ts": message["ts"], "message": message}

    def _m_chat_update(self, body: dict[str, Any]) -> dict[str, Any]:
        found = self.message(str(body.get("channel")), str(body.get("ts")))
        if found is None:
            return {"ok": False, "error": "message_not_found"}
        problems = message_problems(body)
        if problems:
            return {"ok": False, "error": "invalid_blocks", "errors": problems}
        found.update(text=body.get("text", ""), blocks=body.get("blocks") or [], edited=True)
        return {"channel": body["channel"], "ts": body["ts"], "text": found["text"]}

    def _m_chat_postEphemeral(self, body: dict[str, Any]) -> dict[str, Any]:
        if str(body.get("channel")) in self.not_in:
            return {"ok": False, "error": "not_in_channel"}
        problems = message_problems(body)
        if problems:
            return {"ok": False, "error": "invalid_blocks", "errors": problems}
        return {"message_ts": self._next_ts()}

    def _m_views_open(self, body: dict[str, Any]) -> dict[str, Any]:
        trigger = str(body.get("trigger_id", ""))
        issued = self._triggers.get(trigger)
        if issued is None:
            return {"ok": False, "error": "invalid_trigger_id"}
        if trigger in self._used or time.monotonic() - issued > self.trigger_ttl:
            return {"ok": False, "error": "expired_trigger_id"}
        problems = view_problems(body.get("view") or {})
        if problems:
            return {"ok": False, "error": "invalid_arguments", "response_metadata": {"messages": problems}}
        self._used.add(trigger)
        view_id = f"V{next(self._ids):08d}"
        view = {**body["view"], "id": view_id, "hash": f"{time.time():.6f}.h"}
        self.views[view_id] = view
        return {"view": view}

    def _m_views_update(self, body: dict[str, Any]) -> dict[str, Any]:
        view_id = str(body.get("view_id", ""))
        if view_id not in self.views:
            return {"ok": False, "error": "not_found"}
        problems = view_problems(body.get("view") or {})
        if problems:
            return {"ok": False, "error": "invalid_arguments", "response_metadata": {"messages": problems}}
        self.views[view_id] = {**body["view"], "id": view_id}
        return {"view": self.views[view_id]}

    def _m_conversations_info(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = str(body.get("channel", ""))
        if channel not in CHANNELS:
            return {"ok": False, "error": "channel_not_found"}
        return {
            "channel": {
                "id": channel,
                "name": CHANNELS[channel],
                "is_channel": True,
                "is_private": False,
                "is_im": False,
                "is_archived": channel in self.archived,
                "is_member": channel not in self.not_in,
            }
        }

    def _m_users_info(self, body: dict[str, Any]) -> dict[str, Any]:
        for name, u in USERS.items():
            if u["id"] == body.get("user"):
                profile = {"display_name": name, "real_name": u["real_name"]}
                return {
                    "user": {
                        "id": u["id"],
                        "team_id": TEAM,
                        "name": name,
                        "real_name": u["real_name"],
                        "tz": u["tz"],
                        "tz_label": u["tz"],
                        "is_admin": u["is_admin"],
                        "is_owner": False,
                        "is_bot": False,
                        "profile": profile,
                    }
                }
        return {"ok": False, "error": "user_not_found"}

    def _m_usergroups_list(self, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "usergroups": [
                {"id": gid, "team_id": TEAM, "handle": gid.removeprefix("S0").lower(), "users": list(members)}
                for gid, members in self.usergroups.items()
            ]
        }

    def _m_files_info(self, body: dict[str, Any]) -> dict[str, Any]:
        file_id = str(body.get("file", ""))
        if file_id not in self.files:
            return {"ok": False, "error": "file_not_found"}
        f = self.files[file_id]
        url = f"{self.url}/files/{file_id}/{quote(f.name)}"
        return {
            "file": {
                "id": file_id,
                "name": f.name,
                "mimetype": f.mimetype,
                "size": f.declared,
                "url_private": url,
                "url_private_download": url,
            }
        }

    def _m_apps_connections_open(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"url": f"ws://127.0.0.1:{self.port}/socket?ticket={uuid.uuid4().hex}"}

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        return next((m for m in self.messages.get(channel, []) if m["ts"] == ts), None)

    # --- response_url and files --------------------------------------------------------------

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        call = Call("response_url", {"key": request.match_info["key"], **body}, time.monotonic())
        self.calls.append(call)
        await self._notify()
        problems = message_problems(body)
        if problems:
            call.ok, call.error = False, "invalid_blocks"
            return web.Response(status=400, text="invalid_blocks")
        return web.Response(text="ok")

    async def _file(self, request: web.Request) -> web.Response:
        file_id = request.match_info["id"]
        call = Call("file_download", {"id": file_id}, time.monotonic())
        self.calls.append(call)
        await self._notify()
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            call.ok = False
            return web.Response(text="<html>sign in</html>", content_type="text/html")
        if file_id not in self.files:
            call.ok = False
            return web.Response(status=404, text="file_not_found")
        if self.hold_files is not None:
            await self.hold_files.wait()
        f = self.files[file_id]
        return web.Response(body=f.content, content_type=f.mimetype)

    # --- Socket Mode -------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.add(ws)
        self.connections += 1
        await self._notify()
        try:
            await ws.send_json(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "debug_info": {"host": "fake-slack", "approximate_connection_time": 18060},
                    "connection_info": {"app_id": "A0LATEBOT"},
                }
            )
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                data = json.loads(msg.data)
                future = self._acks.pop(str(data.get("envelope_id")), None)
                if future is not None and not future.done():
                    future.set_result(data)
        finally:
            self._sockets.discard(ws)
        return ws

    async def connected(self, within: float = 10.0) -> None:
        async def ready() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: bool(self._sockets))

        await asyncio.wait_for(ready(), within)

    async def envelope(
        self, kind: str, payload: dict[str, Any], *, retry_attempt: int = 0, within: float = 3.0
    ) -> dict[str, Any]:
        """Send one Socket Mode envelope; returns the app's ack (Slack wants it within 3 s)."""
        envelope = fixture("socket_envelope.json")
        envelope.update(
            envelope_id=str(uuid.uuid4()),
            type=kind,
            payload=payload,
            retry_attempt=retry_attempt,
            retry_reason="timeout" if retry_attempt else "",
        )
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._acks[envelope["envelope_id"]] = future
        for ws in list(self._sockets):
            await ws.send_json(envelope)
        return await asyncio.wait_for(future, within)


async def _body(request: web.Request) -> dict[str, Any]:
    body: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        body.update(await request.json())
    elif request.can_read_body:
        body.update(dict(parse_qsl(await request.text(), keep_blank_values=True)))
    for key in ("blocks", "view", "attachments"):
        if isinstance(body.get(key), str):
            body[key] = json.loads(body[key])
    return body


def state_of(view: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """`view.state.values` as Slack would send it: each input's initial value unless answered."""
    values: dict[str, Any] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        field_id = block["block_id"].split("~")[0]
        el = block["element"]
        kind = el["type"]
        answer = answers.get(field_id)
        options = [o for g in el.get("option_groups", []) for o in g["options"]] + el.get("options", [])
        if kind == "plain_text_input":
            item = {"type": kind, "value": answer if field_id in answers else el.get("initial_value")}
        elif kind == "static_select":
            chosen = (
                next((o for o in options if o["value"] == answer), None)
                if answer
                else el.get("initial_option")
            )
            item = {"type": kind, "selected_option": chosen}
        elif kind == "multi_static_select":
            chosen = (
                [o for o in options if o["value"] in (answer or [])]
                if answer
                else el.get("initial_options", [])
            )
            item = {"type": kind, "selected_options": chosen}
        elif kind == "datetimepicker":
            item = {"type": kind, "selected_date_time": answer if answer else el.get("initial_date_time")}
        else:
            continue
        values[block["block_id"]] = {el["action_id"]: item}
    return values


# --- Block Kit limits, checked like Slack does (independently of the adapter's own code) --------


def _text(obj: Any, limit: int, where: str, out: list[str], *, plain_only: bool = False) -> None:
    if not isinstance(obj, dict) or obj.get("type") not in (
        ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    ):
        out.append(f"{where}: not a text object")
        return
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        out.append(f"{where}: empty text")
    elif len(text.encode("utf-16-le")) // 2 > limit:
        out.append(f"{where}: text longer than {limit}")


def block_problems(blocks: list[dict[str, Any]], *, limit: int = 50) -> list[str]:
    out: list[str] = []
    if len(blocks) > limit:
        out.append(f"{len(blocks)} blocks (max {limit})")
    action_ids: set[str] = set()
    for i, b in enumerate(blocks):
        where = f"blocks[{i}]"
        if len(str(b.get("block_id", ""))) > 255:
            out.append(f"{where}: block_id too long")
        kind = b.get("type")
        if kind == "header":
            _text(b.get("text"), 150, where, out, plain_only=True)
        elif kind == "section":
            if "text" not in b and not b.get("fields"):
                out.append(f"{where}: section without text or fields")
            if "text" in b:
                _text(b["text"], 3000, where, out)
            fields = b.get("fields") or []
            if len(fields) > 10:
                out.append(f"{where}: more than 10 fields")
            for j, f in enumerate(fields):
                _text(f, 2000, f"{where}.fields[{j}]", out)
        elif kind == "context":
            elements = b.get("elements") or []
            if not 0 < len(elements) <= 10:
                out.append(f"{where}: context needs 1-10 elements")
            for j, e in enumerate(elements):
                _text(e, 3000, f"{where}.elements[{j}]", out)
        elif kind == "actions":
            elements = b.get("elements") or []
            if not 0 < len(elements) <= 25:
                out.append(f"{where}: actions needs 1-25 elements")
            for j, e in enumerate(elements):
                w = f"{where}.elements[{j}]"
                _text(e.get("text"), 75, w, out, plain_only=True)
                action_id = str(e.get("action_id", ""))
                if not action_id or len(action_id) > 255:
                    out.append(f"{w}: action_id missing or longer than 255")
                if action_id in action_ids:
                    out.append(f"{w}: duplicate action_id")
                action_ids.add(action_id)
                if len(str(e.get("value", ""))) > 2000:
                    out.append(f"{w}: value longer than 2000")
                if "url" in e and not (
                    0 < len(str(e["url"])) <= 3000 and str(e["url"]).startswith(("http://", "https://"))
                ):
                    out.append(f"{w}: url missing a scheme or longer than 3000")
                if e.get("style") not in (None, "primary", "danger"):
                    out.append(f"{w}: bad style")
        elif kind == "input":
            out += _input_problems(b, where)
        elif kind != "divider":
            out.append(f"{where}: unknown block type {kind!r}")
    return out


def _input_problems(b: dict[str, Any], where: str) -> list[str]:
    out: list[str] = []
    _text(b.get("label"), 2000, f"{where}.label", out, plain_only=True)
    if "hint" in b:
        _text(b["hint"], 2000, f"{where}.hint", out, plain_only=True)
    el = b.get("element") or {}
    kind = el.get("type")
    if kind == "plain_text_input":
        max_length = int(el.get("max_length", 3000))
        if max_length > 3000 or len(str(el.get("initial_value", ""))) > max_length:
            out.append(f"{where}: initial_value or max_length over the limit")
        if "placeholder" in el:
            _text(el["placeholder"], 150, f"{where}.placeholder", out, plain_only=True)
    elif kind in ("static_select", "multi_static_select"):
        groups = el.get("option_groups")
        options = el.get("options", [])
        if groups is not None and (options or not 0 < len(groups) <= 100):
            out.append(f"{where}: bad option_groups")
        every = [o for g in groups or [] for o in g.get("options", [])] + options
        if not every or len(options) > 100 or any(len(g.get("options", [])) > 100 for g in groups or []):
            out.append(f"{where}: needs 1-100 options (per group)")
        values = [o.get("value", "") for o in every]
        if len(set(values)) != len(values) or any(not 0 < len(v) <= 150 for v in values):
            out.append(f"{where}: option values must be unique and 1-150 characters")
        for o in every:
            _text(o.get("text"), 75, f"{where}.option", out, plain_only=True)
        chosen = el.get("initial_options", []) + ([el["initial_option"]] if "initial_option" in el else [])
        if any(o not in every for o in chosen):
            out.append(f"{where}: initial option is not one of the options")
    elif kind == "datetimepicker":
        if "initial_date_time" in el and not isinstance(el["initial_date_time"], int):
            out.append(f"{where}: initial_date_time must be an integer")
    else:
        out.append(f"{where}: unknown input element {kind!r}")
    return out


def message_problems(body: dict[str, Any]) -> list[str]:
    out = block_problems(body.get("blocks") or [])
    text = body.get("text")
    if not body.get("blocks") and not text:
        out.append("no text and no blocks")
    if isinstance(text, str) and len(text) > 40000:
        out.append("text longer than 40,000")
    return out


def view_problems(view: dict[str, Any]) -> list[str]:
    out = block_problems(view.get("blocks") or [], limit=100)
    if view.get("type") != "modal":
        out.append("not a modal")
    for key in ("title", "submit", "close"):
        if key in view:
            _text(view[key], 24, key, out, plain_only=True)
    if len(str(view.get("callback_id", ""))) > 255:
        out.append("callback_id longer than 255")
    if len(str(view.get("private_metadata", ""))) > 3000:
        out.append("private_metadata longer than 3000")
    return out


def pings(message: dict[str, Any], allowed: tuple[str, ...] = ()) -> list[str]:
    """Every broadcast or user mention in a recorded message body that is not in `allowed`."""
    import re

    raw = json.dumps(copy.deepcopy(message))
    found = [p for p in PINGS if p in raw]
    found += [m for m in re.findall(r"<@[A-Z0-9]+(?:\|[^>]*)?>", raw) if m not in allowed]
    return found
