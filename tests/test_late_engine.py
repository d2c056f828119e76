"""The Late engine's rules over HTTP through FakeLate (raw httpx where the exact wire shape matters)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from adapters.sandbox.plan import Plan
from bot.clock import SequentialIds
from bot.errors import LateValidationError
from tests.harness import START, Env, late_env


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    async with late_env(ids=SequentialIds("id")) as e:
        yield e


# --- create: what Late refuses ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"platforms": []}, "At least one platform is required"),
        ({"platforms": [{"platform": "twitter", "accountId": "nope"}]}, "Account nope not found"),
        ({"content": "   "}, "Content is required for text-only posts"),
        (
            {"scheduledFor": "2026-12-01T09:00:00", "timezone": "Mars/Olympus"},
            "Invalid timezone: Mars/Olympus",
        ),
        ({"scheduledFor": "next tuesday"}, "Invalid scheduledFor: next tuesday"),
        ({"mediaItems": [{"url": "ftp://example.com/a.png"}]}, "mediaItems[0].url must be an http(s) URL"),
        ({"metadata": ["not", "an", "object"]}, "metadata must be an object"),
    ],
)
async def test_invalid_bodies_are_400s(env: Env, change: dict[str, Any], error: str) -> None:
    response = await env.create({**env.body(publishNow=True), **change}, key="k")
    assert response.status_code == 400 and response.json()["error"] == error
    assert await env.late.engine.post_count() == 0


async def test_platform_media_rules(env: Env) -> None:
    profile = (await env.client.list_profiles())[0].id
    for platform, user in (
        ("tiktok", "demotok"),
        ("youtube", "demotube"),
        ("pinterest", "demopins"),
        ("reddit", "demo_redditor"),
    ):
        env.ids[platform] = await env.late.engine.add_account(profile, platform, user)
    image = [{"type": "image", "url": "https://cdn.example.com/a.jpg"}]
    video = [{"url": "https://cdn.example.com/a.mp4"}]
    refused = {
        "instagram": (
            env.body("instagram", publishNow=True),
            "Instagram requires at least one image or video",
        ),
        "tiktok": (env.body("tiktok", publishNow=True), "TikTok requires at least one image or video"),
        "youtube": (
            env.body("youtube", publishNow=True, mediaItems=image),
            "YouTube requires exactly one video",
        ),
        "pinterest": (env.body("pinterest", publishNow=True, mediaItems=image), "Pinterest requires"),
        "reddit": (env.body("reddit", publishNow=True), "Reddit requires"),
    }
    for platform, (body, error) in refused.items():
        response = await env.create(body)
        assert response.status_code == 400 and response.json()["error"].startswith(error), platform
        assert response.json()["details"] == {"platform": platform}
    # Late sets these defaults in its dashboard; latebot only reads them.
    await env.late.engine.update_account(env.ids["pinterest"], settings='{"defaultBoardId": "inspiration"}')
    await env.late.engine.update_account(env.ids["reddit"], settings='{"defaultSubreddit": "reactjs"}')
    fine = [
        env.body("instagram", "tiktok", text="", mediaItems=video, publishNow=True),
        env.body("youtube", mediaItems=video, publishNow=True),
        env.body("pinterest", mediaItems=image, publishNow=True),
        env.body("reddit", publishNow=True),
    ]
    for body in fine:
        response = await env.create(body)
        assert response.status_code == 201, response.json()
    reddit = response.json()["post"]["platforms"][0]
    assert reddit["platformPostUrl"].startswith("https://www.reddit.com/r/reactjs/comments/")


async def test_a_draft_may_have_no_platforms_but_not_no_content(env: Env) -> None:
    assert (await env.create({"content": "Idea", "isDraft": True})).status_code == 201
    assert (await env.create({"isDraft": True})).status_code == 400


# --- create: duplicates, idempotency, plan ------------------------------------------------------


async def test_the_same_content_to_the_same_account_within_a_day_is_a_409(env: Env) -> None:
    first = await env.create(env.body("twitter", "linkedin", text="Big news", publishNow=True))
    post_id = first.json()["post"]["_id"]
    again = await env.create(env.body("linkedin", text="Big news", publishNow=True))
    assert again.status_code == 409
    assert again.json() == {
        "error": "This exact content is already scheduled, publishing, or was posted to this account "
        "within the last 24 hours.",
        "details": {"accountId": env.ids["linkedin"], "platform": "linkedin", "existingPostId": post_id},
    }
    assert (await env.create(env.body("bluesky", text="Big news", publishNow=True))).status_code == 201
    assert (await env.create(env.body("twitter", text="Big news", isDraft=True))).status_code == 201
    scheduled = await env.create(env.body("threads", text="Soon", scheduledFor="2026-12-20T10:00:00Z"))
    assert (await env.create(env.body("threads", text="Soon", publishNow=True))).status_code == 409
    env.clock.advance(timedelta(hours=25))
    assert (await env.create(env.body("linkedin", text="Big news", publishNow=True))).status_code == 201
    assert (await env.create(env.body("threads", text="Soon", publishNow=True))).status_code == 409
    assert scheduled.status_code == 201


async def test_a_repeated_key_returns_the_original_post_for_5_minutes_only(env: Env) -> None:
    first = await env.create(env.body(text="Once", isDraft=True), key="req-1")
    again = await env.create(env.body(text="Once", isDraft=True), key="req-1")
    assert first.status_code == 201 and again.status_code == 200
    # Late documents only the original post, under `existingPost`.
    assert again.json() == {"existingPost": first.json()["post"]}
    env.clock.advance(timedelta(minutes=4))
    assert (await env.create(env.body(text="Once", isDraft=True), key="req-1")).status_code == 200
    env.clock.advance(timedelta(minutes=2))  # 6 minutes after the first: the key is forgotten
    late = await env.create(env.body(text="Once", isDraft=True), key="req-1")
    assert late.status_code == 201 and late.json()["post"]["_id"] != first.json()["post"]["_id"]
    assert await env.late.engine.post_count() == 2
    also = await env.raw.post(
        "/v1/posts", json=env.body(text="Via request id", isDraft=True), headers={"x-request-id": "req-2"}
    )
    again = await env.raw.post(
        "/v1/posts", json=env.body(text="Via request id", isDraft=True), headers={"x-request-id": "req-2"}
    )
    assert (also.status_code, again.status_code) == (201, 200)


async def test_the_content_check_comes_before_the_key(env: Env) -> None:
    """As the newest SDK says of Late: a repeat of a post that is not a draft meets its own content
    first, so it gets a 409 naming the original, inside the key's window or not."""
    body = env.body(text="Scheduled once", scheduledFor="2026-12-01T10:00:00Z")
    first = await env.create(body, key="k")
    again = await env.create(body, key="k")
    assert (first.status_code, again.status_code) == (201, 409)
    assert again.json()["details"]["existingPostId"] == first.json()["post"]["_id"]
    env.late.engine.dedup_before_idempotency = False  # the order the older docs describe
    assert (await env.create(body, key="k")).json() == {"existingPost": first.json()["post"]}


async def test_a_refused_create_does_not_use_up_its_key(env: Env) -> None:
    assert (await env.create({"content": "x", "publishNow": True}, key="k")).status_code == 400
    assert (await env.create(env.body(publishNow=True), key="k")).status_code == 201


async def test_the_upload_limit_counts_posts_but_not_drafts(env: Env) -> None:
    env.late.engine.plan = Plan(name="Free", uploads=2, profiles=2)
    for n in range(3):
        assert (await env.create(env.body(text=f"Draft {n}", isDraft=True))).status_code == 201
    assert (await env.create(env.body(text="One", publishNow=True))).status_code == 201
    assert (await env.create(env.body(text="Two", scheduledFor="2026-12-01T10:00:00Z"))).status_code == 201
    refused = await env.create(env.body(text="Three", publishNow=True))
    assert refused.status_code == 403
    assert refused.json() == {
        "error": "Post limit reached. Your Free plan allows 2 posts per month. You have used 2.",
        "planName": "Free",
        "limit": 2,
        "current": 2,
        "billingPeriod": "monthly",
    }
    usage = await env.client.usage_stats()
    assert (usage.usage.uploads, usage.can_upload) == (2, False)
    scheduled = (await env.client.list_posts(status="scheduled")).posts[0]
    await env.client.delete_post(scheduled.id)  # deleting refunds the upload
    assert (await env.create(env.body(text="Three", publishNow=True))).status_code == 201


# --- the state machine --------------------------------------------------------------------------


async def test_tick_publishes_what_is_due_by_the_clock(env: Env) -> None:
    soon = await env.client.create_post(
        env.body(
            "twitter", text="In an hour", scheduledFor="2026-11-22T08:00:00", timezone="America/New_York"
        ),
        idempotency_key="a",
    )
    later = await env.client.create_post(
        env.body("twitter", text="Tomorrow", scheduledFor="2026-11-23T12:00:00Z"), idempotency_key="b"
    )
    await env.late.engine.tick()
    assert (await env.client.get_post(soon.post.id)).status == "scheduled"
    env.clock.advance(timedelta(hours=1))
    assert await env.late.engine.tick() == 1
    published = await env.client.get_post(soon.post.id)
    assert published.status == "published" and published.published_at == START + timedelta(hours=1)
    [entry] = published.platforms
    assert entry.platform_post_url == f"https://x.com/demobrand/status/{entry.platform_post_id}"
    assert (await env.client.get_post(later.post.id)).status == "scheduled"


async def test_publishing_takes_a_while_when_told_to(env: Env) -> None:
    env.late.engine.publish_delay = timedelta(minutes=2)
    post = await env.client.create_post(env.body(scheduledFor="2026-11-22T12:30:00Z"), idempotency_key="a")
    env.clock.advance(timedelta(minutes=30))
    await env.late.engine.tick()
    seen = await env.client.get_post(post.post.id)
    assert seen.status == "publishing" and seen.platforms[0].status == "processing"
    with pytest.raises(LateValidationError, match="Cannot edit a publishing post"):
        await env.client.update_post(post.post.id, {"content": "Too late"})
    env.clock.advance(timedelta(minutes=2))
    await env.late.engine.tick()
    assert (await env.client.get_post(post.post.id)).status == "published"


async def test_a_broken_account_fails_at_publish_time_and_retry_needs_it_fixed(env: Env) -> None:
    post = await env.client.create_post(
        env.body("threads", scheduledFor="2026-11-26T12:00:00Z"), idempotency_key="a"
    )
    env.clock.advance(timedelta(days=4))  # the threads token expired on day 3
    await env.late.engine.tick()
    failed = await env.client.get_post(post.post.id)
    assert (
        failed.status == "failed"
        and failed.platforms[0].failure == "Token expired; reconnect the account in Late"
    )
    health = await env.client.accounts_health(status="error")
    assert [(a.platform, a.needs_reconnect) for a in health.accounts] == [("threads", True)]
    assert (await env.client.retry_post(post.post.id)).status == "failed"
    await env.late.engine.update_account(env.ids["threads"], token_expires_at=START + timedelta(days=90))
    retried = await env.client.retry_post(post.post.id)
    assert retried.status == "published" and retried.platforms[0].platform_post_url
    with pytest.raises(LateValidationError, match="Invalid state: only failed posts can be retried"):
        await env.client.retry_post(post.post.id)


async def test_what_may_be_edited_and_deleted(env: Env) -> None:
    draft = await env.client.create_post(
        env.body(text="Idea", isDraft=True, metadata={"k": "v"}), idempotency_key="d"
    )
    edited = await env.client.update_post(draft.post.id, {"content": "Better idea"})
    assert (edited.status, edited.content, edited.metadata) == ("draft", "Better idea", {"k": "v"})
    scheduled = await env.client.update_post(
        draft.post.id, {"isDraft": False, "scheduledFor": "2026-12-01T10:00:00Z"}
    )
    assert scheduled.status == "scheduled" and scheduled.scheduled_for == datetime(
        2026, 12, 1, 10, tzinfo=UTC
    )
    moved = await env.client.update_post(draft.post.id, {"scheduledFor": "2026-12-02T10:00:00Z"})
    assert moved.status == "scheduled" and moved.scheduled_for == datetime(2026, 12, 2, 10, tzinfo=UTC)
    now = await env.client.update_post(draft.post.id, {"publishNow": True})
    assert now.status == "published"
    with pytest.raises(LateValidationError, match="Cannot edit a published post"):
        await env.client.update_post(draft.post.id, {"content": "Changed my mind"})
    with pytest.raises(LateValidationError, match="Cannot delete published posts"):
        await env.client.delete_post(draft.post.id)
    other = await env.client.create_post(
        env.body(text="Doomed", scheduledFor="2026-12-03T10:00:00Z"), idempotency_key="o"
    )
    await env.client.delete_post(other.post.id)
    assert await env.late.engine.post(other.post.id) is None


async def test_list_filters(env: Env) -> None:
    second = await env.late.engine.add_profile("Other brand")
    env.ids["facebook"] = await env.late.engine.add_account(second, "facebook", "otherbrand")
    await env.create(env.body("twitter", text="a", scheduledFor="2026-11-25T10:00:00Z"))
    await env.create(env.body("linkedin", text="b", scheduledFor="2026-11-28T10:00:00Z"))
    await env.create(env.body("facebook", text="c", publishNow=True))
    await env.create(env.body("twitter", text="d", isDraft=True))

    async def contents(**filters: Any) -> list[str | None]:
        return [p.content for p in (await env.client.list_posts(**filters)).posts]

    assert await contents() == ["b", "a", "d", "c"]  # newest time first; a draft's time is its creation
    assert await contents(status="scheduled") == ["b", "a"]
    assert sorted(await contents(platform="twitter")) == ["a", "d"]
    assert await contents(profile_id=second) == ["c"]
    assert await contents(from_date="2026-11-24", to_date="2026-11-25") == ["a"]
    assert await contents(from_date=datetime(2026, 11, 26, tzinfo=UTC)) == ["b"]
    assert await contents(sort_by="created-desc") == ["d", "c", "b", "a"]


# --- the rest of the surface --------------------------------------------------------------------


async def test_auth_routes_and_methods(env: Env) -> None:
    async with httpx.AsyncClient(base_url=env.late.url) as anonymous:
        assert (await anonymous.get("/v1/profiles")).json() == {"error": "Unauthorized"}
        assert (
            await anonymous.get("/v1/profiles", headers={"Authorization": "Bearer nope"})
        ).status_code == 401
    assert (await env.raw.get("/v1/nothing-here")).status_code == 404
    assert (await env.raw.patch("/v1/posts")).status_code == 405
    assert (
        await env.raw.post("/v1/posts", content=b"{not json", headers={"content-type": "application/json"})
    ).json() == {"error": "Invalid JSON body"}


async def test_media_and_connect_refusals(env: Env) -> None:
    svg = await env.raw.post("/v1/media", files={"files": ("a.svg", b"<svg/>", "image/svg+xml")})
    assert svg.status_code == 400 and svg.json()["error"] == "Content type not allowed: image/svg+xml"
    huge = await env.raw.post("/v1/media", files={"files": ("a.mp4", b"0" * 4_600_000, "video/mp4")})
    assert huge.status_code == 413 and huge.json()["maxSize"] == "4MB"
    assert (await env.raw.post("/v1/media", files={"other": ("a.png", b"x", "image/png")})).status_code == 400
    assert (await env.raw.get("/v1/connect/myspace", params={"profileId": "x"})).status_code == 400
    assert (await env.raw.get("/v1/connect/twitter")).status_code == 400
    assert (await env.raw.get("/v1/connect/twitter", params={"profileId": "missing"})).status_code == 404
    assert (await env.raw.get(f"/v1/accounts/{env.ids['twitter']}/pinterest-boards")).status_code == 400
    assert (await env.raw.get("/v1/accounts/missing/health")).status_code == 404

