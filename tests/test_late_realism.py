"""The stand-in is no kinder than Late (REFERENCE.md): refusals, limits, windows and the states a post
goes through, over HTTP through FakeLate, raw httpx where the wire shape matters."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from adapters.cli import realistic_sandbox
from adapters.sandbox.limits import Limits
from bot.clock import FixedClock
from bot.late.client import LateClient
from tests.fakes.late_server import FakeLate, Naps
from tests.harness import API_KEY, START, Env, late_env


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    async with late_env() as e:
        yield e


# --- who may be posted to --------------------------------------------------------------------------


@pytest.mark.parametrize("broken", [{"token_valid": 0}, {"is_active": 0},
                                    {"token_expires_at": START - timedelta(days=1)}])
async def test_a_disconnected_account_gets_403_account_disconnected(env: Env, broken: dict[str, Any]) -> None:
    await env.late.engine.update_account(env.ids["linkedin"], **broken)
    refused = await env.create(env.body("twitter", "linkedin", publishNow=True), key="k")
    assert refused.status_code == 403
    body = refused.json()
    assert body["code"] == "ACCOUNT_DISCONNECTED" and env.ids["linkedin"] in body["error"]
    assert "is disconnected and cannot be posted to" in body["error"]
    assert await env.late.engine.post_count() == 0
    # A draft is not posted anywhere, so Late takes it; promoting it is refused the same way.
    draft = await env.create(env.body("linkedin", isDraft=True))
    assert draft.status_code == 201
    promoted = await env.raw.put(f"/v1/posts/{draft.json()['post']['_id']}", json={"isDraft": False,
                                                                                  "publishNow": True})
    assert promoted.status_code == 403 and promoted.json()["code"] == "ACCOUNT_DISCONNECTED"


# --- listing --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "param"), [
    ({"metadata.latebotRequestId": "r1"}, "metadata.latebotRequestId"),
    ({"metadata": "x"}, "metadata"),
    ({"limit": "101"}, "limit"),  # the fake keeps Late's older cap of 100
    ({"limit": "0"}, "limit"),
    ({"page": "0"}, "page"),
    ({"limit": "ten"}, "limit"),
    ({"sortBy": "newest"}, "sortBy"),
])
async def test_bad_list_parameters_are_400s_never_an_unfiltered_list(env: Env, query: dict[str, str],
                                                                   param: str) -> None:
    await env.create(env.body(publishNow=True))
    answer = await env.raw.get("/v1/posts", params=query)
    assert answer.status_code == 400
    body = answer.json()
    assert body["param"] == param and body["type"] == "invalid_request_error"
    if param.startswith("metadata"):
        assert body["error"].startswith(f"Unknown query parameter '{param}'. Accepted: page, limit")
    assert (await env.raw.get("/v1/posts", params={"fromDate": "yesterday"})).status_code == 400


async def test_the_limit_cap_is_lates_and_latebot_stays_under_the_older_one(env: Env) -> None:
    env.late.engine.list_limit_max = 500  # Late since August 2026
    assert (await env.raw.get("/v1/posts", params={"limit": "500"})).status_code == 200
    assert (await env.raw.get("/v1/posts", params={"limit": "501"})).status_code == 400
    env.late.engine.list_limit_max = 100
    env.late.requests.clear()
    await env.client.list_posts(limit=1000)
    async for _ in env.client.iter_posts(limit=250):
        pass
    assert {c.query["limit"] for c in env.late.calls("GET", "/v1/posts")} == {"100"}


# --- limits ---------------------------------------------------------------------------------------


async def test_25_posts_an_hour_per_account_then_429_without_retry_after(env: Env) -> None:
    for n in range(25):
        assert (await env.create(env.body("bluesky", text=f"Post {n}", publishNow=True))).status_code == 201
    assert (await env.create(env.body("bluesky", text="Draft", isDraft=True))).status_code == 201  # drafts are free
    refused = await env.create(env.body("bluesky", text="One too many", publishNow=True))
    assert refused.status_code == 429 and "retry-after" not in refused.headers
    assert refused.json() == {
        "error": "Account @demobrand.bsky.social (bluesky) has reached its limit of 25 posts per hour. "
                 "Try again later.",
        "details": {"accountId": env.ids["bluesky"], "platform": "bluesky"},
    }
    assert (await env.create(env.body("linkedin", text="One too many", publishNow=True))).status_code == 201
    env.clock.advance(timedelta(minutes=61))
    assert (await env.create(env.body("bluesky", text="Next hour", publishNow=True))).status_code == 201


async def test_the_daily_cap_of_the_platform(env: Env) -> None:
    env.late.engine.limits = Limits(per_hour=None)
    for n in range(50):  # X: 50 a day
        when = f"2026-12-{1 + n // 24:02d}T{n % 24:02d}:00:00Z"
        assert (await env.create(env.body("twitter", text=f"Post {n}", scheduledFor=when))).status_code == 201
    refused = await env.create(env.body("twitter", text="51st", publishNow=True))
    assert refused.status_code == 429 and "daily limit of 50 posts" in refused.json()["error"]
    env.clock.advance(timedelta(days=1, minutes=1))
    assert (await env.create(env.body("twitter", text="Tomorrow", publishNow=True))).status_code == 201


async def test_the_api_limit_a_minute_answers_429_with_retry_after() -> None:
    clock = FixedClock(START)
    async with FakeLate(api_key=API_KEY, clock=clock) as late:
        late.engine.realistic(seed=1)
        profile = await late.engine.add_profile("Small")
        await late.engine.add_account(profile, "twitter", "small")  # up to 2 accounts: 60 a minute
        async with httpx.AsyncClient(base_url=late.url, headers={"Authorization": f"Bearer {API_KEY}"}) as raw:
            for _ in range(60):
                assert (await raw.get("/v1/profiles")).status_code == 200
            refused = await raw.get("/v1/profiles")
            assert refused.status_code == 429 and refused.headers["retry-after"] == "60"
            assert refused.headers["x-ratelimit-remaining"] == "0" and refused.json()["error"] == "Rate limit exceeded"
            clock.advance(timedelta(seconds=61))
            assert (await raw.get("/v1/profiles")).status_code == 200


# --- what happens when a post is published --------------------------------------------------------


async def test_text_over_the_limit_fails_at_publish_time_as_user_content(env: Env) -> None:
    long = "x" * 281
    now = await env.create(env.body("twitter", "linkedin", text=long, publishNow=True))
    assert now.status_code == 207 and now.json()["post"]["status"] == "partial"
    [x] = [e for e in now.json()["post"]["platforms"] if e["platform"] == "twitter"]
    assert (x["status"], x["errorCategory"], x["errorSource"]) == ("failed", "user_content", "user")
    assert x["errorMessage"] == "Text is too long for X: 281 characters, the limit is 280"
    later = await env.create(env.body("bluesky", text="y" * 301, scheduledFor="2026-11-22T13:00:00Z"))
    assert later.status_code == 201  # accepted when scheduled; it fails when it is due
    env.clock.advance(timedelta(hours=1))
    await env.late.engine.tick()
    post = await env.late.engine.post(later.json()["post"]["_id"])
    assert post is not None and post["status"] == "failed"
    assert post["platforms"][0]["errorCategory"] == "user_content"


async def test_a_throttled_platform_leaves_the_post_publishing_and_late_retries_it(env: Env) -> None:
    env.late.engine.weather.force("linkedin", "platform_rate_limit")
    answer = await env.create(env.body("twitter", "linkedin", publishNow=True))
    assert answer.status_code == 207
    post = answer.json()["post"]
    assert post["status"] == "publishing" and "error" not in answer.json()
    [li] = [e for e in post["platforms"] if e["platform"] == "linkedin"]
    assert (li["status"], li["errorCategory"]) == ("processing", "platform_rate_limit")
    await env.late.engine.tick()
    assert (await env.client.get_post(post["_id"])).status == "publishing"  # not before Late retries
    env.clock.advance(timedelta(seconds=30))
    await env.late.engine.tick()
    done = await env.client.get_post(post["_id"])
    assert done.status == "published" and all(e.status == "published" for e in done.platforms)
    # Late gives up on a platform that keeps throttling.
    env.late.engine.weather.force("bluesky", "platform_rate_limit", times=4)
    stuck = (await env.create(env.body("bluesky", text="Throttled", publishNow=True))).json()["post"]
    for _ in range(3):
        env.clock.advance(timedelta(seconds=30))
        await env.late.engine.tick()
    gone = await env.client.get_post(stuck["_id"])
    assert gone.status == "failed" and gone.platforms[0].error_category == "platform_rate_limit"


async def test_retrying_a_post_still_publishing_is_a_409(env: Env) -> None:
    env.late.engine.weather.force("twitter", "platform_rate_limit")
    post = (await env.create(env.body("twitter", publishNow=True))).json()["post"]
    answer = await env.raw.post(f"/v1/posts/{post['_id']}/retry")
    assert answer.status_code == 409 and answer.json()["error"] == "Post is currently publishing"


async def test_unpublish_takes_a_post_off_a_platform_and_then_it_is_cancelled(env: Env) -> None:
    post = (await env.create(env.body("twitter", "linkedin", publishNow=True))).json()["post"]
    once = await env.raw.post(f"/v1/posts/{post['_id']}/unpublish", json={"platform": "twitter"})
    assert once.status_code == 200 and once.json()["post"]["status"] == "partial"
    twice = await env.raw.post(f"/v1/posts/{post['_id']}/unpublish", json={"platform": "linkedin"})
    assert twice.json()["post"]["status"] == "cancelled"
    read = await env.client.get_post(post["_id"])
    assert read.status == "cancelled" and {e.status for e in read.platforms} == {"cancelled"}
    again = await env.raw.post(f"/v1/posts/{post['_id']}/unpublish", json={"platform": "linkedin"})
    assert again.status_code == 400
    # Cancelled posts can be edited and rescheduled like drafts.
    moved = await env.raw.put(f"/v1/posts/{post['_id']}", json={"scheduledFor": "2026-12-24T10:00:00Z"})
    assert moved.status_code == 200 and moved.json()["post"]["status"] == "scheduled"


async def test_the_scheduled_time_with_z_is_the_instant(env: Env) -> None:
    client: LateClient = env.client
    made = await client.create_post(env.body("twitter", scheduledFor="2027-03-14T07:30:00Z",
                                             timezone="America/New_York"), idempotency_key="dst")
    assert made.post.scheduled_for == datetime(2027, 3, 14, 7, 30, tzinfo=UTC)


async def test_the_interactive_sandbox_is_realistic_and_a_scripted_console_exact() -> None:
    assert realistic_sandbox("console", interactive=True) and realistic_sandbox("slack", interactive=False)
    assert not realistic_sandbox("console", interactive=False)
    clock = FixedClock(START)
    async with FakeLate(api_key=API_KEY, clock=clock) as late:
        await late.engine.seed_demo()
        late.engine.realistic(seed=7)
        ids = await late.engine.account_ids()
        async with late.client(sleep=Naps()) as client:
            made = await client.create_post({"content": "Soon", "scheduledFor": "2026-11-22T12:01:00Z",
                                             "platforms": [{"platform": "linkedin", "accountId": ids["linkedin"]}]},
                                            idempotency_key="soon")
            clock.advance(timedelta(minutes=1))
            await late.engine.tick()
            assert (await client.get_post(made.post.id)).status == "publishing"  # for a few seconds
            clock.advance(timedelta(seconds=3))
            await late.engine.tick()
            assert (await client.get_post(made.post.id)).status == "published"  # (seed 7: no trouble today)
