"""The Slack app's own duties, over real HTTP (and Socket Mode) against the fake Slack, with the real
core and router behind it on the fake Late.

Signatures, acks within Slack's 3 s, translation of payloads into the neutral types (seen through
what the real core does with them), replies where the bot can't post, retried deliveries, 429s,
pacing, Socket Mode, /healthz and /late/webhooks, and the manifest. The product flows (approve,
publish, reject, edit, the shortcut's files) are in test_slack_flow.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
import pytest

from adapters.slack.app import FULL_WAIT, SlackBot, running_slack
from adapters.slack.port import Pacer
from bot.clock import SequentialIds
from bot.messages import Place, Reply
from tests.fakes.slack_api import (
    APP_TOKEN,
    APPROVALS,
    GENERAL,
    SIGNING_SECRET,
    TEAM,
    TOKEN,
    USERS,
    FakeSlack,
    pings,
    sign,
)
from tests.harness import Harness, core_harness

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class SlackTest:
    """The running Slack adapter (`bot`, served at `url`), the fake Slack and the real core (`h`)."""

    fake: FakeSlack
    bot: SlackBot
    url: str
    http: aiohttp.ClientSession
    h: Harness

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
        async with self.http.post(f"{self.url}/slack/events", data=body.encode(), headers=all_headers) as resp:
            text = await resp.text()
            return resp.status, text, time.monotonic() - start

    async def command(self, line: str, user: str = "alice") -> tuple[int, str, float]:
        """`/late <line>` by `user`, and everything it causes."""
        result = await self.send(self.fake.slash(line.removeprefix("/late ").strip(), user=user))
        await self.bot.idle()
        return result

    async def click(self, label: str, user: str, message: dict[str, Any] | None = None) -> None:
        status, body, _ = await self.send(self.fake.click(message or self.card(), label, user=user))
        assert (status, body) == (200, "")
        await self.bot.idle()

    async def submit(self, view: dict[str, Any], answers: dict[str, Any], user: str) -> None:
        status, body, _ = await self.send(self.fake.submit(view, answers, user=user))
        assert (status, body) == (200, "")
        await self.bot.idle()

    def card(self, n: int = 0, channel: str = GENERAL) -> dict[str, Any]:
        """The `n`th card (a message with a header, not in a thread) the bot posted in `channel`."""
        cards = [m for m in self.fake.messages[channel] if not m.get("thread_ts")]
        return [m for m in cards if m["blocks"] and m["blocks"][0]["type"] == "header"][n]

    def thread(self, card: dict[str, Any]) -> list[dict[str, Any]]:
        return [m for m in self.fake.messages[card["channel"]] if m.get("thread_ts") == card["ts"]]

    def ephemeral(self, user: str = "U0ALICE") -> list[str]:
        return [c.body["text"] for c in self.fake.called("chat.postEphemeral") if c.body["user"] == user]

    async def requests(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = await self.h.store.query(
            "SELECT id, state, revision, draft, channel, team, requester_id, card_channel, card_message_id,"
            " reason, decided_by FROM requests ORDER BY id"
        )
        return rows

    async def deliveries(self) -> list[str]:
        return [r["key"] for r in await self.h.store.query("SELECT key FROM deliveries ORDER BY key")]


def slack_values(fake: FakeSlack, **extra: Any) -> dict[str, Any]:
    """The Slack settings for an app talking to `fake` (HTTP mode unless `SLACK_APP_TOKEN` is given)."""
    return {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_APP_TOKEN": None,
        "SLACK_API_URL": fake.api_url,
        **extra,
    }


@contextlib.asynccontextmanager
async def slack_app(
    tmp_path: Path, *, pacer: Pacer | None = None, fake: FakeSlack | None = None, full_wait: float = FULL_WAIT,
    **settings: Any,
) -> AsyncIterator[SlackTest]:
    """The real core on a fake Late (one settings object, as the CLI has) and the Slack adapter on it."""
    async with contextlib.AsyncExitStack() as stack:
        if fake is None:
            fake = await stack.enter_async_context(FakeSlack())
        h = await stack.enter_async_context(core_harness(tmp_path, **slack_values(fake, **settings)))
        bot, url = await stack.enter_async_context(
            running_slack(h.settings, h.router, host="127.0.0.1", port=0, pacer=pacer or Pacer(rate=0),
                          full_wait=full_wait)
        )
        http = await stack.enter_async_context(aiohttp.ClientSession())
        yield SlackTest(fake, bot, url, http, h)


def buttons(message: dict[str, Any]) -> list[str]:
    return [e["text"]["text"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def texts(message: dict[str, Any]) -> str:
    return json.dumps(message["blocks"], ensure_ascii=False)


# --- signatures ------------------------------------------------------------------------------------


async def test_bad_signatures_get_401_and_change_nothing(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as t:
        body = t.fake.slash('post "Sneaky" to x now')
        tampered = body.replace("Sneaky", "Evil")
        stale = sign(body, ts=int(time.time()) - 6 * 60)
        for sent, headers in [
            (tampered, sign(body)),
            (body, stale),
            (body, {}),
            (body, sign(body, secret="wrong")),
        ]:
            assert (await t.send(sent, headers=headers, signed=False))[0] == 401
        await t.bot.idle()
        assert await t.requests() == [] and await t.deliveries() == []
        assert [c.method for c in t.fake.calls] == ["auth.test"]
        assert t.h.late.calls("POST") == []
        # the same body, signed, goes through
        assert (await t.send(body))[:2] == (200, "")
        await t.bot.idle()
        assert len(await t.requests()) == 1


# --- the HTTP server -------------------------------------------------------------------------------


async def test_healthz_shows_the_slack_mode_and_late_webhooks_answer_501(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as t:
        async with t.http.get(f"{t.url}/healthz") as resp:
            assert resp.status == 200 and (await resp.json()) == {"ok": True, "slack": "http"}
        async with t.http.post(f"{t.url}/late/webhooks", data=b"{}") as resp:
            assert resp.status == 501
            assert await resp.json() == {"ok": False, "error": "this latebot does not handle Late webhooks yet"}
        async with t.http.get(f"{t.url}/slack/events") as resp:
            assert resp.status == 405


# --- translation -----------------------------------------------------------------------------------


async def test_a_command_is_acked_empty_then_translated_and_answered_ephemerally(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as t:
        body = t.fake.slash('post "Tea &amp; &lt;cake&gt; in <#C0GENERAL|general>" to x tomorrow 9am')
        status, text, took = await t.send(body)
        assert (status, text) == (200, "") and took < 3.0
        await t.bot.idle()
        # Slack's escaping is undone once: the core stores the text as the user wrote it
        [row] = await t.requests()
        draft = json.loads(row["draft"])
        assert draft["thread"] == ["Tea & <cake> in #general"]
        # alice's time zone from users.info: "tomorrow 9am" is 9:00 in Berlin
        assert (draft["timezone"], draft["scheduled_for"]) == ("Europe/Berlin", "2026-11-23T08:00:00Z")
        assert (row["requester_id"], row["team"], row["channel"]) == ("U0ALICE", TEAM, GENERAL)
        trigger = dict(parse_qsl(body))["trigger_id"]
        assert await t.deliveries() == [f"slack:{trigger}"]
        # the card is in the channel, escaped again for Slack; the answer only alice sees
        assert "Tea &amp; &lt;cake&gt; in #general" in texts(t.card())
        eph = t.fake.called("chat.postEphemeral")[-1].body
        assert (eph["user"], eph["channel"]) == ("U0ALICE", GENERAL)
        assert eph["text"].startswith("Sent for approval here as request r1.")
        # alice is an admin in Slack, bob is not
        await t.command("/late bind Demo Brand", user="bob")
        assert t.ephemeral("U0BOB")[-1] == "Only an admin can bind this channel to a Late profile."
        await t.command("/late bind Demo Brand", user="alice")
        assert t.fake.messages[GENERAL][-1]["text"] == "This channel now posts to the Late profile Demo Brand."


async def test_approver_groups_are_slack_user_groups(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as t:
        await t.command("/late config approvers <!subteam^S0APPROVERS|@approvers>")
        assert "approvers: a member of @approvers" in t.ephemeral()[-1]
        await t.command('/late post "Group decision" to x now')
        await t.click("Approve", user="bob")
        assert t.ephemeral("U0BOB")[-1] == (
            "Only the brand's approvers can approve its posts here: a member of @approvers."
        )
        assert t.h.late.calls("POST", "/v1/posts") == []
        await t.click("Approve", user="carol")  # carol is in @approvers (usergroups.list)
        assert len(t.h.late.calls("POST", "/v1/posts")) == 1
        assert [r["state"] for r in await t.requests()] == ["published"]


async def test_someone_removed_from_the_approver_group_stops_approving_within_seconds(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as t:
        now = [1000.0]
        t.bot.ctx.people.groups.clock = lambda: now[0]  # the lookup cache's clock, injected
        t.bot.ctx.people.users.clock = lambda: now[0]
        await t.command("/late config approvers <!subteam^S0APPROVERS|@approvers>")
        await t.command('/late post "First" to x now')
        await t.click("Approve", user="carol", message=t.card(0))
        assert len(t.h.late.calls("POST", "/v1/posts")) == 1
        t.fake.usergroups["S0APPROVERS"].discard(USERS["carol"]["id"])  # an admin removes carol
        await t.command('/late post "Second" to x now')
        now[0] += 6.0  # a few seconds later, membership is asked again
        await t.click("Approve", user="carol", message=t.card(1))
        assert t.ephemeral("U0CAROL")[-1].startswith("Only the brand's approvers")
        assert len(t.h.late.calls("POST", "/v1/posts")) == 1


async def test_the_approval_channel_is_checked_with_slack_and_gets_the_cards(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as t:
        await t.command("/late bind Demo Brand")
        t.fake.not_in.add(APPROVALS)
        await t.command("/late config approval_channel <#C0APPROVE|approvals>")
        assert t.ephemeral()[-1] == (
            "latebot is not in #approvals: invite it there with /invite @latebot, then try again."
        )
        await t.command("/late config approval_channel <#C0OLD|old-news>")
        assert t.ephemeral()[-1] == "#old-news is archived; pick another channel."
        await t.command("/late config approval_channel <#C0NOPE>")
        assert t.ephemeral()[-1].startswith("latebot can't see the channel C0NOPE: it does not exist")
        t.fake.fail("conversations.info", error="missing_scope")  # an app installed from an older manifest
        await t.command("/late config approval_channel <#C0APPROVE|approvals>")
        assert t.ephemeral()[-1] == "latebot's Slack app lacks the channels:read scope; reinstall it from manifest.yml."
        t.fake.not_in.clear()
        await t.command("/late config approval_channel <#C0APPROVE|approvals>")
        assert [c.body["channel"] for c in t.fake.called("conversations.info")] == [APPROVALS, "C0OLD", APPROVALS]
        await t.command('/late post "To the approvers" to x now')
        assert t.ephemeral()[-1].startswith("Sent for approval in the approval channel as request r1.")
        assert "To the approvers" in texts(t.card(channel=APPROVALS))


async def test_a_card_is_posted_and_a_click_updates_it_in_place(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as t:
        await t.command('/late post "Hi <!channel>" to x tomorrow 9am')
        posted = t.fake.called("chat.postMessage")[0].body
        assert posted["channel"] == GENERAL and posted["unfurl_links"] is False and posted["unfurl_media"] is False
        message = t.card()
        [row] = await t.requests()
        assert (row["card_channel"], row["card_message_id"]) == (GENERAL, message["ts"])
        # the buttons carry the request and its revision
        approve = next(e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"])
        assert (approve["action_id"], approve["value"]) == ("late:approve:r1:1", "r1:1")
        await t.click("Approve", user="bob", message=message)
        assert message.get("edited") and buttons(message) == []
        assert ":white_check_mark: Scheduled" in message["blocks"][0]["text"]["text"]
        [reply] = t.thread(message)
        assert reply["text"].startswith("<@U0ALICE> Your post r1 was approved by bob")
        assert [(r["state"], r["decided_by"]) for r in await t.requests()] == [("scheduled", "bob")]
        for call in t.fake.calls:
            assert pings(call.body, allowed=("<@U0ALICE>",)) == [], call


async def test_bare_post_opens_the_form_and_its_submission_is_read_back(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as t:
        await t.command("/late bind Demo Brand")
        await t.command("/late accounts")  # the form offers the accounts once they are known
        await t.command("/late post")
        opened = t.fake.called("views.open")[0].body["view"]
        assert opened["callback_id"] == "late:post"
        assert json.loads(opened["private_metadata"])["channel"] == GENERAL
        by_id = {b["block_id"]: b for b in opened["blocks"] if b["type"] == "input"}
        assert by_id["tz"]["element"]["initial_value"] == "Europe/Berlin"  # alice's Slack time zone
        options = {o["text"]["text"]: o["value"] for o in by_id["targets"]["element"]["options"]}
        chosen = [options["X @demobrand"], options["LinkedIn @demo-brand"]]
        await t.submit(
            opened,
            {"text": "From the form", "targets": chosen, "mode": "schedule", "when": 1796133600},
            user="alice",
        )
        assert t.ephemeral()[-1].startswith("Sent for approval here as request r1.")
        [row] = await t.requests()
        draft = json.loads(row["draft"])
        assert row["channel"] == GENERAL and draft["thread"] == ["From the form"]
        assert [x["account_id"] for x in draft["targets"]] == chosen
        # the picker's Unix time, read in the form's zone
        assert (draft["scheduled_for"], draft["timezone"]) == ("2026-12-01T14:00:00Z", "Europe/Berlin")
        assert "Tue 1 Dec 2026 15:00 Europe/Berlin" in texts(t.card())


async def test_an_unexpected_error_is_ephemeral_with_a_logged_reference(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with slack_app(tmp_path) as t:
        # Slack refuses the card for a reason nobody can fix from chat: the request is kept (the
        # scheduler posts its card later) and the user gets a reference
        t.fake.fail("chat.postMessage", error="internal_error")
        await t.command('/late post "x" to x now')
        [text] = t.ephemeral()
        found = re.fullmatch(r"Saved as request r1, but its approval card could not be posted yet \(the chat did "
                             r"not take it; ref (\w+)\)\. latebot keeps trying, .*", text)
        assert found is not None, text
        assert any(found.group(1) in r.getMessage() and r.exc_info for r in caplog.records)


async def test_a_late_answer_latebot_cannot_read_is_not_taken_for_none(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as t:
        t.h.late.fail("GET", "/v1/profiles", 200, body={"profiles": "not a list"})
        await t.command('/late post "x" to x now')
        [text] = t.ephemeral()
        assert "not bound" not in text and "none yet" not in text
        assert "unexpected shape" in text and re.search(r"\(ref \w+\)$", text)
        assert await t.requests() == []


async def test_where_the_bot_cant_post_the_reply_goes_through_the_response_url(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as t:
        t.fake.not_in.add(GENERAL)
        await t.command("/late help")
        assert [c.error for c in t.fake.calls if c.method == "chat.postEphemeral"] == ["not_in_channel"]
        reply = t.fake.called("response_url")[-1].body
        assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
        assert "/late post" in reply["text"]


# --- Slack's rules -----------------------------------------------------------------------------------


async def test_100_commands_are_acked_within_3_s_while_late_takes_5_seconds(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as t:
        t.h.late.stall("GET", "/v1/profiles", 5.0, times=100)
        bodies = [t.fake.slash(f'post "Update {i}" to x tomorrow 9am') for i in range(100)]
        results = await asyncio.gather(*(t.send(b) for b in bodies))
        acks = sorted(took for status, _, took in results if status == 200)
        assert len(acks) == 100 and max(acks) < 3.0, acks[-5:]
        await t.bot.idle()
        assert len(t.h.late.calls("GET", "/v1/profiles")) == 1  # the burst shares one Late call
        assert len(await t.requests()) == 100
        assert len(t.fake.messages[GENERAL]) == 100
        assert len(t.ephemeral()) == 100
        # One lookup shared by the burst, asked again only when the 5 s freshness of rights is over.
        lookups = t.fake.called("users.info")
        assert 1 <= len(lookups) <= 1 + int((lookups[-1].at - lookups[0].at) / 5.0)


async def test_a_full_lane_never_drops_a_command(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Room for one queued command, and the lane holding its work back (acks keep "arriving"): the
    acks still go out in time, past the wait for room the commands wait in tasks of their own, and
    every one of them is done, with nothing said that is not its result."""
    async with slack_app(tmp_path, full_wait=0.2) as t:
        t.bot.lane.capacity = 1
        t.bot.lane.quiet = t.bot.lane.patience = 1.0  # nothing starts for a second after the last ack
        bodies = [t.fake.slash(f'post "Full {i}" to x tomorrow 9am') for i in range(6)]
        results = await asyncio.gather(*(t.send(b) for b in bodies))
        assert [(status, text) for status, text, _ in results] == [(200, "")] * 6
        assert max(took for _, _, took in results) < 1.0  # the wait for room ends well inside Slack's 3 s
        assert t.fake.called("chat.postMessage") == []  # acknowledged, not yet worked on
        assert "work lane is full" in caplog.text
        await t.bot.idle()
        assert len(await t.requests()) == 6
        assert len(t.fake.messages[GENERAL]) == 6
        told = [re.match(r"Sent for approval here as request (r\d)\.", e) for e in t.ephemeral()]
        assert sorted(m.group(1) for m in told if m) == [f"r{i}" for i in range(1, 7)]


async def test_work_that_opens_a_form_does_not_wait_in_the_lane(tmp_path: Path) -> None:
    """A bare `/late post` must reach views.open within the trigger's 3 s, even while the lane holds
    other work back."""
    async with slack_app(tmp_path) as t:
        t.bot.lane.quiet = t.bot.lane.patience = 5.0
        await t.send(t.fake.slash('post "Queued" to x tomorrow 9am'))
        status, _, _ = await t.send(t.fake.slash("post"))
        assert status == 200
        await t.fake.wait_for("views.open", within=1.0)
        assert t.bot.lane.waiting == 1 and t.fake.called("chat.postMessage") == []


async def test_a_button_whose_ref_is_too_long_for_its_action_id_still_counts_as_opening_a_form(tmp_path: Path) -> None:
    """Over 255 characters, `late:reject:<ref>` is sent as `late:reject` with the ref in the value: the
    click is recognised as Reject (which answers with a modal) and worked on at once, not queued
    behind other work past the trigger's 3 s."""
    long_ids = SequentialIds("r" + "x" * 241)
    async with slack_app(tmp_path, ids=long_ids) as t:
        await t.command('post "Long ids" to x tomorrow 9am')
        card = t.card()
        reject = next(e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]
                      if e["text"]["text"] == "Reject")
        assert reject["action_id"] == "late:reject" and reject["value"] == f"{long_ids.prefix}1:1"
        t.bot.lane.quiet = t.bot.lane.patience = 5.0
        await t.send(t.fake.slash('post "Queued" to x tomorrow 9am'))
        status, _, _ = await t.send(t.fake.click(card, "Reject", user="bob"))
        assert status == 200
        await asyncio.gather(*t.bot.tasks)  # the click's work, started at once; the lane's waits
        assert t.bot.lane.waiting == 1
        # (Slack refuses this modal itself: its callback_id, `late:reject:<ref>`, is over 255 too.)
        assert [c.method for c in t.fake.calls].count("views.open") == 1


async def test_work_that_never_started_before_shutdown_is_reported_not_done(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as t:
        t.bot.lane.quiet = t.bot.lane.patience = 30.0
        await t.send(t.fake.slash('post "Too late" to x tomorrow 9am'))
        await t.bot.close(grace=0)  # no time to work anything off
        stopped = "latebot was restarting and did not get to this; nothing was done. Please try again."
        assert t.ephemeral() == [stopped]
        # A command that still comes in while the app stops is told the same, at once.
        await t.send(t.fake.slash('post "Later still" to x tomorrow 9am'))
        await t.fake.wait_for("chat.postEphemeral", count=2, within=2.0)
        assert t.ephemeral() == [stopped, stopped]
        assert await t.requests() == []


async def test_a_delivery_sent_four_times_acts_once(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as t:
        body = t.fake.slash('post "Only once" to x now')
        results = await asyncio.gather(
            *(
                t.send(body, headers={"X-Slack-Retry-Num": str(n), "X-Slack-Retry-Reason": "http_timeout"} if n else {})
                for n in range(4)
            )
        )
        assert [r[:2] for r in results] == [(200, "")] * 4
        await t.bot.idle()
        assert len(await t.requests()) == 1 and len(await t.deliveries()) == 1
        assert len(t.fake.messages[GENERAL]) == 1
        assert len(t.ephemeral()) == 1


async def test_429_with_retry_after_is_waited_out_and_the_card_sent_once(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as t:
        t.fake.fail("chat.postMessage", times=2, status=429, retry_after=1)
        await t.command('/late post "Patience" to x now')
        attempts = [c for c in t.fake.calls if c.method == "chat.postMessage"]
        assert [c.status for c in attempts] == [429, 429, 200]
        assert attempts[-1].at - attempts[0].at >= 2.0  # Retry-After: 1, twice
        assert len(t.fake.messages[GENERAL]) == 1 and len(await t.requests()) == 1
        assert t.ephemeral()[-1].startswith("Sent for approval")


async def test_messages_to_one_channel_are_paced_and_kept_in_order(tmp_path: Path) -> None:
    async with slack_app(tmp_path, pacer=Pacer(rate=2, per=1.0)) as t:
        place = Place(chat="slack", team=TEAM, channel=GENERAL)
        start = time.monotonic()
        # through the core's registry of chat ports, as notices and alerts reach Slack
        await asyncio.gather(
            *(t.h.core.chats.send(place, Reply(text=f"m{i}", ephemeral=False)) for i in range(5))
        )
        texts = [m["text"] for m in t.fake.messages[GENERAL]]
        assert texts == [f"m{i}" for i in range(5)]
        assert time.monotonic() - start >= 2.0  # 2 a second: m0 m1, m2 m3, m4


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
        ["commands", "chat:write", "users:read", "files:read", "usergroups:read", "channels:read", "groups:read"]
    )
    async with slack_app(tmp_path) as t:
        assert sorted(t.bot.handled) == sorted(
            [("command", c) for c in commands] + [(f"{kind}_shortcut", cid) for kind, cid in shortcuts]
        )
        for command in commands:
            body = t.fake.slash("help").replace("command=%2Flate", "command=" + command.replace("/", "%2F"))
            assert (await t.send(body))[0] == 200
        for _, callback_id in shortcuts:
            body = t.fake.shortcut(files=False).replace("post_to_social", callback_id)
            assert (await t.send(body))[0] == 200
        await t.bot.idle()
        assert len(t.ephemeral()) == len(commands)  # the help
        assert len(t.fake.called("views.open")) == len(shortcuts)  # the post form
        # anything the manifest does not declare is not handled (Bolt answers 404)
        assert (await t.send(t.fake.slash("help").replace("%2Flate", "%2Fother")))[0] == 404


async def test_socket_mode_acks_envelopes_and_runs_the_same_listeners(tmp_path: Path) -> None:
    async with FakeSlack() as fake:
        extra = {"SLACK_APP_TOKEN": APP_TOKEN, "SLACK_SIGNING_SECRET": None}
        async with slack_app(tmp_path, fake=fake, **extra) as t:
            await fake.connected()
            assert [c.method for c in fake.calls][:2] == ["auth.test", "apps.connections.open"]
            payload = dict(parse_qsl(fake.slash('post "Over the socket" to x now'), keep_blank_values=True))
            sent = time.monotonic()
            first = await fake.envelope("slash_commands", payload)
            assert time.monotonic() - sent < 3.0
            again = await fake.envelope("slash_commands", payload, retry_attempt=1)
            assert set(first) == set(again) == {"envelope_id"}
            await t.bot.idle()
            # the retried envelope carries the same trigger_id: one request, one card, one answer
            assert len(await t.requests()) == 1 and len(fake.messages[GENERAL]) == 1
            assert len(t.ephemeral()) == 1
            click = json.loads(dict(parse_qsl(fake.click(t.card(), "Approve", user="bob")))["payload"])
            assert set(await fake.envelope("interactive", click)) == {"envelope_id"}
            await t.bot.idle()
            assert buttons(t.card()) == [] and len(t.h.late.calls("POST", "/v1/posts")) == 1
            async with t.http.get(f"{t.url}/healthz") as resp:
                assert (await resp.json())["slack"] == "socket"
            async with t.http.post(f"{t.url}/slack/events", data=b"x") as events:
                assert events.status == 404  # no HTTP endpoint for Slack in Socket Mode


async def test_starting_logs_no_warning_about_the_token_even_with_slack_bot_token_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Bolt reads SLACK_BOT_TOKEN from the environment itself, as it is set where latebot runs.
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    caplog.set_level("DEBUG")
    async with slack_app(tmp_path) as t:
        await t.command('/late post "Hello" to x now')
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= 30]
    assert not [w for w in warnings if "token" in w.lower()], warnings
    assert t.ephemeral()[-1].startswith("Sent for approval")
