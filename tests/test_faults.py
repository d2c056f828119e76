"""Late failing in every way issue 10 lists, injected into the fake Late over HTTP, seen from both
sides: the request's state and what the chat was told, and the posts on the fake Late (exactly one,
or none). Everything goes through the real router and core (the scripted console)."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.sandbox.limits import Limits
from bot.clock import FixedClock
from bot.late.backoff import Backoff
from tests.fakes.late_server import Naps
from tests.harness import START, Harness, ScriptedConsole, core_harness, late_fixture

MAY = "Late may have published this; checking…"
POST = '/late post "Faults happen" to x now'
SCHEDULED = '/late post "Faults happen later" to x at "2026-11-23 09:00"'




@contextlib.asynccontextmanager
async def faulty(tmp_path: Path, client: dict[str, Any] | None = None, **settings: Any) -> AsyncIterator[Harness]:
    """The harness with a Late client that retries at once and gives up on an answer after 0.5 s."""
    clock = FixedClock(START)
    options: dict[str, Any] = {"sleep": Naps(), "timeout": 0.5, "publish_timeout": 0.5,
                               "backoff": Backoff(base=0.01, cap=0.01), **(client or {})}
    async with core_harness(tmp_path, clock=clock, client=options, **settings) as h:
        yield h


def clock_of(h: Harness) -> FixedClock:
    assert isinstance(h.clock, FixedClock)
    return h.clock


async def approved(h: Harness, line: str = POST) -> tuple[ScriptedConsole, str]:
    console = h.console("alice")
    await console.run(line)
    return console, await console.run(":as bob", ":click Approve", ":as alice")


async def state(h: Harness, request_id: str = "r1") -> str:
    return (await h.core.approvals.get(request_id)).state


async def posts(h: Harness) -> list[dict[str, Any]]:
    return await h.late.engine.posts()


def creates(h: Harness) -> int:
    return len(h.late.calls("POST", "/v1/posts"))


async def tick(h: Harness, console: ScriptedConsole, advance: timedelta = timedelta(0)) -> str:
    """Time passes, the scheduler ticks; what the chat saw meanwhile."""
    start = len(console.output)
    clock_of(h).advance(advance)
    await h.core.scheduler.tick()
    return console.output[start:]


def no_false_nothing(text: str) -> None:
    assert "nothing was published" not in text.lower() and "Nothing was created" not in text, text


# --- Late performed the create, but its answer never arrived ---------------------------------------


@pytest.mark.parametrize("fault", ["500 after creating", "timeout after creating", "dropped after creating"])
async def test_a_create_late_performed_without_saying_so_ends_settled_with_one_post(tmp_path: Path,
                                                                                     fault: str) -> None:
    async with faulty(tmp_path) as h:
        if fault.startswith("500"):
            h.late.fail("POST", "/v1/posts", 500, after_processing=True, times=10)
        elif fault.startswith("timeout"):
            h.late.stall_after("POST", "/v1/posts", 2.0, times=10)
        else:
            h.late.drop("POST", "/v1/posts", after_processing=True, times=10)
        console, out = await approved(h)
        assert await state(h) == "publishing"
        assert f"(thread c1) @alice Your post r1: {MAY}" in out
        assert f"Result: {MAY}" in out  # on the card too
        no_false_nothing(out)
        assert len(await posts(h)) == 1
        sent = creates(h)
        assert sent >= 2 and {c.headers["x-request-id"] for c in h.late.calls("POST", "/v1/posts")} == {
            "latebot-r1-r1"}

        later = await tick(h, console)
        assert await state(h) == "published"
        assert "(thread c1) @alice Your post r1 was approved by bob: Published." in later
        [post] = await posts(h)
        assert (await h.core.approvals.get("r1")).late_post_id == post["_id"]
        assert creates(h) == sent  # reconcile found it by listing; it sent nothing again
        listed = h.late.calls("GET", "/v1/posts")
        assert listed and all(c.query["sortBy"] == "created-desc" and int(c.query["limit"]) <= 100 for c in listed)


async def test_a_500_before_anything_was_made_is_sent_again_with_the_same_key_inside_the_window(
    tmp_path: Path,
) -> None:
    async with faulty(tmp_path) as h:
        h.late.fail("POST", "/v1/posts", 500, times=4)  # every attempt of the approval: nothing made
        console, out = await approved(h)
        assert await state(h) == "publishing" and MAY in out and await posts(h) == []
        later = await tick(h, console, timedelta(minutes=1))
        assert await state(h) == "published" and "Published." in later
        assert len(await posts(h)) == 1
        assert {c.headers["x-request-id"] for c in h.late.calls("POST", "/v1/posts")} == {"latebot-r1-r1"}


async def test_after_the_window_reconcile_only_looks_and_then_says_what_it_knows(tmp_path: Path) -> None:
    async with faulty(tmp_path) as h:
        h.late.fail("POST", "/v1/posts", 500, times=4)
        console, _ = await approved(h)
        sent = creates(h)
        # Six minutes later Late no longer replays the key: a second create could make a second post.
        out = await tick(h, console, timedelta(minutes=6))
        assert await state(h) == "publishing" and creates(h) == sent and out == ""
        # Fifteen minutes of listings without the post: Late has none, and that is known now.
        out = await tick(h, console, timedelta(minutes=10))
        request = await h.core.approvals.get("r1")
        assert request.state == "failed" and request.outcome is not None and request.outcome.retryable
        assert "Late has no post for this request" in out and "[Retry]" in out
        assert await posts(h) == [] and creates(h) == sent
        out = await console.run(":as bob", ":click Retry")
        assert "Retried r1: Published." in out and await state(h) == "published"
        assert len(await posts(h)) == 1


async def test_after_the_window_a_post_late_made_is_found_by_listing_not_by_sending_again(tmp_path: Path) -> None:
    async with faulty(tmp_path) as h:
        h.late.drop("POST", "/v1/posts", after_processing=True, times=10)
        console, _ = await approved(h, SCHEDULED)
        sent = creates(h)
        h.late.engine.replay_window = timedelta(0)  # Late has forgotten the key
        out = await tick(h, console, timedelta(minutes=7))
        assert await state(h) == "scheduled" and "Scheduled on Late." in out
        assert creates(h) == sent and len(await posts(h)) == 1


async def test_a_listing_that_fails_at_start_up_is_tried_again_on_the_next_ticks(tmp_path: Path) -> None:
    async with faulty(tmp_path) as h:
        h.late.fail("POST", "/v1/posts", 500, after_processing=True, times=10)
        console, _ = await approved(h)
        h.late.fail("GET", "/v1/posts", 503, times=8)  # the start-up reconcile and the next tick fail
        await h.core.scheduler.reconcile()
        assert await state(h) == "publishing"
        await tick(h, console, timedelta(minutes=1))
        assert await state(h) == "publishing"
        lists = len(h.late.calls("GET", "/v1/posts"))
        await tick(h, console)  # backing off: not yet
        assert len(h.late.calls("GET", "/v1/posts")) == lists
        out = await tick(h, console, timedelta(minutes=5))
        assert await state(h) == "published" and "Published." in out
        assert len(await posts(h)) == 1


# --- what the user is told when the store fails after Late acted --------------------------------------


async def test_a_full_disk_after_late_made_the_post_says_it_may_be_published_and_reconcile_settles_it(
    tmp_path: Path,
) -> None:
    async with faulty(tmp_path) as h:
        console = h.console("alice")
        await console.run(POST)

        def full(tx: Any) -> None:
            tx.execute("CREATE TEMP TRIGGER disk_full BEFORE UPDATE OF state ON requests "
                       "WHEN NEW.state NOT IN ('pending', 'publishing') "
                       "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")

        await h.store.write(full)
        out = await console.run(":as bob", ":click Approve")
        assert await state(h) == "publishing" and len(await posts(h)) == 1
        assert re.search(rf"Your post r1: {MAY} \(ref \w+\)", out), out
        no_false_nothing(out)
        await h.store.write(lambda tx: tx.execute("DROP TRIGGER disk_full"))
        later = await tick(h, console, timedelta(minutes=1))
        assert await state(h) == "published" and "Published." in later
        assert len(await posts(h)) == 1 and creates(h) == 1


# --- 429: nothing was made -------------------------------------------------------------------------


async def test_a_short_429_is_waited_out_and_sent_again_with_the_same_key(tmp_path: Path) -> None:
    async with faulty(tmp_path) as h:
        h.late.fail("POST", "/v1/posts", 429, headers={"Retry-After": "2"},
                    body=late_fixture("error_429_api_rate_limit"))
        _, out = await approved(h)
        assert await state(h) == "published" and "Published." in out
        calls = h.late.calls("POST", "/v1/posts")
        assert len(calls) == 2 and {c.headers["idempotency-key"] for c in calls} == {"latebot-r1-r1"}
        assert len(await posts(h)) == 1


async def test_a_long_429_fails_with_retry_and_says_when_it_lifts(tmp_path: Path) -> None:
    async with faulty(tmp_path) as h:
        h.late.fail("POST", "/v1/posts", 429, headers={"Retry-After": "3600", "X-RateLimit-Limit": "60"},
                    body=late_fixture("error_429_api_rate_limit"))
        console, out = await approved(h)
        request = await h.core.approvals.get("r1")
        assert request.state == "failed" and request.outcome is not None and request.outcome.retryable
        assert ("Late's rate limit was reached (60 requests a minute): Rate limit exceeded. It lifts in about "
                "60 minutes (Sun 22 Nov 2026 13:00 UTC). Nothing was created on Late; press Retry once it has "
                "lifted.") in out
        assert "[Retry]" in out and await posts(h) == [] and creates(h) == 1
        clock_of(h).advance(timedelta(hours=1))
        out = await console.run("/late retry r1")
        assert "Retried r1: Published." in out and len(await posts(h)) == 1


async def test_lates_per_account_limit_names_the_account_and_does_not_wait(tmp_path: Path) -> None:
    async with faulty(tmp_path) as h:
        h.late.engine.limits = Limits(per_hour=1)
        console, out = await approved(h, '/late post "First of the hour" to x now')
        assert await state(h) == "published"
        await console.run('/late post "Second of the hour" to x now')
        out = await console.run(":as bob", ":click Approve", ":as alice")
        assert await state(h, "r2") == "failed"
        assert ("Late's rate limit for X @demobrand was reached: Account @demobrand (twitter) has reached its limit "
                "of 1 posts per hour. Try again later. Late did not say when it lifts.") in out
        assert len(h.late.calls("POST", "/v1/posts")) == 2  # no waiting and sending again
        clock_of(h).advance(timedelta(hours=1))
        out = await console.run(":as bob", ":click Retry")
        assert "Retried r2: Published." in out and len(await posts(h)) == 2


# --- 403 codes and 402 -----------------------------------------------------------------------------


async def test_a_disconnected_account_is_refused_by_late_and_points_to_connect(tmp_path: Path) -> None:
    async with faulty(tmp_path) as h:
        x = (await h.late.engine.account_ids())["twitter"]
        await h.late.engine.update_account(x, token_valid=0)
        console, out = await approved(h)
        assert await state(h) == "failed" and await posts(h) == []
        assert ("X @demobrand is disconnected from Late, so Late refused the post. Nothing was created on Late. "
                "Reconnect it (/late connect twitter, or in Late's dashboard), then press Retry.") in out
        assert "[Retry]" in out
        await h.late.engine.update_account(x, token_valid=1)
        out = await console.run("/late retry r1")
        assert "Published." in out and len(await posts(h)) == 1


@pytest.mark.parametrize(("name", "status", "said"), [
    ("error_403_account_not_enabled", 403, "X @demobrand is not enabled for posting in Late"),
    ("error_403_profile_over_limit", 403, "X @demobrand belongs to a Late profile beyond the plan's profile "
                                               "limit"),
    ("error_402_failed_payment", 402, "Late wants a payment before it publishes: Payment required: your last "
                                           "payment failed."),
    ("error_402_payment_required", 402, "fix billing in Late's dashboard (https://zernio.com/dashboard?tab="
                                             "billing)"),
    ("error_403_plan_post_limit", 403, "Late plan limit reached: Post limit reached."),
    ("error_403_not_owner", 403, "The account may not belong to latebot's API key."),
])
async def test_each_documented_refusal_has_its_own_message(tmp_path: Path, name: str, status: int, said: str) -> None:
    async with faulty(tmp_path) as h:
        x = (await h.late.engine.account_ids())["twitter"]
        body = json.loads(json.dumps(late_fixture(name)).replace("6650a1b2c3d4e5f6a7b8c911", x)
                          .replace("6650a1b2c3d4e5f6a7b8c912", x))
        h.late.fail("POST", "/v1/posts", status, body=body)
        _, out = await approved(h)
        assert await state(h) == "failed" and await posts(h) == []
        assert said in out and "[Retry]" in out
        assert "Late may have" not in out


# --- 409 ------------------------------------------------------------------------------------------


async def test_a_409_links_the_post_only_when_late_names_it(tmp_path: Path) -> None:
    async with faulty(tmp_path) as h:
        h.late.fail("POST", "/v1/posts", 409, body={"error": "This exact content is already scheduled, publishing, "
                                                          "or was posted"})
        _, out = await approved(h)
        request = await h.core.approvals.get("r1")
        assert request.state == "duplicate" and request.late_post_id is None
        assert "linked" not in out and "Late did not say which post that is." in out
    (tmp_path / "named").mkdir()
    async with faulty(tmp_path / "named") as h:
        x = (await h.late.engine.account_ids())["twitter"]
        async with h.late.client() as raw:
            other = await raw.create_post({"content": "Faults happen", "publishNow": True,
                                           "platforms": [{"platform": "twitter", "accountId": x}]},
                                          idempotency_key="someone-else")
        _, out = await approved(h)
        request = await h.core.approvals.get("r1")
        assert request.state == "duplicate" and request.late_post_id == other.post.id
        assert "linked to that post" in out and len(await posts(h)) == 1


# --- Late still publishing, and cancelled ----------------------------------------------------------


async def test_a_207_still_publishing_keeps_the_request_publishing_until_late_is_done(tmp_path: Path) -> None:
    async with faulty(tmp_path) as h:
        h.late.engine.weather.force("twitter", "platform_rate_limit")  # throttled: Late retries it itself
        console, out = await approved(h)
        request = await h.core.approvals.get("r1")
        assert request.state == "publishing" and request.late_post_id
        assert "Late is publishing it now" in out and "(thread c1)" not in out
        [post] = await posts(h)
        assert post["status"] == "publishing"
        assert h.late.requests[-1].path == "/v1/posts"
        await tick(h, console)  # Late is not done: still publishing, nothing told
        assert await state(h) == "publishing"
        clock_of(h).advance(timedelta(seconds=30))
        await h.late.engine.tick()
        out = await tick(h, console, timedelta(minutes=1))
        assert await state(h) == "published"
        assert "(thread c1) @alice Your post r1 was approved by bob: Published." in out
        assert len(await posts(h)) == 1 and creates(h) == 1


async def test_a_post_cancelled_on_late_is_cancelled_here(tmp_path: Path) -> None:
    async with faulty(tmp_path) as h:
        console, _ = await approved(h, SCHEDULED)
        assert await state(h) == "scheduled"
        clock_of(h).advance(timedelta(days=1))
        await h.late.engine.tick()
        post_id = (await h.core.approvals.get("r1")).late_post_id
        async with h.late.client() as raw:
            answer = await raw.http.post(f"/v1/posts/{post_id}/unpublish", json={"platform": "twitter"})
        assert answer.json()["post"]["status"] == "cancelled"
        out = await tick(h, console)
        assert await state(h) == "cancelled"
        assert "Cancelled on Late" in out


async def test_an_outcome_recorded_but_never_told_is_told_by_the_scheduler(tmp_path: Path) -> None:
    """The process stopped between recording what Late did and telling it: the next tick tells it."""
    async with faulty(tmp_path) as h:
        console, _ = await approved(h)
        assert await state(h) == "published"
        # As a crash right after the commit leaves it: recorded, owed, untold.
        await h.store.write(lambda tx: tx.execute("UPDATE requests SET owed_notice = 1 WHERE id = 'r1'"))
        out = await tick(h, console)
        assert out == ""  # too soon: the process that recorded it may be telling it right now
        out = await tick(h, console, timedelta(minutes=1))
        assert out.count("(thread c1) @alice Your post r1 was approved by bob: Published.") == 1
        assert await tick(h, console, timedelta(minutes=1)) == ""  # told once


async def test_the_card_told_late_names_the_revisions_author_and_its_approvals(tmp_path: Path) -> None:
    """The owed notice refreshes the card from a request read by a listing: it must be the whole
    request (revisions and votes), or the card says the requester wrote an edit someone else wrote."""
    async with faulty(tmp_path) as h:
        console = h.console("alice")
        await console.run(SCHEDULED)
        await console.run(':as bob', '/late edit r1 "Bob wrote this"', ":as carol", ":click Approve")
        assert await state(h) == "scheduled"
        await h.store.write(lambda tx: tx.execute("UPDATE requests SET owed_notice = 1 WHERE id = 'r1'"))
        out = await tick(h, console, timedelta(minutes=1))
        assert "Revision: 2, by bob" in out and "2, by alice" not in out


async def test_cancelling_a_post_already_deleted_on_late_cancels_the_request(tmp_path: Path) -> None:
    async with faulty(tmp_path) as h:
        console, _ = await approved(h, SCHEDULED)
        post_id = (await h.core.approvals.get("r1")).late_post_id
        async with h.late.client() as raw:
            assert (await raw.http.delete(f"/v1/posts/{post_id}")).status_code == 200
        out = await console.run("/late cancel r1")
        assert await state(h) == "cancelled"
        assert "went wrong" not in out.lower()
