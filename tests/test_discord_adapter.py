"""The Discord adapter: real discord.py on the fake Discord, driving the real router and core on the fake Late.

These tests pin what the adapter itself does (translate payloads, render cards and forms, answer in
time, fall back to the channel when a token is gone, pace, wait out 429s, copy attachments), each
through a scenario the real core plays; the whole flows are in test_discord_e2e.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.cli import Reaching, chat_services
from adapters.discord.forms import FOLD_PREFIX
from adapters.discord.responder import TOO_LATE
from adapters.discord.service import DiscordService
from adapters.http import HttpServer
from adapters.sandbox.media import MEDIA_HOST
from bot.clock import FixedClock
from bot.messages import Place
from commands.help import help_text
from commands.router import Router
from tests.fakes.discord_server import (
    GENERAL,
    GUILD_ID,
    USERS,
    Call,
    FakeDiscord,
)
from tests.fakes.late_server import FakeLate
from tests.harness import API_KEY, START, Harness, core_harness, running
from tests.test_discord_e2e import POST, card_edited, card_posted, discord_on_core, field, post, texts, told

COMMANDS_PATH = "/applications/1180000000000000001/commands"


async def answered(fake: FakeDiscord, payload: dict[str, Any], count: int = 1) -> list[Call]:
    await fake.wait_until(lambda: len(fake.callbacks(payload)) >= count)
    return fake.callbacks(payload)


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 10.0) -> None:
    """Poll the core's state (which the fakes do not see change) until `check` holds."""
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("the core did not reach the expected state in time")
        await asyncio.sleep(0.02)


def notices(fake: FakeDiscord, channel: str = GENERAL) -> list[Call]:
    """Plain messages the bot posted in a channel (not cards)."""
    return [c for c in fake.channel_calls("POST", channel) if not c.json.get("embeds")]


# --- start-up ---------------------------------------------------------------------------------


async def test_connects_with_default_intents_and_syncs_commands_globally(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (h, fake, bot):
        assert fake.identified == 1
        assert h.core.chats.port("discord") is bot.port  # registered with the core through the port
        put = [c for c in fake.calls if c.method == "PUT"]
        assert [c.path for c in put] == [COMMANDS_PATH]
        by_name = {c["name"]: c for c in put[0].json}
        assert set(by_name) == {"late", "Post to social"}
        assert by_name["Post to social"]["type"] == 3
        assert (
            by_name["late"]["dm_permission"] is False and by_name["Post to social"]["dm_permission"] is False
        )
        subs = {o["name"]: o for o in by_name["late"]["options"]}
        assert list(subs) == [
            "post",
            "queue",
            "show",
            "approve",
            "reject",
            "history",
            "cancel",
            "retry",
            "edit",
            "accounts",
            "health",
            "connect",
            "usage",
            "profiles",
            "bind",
            "config",
            "help",
        ]
        options = {o["name"]: o for o in subs["post"]["options"]}
        assert [n for n, o in options.items() if o.get("required")] == ["text"]
        assert options["to"]["autocomplete"] and options["when"]["autocomplete"] and options["tz"]["autocomplete"]
        assert options["media"]["type"] == 11
        assert [c["value"] for c in options["mode"]["choices"]] == ["schedule", "now", "draft"]
        # the per-platform options, each typed (Discord allows 25 options a command)
        assert {"subreddit", "title", "board", "link", "first_comment", "type", "privacy"} <= set(options)
        assert [c["value"] for c in options["type"]["choices"]] == ["story", "reel"]
        assert len(options) <= 25
        assert {o["name"]: o for o in subs["bind"]["options"]}["profile"]["autocomplete"]
    assert bot.is_closed()


async def test_syncs_to_one_guild_with_discord_guild_id(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path, settings={"DISCORD_GUILD_ID": int(GUILD_ID)}) as (_h, fake, _bot):
        put = [c.path for c in fake.calls if c.method == "PUT"]
        assert put == [f"/applications/1180000000000000001/guilds/{GUILD_ID}/commands"]


async def test_identify_asks_for_no_privileged_intent(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (_h, _fake, bot):
        intents = bot.intents
        assert not intents.message_content and not intents.members and not intents.presences


# --- commands ---------------------------------------------------------------------------------


async def test_a_slash_command_becomes_a_request_with_its_typed_options(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (h, fake, _bot):
        attachment = fake.attachment("launch.png")
        payload = await fake.interact(fake.slash("post", {**POST, "mode": "schedule"}, attachment=attachment))
        answer = await told(fake, payload, "Sent for approval")
        assert answer == ("Sent for approval here as request r1. It needs 1 approval from anyone but the requester "
                          "(/late show r1).")
        assert all(c.json["data"]["flags"] == 64 for c in fake.callbacks(payload))  # only alice sees it

        request = await h.core.approvals.get("r1")
        assert (request.requester_id, request.requester_name) == (USERS["alice"], "Alice")
        assert request.place == Place(chat="discord", team=GUILD_ID, channel=GENERAL)
        draft = request.draft
        assert draft.text == "Launch day! 🚀"
        assert [t.platform for t in draft.targets] == ["twitter", "linkedin"]
        assert (draft.mode, draft.timezone) == ("schedule", "America/New_York")
        assert draft.scheduled_for == datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
        (media,) = draft.media
        assert media.url.startswith(MEDIA_HOST) and media.type == "image"


async def test_admin_is_whoever_may_manage_the_server(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (h, fake, _bot):
        refused = await fake.interact(fake.slash("bind", {"profile": "Demo Brand"}, user="alice"))
        await told(fake, refused, "Only an admin can bind")
        bound = await fake.interact(fake.slash("bind", {"profile": "Demo Brand"}, user="dana"))
        await told(fake, bound, "This channel now posts to the Late profile Demo Brand.")
        config = await h.core.channels.get(Place(chat="discord", team=GUILD_ID, channel=GENERAL))
        assert config.profile_id


async def test_help_option_named_command_is_passed_as_an_option(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (_h, fake, _bot):
        payload = await fake.interact(fake.slash("help", {"command": "post"}))
        (callback,) = await answered(fake, payload)
        assert callback.json == {"type": 5, "data": {"flags": 64}}  # deferred at once, only alice sees it
        assert await told(fake, payload, "/late post") == help_text("post")


async def test_slow_work_is_deferred_then_the_thinking_message_is_edited(tmp_path: Path) -> None:
    """`/late show` of a long LinkedIn post while Late is slow: deferred, then the 'thinking' message
    becomes the first 2,000 characters and the rest follows, ephemeral, pinging nobody."""
    long_text = "\n".join(f"Line {n}: our launch, told at length for LinkedIn @everyone." for n in range(45))
    async with discord_on_core(tmp_path) as (h, fake, _bot):
        late_id = await made_in_lates_dashboard(h, long_text)
        h.late.stall("GET", f"/v1/posts/{late_id}", 1.0)
        payload = await fake.interact(fake.slash("show", {"id": late_id}))
        (callback,) = await answered(fake, payload)
        assert callback.json == {"type": 5, "data": {"flags": 64}}
        assert callback.at - fake.dispatched_at(payload) < 3.0
        edits = await fake.wait_until(lambda: len(fake.followups(payload)) >= 2 and fake.followups(payload))
        assert (edits[0].method, edits[0].path.rsplit("/", 1)[-1]) == ("PATCH", "@original")
        assert edits[0].json["content"].startswith(f"Late post {late_id}: draft\nLine 0:")
        assert edits[1].method == "POST" and edits[1].json["flags"] == 64
        assert all(len(e.json["content"]) <= 2000 for e in edits)
        assert "Line 44" in edits[1].json["content"]
        assert all(e.json["allowed_mentions"] == {"parse": []} for e in edits)


async def made_in_lates_dashboard(h: Harness, text: str) -> str:
    """A LinkedIn draft made on Late by someone else (not through latebot); returns its id."""
    accounts = await h.late.engine.account_ids()
    linkedin = {"platform": "linkedin", "accountId": accounts["linkedin"]}
    body = {"content": text, "platforms": [linkedin], "isDraft": True}
    async with httpx.AsyncClient(base_url=h.late.url, headers={"Authorization": f"Bearer {API_KEY}"}) as late:
        answer = await late.post("/v1/posts", json=body)
    answer.raise_for_status()
    return str(answer.json()["post"]["_id"])


async def test_a_public_reply_after_a_defer_replaces_the_thinking_message(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (h, fake, _bot):
        h.late.stall("GET", "/v1/profiles", 0.5)
        payload = await fake.interact(fake.slash("bind", {"profile": "Demo Brand"}, user="dana"))
        (callback,) = await answered(fake, payload)
        assert callback.json["type"] == 5
        calls = await fake.wait_until(lambda: len(fake.followups(payload)) >= 2 and fake.followups(payload))
        assert [c.method for c in calls] == ["DELETE", "POST"]
        assert calls[1].json["content"] == "This channel now posts to the Late profile Demo Brand."
        assert not calls[1].json.get("flags", 0) & 64  # the channel sees it


async def test_a_redelivered_interaction_is_handled_once_and_still_closed(tmp_path: Path) -> None:
    """The same INTERACTION_CREATE twice (a replayed gateway event): the adapter defers it (Discord
    refuses: it was answered), the core ignores the duplicate and nothing more is said."""
    async with discord_on_core(tmp_path) as (h, fake, bot):
        payload = await post(fake)
        said = texts(fake, payload)
        await fake.redeliver(payload)
        (refused,) = await fake.wait_until(lambda: fake.refused(payload))
        assert refused.json == {"type": 5, "data": {"flags": 64}}
        await bot.lane.idle()
        assert texts(fake, payload) == said
        await card_posted(fake)
        assert len(fake.cards()) == 1
        assert [r.id for r in await h.core.approvals.queue(Place(chat="discord", team=GUILD_ID, channel=GENERAL))] == [
            "r1"
        ]


async def test_an_unexpected_error_becomes_a_short_ephemeral_reference(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (h, fake, _bot):
        # Late answers with something that is not a list of accounts.
        h.late.fail("GET", "/v1/accounts", 200, body={"accounts": "secret internals"})
        payload = await fake.interact(fake.slash("accounts"))
        text = await told(fake, payload, "(ref ")
        assert text.startswith("Late answered in an unexpected shape")
        assert "secret" not in text and "no connected accounts" not in text
        assert all(c.json["data"]["flags"] == 64 for c in fake.callbacks(payload))


# --- mentions -------------------------------------------------------------------------------


async def test_echoed_everyone_never_pings(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (_h, fake, _bot):
        payload = await fake.interact(fake.slash("show", {"id": "@everyone"}))
        await told(fake, payload, "is not a request or post id")
        (edit,) = fake.followups(payload)
        assert edit.json["content"].startswith("“@everyone” is not a request or post id.")
        assert edit.json["allowed_mentions"] == {"parse": []}


async def test_the_requester_is_told_in_the_cards_thread_with_the_only_mention_allowed(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (_h, fake, _bot):
        await post(fake)
        card = await card_posted(fake)
        reason = "Wrong date @everyone, ask <@&1180000000000000300>"
        sub = await fake.interact(fake.submit("late:reject:r1:1", {"reason": reason}, user="bob"))
        await told(fake, sub, "Rejected r1")
        (call,) = await fake.wait_until(lambda: notices(fake))
        assert call.json["content"] == f"<@{USERS['alice']}> Your post r1 was rejected by Bob (approver): {reason}"
        assert call.json["allowed_mentions"] == {"parse": [], "users": [int(USERS["alice"])]}
        assert str(call.json["message_reference"]["message_id"]) == card["id"]
        assert call.json["message_reference"]["fail_if_not_exists"] is False


# --- autocomplete ----------------------------------------------------------------------------


async def test_autocomplete_answers_with_the_cores_choices(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (_h, fake, _bot):
        payload = await fake.interact(
            fake.autocomplete(
                "post", {"text": "Hello", "tz": "America/New_York", "when": "tomorrow 9am"}, focused="when"
            )
        )
        (callback,) = await answered(fake, payload)
        # The zone typed in the other option is the one the time is read in.
        assert callback.json == {
            "type": 8,
            "data": {
                "choices": [
                    {"name": "tomorrow 9am -> Mon 23 Nov 2026 09:00 America/New_York", "value": "tomorrow 9am"}
                ]
            },
        }
        profile = await fake.interact(fake.autocomplete("bind", {"profile": "demo"}, focused="profile", user="dana"))
        (callback,) = await answered(fake, profile)
        assert callback.json["data"]["choices"] == [{"name": "Demo Brand", "value": "Demo Brand"}]


async def test_edit_suggests_time_zones_as_post_does(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (_h, fake, _bot):
        [put] = [c for c in fake.calls if c.method == "PUT"]
        late = next(c for c in put.json if c["name"] == "late")
        edit = {o["name"]: o for o in next(s for s in late["options"] if s["name"] == "edit")["options"]}
        assert edit["to"]["autocomplete"] and edit["when"]["autocomplete"] and edit["tz"]["autocomplete"]
        payload = await fake.interact(fake.autocomplete("edit", {"id": "r1", "tz": "Europe/Ber"}, focused="tz"))
        (callback,) = await answered(fake, payload)
        assert "Europe/Berlin" in [c["value"] for c in callback.json["data"]["choices"]]


async def test_edit_takes_the_per_platform_options_post_takes(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (h, fake, _bot):
        [put] = [c for c in fake.calls if c.method == "PUT"]
        subs = {s["name"]: s for s in next(c for c in put.json if c["name"] == "late")["options"]}
        post, edit = ({o["name"] for o in subs[n]["options"]} for n in ("post", "edit"))
        assert post <= edit | {"text"} and len(edit) <= 25
        await told(fake, await fake.interact(fake.slash("post", POST)), "Sent for approval")
        payload = await fake.interact(fake.slash("edit", {"id": "r1", "first_comment": "More below"}))
        assert "revision 2 needs approval again" in await told(fake, payload, "Edited r1")
        draft = (await h.core.approvals.get("r1")).draft
        assert draft.specifics.first_comment == "More below" and draft.text == "Launch day! 🚀"


async def test_autocomplete_that_takes_too_long_answers_empty_in_time(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path, autocomplete_timeout=0.3) as (h, fake, _bot):
        h.late.stall("GET", "/v1/accounts", 10.0)
        payload = await fake.interact(fake.autocomplete("post", {"to": "tw"}, focused="to"))
        (callback,) = await answered(fake, payload)
        assert callback.json == {"type": 8, "data": {"choices": []}}


# --- buttons and forms ---------------------------------------------------------------------


async def test_the_card_is_a_channel_message_with_embed_and_buttons_and_is_edited_in_place(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (_h, fake, _bot):
        await post(fake, {"text": "One *bold* start\n---\nand a second part", "to": "twitter,linkedin"})
        (call,) = [c for c in fake.channel_calls("POST", GENERAL) if c.json.get("embeds")]
        (embed,) = call.json["embeds"]
        assert embed["title"] == "Post awaiting approval" and embed["color"] == 0x5865F2
        assert embed["description"] == "Review the post below, then approve, reject or edit it."
        x, linkedin, *fields, notes = embed["fields"]
        assert x == {
            "name": "Preview · X @demobrand  (17/280 characters)",
            "value": "**1/2** One \\*bold\\* start\n\n**2/2** and a second part",
            "inline": False,
        }
        assert linkedin["name"].startswith("Preview · LinkedIn @demo-brand")
        assert linkedin["value"] == "One \\*bold\\* start"
        assert [(f["name"], f["inline"]) for f in fields[:3]] == [
            ("Requested by", True),
            ("When", True),
            ("Request", True),
        ]
        assert notes["name"] == "⚠ Check before approving"
        assert notes["value"].startswith("• LinkedIn @demo-brand: LinkedIn has no threads")
        (row,) = call.json["components"]
        assert [(b["label"], b["custom_id"], b["style"]) for b in row["components"]] == [
            ("Approve", "late:approve:r1:1", 3),
            ("Reject", "late:reject:r1:1", 4),
            ("Edit", "late:edit:r1:1", 2),
        ]
        assert call.json["allowed_mentions"] == {"parse": []}

        await fake.interact(fake.click(call.response["id"], "late:approve:r1:1"))
        await card_edited(fake, call.response["id"], "Published")
        patches = fake.channel_calls("PATCH", GENERAL)
        assert {p.path for p in patches} == {f"/channels/{GENERAL}/messages/{call.response['id']}"}
        assert patches[-1].json["components"] == [] and patches[-1].json["embeds"][0]["color"] == 0x57F287


async def test_a_click_becomes_a_press_and_reject_opens_a_modal(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (h, fake, _bot):
        await post(fake)
        card = await card_posted(fake)
        payload = await fake.interact(fake.click(card["id"], "late:reject:r1:1", user="bob"))
        (callback,) = await answered(fake, payload)
        assert callback.json["type"] == 9
        modal = callback.json["data"]
        assert modal["custom_id"] == "late:reject:r1:1" and modal["title"] == "Reject post"
        (text_input,) = modal["components"][0]["components"]
        assert (text_input["custom_id"], text_input["style"], text_input["required"]) == ("reason", 2, True)
        assert text_input["max_length"] == 1000

        submitted = await fake.interact(
            fake.submit("late:reject:r1:1", {"reason": "Wrong date"}, message_id=card["id"])
        )
        (ack,) = await answered(fake, submitted)
        assert ack.json == {"type": 5, "data": {"flags": 64}}  # a modal's submission is deferred at once
        assert await told(fake, submitted, "Rejected") == "Rejected r1."
        request = await h.core.approvals.get("r1")
        assert (request.state, request.reason, request.decided_by) == ("rejected", "Wrong date", "Bob (approver)")


async def test_everything_is_deferred_at_once_but_reject_still_opens_its_modal(tmp_path: Path) -> None:
    """With the work held back (a burst being acknowledged), a command is deferred at once; Reject
    does not wait in the lane: the gate is asked first, then the modal opens as the first answer,
    and someone who may not reject is told so instead."""
    async with discord_on_core(tmp_path) as (h, fake, bot):
        await post(fake)
        card = await card_posted(fake)
        bot.lane.quiet = bot.lane.patience = 30.0
        queued = await fake.interact(fake.slash("post", POST))
        (deferred,) = await answered(fake, queued)
        assert deferred.json == {"type": 5, "data": {"flags": 64}}
        assert deferred.at - fake.dispatched_at(queued) < 1.0 and bot.lane.waiting == 1

        click = await fake.interact(fake.click(card["id"], "late:reject:r1:1", user="bob"))
        (modal,) = await answered(fake, click)
        assert modal.json["type"] == 9 and modal.json["data"]["custom_id"] == "late:reject:r1:1"
        own = await fake.interact(fake.click(card["id"], "late:reject:r1:1", user="alice"))
        (refused,) = await answered(fake, own)
        assert refused.json["type"] == 4 and refused.json["data"]["flags"] == 64
        assert "your own request" in refused.json["data"]["content"]
        assert (await h.core.approvals.get("r1")).state == "pending"
        assert bot.lane.waiting == 1  # the command still waits; Reject did not
        bot.lane.quiet = bot.lane.patience = 0.0
        await told(fake, queued, "Sent for approval here as request r2")


async def test_approve_with_nothing_to_say_is_acknowledged_silently(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (_h, fake, _bot):
        await post(fake)
        card = await card_posted(fake)
        payload = await fake.interact(fake.click(card["id"], "late:approve:r1:1"))
        (callback,) = await answered(fake, payload)
        assert callback.json == {"type": 6}
        await card_edited(fake, card["id"], "Scheduled")
        assert not fake.followups(payload)


async def test_a_form_that_comes_too_late_gets_an_explanation(tmp_path: Path) -> None:
    # No grace at all: the click is deferred before the core (which reads SQLite first) opens the form.
    async with discord_on_core(tmp_path, press_grace=0.0) as (h, fake, _bot):
        await post(fake)
        card = await card_posted(fake)
        payload = await fake.interact(fake.click(card["id"], "late:edit:r1:1"))
        (callback,) = await answered(fake, payload)
        assert callback.json == {"type": 6}
        (followup,) = await fake.wait_until(lambda: fake.followups(payload))
        assert followup.json["content"] == TOO_LATE and followup.json["flags"] == 64
        assert (await h.core.approvals.get("r1")).revision == 1


async def test_post_to_social_opens_the_form_in_time_when_a_member_lookup_is_slow(tmp_path: Path) -> None:
    """The modal must be the first answer, before the defer at `press_grace`: a mentioned member
    Discord is slow to hand over keeps its id in the prefilled text instead of holding the form."""
    async with FakeDiscord(hold_members=asyncio.Event()) as fake, discord_on_core(tmp_path, fake=fake) as (_h, _, _b):
        assert fake.hold_members is not None
        content = f"Thanks <@{USERS['bob']}> and <@{USERS['dana']}>"
        payload = await fake.interact(fake.message_menu(content=content, attachments=0))
        await fake.wait_until(lambda: any("/members/" in c.path for c in fake.calls))
        (callback,) = await answered(fake, payload)
        fake.hold_members.set()
        assert callback.json["type"] == 9 and callback.json["data"]["custom_id"] == "late:post"
        text = callback.json["data"]["components"][0]["components"][0]["value"]
        assert text == f"Thanks @{USERS['bob']} and @{USERS['dana']}"


async def test_post_to_social_opens_the_post_form_prefilled_with_the_message(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (h, fake, _bot):
        payload = await fake.interact(fake.message_menu(content="Our team at the offsite 🎉", attachments=2))
        urls = [a["url"] for a in next(iter(payload["data"]["resolved"]["messages"].values()))["attachments"]]
        (callback,) = await answered(fake, payload)
        assert callback.json["type"] == 9 and callback.json["data"]["custom_id"] == "late:post"
        inputs = [row["components"][0] for row in callback.json["data"]["components"]]
        assert [i["custom_id"] for i in inputs] == ["text", "targets", "mode", "when", f"{FOLD_PREFIX}tz,media"]
        assert inputs[0]["value"] == "Our team at the offsite 🎉" and inputs[0]["style"] == 2
        assert inputs[2]["value"] == "now"
        assert inputs[4]["value"] == "tz: UTC\nmedia: " + "\n".join(urls)

        values = {i["custom_id"]: i.get("value", "") for i in inputs} | {"targets": "twitter, linkedin"}
        submitted = await fake.interact(fake.submit("late:post", values, user="alice"))
        await told(fake, submitted, "Sent for approval")
        request = await h.core.approvals.get("r1")
        assert request.draft.text == "Our team at the offsite 🎉" and request.requester_id == USERS["alice"]
        assert [t.platform for t in request.draft.targets] == ["twitter", "linkedin"]
        assert [m.url.rsplit("_", 1)[-1] for m in request.draft.media] == ["team.jpg", "team1.jpg"]
        assert all(m.url.startswith(MEDIA_HOST) for m in request.draft.media)
        assert len(h.late.calls("POST", "/v1/media/presign")) == 2
        assert len(h.late.calls("PUT", "/v1/media/uploads/*")) == 2


async def test_the_edit_form_folds_the_sixth_field_and_maps_labels_back(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (h, fake, _bot):
        await post(fake, {**POST, "to": "twitter"})
        card = await card_posted(fake)
        payload = await fake.interact(fake.click(card["id"], "late:edit:r1:1"))
        (callback,) = await answered(fake, payload)
        inputs = [row["components"][0] for row in callback.json["data"]["components"]]
        assert len(inputs) == 5
        assert inputs[1]["value"] == "X @demobrand"
        assert inputs[2]["value"] == "schedule" and inputs[2]["label"] == "Publish (now/schedule/draft)"
        assert inputs[3]["value"] == "2026-12-01 09:00"
        # the per-platform options of the profile's platforms fold in too (LinkedIn's first comment, ...)
        folded = f"{FOLD_PREFIX}tz,media,first_comment,type"
        assert inputs[4]["custom_id"] == folded
        assert inputs[4]["value"] == "tz: America/New_York\nmedia: \nfirst_comment: \ntype: feed"

        values = {
            "text": "Launch day, take two",
            "targets": "X @demobrand, LinkedIn @demo-brand",
            "mode": "draft",
            "when": "",
            folded: "tz: Europe/Berlin\nmedia: https://example.com/a.jpg\nfirst_comment: More in the thread\n"
                    "type: A post",
        }
        submitted = await fake.interact(fake.submit("late:edit:r1:1", values))
        await told(fake, submitted, "Saved revision 2 of r1")
        draft = (await h.core.approvals.get("r1")).draft
        assert draft.text == "Launch day, take two"
        assert [(t.platform, t.username) for t in draft.targets] == [
            ("twitter", "demobrand"),
            ("linkedin", "demo-brand"),
        ]
        assert (draft.mode, draft.timezone) == ("draft", "Europe/Berlin")
        assert [m.url for m in draft.media] == ["https://example.com/a.jpg"]
        assert draft.specifics.first_comment == "More in the thread" and draft.specifics.content_type is None


# --- the 15 minutes of a token ----------------------------------------------------------------


async def test_after_the_token_expired_replies_go_to_the_channel(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path, token_ttl=0.4) as (h, fake, _bot):
        h.late.stall("GET", "/v1/accounts", 0.6)
        payload = await fake.interact(fake.slash("accounts"))
        (call,) = await fake.wait_until(lambda: notices(fake))
        assert call.json["content"].startswith(f"<@{USERS['alice']}> Accounts of Demo Brand:")
        assert call.json["allowed_mentions"] == {"parse": [], "users": [int(USERS["alice"])]}
        assert [c.json["type"] for c in fake.callbacks(payload)] == [5]
        assert not fake.followups(payload)


async def test_a_refused_followup_falls_back_to_the_channel(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (h, fake, _bot):
        fake.token_ttl = 0.3  # Discord has already forgotten the token
        h.late.stall("GET", "/v1/accounts", 0.5)
        await fake.interact(fake.slash("accounts"))
        (call,) = await fake.wait_until(lambda: notices(fake))
        assert call.json["content"].startswith(f"<@{USERS['alice']}> Accounts of Demo Brand:")


# --- rate limits and errors -------------------------------------------------------------------


async def test_a_429_on_a_card_is_waited_out(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (_h, fake, _bot):
        fake.rate_limit("POST", rf"^/channels/{GENERAL}/messages$", retry_after=0.3)
        await post(fake)
        await card_posted(fake)
        posts = [c for c in fake.calls if c.method == "POST" and c.path == f"/channels/{GENERAL}/messages"]
        assert [c.status for c in posts] == [429, 200]
        assert posts[1].at - posts[0].at >= 0.29


async def test_a_card_update_refused_with_401_403_or_404_is_not_retried(tmp_path: Path) -> None:
    """The decision stands (it is in SQLite) and each refused edit is tried once, as often as an edit
    Discord accepts."""
    async with discord_on_core(tmp_path) as (h, fake, _bot):
        statuses = (200, 404, 403, 401)
        for n in range(len(statuses)):
            await post(fake, {"text": f"Post {n}", "to": "twitter", "mode": "now"})
        cards = await fake.wait_until(lambda: len(fake.cards()) == len(statuses) and fake.cards())
        for n, (status, card) in enumerate(zip(statuses, cards, strict=True), 1):
            if status != 200:
                fake.fail("PATCH", rf"/messages/{card['id']}$", status, {"message": "no", "code": 10008}, times=5)
            await fake.interact(fake.click(card["id"], f"late:approve:r{n}:1"))

            async def settled(request_id: str = f"r{n}") -> bool:
                return (await h.core.approvals.get(request_id)).state == "published"

            await eventually(settled)
            # The card is refreshed after the state is recorded, then the requester is told in its thread.
            await fake.wait_until(lambda card=card: any(
                str((c.json.get("message_reference") or {}).get("message_id")) == card["id"]
                for c in fake.channel_calls("POST", GENERAL)))
        tries = [
            [c.status for c in fake.calls if c.method == "PATCH" and c.path.endswith(f"/messages/{card['id']}")]
            for card in cards
        ]
        accepted, *refused = tries
        assert accepted and all(s == 200 for s in accepted)
        assert refused == [[s] * len(accepted) for s in statuses[1:]]


async def test_cards_keep_to_the_channels_bucket_without_a_429(tmp_path: Path) -> None:
    """discord.py paces each channel by Discord's X-RateLimit headers (latebot adds no pacer of its own)."""
    async with discord_on_core(tmp_path) as (_h, fake, _bot):
        fake.limit_messages(3, 0.6)
        for n in range(6):
            await fake.interact(fake.slash("post", {"text": f"Post {n}", "to": "twitter", "mode": "now"}))
        await fake.wait_until(lambda: len(fake.cards()) == 6)
        assert [c for c in fake.calls if c.status == 429] == []
        times = [c.at for c in fake.channel_calls("POST", GENERAL)]
        assert times[3] - times[0] >= 0.55 and times[5] - times[2] >= 0.55


# --- restart -----------------------------------------------------------------------------------


async def test_a_reject_after_a_restart_opens_the_modal_and_the_reason_is_saved(tmp_path: Path) -> None:
    """A new process (new client, new core, same database) handles the old card's buttons: the
    buttons are a `DynamicItem` on their custom_id and the modal is read from its own."""
    async with FakeLate(api_key=API_KEY, clock=FixedClock(START)) as late, FakeDiscord() as fake:
        await late.engine.seed_demo()
        async with core_harness(tmp_path, late=late) as h1, discord_on_core(tmp_path, harness=h1, fake=fake):
            await post(fake)
            card = await card_posted(fake)
        async with core_harness(tmp_path, late=late) as h2, discord_on_core(tmp_path, harness=h2, fake=fake):
            assert fake.identified == 2
            click = await fake.interact(fake.click(card["id"], "late:reject:r1:1", user="bob"))
            (modal,) = await answered(fake, click)
            assert modal.json["type"] == 9 and modal.json["data"]["custom_id"] == "late:reject:r1:1"
            sub = await fake.interact(fake.submit("late:reject:r1:1", {"reason": "Not this week"}))
            await told(fake, sub, "Rejected r1.")
            await card_edited(fake, card["id"], "Rejected")
            assert (await h2.core.approvals.get("r1")).reason == "Not this week"


# --- attachments ---------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def latebot_discord(tmp_path: Path) -> AsyncIterator[tuple[Harness, FakeDiscord, asyncio.Task[None]]]:
    """The services `latebot discord` runs, as adapters/cli.py builds them (`chat_services`, the
    HTTP server), under the runtime, against the fake Discord and the fake Late. Yields the task
    running them."""
    async with FakeDiscord() as fake, core_harness(
        tmp_path, DISCORD_TOKEN=fake.token, DISCORD_API_BASE=fake.api_base
    ) as h:
        http = HttpServer(host="127.0.0.1", port=0)
        (service,) = chat_services(h.core, Router(h.core), "discord", http)
        assert isinstance(service, Reaching) and isinstance(service.service, DiscordService)
        async with running([http, service], lambda: http.status.get("discord") == "gateway") as task:
            yield h, fake, task


async def test_the_service_stops_with_discords_reason_when_the_gateway_gives_up(tmp_path: Path) -> None:
    """A revoked token (close code 4004) ends `latebot discord` with that error, not a silent exit 0."""
    import discord

    async with latebot_discord(tmp_path) as (_h, fake, running):
        await fake.close_gateway(4004, "Authentication failed.")
        with pytest.raises(discord.ConnectionClosed) as raised:
            await asyncio.wait_for(asyncio.shield(running), 10)
        assert raised.value.code == 4004


async def test_a_discord_attachment_reaches_late_as_an_uploaded_media_item(tmp_path: Path) -> None:
    """Issue 8: through the process as `latebot discord` wires it, the attachment's bytes are fetched
    from Discord and streamed to Late (`POST /v1/media/presign`, then the PUT of the bytes, which carries no
    Late credentials); the post uses Late's URL, never Discord's."""
    async with latebot_discord(tmp_path) as (h, fake, _running):
        attachment = fake.attachment("launch.png", size=48_213)
        payload = await fake.interact(
            fake.slash(
                "post",
                {"text": "Launch day! 🚀", "to": "twitter", "mode": "now", "media_url": "https://example.com/a.jpg"},
                attachment=attachment,
            )
        )
        await told(fake, payload, "Sent for approval")
        (download,) = [c for c in fake.calls if c.path.startswith("/attachments/")]
        assert attachment["url"].startswith(f"http://127.0.0.1:{fake.port}{download.path}?")
        (presign,) = h.late.calls("POST", "/v1/media/presign")
        assert presign.json == {"filename": "launch.png", "contentType": "image/png", "size": 48_213}
        (upload,) = h.late.calls("PUT", "/v1/media/uploads/*")
        assert len(upload.body) == 48_213 and upload.headers["content-type"] == "image/png"
        assert "authorization" not in upload.headers  # Late's key never goes to its storage

        card = await card_posted(fake)
        late_url, typed = field(card, "Media").split("\n")
        assert late_url.startswith(MEDIA_HOST + "/") and late_url.endswith("_launch.png")
        assert typed == "https://example.com/a.jpg"  # a URL the user typed goes to Late as it is
        assert "/attachments/" not in json.dumps(card)  # nothing on the card points at Discord's copy

        await fake.interact(fake.click(card["id"], "late:approve:r1:1", user="bob"))
        await card_edited(fake, card["id"], "Published")
        (created,) = h.late.calls("POST", "/v1/posts")
        assert [m["url"] for m in created.json["mediaItems"]] == [late_url, "https://example.com/a.jpg"]
        (stored,) = await h.late.engine.posts()
        assert [m["url"] for m in stored["mediaItems"]] == [late_url, "https://example.com/a.jpg"]


async def test_an_attachment_over_the_upload_limit_is_refused_and_nothing_is_submitted(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (h, fake, _bot):
        limit = h.router.max_upload_bytes
        big = fake.attachment("film.mp4", size=limit + 1)
        payload = await fake.interact(fake.slash("post", {"text": "Our film", "to": "twitter"}, attachment=big))
        text = await told(fake, payload, "film.mp4")
        assert text == "film.mp4 is larger, over the 5 GB Late takes for one file. Nothing was submitted."
        assert not h.late.calls("POST", "/v1/media/presign") and not h.late.calls("POST", "/v1/posts")
        assert not h.late.calls("PUT", "/v1/media/uploads/*")  # refused from its declared length
        assert await h.core.approvals.find("r1") is None
        assert not fake.cards()


async def test_an_attachment_that_cannot_be_copied_fails_the_command_with_the_reason(tmp_path: Path) -> None:
    """Never a Discord link that expires in a post: a copy that fails fails the command."""
    async with discord_on_core(tmp_path) as (h, fake, _bot):
        gone = fake.attachment("launch.png")
        fake.expire_attachments()
        payload = await fake.interact(fake.slash("post", {"text": "Hi", "to": "twitter"}, attachment=gone))
        text = await told(fake, payload, "launch.png")
        assert text == (
            "Discord did not hand over launch.png (HTTP 404); it may have been deleted. Nothing was submitted."
        )

        h.late.fail("POST", "/v1/media/presign", 500, times=5)
        attachment = fake.attachment("launch.png")
        payload = await fake.interact(fake.slash("post", {"text": "Hi", "to": "twitter"}, attachment=attachment))
        text = await told(fake, payload, "launch.png")
        assert text.startswith("launch.png could not be copied to Late, so nothing was submitted; please try again.")
        assert "(ref " in text
        assert await h.core.approvals.find("r1") is None
        assert not fake.cards()


async def test_an_attachments_failure_is_told_with_its_secrets_redacted(tmp_path: Path) -> None:
    """Late's error text may echo the key: the user is told why the copy failed, without it."""
    async with discord_on_core(tmp_path) as (h, fake, _bot):
        h.late.fail("POST", "/v1/media/presign", 400, body={"error": f"Invalid API key: {API_KEY}"})
        attachment = fake.attachment("launch.png")
        payload = await fake.interact(fake.slash("post", {"text": "Hi", "to": "twitter"}, attachment=attachment))
        text = await told(fake, payload, "launch.png")
        assert text.startswith("launch.png could not be copied to Late, so nothing was submitted; please try again.")
        assert "Invalid API key: [redacted]" in text and API_KEY not in text
        assert await h.core.approvals.find("r1") is None
