"""Scenario tests: the scripted console against the fake Late on loopback, errbot style."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

from adapters.console.session import HELP
from bot.clock import FixedClock
from tests.harness import core_harness

LAUNCH = '/late post "Launch day! 🚀" to twitter,linkedin at "2026-12-01 09:00" tz America/New_York'


def creates(h) -> list:  # type: ignore[no-untyped-def]
    return [r for r in h.late.requests if r.method == "POST" and r.path == "/v1/posts"]


async def audit(h, request_id: str) -> list[tuple[str, str | None, str | None]]:  # type: ignore[no-untyped-def]
    rows = await h.store.query("SELECT action, from_state, to_state FROM audit WHERE request_id = ? ORDER BY id",
                               [request_id])
    return [(r["action"], r["from_state"], r["to_state"]) for r in rows]


async def test_post_then_approve_as_another_user_creates_exactly_one_post(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        console = h.console("alice")
        out = await console.run(LAUNCH)
        assert "Post awaiting approval" in out and "[Approve] [Reject] [Edit]" in out
        assert "Tue 1 Dec 2026 09:00 America/New_York" in out
        assert "Sent for approval here as request r1" in out
        assert not creates(h)

        out = await console.run(":as bob", ":click Approve")
        assert "Scheduled" in out and "Approved by: bob" in out
        assert "(thread c1) @alice Your post r1 was approved by bob" in out
        [call] = creates(h)
        body = call.json
        accounts = {a.platform: a.id for a in await h.core.directory.accounts(h.core.directory_profile_id)} \
            if hasattr(h.core, "directory_profile_id") else None
        assert [p["platform"] for p in body["platforms"]] == ["twitter", "linkedin"]
        assert all(p["accountId"] for p in body["platforms"])
        if accounts:
            assert [p["accountId"] for p in body["platforms"]] == [accounts["twitter"], accounts["linkedin"]]
        assert body["scheduledFor"] == "2026-12-01T14:00:00Z"  # the instant, in UTC
        assert body["timezone"] == "America/New_York"
        assert body["content"] == "Launch day! 🚀"
        assert body["metadata"] == {"latebotRequestId": "r1", "latebotRevision": 1, "latebotKey": "latebot-r1-r1"}
        assert call.headers["idempotency-key"] == "latebot-r1-r1"
        assert call.headers["x-request-id"] == "latebot-r1-r1"
        assert call.headers["authorization"].startswith("Bearer ")
        assert await audit(h, "r1") == [
            ("submit", None, "pending"), ("approve", "pending", "publishing"), ("publish", "publishing", "scheduled")
        ]
        # A second click on the updated card: no button any more; on the old one: already decided.
        out = await console.run(":as carol", ":click Approve")
        assert "No card has a [Approve] button" in out
        assert len(creates(h)) == 1


async def test_self_approval_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        console = h.console("alice")
        out = await console.run('/late post "Hello from the team" to x tomorrow 9am', ":click Approve")
        assert "You can't approve your own request; someone else has to." in out
        assert not creates(h)
        assert await audit(h, "r1") == [("submit", None, "pending")]


async def test_unauthorised_approver_is_refused_with_nothing_changed(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        console = h.console("alice")
        out = await console.run("/late config approvers @carol", '/late post "Now is the time" to bluesky now',
                                ":as bob", ":click Approve")
        assert "Only the brand's approvers can approve its posts here: @carol." in out
        assert not creates(h)
        assert await audit(h, "r1") == [("submit", None, "pending")]
        out = await console.run(":as carol", ":click Approve")
        assert "Published" in out
        assert len(creates(h)) == 1


async def test_reject_asks_for_a_reason_and_tells_the_requester(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        console = h.console("alice")
        await console.run('/late post "An idea for later" to linkedin draft')
        out = await console.run(":as bob", ":click Reject", "Off brand, sorry")
        assert "Rejected" in out and "Reason: Off brand, sorry" in out
        assert "@alice Your post r1 was rejected by bob: Off brand, sorry" in out
        assert not creates(h)
        out = await console.run(":as carol", "/late show r1")
        assert "Rejected" in out


async def test_edit_then_approve_voids_earlier_approvals_and_posts_the_new_text(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        console = h.console("alice")
        await console.run("/late config approvals 2", '/late post "First try" to x now')
        out = await console.run(":as bob", ":click Approve")
        assert "Your approval is recorded (1 of 2 needed)." in out
        out = await console.run(":as alice", ":click Edit", "Second try", ":done")
        assert "Saved revision 2 of r1" in out
        out = await console.run(":as carol", ":click Approve")
        assert "(1 of 2 needed)" in out  # bob's approval was for revision 1
        out = await console.run(":as bob", ":click Approve")
        assert "Published" in out
        [call] = creates(h)
        assert call.json["content"] == "Second try"
        assert call.headers["idempotency-key"] == "latebot-r1-r2"


async def test_request_expires(tmp_path: Path) -> None:
    clock = FixedClock(__import__("tests.harness", fromlist=["START"]).START)
    async with core_harness(tmp_path, clock=clock) as h:
        console = h.console("alice")
        await console.run("/late config expiry 1", '/late post "Soon stale" to x now')
        clock.advance(timedelta(hours=2))
        out = await console.run(":as bob", ":click Approve")
        assert "expired" in out.lower()
        assert not creates(h)
        assert (await audit(h, "r1"))[-1] == ("expire", "pending", "expired")


async def test_scheduled_time_passed_needs_an_edit_first(tmp_path: Path) -> None:
    clock = FixedClock(__import__("tests.harness", fromlist=["START"]).START)
    async with core_harness(tmp_path, clock=clock) as h:
        console = h.console("alice")
        await console.run('/late post "Timely" to x in 2 hours')
        clock.advance(timedelta(hours=3))
        out = await console.run(":as bob", ":click Approve")
        assert "has passed" in out
        assert not creates(h)


def _ids(out: str) -> list[str]:
    return re.findall(r"request (r\d+)", out)


async def test_help_and_bad_input_get_specific_replies(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        console = h.console("alice")
        out = await console.run("/late help", "/late pots", '/late post "x" to myspace', ":click Approve")
        assert "/late post" in out
        assert "did you mean" in out.lower()
        assert "No card has a [Approve] button" in out
        assert json.dumps  # keep import used


async def _account_id(h, platform: str) -> str:  # type: ignore[no-untyped-def]
    profile = (await h.core.directory.profiles())[0]
    return next(a.id for a in await h.core.directory.accounts(profile.id) if a.platform == platform)


async def test_outcome_published_shows_permalinks(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        console = h.console("alice")
        out = await console.run('/late post "Now is the time" to bluesky now', ":as bob", ":click Approve")
        assert "✓ Published" in out
        assert re.search(r"Bluesky @\S+: https://bsky\.app/profile/\S+/post/\S+", out), out
        request = await h.core.approvals.get("r1")
        assert request.state == "published" and request.late_post_id


async def test_outcome_partial_names_the_failed_platform(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        h.late.engine.weather.force("linkedin", "platform_error")  # LinkedIn is down when Late publishes
        console = h.console("alice")
        out = await console.run('/late post "Half way" to x,linkedin now', ":as bob", ":click Approve")
        assert "Partly published" in out
        assert "LinkedIn" in out and "failed" in out
        assert (await h.core.approvals.get("r1")).state == "partial"


async def test_outcome_failed_and_retry(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        x = await _account_id(h, "twitter")
        await h.late.engine.update_account(x, token_valid=0)
        console = h.console("alice")
        out = await console.run('/late post "Will fail" to x now', ":as bob", ":click Approve")
        assert "✗ Failed" in out
        # the requester hears what failed and what to do, not only that it did (Late refuses a
        # disconnected account at once, so nothing was created)
        assert ("@alice Your post r1 was approved by bob: X @demobrand is disconnected from Late, so Late refused "
                "the post. Nothing was created on Late.") in out
        assert "/late connect twitter" in out
        assert (await h.core.approvals.get("r1")).state == "failed"
        await h.late.engine.update_account(x, token_valid=1)
        out = await console.run("/late retry r1")
        assert "Retried" in out and "Published" in out
        assert (await h.core.approvals.get("r1")).state == "published"


async def test_outcome_duplicate_links_the_existing_post(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        console = h.console("alice")
        await console.run('/late post "Same words" to x now', ":as bob", ":click Approve")
        first = (await h.core.approvals.get("r1")).late_post_id
        out = await console.run(":as alice", '/late post "Same words" to x now', ":as bob", ":click Approve")
        assert "Already posted" in out
        second = await h.core.approvals.get("r2")
        assert second.state == "duplicate" and second.late_post_id == first
        assert len(creates(h)) == 2


async def test_outcome_plan_limit_is_explained(tmp_path: Path) -> None:
    from adapters.sandbox.plan import Plan
    from bot.clock import FixedClock
    from tests.fakes.late_server import FakeLate
    from tests.harness import API_KEY, START

    clock = FixedClock(START)
    async with FakeLate(api_key=API_KEY, clock=clock, plan=Plan(name="Free", uploads=0, profiles=2)) as late:
        await late.engine.seed_demo()
        async with core_harness(tmp_path, clock=clock, late=late) as h:
            console = h.console("alice")
            out = await console.run('/late post "Over the limit" to x now', ":as bob", ":click Approve")
            assert "Late plan limit reached" in out and "Free" in out
            assert (await h.core.approvals.get("r1")).state == "failed"


async def test_cancel_pending_and_scheduled(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        console = h.console("alice")
        out = await console.run('/late post "Never mind" to x now', "/late cancel r1")
        assert "Cancelled r1." in out
        await console.run('/late post "Later on" to x tomorrow 9am', ":as bob", ":click Approve")
        request = await h.core.approvals.get("r2")
        assert request.state == "scheduled"
        out = await console.run(":as alice", "/late queue")
        assert "r2 [scheduled]" in out
        out = await console.run("/late cancel r2")
        assert "Cancelled r2." in out
        assert await h.late.engine.post(request.late_post_id or "") is None


# --- the console as a terminal (issue 12) ---------------------------------------------------------


async def test_a_multi_line_paste_and_a_thread_need_no_backslash_n(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        console = h.console("alice")
        # As pasted: the quote stays open over the lines until it closes, options after it.
        out = await console.run('/late post "First part of the thread', "second line", "---",
                                'The second part" to x now')
        assert "1/2" in out and "2/2" in out
        request = await h.core.approvals.get("r1")
        assert request.draft.thread == ["First part of the thread\nsecond line", "The second part"]
        assert "A quote left open goes on over the next lines" in HELP  # what the console says on start


async def test_console_commands_while_a_form_is_open_are_not_taken_as_answers(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        console = h.console("alice")
        await console.run('/late post "To be rejected" to x now')
        out = await console.run(":as bob", ":click Reject", ":click Approve", "Not on brand")
        assert "[form] “Reject post” is open: answer 'Why? (the requester sees this)' first" in out
        request = await h.core.approvals.get("r1")
        assert (request.state, request.reason) == ("rejected", "Not on brand")
        assert creates(h) == []


async def test_a_form_answer_can_span_lines_in_quotes(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        console = h.console("alice")
        await console.run('/late post "One" to x now')
        await console.run(":click Edit", '"Line one', "---", 'Line two"', ":done")
        assert (await h.core.approvals.get("r1")).draft.thread == ["Line one", "Line two"]


def test_ctrl_c_ends_the_interactive_console_at_once(tmp_path: Path) -> None:
    """On a terminal, a line is being read when Ctrl-C comes: the console exits without waiting for it."""
    import os
    import pty
    import select
    import signal
    import subprocess
    import sys
    import time

    env = {k: v for k, v in os.environ.items() if not k.startswith(("LATE", "SLACK", "DISCORD"))}
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "adapters.cli", "console"], stdin=follower, stdout=follower,
                            stderr=follower, env=env, cwd=tmp_path, start_new_session=True)
    os.close(follower)
    seen = b""
    try:
        deadline = time.monotonic() + 60
        while b"> " not in seen.split(b"':quit' ends.")[-1] and time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.5)
            if ready:
                seen += os.read(leader, 4096)
        assert b"latebot console" in seen, seen
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)  # what the terminal sends on Ctrl-C
        assert proc.wait(timeout=10) == 130
        assert time.monotonic() - started < 5
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)


async def test_what_the_chat_says_is_true_of_the_rules_and_the_time(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        console = h.console("alice")
        out = await console.run("/late config")
        assert "Brand Demo Brand, in this workspace:" in out  # the profile by its name, not its id
        out = await console.run("/late config self_approval on", '/late post "Mine to approve" to x on monday')
        assert "It needs 1 approval from anyone, the requester too" in out
        assert "Who may approve: anyone, the requester too" in out
        assert "When: Mon 23 Nov 2026 09:00 UTC" in out  # a day without a time means 09:00, and says so
        out = await console.run(":click Approve")
        assert "Scheduled" in out and len(creates(h)) == 1
