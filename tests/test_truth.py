"""What the user is told is what is true: retry and cancel of what can't be retried or does not
exist, Late's words redacted, times as instants (a DST gap said so), a draft promoted on Late."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests import harness
from tests.harness import API_KEY, Harness
from tests.test_faults import approved, faulty, posts, state

SLACK_TOKEN = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp"


async def say(h: Harness, text: str, *, user: str = "carol", admin: bool = False) -> str:
    [reply] = (await harness.say(h, harness.actor(user, admin=admin), text)).lines
    return reply


async def late_draft(h: Harness) -> str:
    """A draft made in Late's dashboard (not by latebot); its id."""
    x = (await h.late.engine.account_ids())["twitter"]
    async with h.late.client() as raw:
        made = await raw.create_post({"content": "Idea", "isDraft": True,
                                      "platforms": [{"platform": "twitter", "accountId": x}]},
                                     idempotency_key="dashboard")
    return made.post.id


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info]


async def test_retry_of_a_partial_post_sends_only_what_failed(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with faulty(tmp_path) as h:
        h.late.engine.weather.force("linkedin", "platform_error")
        console, _ = await approved(h, '/late post "Half way" to x,linkedin now')
        assert await state(h) == "partial"
        out = await console.run("/late retry r1")
        # Late's retry takes failed posts only: a new post for the failed platform, never a second on X.
        assert "The failed platforms were sent again as Late post" in out
        assert h.late.calls("POST", "/v1/posts/*/retry") == []
        first, again = h.late.calls("POST", "/v1/posts")
        assert [p["platform"] for p in first.json["platforms"]] == ["twitter", "linkedin"]
        assert [p["platform"] for p in again.json["platforms"]] == ["linkedin"]
        assert "Late could not be reached" not in out and not tracebacks(caplog)


async def test_cancel_and_retry_of_unknown_ids_say_so(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with faulty(tmp_path) as h:
        missing = "There is no request or Late post '{}'. /late queue lists the open ones."
        for line, key in [("cancel nope", "nope"), ("retry nope", "nope"),
                          ("cancel 0123456789abcdef01234567", "0123456789abcdef01234567"),
                          ("retry 0123456789abcdef01234567", "0123456789abcdef01234567")]:
            assert await say(h, line) == missing.format(key)  # carol, no admin: not "only an admin"
            assert await say(h, line, user="alice", admin=True) == missing.format(key)
        h.late.fail("GET", "/v1/posts/*", 400, body={"error": "Invalid post id"})
        assert await say(h, "cancel not-an-id", admin=True) == missing.format("not-an-id")
        assert not tracebacks(caplog)


async def test_cancel_while_late_may_have_it_says_latebot_is_checking(tmp_path: Path) -> None:
    async with faulty(tmp_path) as h:
        h.late.fail("POST", "/v1/posts", 500, after_processing=True, times=10)
        console, _ = await approved(h)
        out = await console.run("/late cancel r1")
        assert "latebot is checking with Late; the card shows the result" in out
        assert await state(h) == "publishing"


async def test_lates_error_texts_are_redacted_in_every_reply(tmp_path: Path) -> None:
    async with faulty(tmp_path, SLACK_BOT_TOKEN=SLACK_TOKEN) as h:
        h.late.fail("POST", "/v1/posts", 401, body={"error": f"Invalid API key: {API_KEY} (seen with {SLACK_TOKEN})"})
        console, out = await approved(h)
        assert await state(h) == "failed"
        assert "Late refused latebot's API key (Invalid API key: [redacted] (seen with [redacted]).)" in out
        h.late.fail("GET", "/v1/usage-stats", 400, body={"error": f"key {API_KEY[:-2]}xx is not {API_KEY}"})
        reply = await say(h, "usage")
        assert "[redacted]" in reply and API_KEY not in reply
        stored = (await h.core.approvals.get("r1")).outcome
        assert stored is not None and API_KEY in stored.message  # the record keeps what Late said
        assert API_KEY not in console.output and SLACK_TOKEN not in console.output


async def test_a_time_is_sent_as_an_instant_and_a_dst_gap_is_said_on_the_card(tmp_path: Path) -> None:
    async with faulty(tmp_path) as h:
        console = h.console("alice")
        out = await console.run('/late post "Spring forward" to x at "2027-03-14 02:30" tz America/New_York')
        assert "When: Sun 14 Mar 2027 03:30 America/New_York" in out
        assert ("⚠ 2027-03-14 02:30 does not exist in America/New_York (the clocks go forward then), so it goes out "
                "at 03:30, the time it becomes.") in out
        await console.run(":as bob", ":click Approve")
        [create] = h.late.calls("POST", "/v1/posts")
        assert create.json["scheduledFor"] == "2027-03-14T07:30:00Z"
        [post] = await posts(h)
        assert post["scheduledFor"] == "2027-03-14T07:30:00Z" and await state(h) == "scheduled"
        # An ordinary time has no warning, and the hour repeated in autumn is sent unambiguously.
        out = await console.run(":as alice",
                                '/late post "Fall back" to x at "2027-11-07 01:30 -04:00" tz America/New_York')
        assert "does not exist" not in out


async def test_approving_an_edit_of_a_late_draft_promotes_it_on_late(tmp_path: Path) -> None:
    async with faulty(tmp_path) as h:
        draft = await late_draft(h)
        console = h.console("alice")
        out = await console.run(f'/late edit {draft} "Idea, ready"')
        assert "is request r1" in out
        # The edit form: keep the text and targets, publish now.
        out = await console.run(":click Edit", "", "", "now", "", "", "")
        assert "Saved revision 2 of r1" in out, out
        await console.run(":as bob", ":click Approve")
        [put] = h.late.calls("PUT", "/v1/posts/*")
        assert put.json["isDraft"] is False and put.json["publishNow"] is True
        on_late = await h.late.engine.post(draft)
        assert on_late is not None and on_late["status"] == "published" and on_late["content"] == "Idea, ready"
        assert await state(h) == "published" and len(await posts(h)) == 1


async def test_a_late_draft_edited_without_a_time_stays_a_draft_on_late(tmp_path: Path) -> None:
    async with faulty(tmp_path) as h:
        draft = await late_draft(h)
        async with h.late.client() as raw:
            # Late's side: without isDraft false a draft stays a draft, even with publishNow.
            kept = await raw.update_post(draft, {"publishNow": True})
            assert kept.status == "draft"
        console = h.console("alice")
        await console.run(f'/late edit {draft} "Still an idea"')
        await console.run(":as bob", ":click Approve")
        [_, put] = h.late.calls("PUT", "/v1/posts/*")
        assert put.json["isDraft"] is True and await state(h) == "draft"


async def test_a_disconnect_found_at_publish_time_is_the_cards_failure_with_retry(tmp_path: Path) -> None:
    async with faulty(tmp_path) as h:
        console, _ = await approved(h, '/late post "Tomorrow" to threads at "2026-11-26 12:00"')
        assert await state(h) == "scheduled"
        h.clock.advance(timedelta(days=4))  # type: ignore[attr-defined]  # the threads token expires on day 3
        await h.late.engine.tick()
        await h.core.scheduler.tick()
        request = await h.core.approvals.get("r1")
        assert request.state == "failed" and request.outcome is not None
        assert "Token expired" in next(iter(request.outcome.errors.values()))
        card = await h.core.notices.card_for(request)
        assert [b.label for b in card.buttons] == ["Retry"]
        threads = (await h.late.engine.account_ids())["threads"]
        await h.late.engine.update_account(threads, token_expires_at=h.clock.now() + timedelta(days=60))
        out = await console.run(":click Retry")
        assert "Retried r1: Published." in out and await state(h) == "published"
        assert len(h.late.calls("POST", "/v1/posts/*/retry")) == 1 and len(await posts(h)) == 1
