"""What LateClient repeats, what it never repeats, and how it waits: all over loopback HTTP to FakeLate."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.errors import (
    LateConnectionError,
    LateDuplicateError,
    LateRateLimitedError,
    LateServerError,
    LateTimeoutError,
)
from bot.late.client import LateClient
from bot.late.models import MediaFile
from tests.fakes.late_server import FakeLate, Naps, RateLimitPolicy

KEY = "sk_test_retries_9a8b7c"
START = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture
async def late() -> AsyncIterator[FakeLate]:
    async with FakeLate(api_key=KEY, clock=FixedClock(START)) as fake:
        await fake.engine.seed_demo()
        yield fake


async def post_body(late: FakeLate, text: str = "Launch day", **extra: Any) -> dict[str, Any]:
    x = (await late.engine.account_ids())["twitter"]
    return {
        "content": text,
        "platforms": [{"platform": "twitter", "accountId": x}],
        "metadata": {"latebotRequestId": "r1"},
        **extra,
    }


# --- creates with an idempotency key ------------------------------------------------------------


@pytest.mark.parametrize("publish_now", [True, False])
async def test_a_create_whose_answer_is_late_is_repeated_with_its_key_and_makes_one_post(
    late: FakeLate, publish_now: bool
) -> None:
    late.stall_after("POST", "/v1/posts", 2.0)  # Late makes the post, the answer misses the timeout
    naps = Naps()
    async with late.client(sleep=naps, timeout=0.3, publish_timeout=0.3) as client:
        extra = {"publishNow": True} if publish_now else {"scheduledFor": "2026-12-01T09:00:00Z"}
        result = await client.create_post(await post_body(late, **extra), idempotency_key="latebot-r1-r1")
    [post] = await late.engine.posts()
    assert result.post.id == post["_id"] and result.replayed and result.status == 200
    assert result.post.status == ("published" if publish_now else "scheduled")
    attempts = late.calls("POST", "/v1/posts")
    assert len(attempts) == 2 and len(naps.calls) == 1
    assert all(a.headers["idempotency-key"] == a.headers["x-request-id"] == "latebot-r1-r1" for a in attempts)
    assert attempts[0].json == attempts[1].json


async def test_when_late_checks_duplicates_first_the_repeat_recognises_its_own_post(late: FakeLate) -> None:
    late.engine.dedup_before_idempotency = True  # what real Late does, per its SDK
    late.stall_after("POST", "/v1/posts", 2.0)
    async with late.client(sleep=Naps(), publish_timeout=0.3) as client:
        result = await client.create_post(await post_body(late, publishNow=True), idempotency_key="k1")
    [post] = await late.engine.posts()
    assert result.replayed and result.post.id == post["_id"]
    assert [(c.method, c.path) for c in late.requests[-3:]] == [
        ("POST", "/v1/posts"),
        ("POST", "/v1/posts"),
        ("GET", f"/v1/posts/{post['_id']}"),
    ]


async def test_a_duplicate_of_someone_elses_post_stays_a_duplicate(late: FakeLate) -> None:
    late.engine.dedup_before_idempotency = True
    async with late.client(sleep=Naps(), publish_timeout=0.3) as client:
        other = await client.create_post(await post_body(late, publishNow=True), idempotency_key="theirs")
        mine = await post_body(late, publishNow=True)
        mine["metadata"] = {"latebotRequestId": "r2"}
        late.drop("POST", "/v1/posts")  # the first attempt's fate is unknown...
        with pytest.raises(LateDuplicateError) as dup:  # ...and the repeat meets a post that is not ours
            await client.create_post(mine, idempotency_key="mine")
    assert dup.value.existing_post_id == other.post.id
    assert await late.engine.post_count() == 1


async def test_a_create_is_repeated_after_a_5xx_and_a_dropped_connection(late: FakeLate) -> None:
    late.fail("POST", "/v1/posts", 503)
    late.drop("POST", "/v1/posts")
    async with late.client(sleep=Naps()) as client:
        result = await client.create_post(await post_body(late, publishNow=True), idempotency_key="k2")
    assert result.status == 201 and len(late.calls("POST", "/v1/posts")) == 3
    assert await late.engine.post_count() == 1


async def test_a_create_gives_up_after_its_attempts_and_says_it_may_exist(late: FakeLate) -> None:
    late.stall_after("POST", "/v1/posts", 5.0, times=10)
    async with late.client(sleep=Naps(), publish_timeout=0.2) as client:
        with pytest.raises(LateTimeoutError):
            await client.create_post(await post_body(late, publishNow=True), idempotency_key="k3")
    assert len(late.calls("POST", "/v1/posts")) == 4
    assert await late.engine.post_count() == 1  # the first attempt made it; the repeats were replays


async def test_a_create_needs_a_key() -> None:
    async with LateClient("http://127.0.0.1:9", KEY) as client:
        with pytest.raises(ValueError):
            await client.create_post({"content": "x"}, idempotency_key=" ")


# --- POSTs without a key ------------------------------------------------------------------------


async def test_posts_without_a_key_are_never_repeated_after_an_unknown_outcome(late: FakeLate) -> None:
    naps = Naps()
    x = (await late.engine.account_ids())["twitter"]
    async with late.client(sleep=naps, timeout=0.3, publish_timeout=0.3) as client:
        failed = await client.create_post(
            {"content": "Broken", "publishNow": True, "platforms": [{"platform": "twitter", "accountId": x}]},
            idempotency_key="k",
        )
        late.fail("POST", "/v1/posts/*/retry", 500)
        with pytest.raises(LateServerError):
            await client.retry_post(failed.post.id)
        late.stall_after("POST", "/v1/media", 2.0)
        with pytest.raises(LateTimeoutError):
            await client.upload_media([MediaFile("a.png", b"\x89PNG")])
        late.drop("POST", "/v1/media", after_processing=True)
        with pytest.raises(LateConnectionError):
            await client.upload_media([MediaFile("b.png", b"\x89PNG")])
    assert len(late.calls("POST", "/v1/posts/*/retry")) == 1
    assert len(late.calls("POST", "/v1/media")) == 2
    assert naps.calls == []


async def test_a_post_without_a_key_is_repeated_after_a_429(late: FakeLate) -> None:
    late.fail("POST", "/v1/media", 429, headers={"Retry-After": "3"})
    clock = FixedClock(START)
    naps = Naps(clock)
    async with late.client(sleep=naps, clock=clock) as client:
        [uploaded] = await client.upload_media([MediaFile("a.png", b"\x89PNG")])
    assert uploaded.filename == "a.png" and naps.calls == [3.0]
    assert len(late.calls("POST", "/v1/media")) == 2


# --- safe methods -------------------------------------------------------------------------------


async def test_a_get_is_repeated_after_a_500_and_after_a_dropped_connection(late: FakeLate) -> None:
    naps = Naps()
    late.fail("GET", "/v1/accounts", 500)
    late.drop("GET", "/v1/accounts")
    async with late.client(sleep=naps) as client:
        accounts = await client.list_accounts()
    assert len(accounts) == 5 and len(late.calls("GET", "/v1/accounts")) == 3
    # Exponential with jitter: about 0.5 s, then about 1 s; never zero.
    assert 0.25 <= naps.calls[0] <= 0.5 and 0.5 <= naps.calls[1] <= 1.0


async def test_a_delete_whose_answer_was_lost_is_done(late: FakeLate) -> None:
    async with late.client(sleep=Naps()) as client:
        draft = await client.create_post(await post_body(late, isDraft=True), idempotency_key="d")
        late.drop("DELETE", "/v1/posts/*", after_processing=True)
        await client.delete_post(draft.post.id)  # the repeat finds it gone: that is success
        assert await late.engine.post_count() == 0
        from bot.errors import LateNotFoundError

        with pytest.raises(LateNotFoundError):
            await client.delete_post(draft.post.id)


async def test_an_update_is_repeated(late: FakeLate) -> None:
    async with late.client(sleep=Naps()) as client:
        draft = await client.create_post(await post_body(late, isDraft=True), idempotency_key="u")
        late.fail("PUT", "/v1/posts/*", 502)
        post = await client.update_post(draft.post.id, {"content": "Second try"})
    assert post.content == "Second try" and len(late.calls("PUT", "/v1/posts/*")) == 2


# --- rate limits --------------------------------------------------------------------------------


async def test_retry_after_is_honoured_in_real_time(late: FakeLate) -> None:
    late.fail("GET", "/v1/profiles", 429, headers={"Retry-After": "1"})
    async with late.client() as client:
        started = time.perf_counter()
        await client.list_profiles()
        elapsed = time.perf_counter() - started
    first, second = late.calls("GET", "/v1/profiles")
    assert elapsed >= 1.0 and second.at - first.at >= 1.0


async def test_a_429_without_retry_after_waits_for_the_reset(late: FakeLate) -> None:
    clock = FixedClock(START)
    naps = Naps(clock)
    reset = str(int(START.timestamp()) + 7)
    late.fail("GET", "/v1/profiles", 429, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset})
    async with late.client(sleep=naps, clock=clock) as client:
        await client.list_profiles()
    assert naps.calls == [7.0]


async def test_a_long_429_fails_at_once_and_says_when(late: FakeLate) -> None:
    late.fail("GET", "/v1/profiles", 429, headers={"Retry-After": "600"})
    async with late.client(sleep=Naps()) as client:
        with pytest.raises(LateRateLimitedError) as err:
            await client.list_profiles()
    assert err.value.retry_after == 600.0 and len(late.calls("GET", "/v1/profiles")) == 1


async def test_429s_until_the_attempts_run_out(late: FakeLate) -> None:
    clock = FixedClock(START)
    late.fail("GET", "/v1/profiles", 429, headers={"Retry-After": "2"}, times=10)
    async with late.client(sleep=Naps(clock), clock=clock) as client:
        with pytest.raises(LateRateLimitedError) as err:
            await client.list_profiles()
    assert err.value.retry_after == 2.0 and len(late.calls("GET", "/v1/profiles")) == 4


async def test_when_remaining_reaches_zero_the_next_call_waits_for_the_reset(late: FakeLate) -> None:
    late.rate_limit = RateLimitPolicy(limit=60, remaining=0, reset_at=time.time() + 2.2)
    async with late.client() as client:
        await client.list_profiles()
        assert client.rate_limit.remaining == 0
        started = time.perf_counter()
        await client.list_accounts()
        elapsed = time.perf_counter() - started
        assert client.rate_limit.remaining == 60  # the window reset
    first, second = late.requests
    assert elapsed >= 2.0 and second.at - first.at >= 2.0 and client.rate_limit_waited >= 2.0


async def test_concurrent_calls_all_wait_for_one_reset(late: FakeLate) -> None:
    clock = FixedClock(START)
    naps = Naps(clock)
    late.fail("GET", "/v1/profiles", 429, headers={"Retry-After": "5"})
    async with late.client(sleep=naps, clock=clock) as client:
        await client.list_profiles()
        await asyncio.gather(*(client.list_accounts() for _ in range(3)))
    assert naps.calls == [5.0]


async def test_a_reset_too_far_away_fails_without_a_request(late: FakeLate) -> None:
    late.rate_limit = RateLimitPolicy(remaining=0, reset_at=time.time() + 3600)
    async with late.client() as client:
        await client.list_profiles()
        with pytest.raises(LateRateLimitedError) as err:
            await client.list_accounts()
    assert err.value.retry_after is not None and err.value.retry_after > 3000
    assert len(late.requests) == 1


async def test_an_enforced_limit_is_waited_out(late: FakeLate) -> None:
    late.rate_limit = RateLimitPolicy(
        limit=2, remaining=2, reset_at=time.time() + 0.2, decrement=True, enforce=True
    )
    async with late.client() as client:
        for _ in range(3):
            await client.list_profiles()
    assert [c.path for c in late.requests] == ["/v1/profiles"] * 3  # no 429 was ever needed


async def test_only_a_publish_now_create_gets_the_long_timeout(late: FakeLate) -> None:
    late.stall_after("POST", "/v1/posts", 0.6, times=2)
    async with late.client(sleep=Naps(), timeout=0.2, publish_timeout=3.0) as client:
        now = await client.create_post(await post_body(late, "Now", publishNow=True), idempotency_key="now")
        assert now.status == 201 and len(late.calls("POST", "/v1/posts")) == 1  # waited, no repeat
        later = await client.create_post(
            await post_body(late, "Later", scheduledFor="2026-12-01T09:00:00Z"), idempotency_key="later"
        )
    assert later.replayed and len(late.calls("POST", "/v1/posts")) == 3  # timed out once, then a replay
