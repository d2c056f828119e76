"""The approval gate holds (issue 9), through the console and the real router and core on a fake Late.

Identity is the user id, never the name; an approval is for one revision; everyone who wrote a
revision is a requester; an edit takes an approved post off Late's schedule; rules belong to the
brand, are checked at the moment of each decision, and a channel can only tighten them.
"""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.console.session import ConsoleSession
from bot.approval import StaleRevision
from bot.clock import FixedClock
from bot.messages import FormSubmission, Place
from tests.harness import GENERAL, START, Harness, Said, actor, core_harness, press, say

TOMORROW = '/late post "The first text" to x at "2026-11-23 09:00"'
async def late_posts(h: Harness) -> list[dict[str, Any]]:
    return await h.late.engine.posts()


def live(posts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p for p in posts if p["status"] in ("scheduled", "publishing", "published", "draft")]


async def audit_actors(h: Harness, request_id: str) -> list[tuple[str, str | None]]:
    rows = await h.store.query("SELECT action, actor_id FROM audit WHERE request_id = ? ORDER BY id", [request_id])
    return [(r["action"], r["actor_id"]) for r in rows]


# --- identity ------------------------------------------------------------------------------------


async def test_a_name_that_equals_an_approvers_id_or_name_does_not_approve(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        admin = actor("U0ADMIN", admin=True)
        await say(h, admin, "config approvers <@U0CAROL|carol>")
        await say(h, actor("U0ALICE", "alice"), TOMORROW)
        # Mallory renamed herself to the approver's id, then to her name: neither is an identity.
        for name in ("U0CAROL", "carol", "@carol"):
            said = await press(h, actor("U0MALLORY", name), "approve", "r1:1")
            assert "Only the brand's approvers can approve its posts here: @carol." in said.text
        assert not await late_posts(h)
        said = await press(h, actor("U0CAROL", "Carol the Approver"), "approve", "r1:1")
        assert [p["content"] for p in live(await late_posts(h))] == ["The first text"]
        assert ("approve", "U0CAROL") in await audit_actors(h, "r1")
        assert ("submit", "U0ALICE") == (await audit_actors(h, "r1"))[0]


async def test_approvers_are_named_by_mention_and_a_bare_name_is_refused(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        admin = actor("U0ADMIN", admin=True)
        said = await say(h, admin, "config approvers bob")
        assert "I can't tell who or what “bob” is: mention them" in said.text
        said = await say(h, admin, "config approvers <@U0BOB|bob> <@&S0EDITORS|editors>")
        assert "@bob or a member of @editors" in said.text
        said = await say(h, actor("U0ALICE"), "config approvers anyone")
        assert "Only an admin" in said.text


# --- revisions and authors -----------------------------------------------------------------------


async def test_the_editor_is_a_requester_and_a_third_person_publishes_the_edit(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        alice, bob, carol = actor("U0ALICE", "alice"), actor("U0BOB", "bob"), actor("U0CAROL", "carol")
        await say(h, alice, TOMORROW)
        said = await say(h, bob, '/late edit r1 "Bob\'s own text"')
        assert "revision 2 needs approval again" in said.text
        said = await press(h, bob, "approve", "r1:2")
        assert "You can't approve a request you edited; someone else has to." in said.text
        said = await press(h, alice, "approve", "r1:2")
        assert "You can't approve your own request" in said.text
        assert not await late_posts(h)
        await press(h, carol, "approve", "r1:2")
        [post] = live(await late_posts(h))
        assert post["content"] == "Bob's own text"
        assert post["status"] == "scheduled"


async def test_a_card_of_an_older_revision_approves_nothing(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        alice, bob = actor("U0ALICE", "alice"), actor("U0BOB", "bob")
        await say(h, alice, TOMORROW)
        await say(h, alice, '/late edit r1 "The second text"')
        said = await press(h, bob, "approve", "r1:1")
        assert "This card shows an older version (revision 2 is current); here is the current one." in said.text
        card = said.replies[-1].card
        assert card is not None and any(b.ref == "r1:2" for b in card.buttons)
        assert not await late_posts(h) and not h.late.calls("POST", "/v1/posts")
        said = await press(h, bob, "reject", "r1:1")
        assert not said.forms and "older version" in said.text
        await press(h, bob, "approve", "r1:2")
        assert [p["content"] for p in live(await late_posts(h))] == ["The second text"]


async def test_a_form_of_an_older_revision_saves_and_rejects_nothing(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        alice, bob = actor("U0ALICE", "alice"), actor("U0BOB", "bob")
        await say(h, alice, TOMORROW)
        await say(h, alice, '/late edit r1 "The second text"')
        said = await press(h, alice, "edit", "r1:1")
        assert not said.forms and "older version" in said.text
        older = "This card shows an older version (revision 2 is current); here is the current one."
        for form_id, values, not_done in (("late:edit:r1:1", {"text": "Bob's text", "to": ["acc_x"]},
                                           "Your edit was not saved."),
                                          ("late:reject:r1:1", {"reason": "not yet"}, "Nothing was rejected.")):
            said = Said()
            await h.router.submit(FormSubmission(actor=bob, place=GENERAL, form_id=form_id, values=values), said)
            assert said.text == f"{older} {not_done}"
            card = said.replies[-1].card
            assert card is not None and any(b.ref == "r1:2" for b in card.buttons)
        request = await h.core.approvals.get("r1")
        assert (request.state, request.revision, request.draft.text) == ("pending", 2, "The second text")


async def test_the_requester_hears_when_someone_else_edits(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        out = await h.console("alice").run(TOMORROW, ":as bob", ':click Edit', "Bob was here", ":done")
        assert "(thread c1) @alice bob edited your post r1 (revision 2); it needs approval again." in out
        assert "Revision: 2, by bob" in out


# --- an edit takes the approved post off Late -------------------------------------------------------


async def _scheduled_then_edited(h: Harness) -> None:
    alice, bob = actor("U0ALICE", "alice"), actor("U0BOB", "bob")
    await say(h, alice, TOMORROW)
    await press(h, bob, "approve", "r1:1")
    [post] = live(await late_posts(h))
    assert post["status"] == "scheduled"
    said = await say(h, alice, '/late edit r1 "The new text"')
    assert "revision 2" in said.text
    assert not live(await late_posts(h)), "the old text must not stay scheduled while the edit waits"


async def test_an_edited_scheduled_post_then_rejected_leaves_nothing_scheduled(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        await _scheduled_then_edited(h)
        said = Said()
        await h.router.submit(FormSubmission(actor=actor("U0BOB", "bob"), place=GENERAL, form_id="late:reject:r1:2",
                                             values={"reason": "not yet"}), said)
        assert "Rejected r1" in said.text
        assert not live(await late_posts(h))
        assert (await h.core.approvals.get("r1")).state == "rejected"


async def test_an_edited_scheduled_post_then_cancelled_leaves_nothing_scheduled(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        await _scheduled_then_edited(h)
        said = await say(h, actor("U0ALICE", "alice"), "/late cancel r1")
        assert "Cancelled r1" in said.text
        assert not live(await late_posts(h))


async def test_an_edited_scheduled_post_that_expires_leaves_nothing_scheduled(tmp_path: Path) -> None:
    clock = FixedClock(START)
    async with core_harness(tmp_path, clock=clock) as h:
        await _scheduled_then_edited(h)
        clock.advance(timedelta(hours=73))
        assert await h.core.approvals.expire_due() == 1
        assert not live(await late_posts(h))


async def test_approving_the_edit_schedules_exactly_the_new_text_once(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        await _scheduled_then_edited(h)
        await press(h, actor("U0BOB", "bob"), "approve", "r1:2")
        await press(h, actor("U0CAROL", "carol"), "approve", "r1:2")
        posts = live(await late_posts(h))
        assert [(p["content"], p["status"]) for p in posts] == [("The new text", "scheduled")]
        assert [c.headers["idempotency-key"] for c in h.late.calls("POST", "/v1/posts")] == [
            "latebot-r1-r1", "latebot-r1-r2"]


async def test_if_late_refuses_to_unschedule_the_edit_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        alice, bob = actor("U0ALICE", "alice"), actor("U0BOB", "bob")
        await say(h, alice, TOMORROW)
        await press(h, bob, "approve", "r1:1")
        h.late.fail("DELETE", "/v1/posts/*", 400, body={"error": "Cannot delete published posts"})
        said = await say(h, alice, '/late edit r1 "Too late"')
        assert "Late would not take the post off its schedule (Cannot delete published posts), so nothing changed" \
            in said.text
        request = await h.core.approvals.get("r1")
        assert (request.state, request.revision) == ("scheduled", 1)
        assert [p["content"] for p in live(await late_posts(h))] == ["The first text"]


# --- rules belong to the brand ------------------------------------------------------------------


async def test_the_brands_approvers_apply_in_every_channel_of_the_workspace(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        admin = actor("U0ADMIN", admin=True)
        await say(h, admin, "config approvers <@U0CAROL|carol>")  # in #general, for the brand
        elsewhere = Place(chat="console", team="console", channel="random")  # unbound: the only profile
        await say(h, actor("U0ALICE"), TOMORROW, place=elsewhere)
        said = await press(h, actor("U0BOB"), "approve", "r1:1", place=elsewhere)
        assert "Only the brand's approvers" in said.text
        assert not await late_posts(h)
        await press(h, actor("U0CAROL"), "approve", "r1:1", place=elsewhere)
        assert len(live(await late_posts(h))) == 1


async def test_a_channel_can_tighten_but_not_loosen(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        admin = actor("U0ADMIN", admin=True)
        await say(h, admin, "config approvers <@U0CAROL|carol> <@U0DAVE|dave>")
        said = await say(h, admin, "config channel self_approval on")  # no loosening: stays off
        assert "- self_approval: as the brand" in said.text
        said = await say(h, admin, "config channel approvers <@U0BOB|bob>")  # bob is no brand approver
        assert "nobody would be allowed to approve here" in said.text
        said = await say(h, admin, "config channel approvals 2")
        assert "needs 2 approvals" in said.text
        await say(h, actor("U0ALICE"), TOMORROW)
        said = await press(h, actor("U0CAROL"), "approve", "r1:1")
        assert "1 of 2" in said.text
        assert not await late_posts(h)
        await press(h, actor("U0DAVE"), "approve", "r1:1")
        assert len(live(await late_posts(h))) == 1


async def test_a_request_is_decided_only_in_its_own_chat_and_channel(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        await say(h, actor("U0ALICE"), TOMORROW)
        for place in (Place(chat="slack", team="T1", channel="general"),
                      Place(chat="console", team="console", channel="elsewhere")):
            said = await press(h, actor("U0BOB"), "approve", "r1:1", place=place)
            assert "belongs to another channel" in said.text
        said = await say(h, actor("U0BOB"), "/late show r1", place=Place(chat="console", team="console",
                                                                           channel="elsewhere"))
        assert said.replies[-1].card is None and "The first text" not in said.text  # nothing of it shown
        assert "belongs to another channel" in said.text and "decide it there" in said.text
        assert not await late_posts(h)


# --- rights at the moment of decision -----------------------------------------------------------


async def test_a_removed_approvers_vote_no_longer_counts(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        admin = actor("U0ADMIN", admin=True)
        await say(h, admin, "config approvers <@U0CAROL|carol> <@U0DAVE|dave> <@U0ERIN|erin>")
        await say(h, admin, "config approvals 2")
        await say(h, actor("U0ALICE"), TOMORROW)
        await press(h, actor("U0CAROL"), "approve", "r1:1")
        await say(h, admin, "config approvers <@U0DAVE|dave> <@U0ERIN|erin>")
        said = await press(h, actor("U0DAVE"), "approve", "r1:1")
        assert "Your approval is recorded (1 of 2 needed)" in said.text
        assert not await late_posts(h)
        await press(h, actor("U0ERIN"), "approve", "r1:1")
        assert len(live(await late_posts(h))) == 1


async def test_lowering_the_quorum_publishes_what_now_has_enough(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        admin = actor("U0ADMIN", admin=True)
        await say(h, admin, "config approvals 2")
        await say(h, actor("U0ALICE"), TOMORROW)
        said = await press(h, actor("U0BOB"), "approve", "r1:1")
        assert "1 of 2" in said.text
        said = await press(h, actor("U0BOB"), "approve", "r1:1")
        assert "You already approved this (1 of 2)." in said.text
        await say(h, admin, "config approvals 1")
        assert len(live(await late_posts(h))) == 1
        assert (await h.core.approvals.get("r1")).state == "scheduled"


async def test_self_approval_turned_off_after_the_request_is_the_stricter(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        admin = actor("U0ADMIN", admin=True)
        await say(h, admin, "config self_approval on")
        await say(h, actor("U0ALICE"), TOMORROW)
        await say(h, admin, "config self_approval off")
        said = await press(h, actor("U0ALICE"), "approve", "r1:1")
        assert "You can't approve your own request" in said.text
        await say(h, admin, "config self_approval on")
        await say(h, actor("U0ALICE"), '/late post "Mine" to x at "2026-11-23 10:00"')
        await press(h, actor("U0ALICE"), "approve", "r2:1")
        assert [p["content"] for p in live(await late_posts(h))] == ["Mine"]


async def test_only_requesters_approvers_and_admins_may_cancel(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        await say(h, actor("U0ALICE"), TOMORROW)
        await press(h, actor("U0BOB"), "approve", "r1:1")
        said = await say(h, actor("U0MALLORY"), "/late cancel r1")
        assert "Only the requester, an approver or an admin can cancel this post." in said.text
        assert len(live(await late_posts(h))) == 1
        said = await say(h, actor("U0ADMIN", admin=True), "/late cancel r1")
        assert "Cancelled r1" in said.text
        assert not live(await late_posts(h))


async def test_reject_and_edit_are_refused_before_the_form_opens(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        await say(h, actor("U0ADMIN", admin=True), "config approvers <@U0CAROL|carol>")
        await say(h, actor("U0ALICE"), TOMORROW)
        for action in ("reject", "edit"):
            said = await press(h, actor("U0MALLORY"), action, "r1:1")
            assert not said.forms and "Only the brand's approvers" in said.text
        said = await press(h, actor("U0CAROL"), "reject", "r1:1")
        assert [f.id for f in said.forms] == ["late:reject:r1:1"]


async def test_impossible_policies_are_refused_with_what_would_work(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        h.console("admin")  # the console's chat port checks channels
        admin = actor("U0ADMIN", admin=True)
        await say(h, admin, "config approvers <@U0BOB|bob>")
        said = await say(h, admin, "config approvals 2")
        assert "That would need 2 approvals from only 1 approver." in said.text
        assert "For example: /late config approvals 1" in said.text
        said = await say(h, admin, "config approval_channel nowhere")
        assert "I can't tell who or what “nowhere” is" in said.text
        said = await say(h, admin, "config approval_channel <#approvals|approvals>")
        assert "Saved." in said.text and "its card goes to #approvals" in said.text


async def test_the_console_names_approvers_by_name_since_names_are_its_ids(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        out = io.StringIO()
        session = ConsoleSession(h.router, out=out, user="admin")
        await session.handle("/late config approvers @carol", lambda: None)
        assert "- approvers: @carol" in out.getvalue()


async def test_a_channel_time_zone_is_checked_as_commands_read_it(tmp_path: Path) -> None:
    """A zone the commands would refuse (`posixrules`) is refused when set, or it would lock the
    channel out of every command; one in any case is saved by its IANA name."""
    async with core_harness(tmp_path) as h:
        admin = actor("U0ADMIN", admin=True)
        said = await say(h, admin, "config timezone posixrules")
        assert "“posixrules” is not an IANA time zone." in said.text
        said = await say(h, admin, "config timezone europe/berlin")
        assert said.text.startswith("Saved.") and (await h.core.channels.get(GENERAL)).timezone == "Europe/Berlin"
        said = await say(h, actor("U0ALICE", "alice"), '/late post "Hi" to x tomorrow 9am')
        assert "Sent for approval" in said.text
        assert (await h.core.approvals.get("r1")).draft.timezone == "Europe/Berlin"


async def test_two_edits_of_one_revision_at_once_make_one_revision_and_a_clear_refusal(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        alice, bob = actor("U0ALICE", "alice"), actor("U0BOB", "bob")
        await say(h, alice, TOMORROW)
        said = await asyncio.gather(say(h, alice, '/late edit r1 "Edit A"'), say(h, bob, '/late edit r1 "Edit B"'))
        texts = [s.text for s in said]
        assert not any("went wrong" in t for t in texts), texts
        request = await h.core.approvals.get("r1")
        assert request.revision == 2
        assert sum("Someone changed this request at the same time" in t for t in texts) == 1, texts
        assert [a.revision for a in request.revisions] == [1, 2]


async def test_a_reject_racing_an_edit_rejects_nothing_it_did_not_see(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        alice, bob = actor("U0ALICE", "alice"), actor("U0BOB", "bob")
        await say(h, alice, TOMORROW)
        seen = await h.core.approvals.get("r1")
        await say(h, alice, '/late edit r1 "The second text"')
        with pytest.raises(StaleRevision):
            await h.core.approvals.reject(bob, "r1", "no", revision=1, place=GENERAL)
        # Past the checks with the revision it read, the reject still must not land on revision 2.
        moved, _ = await h.core.approvals.requests.transition_and_load(
            seen, "rejected", actor="bob", action="reject", from_states=["pending"])
        assert not moved
        assert (await h.core.approvals.get("r1")).state == "pending"
