"""The whole Discord flow through the real core: real discord.py on a fake Discord, a fake Late on loopback.

post -> approval card -> Approve -> Late -> the card edited in place; Reject and Edit through their
modals; "Post to social" (its attachment copied to Late); autocomplete; a click after a restart; 100
commands and 100 clicks deferred in time while Late is slow; an unauthorised click; echoed @everyone.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from adapters.discord.client import LateBot
from adapters.discord.service import running_bot
from adapters.sandbox.limits import Limits
from adapters.sandbox.media import MEDIA_HOST
from bot.clock import FixedClock
from tests.fakes.discord_server import APPROVALS, APPROVERS_ROLE, GENERAL, GUILD_ID, USERS, FakeDiscord
from tests.fakes.late_server import FakeLate
from tests.harness import API_KEY, START, Harness, core_harness

POST = {
    "text": "Launch day! 🚀",
    "to": "twitter,linkedin",
    "when": "2026-12-01 09:00",
    "tz": "America/New_York",
}


@contextlib.asynccontextmanager
async def discord_on_core(
    tmp_path: Path,
    *,
    harness: Harness | None = None,
    fake: FakeDiscord | None = None,
    settings: dict[str, Any] | None = None,
    **options: Any,
) -> AsyncIterator[tuple[Harness, FakeDiscord, LateBot]]:
    """The real core (on a fake Late) and real discord.py on a fake Discord, wired as `latebot discord`
    wires them: `running_bot(settings, Router(core))`. `options` go to `LateBot`."""
    async with contextlib.AsyncExitStack() as stack:
        h = harness or await stack.enter_async_context(core_harness(tmp_path))
        fake = fake or await stack.enter_async_context(FakeDiscord())
        bot_settings = h.settings.model_copy(
            update={"DISCORD_TOKEN": SecretStr(fake.token), "DISCORD_API_BASE": fake.api_base, **(settings or {})}
        )
        options.setdefault("guild_ready_timeout", 0.05)
        bot = await stack.enter_async_context(running_bot(bot_settings, h.router, **options))
        yield h, fake, bot


def texts(fake: FakeDiscord, payload: dict[str, Any]) -> list[str]:
    """Everything the user was told about one interaction: the answer, its edits and followups."""
    out = [c.json["data"].get("content") or "" for c in fake.callbacks(payload) if c.json["type"] in (4, 7)]
    out += [(c.json or {}).get("content") or "" for c in fake.followups(payload) if c.method != "DELETE"]
    return out


async def told(fake: FakeDiscord, payload: dict[str, Any], fragment: str, within: float = 10.0) -> str:
    await fake.wait_until(lambda: any(fragment in t for t in texts(fake, payload)), within)
    return next(t for t in texts(fake, payload) if fragment in t)


async def card_posted(fake: FakeDiscord, count: int = 1) -> dict[str, Any]:
    await fake.wait_until(lambda: len(fake.cards()) >= count)
    return fake.cards()[count - 1]


async def card_edited(fake: FakeDiscord, message_id: str, title: str, within: float = 10.0) -> dict[str, Any]:
    def edited() -> bool:
        return any(
            c.method == "PATCH"
            and c.path.endswith(f"/messages/{message_id}")
            and c.json["embeds"][0]["title"] == title
            for c in fake.channel_calls("PATCH")
        )

    await fake.wait_until(edited, within)
    return fake.messages[message_id]


def field(message: dict[str, Any], name: str) -> str:
    return next(f["value"] for f in message["embeds"][0]["fields"] if f["name"] == name)


async def post(
    fake: FakeDiscord, options: dict[str, str] | None = None, user: str = "alice"
) -> dict[str, Any]:
    payload = await fake.interact(fake.slash("post", options or POST, user=user))
    await told(fake, payload, "Sent for approval")
    return payload


# --- the flows ---------------------------------------------------------------------------------


async def test_post_approve_publish_and_the_card_is_edited_in_place(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (h, fake, _bot):
        payload = await post(fake)
        assert "r1" in (await told(fake, payload, "Sent for approval"))
        card = await card_posted(fake)
        assert card["channel_id"] == GENERAL
        embed = card["embeds"][0]
        assert embed["title"] == "Post awaiting approval"
        assert any(
            f["name"].startswith("Preview") and "Launch day! 🚀" in f["value"] for f in embed["fields"]
        )
        buttons = card["components"][0]["components"]
        assert [(b["label"], b["custom_id"]) for b in buttons] == [
            ("Approve", "late:approve:r1:1"),
            ("Reject", "late:reject:r1:1"),
            ("Edit", "late:edit:r1:1"),
        ]

        click = await fake.interact(fake.click(card["id"], "late:approve:r1:1", user="bob"))
        done = await card_edited(fake, card["id"], "Scheduled")
        assert done["components"] == []
        assert field(done, "Approved by").startswith("Bob")
        assert field(done, "Late post")
        (ack,) = await fake.wait_until(lambda: fake.callbacks(click))
        assert ack.json["type"] == 6  # acknowledged without a message: the card says it all
        request = await h.core.approvals.get("r1")
        assert request.state == "scheduled" and request.late_post_id == field(done, "Late post")


async def test_reject_opens_a_modal_and_the_reason_lands_on_the_card(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (h, fake, _bot):
        await post(fake)
        card = await card_posted(fake)
        click = await fake.interact(fake.click(card["id"], "late:reject:r1:1", user="bob"))
        await fake.wait_until(lambda: fake.callbacks(click))
        modal = fake.callbacks(click)[0].json
        assert modal["type"] == 9 and modal["data"]["custom_id"] == "late:reject:r1:1"
        (reason,) = [row["components"][0] for row in modal["data"]["components"]]
        assert reason["custom_id"] == "reason"

        sub = await fake.interact(fake.submit("late:reject:r1:1", {"reason": "Wrong date, see #planning"}))
        await told(fake, sub, "Rejected r1")
        done = await card_edited(fake, card["id"], "Rejected")
        assert field(done, "Reason") == "Wrong date, see #planning"
        assert done["components"] == []
        assert (await h.core.approvals.get("r1")).state == "rejected"


async def test_edit_opens_the_post_form_and_a_saved_edit_updates_the_card(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (h, fake, _bot):
        await post(fake)
        card = await card_posted(fake)
        click = await fake.interact(fake.click(card["id"], "late:edit:r1:1", user="bob"))
        await fake.wait_until(lambda: fake.callbacks(click))
        modal = fake.callbacks(click)[0].json["data"]
        assert modal["custom_id"] == "late:edit:r1:1"
        inputs = {row["components"][0]["custom_id"]: row["components"][0] for row in modal["components"]}
        assert len(inputs) == 5
        assert inputs["text"]["value"] == "Launch day! 🚀"

        values = {cid: i.get("value", "") for cid, i in inputs.items()}
        values["text"] = "Launch day, take two! 🚀"
        sub = await fake.interact(fake.submit("late:edit:r1:1", values))
        await told(fake, sub, "revision 2")
        request = await h.core.approvals.get("r1")
        assert request.revision == 2 and request.draft.text.startswith("Launch day, take two!")
        assert [t.platform for t in request.draft.targets] == ["twitter", "linkedin"]
        edited = await card_edited(fake, card["id"], "Post awaiting approval")
        assert any("take two" in f["value"] for f in edited["embeds"][0]["fields"])


async def test_post_to_social_prefills_the_form_and_the_attachment_is_copied_to_late(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (h, fake, _bot):
        menu = await fake.interact(fake.message_menu(content="Our team at the offsite 🎉", attachments=1))
        (attachment,) = next(iter(menu["data"]["resolved"]["messages"].values()))["attachments"]
        await fake.wait_until(lambda: fake.callbacks(menu))
        modal = fake.callbacks(menu)[0].json
        assert modal["type"] == 9 and modal["data"]["custom_id"] == "late:post"
        inputs = {
            row["components"][0]["custom_id"]: row["components"][0] for row in modal["data"]["components"]
        }
        assert inputs["text"]["value"] == "Our team at the offsite 🎉"
        folded = next(i for cid, i in inputs.items() if cid.startswith("more:"))
        assert attachment["url"] in folded["value"]
        assert not h.late.calls("POST", "/v1/media/presign")  # copied when the form is sent, not before

        values = {cid: i.get("value", "") for cid, i in inputs.items()}
        values["targets"] = "twitter"
        sub = await fake.interact(fake.submit("late:post", values, user="alice"))
        await told(fake, sub, "Sent for approval")
        request = await h.core.approvals.get("r1")
        assert request.draft.text == "Our team at the offsite 🎉"
        (media,) = request.draft.media
        assert media.url.startswith(MEDIA_HOST + "/") and media.url.endswith("_team.jpg")
        (presign,) = h.late.calls("POST", "/v1/media/presign")
        assert presign.json["filename"] == "team.jpg" and presign.json["contentType"] == "image/jpeg"
        (upload,) = h.late.calls("PUT", "/v1/media/uploads/*")
        assert upload.headers["content-type"] == "image/jpeg" and "authorization" not in upload.headers


async def test_autocomplete_shows_how_when_resolves_and_which_accounts_match(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (_h, fake, _bot):
        when = await fake.interact(
            fake.autocomplete(
                "post", {"text": "Hi", "tz": "America/New_York", "when": "tomorrow 9am"}, "when"
            )
        )
        to = await fake.interact(fake.autocomplete("post", {"text": "Hi", "to": "tw"}, "to"))
        tz = await fake.interact(fake.autocomplete("post", {"text": "Hi", "tz": "Europe/Ber"}, "tz"))
        await fake.wait_until(lambda: all(fake.callbacks(p) for p in (when, to, tz)))
        choices = {id(p): fake.callbacks(p)[0].json for p in (when, to, tz)}
        assert all(c["type"] == 8 for c in choices.values())
        (resolved,) = choices[id(when)]["data"]["choices"]
        assert resolved["name"] == "tomorrow 9am -> Mon 23 Nov 2026 09:00 America/New_York"
        assert resolved["value"] == "tomorrow 9am"
        assert any(
            "twitter" in c["value"].lower() or "x" in c["name"].lower()
            for c in choices[id(to)]["data"]["choices"]
        )
        assert "Europe/Berlin" in [c["value"] for c in choices[id(tz)]["data"]["choices"]]


async def test_a_click_after_a_restart_is_handled(tmp_path: Path) -> None:
    """A new bot process (new client, new core) on the same database handles the old card's buttons."""
    async with FakeLate(api_key=API_KEY, clock=FixedClock(START)) as late, FakeDiscord() as fake:
        await late.engine.seed_demo()
        async with core_harness(tmp_path, late=late) as h1, discord_on_core(tmp_path, harness=h1, fake=fake):
            await post(fake)
            card = await card_posted(fake)
        async with core_harness(tmp_path, late=late) as h2, discord_on_core(tmp_path, harness=h2, fake=fake):
            assert fake.identified == 2
            await fake.interact(fake.click(card["id"], "late:approve:r1:1", user="bob"))
            done = await card_edited(fake, card["id"], "Scheduled")
            assert field(done, "Approved by").startswith("Bob")
            assert (await h2.core.approvals.get("r1")).state == "scheduled"


async def approvers(fake: FakeDiscord, value: str) -> None:
    config = await fake.interact(fake.slash("config", {"key": "approvers", "value": value}, user="dana"))
    await told(fake, config, "Saved")


async def test_an_unauthorised_click_changes_nothing(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (h, fake, _bot):
        await approvers(fake, f"<@{USERS['bob']}>")  # as Discord sends a user picked in the option
        await post(fake)
        card = await card_posted(fake)
        for user, why in (("carol", "Only the brand's approvers"), ("alice", "your own request")):
            click = await fake.interact(fake.click(card["id"], "late:approve:r1:1", user=user))
            await told(fake, click, why)
            assert [c.json for c in fake.callbacks(click)] == [{"type": 6}]  # deferred at once
            assert [c.json["flags"] for c in fake.followups(click)] == [64]  # the refusal only they see
        assert not fake.channel_calls("PATCH")
        assert not h.late.calls("POST", "/v1/posts")
        assert (await h.core.approvals.get("r1")).state == "pending"

        await fake.interact(fake.click(card["id"], "late:approve:r1:1", user="bob"))
        await card_edited(fake, card["id"], "Scheduled")


async def test_a_role_of_approvers_may_decide(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (_h, fake, _bot):
        await approvers(fake, f"<@&{APPROVERS_ROLE}>")  # as Discord sends a role picked in the option
        await post(fake)
        card = await card_posted(fake)
        click = await fake.interact(fake.click(card["id"], "late:approve:r1:1", user="carol"))
        await told(fake, click, "Only the brand's approvers")
        await fake.interact(fake.click(card["id"], "late:approve:r1:1", user="bob"))  # has the role
        await card_edited(fake, card["id"], "Scheduled", within=3)


async def test_echoed_everyone_never_pings(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (_h, fake, _bot):
        text = "Big news @everyone and @here <@&1180000000000000300> <@1180000000000000402>"
        payload = await post(fake, {"text": text, "to": "twitter", "mode": "now"})
        await card_posted(fake)
        bodies = [c.json["data"] for c in fake.callbacks(payload) if c.json["type"] == 4]
        bodies += [c.json for c in fake.followups(payload) if c.json]
        bodies += [c.json for c in fake.channel_calls("POST")]
        assert bodies and all(b["allowed_mentions"]["parse"] == [] for b in bodies)
        assert all("users" not in b["allowed_mentions"] for b in bodies)
        (card_call,) = [c for c in fake.channel_calls("POST") if c.json.get("embeds")]
        assert any("@everyone" in f["value"] for f in card_call.json["embeds"][0]["fields"])


async def test_a_hundred_commands_and_a_hundred_clicks_are_each_answered_within_3_s_while_late_is_slow(
    tmp_path: Path,
) -> None:
    """Discord refuses a first answer after 3 s (so does the fake): each interaction is deferred in time
    though every Late call takes longer than that, and the work still completes after the defer."""
    # The fake Discord sets no per-channel bucket here, so the 100 cards may go out at once: what is
    # measured is the first answer.
    async with discord_on_core(tmp_path) as (h, fake, _bot):
        h.late.delay = SLOW_LATE
        h.late.engine.limits = Limits(per_hour=None, daily=False)  # 100 posts to one account: Late allows 25/h
        payloads = [
            await fake.interact(
                fake.slash("post", {"text": f"Post number {n}", "to": "twitter", "mode": "now"})
            )
            for n in range(100)
        ]
        await fake.wait_until(lambda: all(fake.callbacks(p) for p in payloads), within=15)
        all_deferred_in_time("command", fake, payloads)
        assert all(fake.callbacks(p)[0].json["type"] == 5 for p in payloads)
        assert not any(fake.refused(p) for p in payloads)
        await fake.wait_until(lambda: all(fake.followups(p) for p in payloads), within=60)
        assert all(any("Sent for approval" in t for t in texts(fake, p)) for p in payloads)

        cards = await fake.wait_until(lambda: len(fake.cards()) >= 100 and fake.cards())
        by_request = {field(c, "Request"): c for c in cards}
        clicks = [
            await fake.interact(fake.click(by_request[f"r{n}"]["id"], f"late:approve:r{n}:1", user="bob"))
            for n in range(1, 101)
        ]
        await fake.wait_until(lambda: all(fake.callbacks(p) for p in clicks), within=15)
        all_deferred_in_time("click", fake, clicks)
        assert all(fake.callbacks(p)[0].json == {"type": 6} for p in clicks)
        assert not any(fake.refused(p) for p in clicks)
        await fake.wait_until(
            lambda: all(fake.messages[c["id"]]["embeds"][0]["title"] == "Published" for c in cards), within=60
        )
        assert len(h.late.calls("POST", "/v1/posts")) == 100


async def test_the_gateway_socket_has_room_for_a_burst(tmp_path: Path) -> None:
    """A burst of interactions must not wait on a shut TCP window: the gateway socket gets a receive
    buffer of its own (`GATEWAY_RECEIVE_BUFFER`), larger than a socket starts with."""
    with socket.socket() as fresh:
        default = fresh.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
    async with discord_on_core(tmp_path) as (_h, _fake, bot):
        gateway = bot.ws.socket.get_extra_info("socket")
        assert gateway.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) > default


SLOW_LATE = 3.5  # seconds for every Late answer: longer than Discord waits for a first answer


def all_deferred_in_time(what: str, fake: FakeDiscord, payloads: list[dict[str, Any]]) -> None:
    latencies = [fake.callbacks(p)[0].at - fake.dispatched_at(p) for p in payloads]
    assert max(latencies) < 3.0, (what, max(latencies))


# --- channels and mentions (issue 12) -----------------------------------------------------------------


async def test_the_approval_channel_is_named_by_mention_checked_and_gets_the_cards(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (h, fake, _bot):
        # As Discord sends a channel picked in the option: <#id>. dana may manage the server.
        config = await fake.interact(fake.slash("config", {"key": "approval_channel", "value": f"<#{APPROVALS}>"},
                                                user="dana"))
        said = await told(fake, config, "Saved")
        assert "approval_channel: #approvals" in said
        assert any(c.path == f"/channels/{APPROVALS}" for c in fake.calls)  # checked with Discord first
        payload = await post(fake)
        assert "in the approval channel" in await told(fake, payload, "Sent for approval")
        card = await card_posted(fake)
        assert card["channel_id"] == APPROVALS
        assert [c.path for c in fake.channel_calls("POST") if c.json.get("embeds")] == [
            f"/channels/{APPROVALS}/messages"]
        # approved from where the card is
        await fake.interact(fake.click(card["id"], "late:approve:r1:1", user="bob"))
        await card_edited(fake, card["id"], "Scheduled")
        assert (await h.core.approvals.get("r1")).state == "scheduled"

        unknown = {"key": "approval_channel", "value": "<#1180000000000000999>"}
        refused = await fake.interact(fake.slash("config", unknown, user="dana"))
        assert "latebot can't see the channel" in await told(fake, refused, "can't see")


async def test_mentions_in_the_text_reach_late_as_the_names_in_the_server(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (h, fake, _bot):
        text = (f"Thanks <@{USERS['bob']}> and <@&{APPROVERS_ROLE}> in <#{GENERAL}> <:partyblob:1234567890>")
        await post(fake, {"text": text, "to": "twitter", "mode": "now"})
        card = await card_posted(fake)
        await fake.interact(fake.click(card["id"], "late:approve:r1:1", user="bob"))
        await card_edited(fake, card["id"], "Published")
        [created] = h.late.calls("POST", "/v1/posts")
        assert created.json["content"] == "Thanks @Bob (approver) and @Approvers in #general :partyblob:"
        assert any(c.path == f"/guilds/{GUILD_ID}/members/{USERS['bob']}" for c in fake.calls)
