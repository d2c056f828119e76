"""The Slack app over real HTTP against the fake Slack, with a recording router standing in for the core.

These check the adapter's own duties: signatures, acks within Slack's 3 s, translation into the
neutral types, rendering, modals, retries, 429s, the manifest. The whole flow with the real core
is in test_slack_flow.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import statistics
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import aiohttp

from adapters.slack.app import SlackBot, running_slack
from adapters.slack.port import Pacer
from bot.messages import (
    Actor,
    Button,
    ButtonPress,
    Card,
    CardField,
    Form,
    FormField,
    FormSubmission,
    Invocation,
    MessageRef,
    Place,
    Reply,
)
from bot.ports import ChatPort, Responder
from bot.settings import Settings
from tests.fakes.slack_api import (
    APP_TOKEN,
    GENERAL,
    SIGNING_SECRET,
    TOKEN,
    USERS,
    FakeSlack,
    pings,
    sign,
)

ROOT = Path(__file__).resolve().parent.parent


def post_form(text: str = "", media: list[str] | None = None, zone: str = "UTC") -> Form:
    return Form(
        id="late:post",
        title="New social post",
        submit="Send for approval",
        fields=[
            FormField(
                id="text", label="Post text", kind="textarea", value=text, required=True, max_length=3000
            ),
            FormField(
                id="targets",
                label="Post to",
                kind="multiselect",
                value=[],
                options=[("acc_x", "X @latebot_demo"), ("acc_li", "LinkedIn @latebot-demo")],
                required=True,
            ),
            FormField(
                id="mode",
                label="Publish",
                kind="select",
                value="now",
                options=[
                    ("now", "As soon as approved"),
                    ("schedule", "At the time below"),
                    ("draft", "Draft"),
                ],
            ),
            FormField(id="when", label="When", kind="datetime", value=""),
            FormField(id="tz", label="Time zone", value=zone),
            FormField(id="media", label="Media URLs", kind="textarea", value="\n".join(media or [])),
        ],
    )


def card(request_id: str = "r1", title: str = "Post awaiting approval") -> Card:
    return Card(
        title=title,
        text="Review the post below.",
        fields=[CardField(title="Requested by", value="alice", inline=True)],
        buttons=[
            Button(label="Approve", action="approve", request_id=request_id, style="primary"),
            Button(label="Reject", action="reject", request_id=request_id, style="danger"),
            Button(label="Edit", action="edit", request_id=request_id),
        ],
    )


@dataclass
class RecordingRouter:
    """Implements the Router interface; records what it got and answers like the core would."""

    delay: float = 0.0
    calls: list[tuple[str, Any]] = field(default_factory=list)
    ports: list[ChatPort] = field(default_factory=list)
    uploads: list[tuple[str, str, bytes]] = field(default_factory=list)

    def register(self, port: ChatPort) -> None:
        self.ports.append(port)

    async def invoke(self, inv: Invocation, responder: Responder) -> None:
        self.calls.append(("invoke", inv))
        await asyncio.sleep(self.delay)
        if inv.text.startswith("post"):
            ref = await self.ports[0].post_card(inv.place, card())
            self.calls.append(("posted", ref))
            await responder.reply(Reply(text=f"Sent for approval as r1: {inv.text}"))
        elif inv.text == "fail":
            raise RuntimeError("boom")
        else:
            await responder.reply(Reply(text=f"You said: {inv.text}"))

    async def press(self, press: ButtonPress, responder: Responder) -> None:
        self.calls.append(("press", press))
        if press.action == "reject":
            await responder.open_form(
                Form(
                    id=f"late:reject:{press.request_id}",
                    title="Reject post",
                    submit="Reject",
                    fields=[FormField(id="reason", label="Why?", kind="textarea", required=True)],
                )
            )
        elif press.action == "approve" and press.message is not None:
            await self.ports[0].update_card(
                press.message, card(title="Scheduled").model_copy(update={"buttons": []})
            )
            await self.ports[0].send(
                press.place.model_copy(update={"thread": press.message.message_id}),
                Reply(text="Approved by bob", mention="U0ALICE", ephemeral=False),
            )

    async def submit(self, sub: FormSubmission, responder: Responder) -> None:
        self.calls.append(("submit", sub))
        await responder.reply(Reply(text=f"Got form {sub.form_id}"))

    async def post_form(
        self, place: Place, actor: Actor, *, text: str = "", media: list[str] | None = None
    ) -> Form:
        self.calls.append(("post_form", (place, actor, text, media)))
        return post_form(text, media, zone=actor.timezone or "UTC")

    async def upload_media(self, filename: str, content_type: str, data: bytes) -> str:
        self.uploads.append((filename, content_type, data))
        return f"https://media.example/{filename}"

    def got(self, kind: str) -> list[Any]:
        return [value for k, value in self.calls if k == kind]


@dataclass
class SlackTest:
    fake: FakeSlack
    bot: SlackBot
    url: str
    http: aiohttp.ClientSession

    async def send(
        self,
        body: str,
        *,
        headers: dict[str, str] | None = None,
        signed: bool = True,
        content_type: str = "application/x-www-form-urlencoded",
    ) -> tuple[int, str, float]:
        """POST a body to /slack/events (signed unless told); returns status, body and seconds taken."""
        all_headers = {"Content-Type": content_type, **(sign(body) if signed else {}), **(headers or {})}
        start = time.monotonic()
        async with self.http.post(
            f"{self.url}/slack/events", data=body.encode(), headers=all_headers
        ) as resp:
            text = await resp.text()
            return resp.status, text, time.monotonic() - start


def slack_settings(tmp_path: Path, fake: FakeSlack, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_APP_TOKEN": None,
        "SLACK_API_URL": fake.api_url,
        "LATEBOT_DB": tmp_path / "latebot.db",
        **extra,
    }
    return Settings(_env_file=None, **values)


@contextlib.asynccontextmanager
async def slack_app(tmp_path: Path, router: Any, *, pacer: Pacer | None = None) -> AsyncIterator[SlackTest]:
    async with (
        FakeSlack() as fake,
        running_slack(
            slack_settings(tmp_path, fake), router, host="127.0.0.1", port=0, pacer=pacer or Pacer(rate=0)
        ) as (bot, url),
    ):
        async with aiohttp.ClientSession() as http:
            yield SlackTest(fake, bot, url, http)


# --- signatures ------------------------------------------------------------------------------------


async def test_bad_signatures_get_401_and_nothing_happens(tmp_path: Path) -> None:
    router = RecordingRouter()
    async with slack_app(tmp_path, router) as t:
        body = t.fake.slash("help")
        tampered = body.replace("help", "post")
        stale = sign(body, ts=int(time.time()) - 6 * 60)
        assert (await t.send(tampered, headers=sign(body), signed=False))[0] == 401
        assert (await t.send(body, headers=stale, signed=False))[0] == 401
        assert (await t.send(body, signed=False))[0] == 401
        assert (await t.send(body, headers=sign(body, secret="wrong"), signed=False))[0] == 401
        await t.bot.idle()
        assert router.calls == []
        assert [c.method for c in t.fake.calls] == ["auth.test"]
        # the same body, signed, goes through
        assert (await t.send(body))[0] == 200


async def test_healthz_and_webhook_routes(tmp_path: Path) -> None:
    async with slack_app(tmp_path, RecordingRouter()) as t:
        async with t.http.get(f"{t.url}/healthz") as resp:
            assert resp.status == 200 and (await resp.json()) == {"ok": True, "slack": "http"}
        async with t.http.post(f"{t.url}/late/webhooks", data=b"{}") as resp:
            assert resp.status == 503  # no handler wired in


# --- commands --------------------------------------------------------------------------------------


async def test_slash_command_is_acked_empty_then_answered_ephemerally(tmp_path: Path) -> None:
    router = RecordingRouter()
    async with slack_app(tmp_path, router) as t:
        status, text, _ = await t.send(t.fake.slash("queue &lt;now&gt; <#C0GENERAL|general>"))
        assert (status, text) == (200, "")
        await t.bot.idle()
        inv = router.got("invoke")[0]
        assert inv.text == "queue <now> #general"
        assert inv.actor == Actor(id="U0ALICE", name="alice", is_admin=True, timezone="Europe/Berlin")
        assert inv.place == Place(chat="slack", team="T0LATEBOT", channel=GENERAL)
        assert inv.delivery_id and inv.delivery_id.startswith("slack:")
        eph = t.fake.called("chat.postEphemeral")[-1].body
        assert eph["user"] == "U0ALICE" and eph["channel"] == GENERAL
        assert "You said: queue &lt;now&gt; #general" in eph["text"]


async def test_post_command_posts_a_card_and_approve_updates_it_in_place(tmp_path: Path) -> None:
    router = RecordingRouter()
    async with slack_app(tmp_path, router) as t:
        await t.send(t.fake.slash('post "Hi <!channel>" to x'))
        await t.bot.idle()
        posted = t.fake.called("chat.postMessage")[0].body
        assert posted["channel"] == GENERAL and posted["unfurl_links"] is False
        message = t.fake.messages[GENERAL][0]
        assert router.got("posted")[0] == MessageRef(
            chat="slack", team="T0LATEBOT", channel=GENERAL, message_id=message["ts"]
        )
        status, _, _ = await t.send(t.fake.click(message, "Approve", user="bob"))
        assert status == 200
        await t.bot.idle()
        press = router.got("press")[0]
        assert (press.action, press.request_id, press.actor.id) == ("approve", "r1", "U0BOB")
        assert press.message.message_id == message["ts"]
        assert message.get("edited") and "Scheduled" in message["blocks"][0]["text"]["text"]
        thread = t.fake.called("chat.postMessage")[-1].body
        assert thread["thread_ts"] == message["ts"] and thread["text"].startswith("<@U0ALICE> ")
        for call in t.fake.calls:
            assert pings(call.body, allowed=("<@U0ALICE>",)) == [], call


async def test_bare_post_opens_the_form_and_its_submission_reaches_the_core(tmp_path: Path) -> None:
    router = RecordingRouter()
    async with slack_app(tmp_path, router) as t:
        await t.send(t.fake.slash("post"))
        await t.bot.idle()
        assert router.got("invoke") == []
        opened = t.fake.called("views.open")[0].body["view"]
        assert opened["callback_id"] == "late:post"
        assert json.loads(opened["private_metadata"])["channel"] == GENERAL
        tz = next(b for b in opened["blocks"] if b["block_id"] == "tz")
        assert tz["element"]["initial_value"] == "Europe/Berlin"  # alice's Slack time zone
        body = t.fake.submit(
            opened,
            {"text": "From the form", "targets": ["acc_x", "acc_li"], "mode": "schedule", "when": 1796133600},
        )
        assert (await t.send(body))[:2] == (200, "")
        await t.bot.idle()
        sub = router.got("submit")[0]
        assert sub.form_id == "late:post" and sub.place.channel == GENERAL
        assert sub.values["targets"] == ["acc_x", "acc_li"] and sub.values["when"] == "2026-12-01T14:00:00Z"
        assert sub.values["text"] == "From the form" and sub.values["tz"] == "Europe/Berlin"
        assert "Got form late:post" in t.fake.called("chat.postEphemeral")[-1].body["text"]


async def test_reject_opens_a_modal_within_the_trigger_window(tmp_path: Path) -> None:
    router = RecordingRouter()
    async with slack_app(tmp_path, router) as t:
        await t.send(t.fake.slash('post "x" to x'))
        await t.bot.idle()
        message = t.fake.messages[GENERAL][0]
        sent = time.monotonic()
        await t.send(t.fake.click(message, "Reject", user="bob"))
        opened = (await t.fake.wait_for("views.open"))[0]
        assert opened.at - sent < 1.0
        view = opened.body["view"]
        assert view["callback_id"] == "late:reject:r1"
        await t.send(t.fake.submit(view, {"reason": "Off-brand <!here>"}, user="bob"))
        await t.bot.idle()
        sub = router.got("submit")[0]
        assert (sub.form_id, sub.values, sub.actor.id) == (
            "late:reject:r1",
            {"reason": "Off-brand <!here>"},
            "U0BOB",
        )


async def test_an_error_is_ephemeral_with_a_reference(tmp_path: Path) -> None:
    async with slack_app(tmp_path, RecordingRouter()) as t:
        await t.send(t.fake.slash("fail"))
        await t.bot.idle()
        text = t.fake.called("chat.postEphemeral")[-1].body["text"]
        assert text.startswith("Something went wrong on our side (ref ")


async def test_where_the_bot_cant_post_the_reply_goes_through_the_response_url(tmp_path: Path) -> None:
    async with slack_app(tmp_path, RecordingRouter()) as t:
        t.fake.not_in.add(GENERAL)
        await t.send(t.fake.slash("help"))
        await t.bot.idle()
        reply = t.fake.called("response_url")[-1].body
        assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
        assert "You said: help" in reply["text"]


# --- the shortcut ----------------------------------------------------------------------------------


async def test_shortcut_opens_the_prefilled_form_and_attaches_the_files(tmp_path: Path) -> None:
    router = RecordingRouter()
    async with slack_app(tmp_path, router) as t:
        assert (await t.send(t.fake.shortcut()))[:2] == (200, "")
        await t.bot.idle()
        _, actor, text, _ = router.got("post_form")[0]
        assert text == (
            "Big news & more: our launch post (https://example.com/launch) is live, thanks @bob! @here"
        )
        assert actor.id == "U0ALICE"
        opened = t.fake.called("views.open")[0].body["view"]
        assert "Attaching 1 file" in json.dumps(opened)
        assert [c.body["file"] for c in t.fake.called("files.info")] == ["F0PHOTO1"]
        assert router.uploads[0][:2] == ("launch.png", "image/png") and router.uploads[0][2].startswith(
            b"\x89PNG"
        )
        updated = t.fake.called("views.update")[0].body
        media = next(b for b in updated["view"]["blocks"] if b["block_id"].startswith("media"))
        assert media["block_id"] == "media~1"
        assert media["element"]["initial_value"] == "https://media.example/launch.png"
        await t.send(t.fake.submit(updated["view"], {}))
        await t.bot.idle()
        sub = router.got("submit")[0]
        assert sub.values["media"] == "https://media.example/launch.png"  # once, not twice
        assert sub.values["text"].startswith("Big news & more")


async def test_files_are_added_when_the_form_is_submitted_before_they_uploaded(tmp_path: Path) -> None:
    router = RecordingRouter()
    async with slack_app(tmp_path, router) as t:
        release = asyncio.Event()
        upload = router.upload_media

        async def slow_upload(filename: str, content_type: str, data: bytes) -> str:
            await release.wait()
            return await upload(filename, content_type, data)

        t.bot.uploads.sink = type("Sink", (), {"upload_media": staticmethod(slow_upload)})()
        await t.send(t.fake.shortcut())
        opened = (await t.fake.wait_for("views.open"))[0].body["view"]
        await t.send(t.fake.submit(opened, {"targets": ["acc_x"]}))
        await asyncio.sleep(0.2)
        assert router.got("submit") == []  # waiting for the upload
        release.set()
        await t.bot.idle()
        assert router.got("submit")[0].values["media"] == "https://media.example/launch.png"


# --- Slack's rules -----------------------------------------------------------------------------------


async def test_100_commands_are_acked_fast_while_the_core_takes_5_seconds(tmp_path: Path) -> None:
    router = RecordingRouter(delay=5.0)
    async with slack_app(tmp_path, router) as t:
        results = await asyncio.gather(*(t.send(t.fake.slash(f"status {i}")) for i in range(100)))
        acks = [took for status, _, took in results if status == 200]
        assert len(acks) == 100
        assert max(acks) < 1.0, max(acks)
        print(
            f"\nack latency with a 5 s core: median {statistics.median(acks) * 1000:.0f} ms, "
            f"max {max(acks) * 1000:.0f} ms"
        )
        await t.bot.idle()
        assert len(router.got("invoke")) == 100
        assert len(t.fake.called("chat.postEphemeral")) == 100
        assert len(t.fake.called("users.info")) == 1  # one lookup for the burst


async def test_a_retried_delivery_keeps_its_identity(tmp_path: Path) -> None:
    router = RecordingRouter()
    async with slack_app(tmp_path, router) as t:
        body = t.fake.slash('post "once" to x')
        for n in range(4):
            headers = {"X-Slack-Retry-Num": str(n), "X-Slack-Retry-Reason": "http_timeout"} if n else {}
            assert (await t.send(body, headers=headers))[0] == 200
        await t.bot.idle()
        ids = {inv.delivery_id for inv in router.got("invoke")}
        assert len(ids) == 1  # the core dedupes on it (test_slack_flow checks one approval request)


async def test_429_with_retry_after_is_waited_out_and_the_message_sent_once(tmp_path: Path) -> None:
    router = RecordingRouter()
    async with slack_app(tmp_path, router) as t:
        t.fake.fail("chat.postMessage", times=2, status=429, retry_after=1)
        start = time.monotonic()
        await t.send(t.fake.slash('post "rate limited" to x'))
        await t.bot.idle()
        attempts = [c for c in t.fake.calls if c.method == "chat.postMessage"]
        assert [c.status for c in attempts] == [429, 429, 200]
        assert attempts[-1].at - start >= 2.0
        assert len(t.fake.messages[GENERAL]) == 1


async def test_messages_to_one_channel_are_paced_and_kept_in_order(tmp_path: Path) -> None:
    async with slack_app(tmp_path, RecordingRouter(), pacer=Pacer(rate=2, per=1.0)) as t:
        port = t.bot.port
        start = time.monotonic()
        await asyncio.gather(
            *(port.send(Place(chat="slack", channel=GENERAL), Reply(text=f"m{i}")) for i in range(5))
        )
        texts = [m["text"] for m in t.fake.messages[GENERAL]]
        assert texts == [f"m{i}" for i in range(5)]
        assert time.monotonic() - start >= 2.0


# --- manifest and modes ------------------------------------------------------------------------------


def manifest() -> dict[str, Any]:
    """The subset of YAML the manifest uses: nested mappings, lists of mappings or scalars, comments."""
    root: dict[str, Any] = {}
    stack: list[tuple[int, Any]] = [(-1, root)]
    lines = [
        ln
        for ln in (ROOT / "manifest.yml").read_text().splitlines()
        if ln.strip() and not ln.lstrip().startswith("#")
    ]
    for i, line in enumerate(lines):
        indent = len(line) - len(line.lstrip())
        item = line.strip()
        while stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1]
        if item.startswith("- "):
            item = item[2:]
            if not re.match(r"^[\w-]+:( |$)", item):
                parent.append(_scalar(item))
                continue
            entry: dict[str, Any] = {}
            parent.append(entry)
            stack.append((indent, entry))
            parent, indent = entry, indent + 2
        key, _, value = item.partition(":")
        if value.strip():
            parent[key] = _scalar(value.strip())
        else:
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            child: Any = [] if nxt.strip().startswith("- ") else {}
            parent[key] = child
            stack.append((indent, child))
    return root


def _scalar(value: str) -> Any:
    if value[:1] in "'\"":
        return value[1:-1]
    return {"true": True, "false": False}.get(value, value)


async def test_manifest_matches_the_registered_handlers(tmp_path: Path) -> None:
    m = manifest()
    commands = [c["command"] for c in m["features"]["slash_commands"]]
    shortcuts = [(s["type"], s["callback_id"]) for s in m["features"]["shortcuts"]]
    assert m["settings"]["interactivity"]["is_enabled"] is True
    assert m["settings"]["socket_mode_enabled"] is True
    assert all(c["should_escape"] is True for c in m["features"]["slash_commands"])
    assert sorted(m["oauth_config"]["scopes"]["bot"]) == sorted(
        ["commands", "chat:write", "users:read", "files:read", "usergroups:read"]
    )
    router = RecordingRouter()
    async with slack_app(tmp_path, router) as t:
        assert sorted(t.bot.handled) == sorted(
            [("command", c) for c in commands] + [(f"{kind}_shortcut", cid) for kind, cid in shortcuts]
        )
        for command in commands:
            body = t.fake.slash("help").replace("command=%2Flate", "command=" + command.replace("/", "%2F"))
            assert (await t.send(body))[0] == 200
        for _, callback_id in shortcuts:
            body = t.fake.shortcut(files=False).replace("post_to_social", callback_id)
            assert (await t.send(body))[0] == 200
        # anything the manifest does not declare is not handled (Bolt answers 404)
        assert (await t.send(t.fake.slash("help").replace("%2Flate", "%2Fother")))[0] == 404
        await t.bot.idle()


async def test_socket_mode_acks_envelopes_and_dispatches_the_same_listeners(tmp_path: Path) -> None:
    router = RecordingRouter()
    async with FakeSlack() as fake:
        settings = slack_settings(tmp_path, fake, SLACK_APP_TOKEN=APP_TOKEN, SLACK_SIGNING_SECRET=None)
        async with running_slack(settings, router, host="127.0.0.1", port=0) as (bot, url):
            await fake.connected()
            payload = dict(parse_qsl(fake.slash("help"), keep_blank_values=True))
            sent = time.monotonic()
            ack = await fake.envelope("slash_commands", payload)
            assert time.monotonic() - sent < 1.0
            assert set(ack) == {"envelope_id"}
            await fake.envelope("slash_commands", payload, retry_attempt=1)
            await bot.idle()
            async with aiohttp.ClientSession() as http, http.get(f"{url}/healthz") as resp:
                assert (await resp.json())["slack"] == "socket"
                async with http.post(f"{url}/slack/events", data=b"x") as events:
                    assert events.status == 404  # no HTTP endpoint for Slack in Socket Mode
    invokes = router.got("invoke")
    assert [i.text for i in invokes] == ["help", "help"]
    assert invokes[0].delivery_id == invokes[1].delivery_id
    assert [c.method for c in fake.calls][:2] == ["auth.test", "apps.connections.open"]
    assert re.match(r"^slack:\d+\.", str(invokes[0].delivery_id))
    assert USERS["alice"]["id"] == invokes[0].actor.id
