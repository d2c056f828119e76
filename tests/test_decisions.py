"""`/late approve`, `/late reject`, `/late history`, `/late queue` (issue 12), through the console and
the real router and core on the fake Late: a decision by command goes through the same gate as a
button, shows the card it decided, and is refused with the current card when the request changed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.clock import FixedClock
from tests.harness import ScriptedConsole, actor, core_harness, press, say
from tests.test_gate import TOMORROW as ALICE_TOMORROW

ALICE, BOB, CAROL = actor("alice"), actor("bob"), actor("carol")


async def test_approve_by_command_shows_the_card_and_goes_through_the_gate(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        await say(h, ALICE, ALICE_TOMORROW)
        said = await say(h, ALICE, "approve r1")
        assert said.text == "You can't approve your own request; someone else has to."
        said = await say(h, BOB, "approve r1")
        assert said.text.startswith("You approved revision 1 of r1: Scheduled on Late.")
        card = said.replies[-1].card
        assert card is not None and card.title == "Scheduled" and card.sections[0].parts == ["The first text"]
        assert len(h.late.calls("POST", "/v1/posts")) == 1
        said = await say(h, CAROL, "approve r1")
        assert said.text == "Already decided: it was approved and is scheduled."
        assert len(h.late.calls("POST", "/v1/posts")) == 1


async def test_approve_of_a_revision_that_was_edited_since_decides_nothing(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        await say(h, ALICE, ALICE_TOMORROW)
        await say(h, ALICE, 'edit r1 "The second text"')
        said = await say(h, BOB, "approve r1:1")  # bob read revision 1
        assert said.text.startswith("r1 changed: revision 2 is current, not 1. Nothing was decided")
        assert said.replies[-1].card is not None and said.replies[-1].card.sections[0].parts == ["The second text"]
        assert (await h.core.approvals.get("r1")).state == "pending"
        assert h.late.calls("POST", "/v1/posts") == []


async def test_two_approvals_by_command_and_again_says_so(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        await say(h, actor("admin", admin=True), "config approvals 2")
        await say(h, ALICE, ALICE_TOMORROW)
        said = await say(h, BOB, "approve r1")
        assert said.text == "Your approval of revision 1 of r1 is recorded (1 of 2 needed)."
        assert said.replies[-1].card is not None
        fields = {f.title: f.value for f in said.replies[-1].card.fields}
        assert fields["Approvals"] == "1 of 2: bob"
        said = await say(h, BOB, "approve r1")
        assert said.text == "You already approved revision 1 of r1 (1 of 2)."
        said = await say(h, CAROL, "approve r1")
        assert said.text.startswith("You approved revision 1 of r1: Scheduled on Late.")


async def test_reject_by_command_needs_a_reason_and_tells_the_requester(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        await say(h, ALICE, ALICE_TOMORROW)
        said = await say(h, BOB, "reject r1")
        assert "`reject` needs the reason after the id" in said.text
        said = await say(h, BOB, 'reject r1 "Wrong date"')
        assert said.text == "Rejected revision 1 of r1; alice is told why."
        request = await h.core.approvals.get("r1")
        assert (request.state, request.reason) == ("rejected", "Wrong date")


async def test_a_request_from_an_earlier_console_run_can_be_approved_by_command(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        await ScriptedConsole(h.router, user="alice").run(ALICE_TOMORROW)
        later = ScriptedConsole(h.router, user="bob")  # a new console: the old card is not on its screen
        out = await later.run(":click Approve")
        assert "No card has a [Approve] button" in out
        out = await later.run("/late approve r1")
        assert "You approved revision 1 of r1: Scheduled on Late." in out and "✓ Scheduled" in out


async def test_history_is_a_card_of_who_did_what_when_to_which_revision(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        await say(h, ALICE, ALICE_TOMORROW)
        assert isinstance(h.clock, FixedClock)
        h.clock.advance(timedelta(minutes=5))
        await say(h, BOB, 'edit r1 "Bob\'s text"')
        h.clock.advance(timedelta(minutes=5))
        await press(h, CAROL, "approve", "r1:2")
        said = await say(h, ALICE, "history r1")
        card = said.replies[-1].card
        assert card is not None and card.title == "History of r1"
        lines = card.sections[0].text.splitlines()
        assert lines[0] == "Sun 22 Nov 2026 12:00 UTC · alice asked for approval · revision 1 · pending"
        assert lines[1] == "Sun 22 Nov 2026 12:05 UTC · bob edited it · revision 2 · pending"
        assert lines[2] == "Sun 22 Nov 2026 12:10 UTC · carol approved (1 of 1) · revision 2 · pending → publishing"
        late_post = (await h.core.approvals.get("r1")).late_post_id
        assert lines[3] == (f"Sun 22 Nov 2026 12:10 UTC · carol sent it to Late · revision 2 · publishing → scheduled"
                            f" · Late post {late_post}")
        said = await say(h, ALICE, "history nope")
        assert said.text == "There is no request 'nope' here. /late queue lists this channel's."


async def test_queue_lists_failed_posts_marked_and_says_how_many_more(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        profile = (await h.core.directory.profiles())[0]
        x = next(a.id for a in await h.core.directory.accounts(profile.id) if a.platform == "twitter")
        await h.late.engine.update_account(x, token_valid=0)
        await say(h, ALICE, 'post "Will fail" to x now')
        await press(h, BOB, "approve", "r1:1")
        assert (await h.core.approvals.get("r1")).state == "failed"
        for n in range(25):
            await say(h, ALICE, f'post "Open {n}" to linkedin tomorrow 9am')
        said = await say(h, ALICE, "queue")
        lines = said.text.splitlines()
        assert lines[0] == "Posts of this channel (open, then failed in the last 7 days):"
        assert len(lines) == 1 + 20 + 1
        assert lines[-1] == "…and 6 more not listed here (the oldest 20 are shown)."
        assert all("[pending]" in line for line in lines[1:21])
        for n in range(2, 21):
            await say(h, ALICE, f"cancel r{n}")
        said = await say(h, ALICE, "queue")
        assert "- r1 [✗ failed, /late retry r1]" in said.text and "more not listed" not in said.text
