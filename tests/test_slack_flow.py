"""End to end through Slack: signed HTTP requests into the running app, the real core and router,
the fake Late on loopback, and the app's Web API pointed at the fake Slack.

post -> approve -> Late -> card updated, reject, edit, the shortcut (files to Late's media), publish
results with permalinks in the card's thread, acks under a slow Late, retries, signatures, 429s,
Socket Mode, and delivery dedupe surviving a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import aiohttp

from adapters.slack.app import running_slack
from adapters.slack.port import Pacer
from bot.clock import FixedClock
from bot.late.media import MediaFile
from bot.messages import Actor, ButtonPress, Form, FormSubmission, Invocation, Place
from bot.ports import ChatPort, Responder
from tests.fakes.slack_api import APP_TOKEN, GENERAL, FakeSlack, pings, sign
from tests.harness import Harness, core_harness
from tests.test_slack_app import SlackTest, slack_settings

LAUNCH = '/late post "Launch day! 🚀" to twitter,linkedin at "2026-12-01 09:00" tz America/New_York'


def cmd(line: str) -> str:
    return line.removeprefix("/late ").strip()


@dataclass
class Flow(SlackTest):
    h: Harness

    async def command(self, line: str, user: str = "alice") -> tuple[int, str, float]:
        result = await self.send(self.fake.slash(cmd(line), user=user))
        await self.bot.idle()
        return result

    async def click(self, label: str, user: str, message: dict[str, Any] | None = None) -> None:
        message = message or self.card()
        status, body, _ = await self.send(self.fake.click(message, label, user=user))
        assert (status, body) == (200, "")
        await self.bot.idle()

    async def submit(self, view: dict[str, Any], answers: dict[str, Any], user: str) -> None:
        status, body, _ = await self.send(self.fake.submit(view, answers, user=user))
        assert (status, body) == (200, "")
        await self.bot.idle()

    def card(self, n: int = 0, channel: str = GENERAL) -> dict[str, Any]:
        return [m for m in self.fake.messages[channel] if not m.get("thread_ts")][n]

    def thread(self, card: dict[str, Any]) -> list[dict[str, Any]]:
        return [m for m in self.fake.messages[card["channel"]] if m.get("thread_ts") == card["ts"]]

    def ephemeral(self, user: str = "U0ALICE") -> list[str]:
        return [c.body["text"] for c in self.fake.called("chat.postEphemeral") if c.body["user"] == user]

    async def requests(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = await self.h.store.query(
            "SELECT id, state, revision, draft FROM requests ORDER BY id"
        )
        return rows


class WithMedia:
    """The real router plus a media upload to Late through the core's Late client (see the report)."""

    def __init__(self, h: Harness) -> None:
        self.h = h

    def register(self, port: ChatPort) -> None:
        self.h.router.register(port)

    async def invoke(self, inv: Invocation, responder: Responder) -> None:
        await self.h.router.invoke(inv, responder)

    async def press(self, press: ButtonPress, responder: Responder) -> None:
        await self.h.router.press(press, responder)

    async def submit(self, sub: FormSubmission, responder: Responder) -> None:
        await self.h.router.submit(sub, responder)

    async def post_form(
        self, place: Place, actor: Actor, *, text: str = "", media: list[str] | None = None
    ) -> Form:
        return await self.h.router.post_form(place, actor, text=text, media=media)

    async def upload_media(self, filename: str, content_type: str, data: bytes) -> str:
        [uploaded] = await self.h.core.late.upload_media([MediaFile(filename, data, content_type)])
        return uploaded.url


@contextlib.asynccontextmanager
async def slack_flow(
    tmp_path: Path,
    *,
    pacer: Pacer | None = None,
    media: bool = False,
    fake: FakeSlack | None = None,
) -> AsyncIterator[Flow]:
    async with contextlib.AsyncExitStack() as stack:
        h = await stack.enter_async_context(core_harness(tmp_path))
        if fake is None:
            fake = await stack.enter_async_context(FakeSlack())
        router: Any = WithMedia(h) if media else h.router
        bot, url = await stack.enter_async_context(
            running_slack(
                slack_settings(tmp_path, fake), router, host="127.0.0.1", port=0, pacer=pacer or Pacer(rate=0)
            )
        )
        http = await stack.enter_async_context(aiohttp.ClientSession())
        yield Flow(fake, bot, url, http, h)


def texts(message: dict[str, Any]) -> str:
    return json.dumps(message["blocks"], ensure_ascii=False)


def buttons(message: dict[str, Any]) -> list[str]:
    return [e["text"]["text"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def input_of(view: dict[str, Any], field_id: str) -> dict[str, Any]:
    element: dict[str, Any] = next(
        b for b in view["blocks"] if b.get("block_id", "").split("~")[0] == field_id
    )["element"]
    return element


def no_pings(fake: FakeSlack) -> None:
    for call in fake.calls:
        assert pings(call.body, allowed=("<@U0ALICE>", "<@U0BOB>", "<@U0CAROL>")) == [], call


# --- the approval flow ---------------------------------------------------------------------------


async def test_post_approve_late_and_the_card_updated_in_place(tmp_path: Path) -> None:
    async with slack_flow(tmp_path) as f:
        status, body, took = await f.command(LAUNCH)
        assert (status, body) == (200, "") and took < 1.0
        card = f.card()
        shown = texts(card)
        assert buttons(card) == ["Approve", "Reject", "Edit"]
        assert "*X* @demobrand · 14/280 characters" in shown
        assert "*LinkedIn* @demo-brand · 13/3000 characters" in shown
        assert "Tue 1 Dec 2026 09:00 America/New_York" in shown and "*Requested by*\\nalice" in shown
        assert "Sent for approval here as request r1" in f.ephemeral()[-1]

        await f.click("Approve", user="alice")
        assert f.ephemeral()[-1] == "You can't approve your own request; someone else has to."
        assert f.h.late.calls("POST", "/v1/posts") == []

        await f.click("Approve", user="bob")
        [created] = f.h.late.calls("POST", "/v1/posts")
        assert created.headers["idempotency-key"]
        card = f.card()
        assert card.get("edited") and buttons(card) == []
        assert ":white_check_mark: Scheduled" in texts(card) and "*Approved by*\\nbob" in texts(card)
        [reply] = f.thread(card)
        assert reply["text"].startswith("<@U0ALICE> Your post r1 was approved by bob")
        assert [r["state"] for r in await f.requests()] == ["scheduled"]

        # Publishing day: Late publishes it, the result and its permalinks come back into the thread.
        assert isinstance(f.h.clock, FixedClock)
        f.h.clock.set(datetime(2026, 12, 1, 14, 1, tzinfo=UTC))
        await f.h.late.engine.publish_due()
        await f.h.core.scheduler.tick()
        card = f.card()
        assert "Published" in card["blocks"][0]["text"]["text"]
        result = f.thread(card)[-1]["text"]
        assert "https://" in result and "<@U0ALICE>" in result
        no_pings(f.fake)


async def test_publish_now_reports_permalinks_in_the_thread(tmp_path: Path) -> None:
    async with slack_flow(tmp_path) as f:
        await f.command('/late post "Now is the time" to bluesky now')
        await f.click("Approve", user="bob")
        card = f.card()
        assert "Published" in card["blocks"][0]["text"]["text"]
        assert "https://bsky.app/" in texts(card)
        assert "https://bsky.app/" in f.thread(card)[-1]["text"]


async def test_reject_asks_for_a_reason_in_a_modal_and_tells_the_requester(tmp_path: Path) -> None:
    async with slack_flow(tmp_path) as f:
        await f.command('/late post "Hello from the team" to x tomorrow 9am')
        sent = time.monotonic()
        await f.click("Reject", user="bob")
        [opened] = f.fake.called("views.open")
        assert opened.at - sent < 1.0  # well inside the 3 s of the trigger_id
        view = opened.body["view"]
        assert view["callback_id"] == "late:reject:r1"
        await f.submit(view, {"reason": "Off-brand <!here> & too early"}, user="bob")
        card = f.card()
        assert ":x: Rejected" in texts(card) and buttons(card) == []
        assert "Off-brand &lt;!here&gt; &amp; too early" in texts(card)
        reply = f.thread(card)[-1]["text"]
        assert reply.startswith("<@U0ALICE>") and "&lt;!here&gt;" in reply
        assert "Rejected r1." in f.ephemeral("U0BOB")[-1]
        assert [r["state"] for r in await f.requests()] == ["rejected"]
        assert f.h.late.calls("POST", "/v1/posts") == []
        no_pings(f.fake)


async def test_edit_opens_the_prefilled_form_and_resubmits(tmp_path: Path) -> None:
    async with slack_flow(tmp_path) as f:
        await f.command(LAUNCH)
        await f.click("Edit", user="bob")
        view = f.fake.called("views.open")[-1].body["view"]
        assert view["callback_id"] == "late:edit:r1"
        assert input_of(view, "text")["initial_value"] == "Launch day! 🚀"
        assert len(input_of(view, "targets")["initial_options"]) == 2
        # 09:00 in New York on 1 Dec is 14:00 UTC; the picker shows it in the user's own zone
        assert input_of(view, "when")["initial_date_time"] == int(
            datetime(2026, 12, 1, 14, tzinfo=UTC).timestamp()
        )
        assert input_of(view, "tz")["initial_value"] == "America/New_York"
        await f.submit(view, {"text": "Launch day, take two 🚀"}, user="bob")
        assert "Saved revision 2 of r1" in f.ephemeral("U0BOB")[-1]
        card = f.card()
        assert "Launch day, take two" in texts(card) and buttons(card) == ["Approve", "Reject", "Edit"]
        [row] = await f.requests()
        assert (row["state"], row["revision"]) == ("pending", 2)
        assert json.loads(row["draft"])["scheduled_for"].startswith("2026-12-01T14:00")


async def test_bare_post_opens_the_form_in_the_users_time_zone(tmp_path: Path) -> None:
    async with slack_flow(tmp_path) as f:
        await f.command("/late post")
        view = f.fake.called("views.open")[-1].body["view"]
        assert view["callback_id"] == "late:post"
        assert input_of(view, "tz")["initial_value"] == "Europe/Berlin"  # from users.info
        # Nothing has asked Late for the accounts yet (the form only uses cached ones): targets are typed
        assert input_of(view, "targets")["type"] == "plain_text_input"
        await f.submit(
            view,
            {
                "text": "From the modal",
                "targets": "x",
                "mode": "schedule",
                "when": int(datetime(2026, 12, 2, 8, tzinfo=UTC).timestamp()),
            },
            user="alice",
        )
        assert "Sent for approval" in f.ephemeral()[-1]
        assert "Wed 2 Dec 2026 09:00 Europe/Berlin" in texts(f.card())
        # Once the channel is bound and its accounts known, the form offers them to pick from
        await f.command("/late bind Demo Brand")
        await f.command("/late accounts")
        await f.command("/late post")
        view = f.fake.called("views.open")[-1].body["view"]
        labels = [o["text"]["text"] for o in input_of(view, "targets")["options"]]
        assert "X @demobrand" in labels and len(labels) == 5


async def test_message_shortcut_prefills_the_form_and_uploads_the_files_to_late(tmp_path: Path) -> None:
    async with slack_flow(tmp_path, media=True) as f:
        status, body, _ = await f.send(f.fake.shortcut())
        assert (status, body) == (200, "")
        await f.bot.idle()
        view = f.fake.called("views.open")[-1].body["view"]
        assert input_of(view, "text")["initial_value"] == (
            "Big news & more: our launch post (https://example.com/launch) is live, thanks @bob! @here"
        )
        assert [c.body["file"] for c in f.fake.called("files.info")] == ["F0PHOTO1"]
        [upload] = f.h.late.calls("POST", "/v1/media")
        assert b"launch.png" in upload.body
        view = f.fake.called("views.update")[-1].body["view"]
        media_url = input_of(view, "media")["initial_value"]
        assert media_url.startswith("http")
        await f.submit(view, {"targets": "x"}, user="alice")
        card = f.card()
        assert "our launch post (https://example.com/launch)" in texts(card) and media_url in texts(card)
        no_pings(f.fake)


async def test_shortcut_without_a_media_upload_says_so_in_the_form(tmp_path: Path) -> None:
    async with slack_flow(tmp_path) as f:
        await f.send(f.fake.shortcut())
        await f.bot.idle()
        update = f.fake.called("views.update")[-1].body["view"]
        assert "Could not attach launch.png" in json.dumps(update)


# --- Slack's rules -------------------------------------------------------------------------------------


async def test_100_commands_are_acked_under_a_second_while_late_takes_5_seconds(tmp_path: Path) -> None:
    async with slack_flow(tmp_path) as f:
        f.h.late.delay = 5.0
        bodies = [f.fake.slash(f'post "Update {i}" to x tomorrow 9am') for i in range(100)]
        results = await asyncio.gather(*(f.send(b) for b in bodies))
        acks = sorted(took for status, _, took in results if status == 200)
        assert len(acks) == 100 and max(acks) < 1.0, acks[-5:]
        print(
            f"\nSlack acks with Late at 5 s: median {statistics.median(acks) * 1000:.0f} ms, "
            f"max {max(acks) * 1000:.0f} ms"
        )
        await f.bot.idle()
        assert len(await f.requests()) == 100
        assert len(f.fake.messages[GENERAL]) == 100


async def test_a_delivery_sent_four_times_makes_one_request(tmp_path: Path) -> None:
    async with slack_flow(tmp_path) as f:
        body = f.fake.slash(cmd('/late post "Only once" to x now'))
        results = await asyncio.gather(
            *(
                f.send(
                    body,
                    headers={"X-Slack-Retry-Num": str(n), "X-Slack-Retry-Reason": "http_timeout"}
                    if n
                    else {},
                )
                for n in range(4)
            )
        )
        assert [r[0] for r in results] == [200] * 4
        await f.bot.idle()
        assert len(await f.requests()) == 1
        assert len(f.fake.messages[GENERAL]) == 1
        assert len(f.ephemeral()) == 1


async def test_dedupe_survives_a_restart(tmp_path: Path) -> None:
    async with FakeSlack() as fake:
        body = fake.slash(cmd('/late post "Before the restart" to x now'))
        async with slack_flow(tmp_path, fake=fake) as f:
            await f.send(body)
            await f.bot.idle()
        async with slack_flow(tmp_path, fake=fake) as f:
            assert (await f.send(body, headers={"X-Slack-Retry-Num": "1"}))[0] == 200
            await f.bot.idle()
            assert len(await f.requests()) == 1
            assert len(fake.called("chat.postMessage")) == 1


async def test_bad_signatures_are_refused_and_change_nothing(tmp_path: Path) -> None:
    async with slack_flow(tmp_path) as f:
        body = f.fake.slash(cmd('/late post "Sneaky" to x now'))
        tampered = body.replace("Sneaky", "Evil")
        for headers, sent in [
            (sign(body), tampered),
            (sign(body, ts=int(time.time()) - 301), body),
            ({}, body),
        ]:
            status, _, _ = await f.send(sent, headers=headers, signed=False)
            assert status == 401
        await f.bot.idle()
        assert await f.requests() == []
        assert [c.method for c in f.fake.calls] == ["auth.test"]


async def test_slack_429_twice_delivers_the_card_once_later(tmp_path: Path) -> None:
    async with slack_flow(tmp_path) as f:
        f.fake.fail("chat.postMessage", times=2, status=429, retry_after=1)
        start = time.monotonic()
        await f.command('/late post "Patience" to x now')
        tries = [c for c in f.fake.calls if c.method == "chat.postMessage"]
        assert [c.status for c in tries] == [429, 429, 200]
        assert tries[-1].at - start >= 2.0
        assert len(f.fake.messages[GENERAL]) == 1 and len(await f.requests()) == 1
        assert "Sent for approval" in f.ephemeral()[-1]


async def test_socket_mode_end_to_end_with_a_retried_envelope(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h, FakeSlack() as fake:
        settings = slack_settings(tmp_path, fake, SLACK_APP_TOKEN=APP_TOKEN, SLACK_SIGNING_SECRET=None)
        async with running_slack(settings, h.router, host="127.0.0.1", port=0) as (bot, _):
            await fake.connected()
            payload = dict(parse_qsl(fake.slash('post "Over the socket" to x now'), keep_blank_values=True))
            first = await fake.envelope("slash_commands", payload)
            again = await fake.envelope("slash_commands", payload, retry_attempt=1)
            assert set(first) == set(again) == {"envelope_id"}
            await bot.idle()
            rows = await h.store.query("SELECT id FROM requests")
            assert len(rows) == 1 and len(fake.messages[GENERAL]) == 1
            message = fake.messages[GENERAL][0]
            click = json.loads(dict(parse_qsl(fake.click(message, "Approve", user="bob")))["payload"])
            await fake.envelope("interactive", click)
            await bot.idle()
            assert buttons(fake.messages[GENERAL][0]) == []
            assert len(h.late.calls("POST", "/v1/posts")) == 1
