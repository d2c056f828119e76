"""LateClient over real HTTP against FakeLate on loopback: error mapping, results, pagination, logging."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from adapters.sandbox.plan import Plan
from bot.clock import FixedClock
from bot.errors import (
    LateAuthError,
    LateConnectionError,
    LateDuplicateError,
    LateForbiddenError,
    LateNotFoundError,
    LatePlanLimitError,
    LateServerError,
    LateTimeoutError,
    LateValidationError,
)
from bot.late.client import LateClient
from bot.late.models import CreatePostBody, MediaFile, PlatformTarget
from tests.fakes.late_server import FakeLate, Naps

KEY = "sk_test_client_5f0c1e2d3b4a"
START = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture
async def late() -> AsyncIterator[FakeLate]:
    async with FakeLate(api_key=KEY, clock=FixedClock(START)) as fake:
        await fake.engine.seed_demo()
        yield fake


@pytest.fixture
async def client(late: FakeLate) -> AsyncIterator[LateClient]:
    async with late.client(sleep=Naps()) as c:
        yield c


def body(
    account_id: str, text: str = "Hello from the tests", platform: str = "twitter", **extra: Any
) -> dict[str, Any]:
    return {"content": text, "platforms": [{"platform": platform, "accountId": account_id}], **extra}


# --- answers ------------------------------------------------------------------------------------


async def test_reads_profiles_accounts_and_health(late: FakeLate, client: LateClient) -> None:
    [profile] = await client.list_profiles()
    assert profile.name == "Demo Brand" and profile.is_default
    accounts = await client.list_accounts(profile_id=profile.id)
    assert [a.platform for a in accounts] == ["twitter", "linkedin", "instagram", "bluesky", "threads"]
    assert all(a.profile_id == profile.id and a.profile and a.profile.slug == "demo-brand" for a in accounts)
    report = await client.accounts_health(profile_id=profile.id)
    assert (report.summary.total, report.summary.healthy, report.summary.warning) == (5, 4, 1)
    threads = next(a for a in report.accounts if a.platform == "threads")
    assert threads.status == "warning" and threads.issues == ["Token expires in 3 days"]
    detail = await client.account_health(threads.account_id)
    assert detail.token_status.valid and detail.token_status.expires_in == "3 days"
    assert detail.permissions.can_post


async def test_a_scheduled_create_sends_the_key_twice_and_the_body_as_late_spells_it(
    late: FakeLate, client: LateClient
) -> None:
    x = (await late.engine.account_ids())["twitter"]
    typed = CreatePostBody(
        content="Launch day! 🚀",
        platforms=[
            PlatformTarget(platform="twitter", account_id=x, platform_specific_data={"threadItems": []})
        ],
        scheduled_for="2026-12-01T09:00:00",
        timezone="America/New_York",
        metadata={"latebotRequestId": "r1"},
        tiktokSettings={"privacy_level": "SELF_ONLY"},  # a field we do not model is sent as given
    )
    result = await client.create_post(typed, idempotency_key="latebot-r1-r1")
    assert result.status == 201 and not result.partial and not result.replayed
    assert result.post.status == "scheduled"
    assert result.post.scheduled_for == datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
    assert result.post.metadata == {"latebotRequestId": "r1"}
    [call] = late.calls("POST", "/v1/posts")
    assert call.headers["idempotency-key"] == call.headers["x-request-id"] == "latebot-r1-r1"
    assert call.headers["authorization"] == f"Bearer {KEY}"
    assert call.json == {
        "content": "Launch day! 🚀",
        "platforms": [{"platform": "twitter", "accountId": x, "platformSpecificData": {"threadItems": []}}],
        "scheduledFor": "2026-12-01T09:00:00",
        "timezone": "America/New_York",
        "metadata": {"latebotRequestId": "r1"},
        "tiktokSettings": {"privacy_level": "SELF_ONLY"},
    }


async def test_publish_now_returns_permalinks(late: FakeLate, client: LateClient) -> None:
    ids = await late.engine.account_ids()
    result = await client.create_post(
        {
            "content": "Now is the time",
            "publishNow": True,
            "platforms": [{"platform": "bluesky", "accountId": ids["bluesky"]}],
        },
        idempotency_key="k-now",
    )
    assert result.status == 201 and result.post.status == "published"
    [entry] = result.post.platforms
    assert entry.status == "published" and entry.username == "demobrand.bsky.social"
    assert entry.platform_post_url is not None
    assert entry.platform_post_url.startswith("https://bsky.app/profile/demobrand.bsky.social/post/")


async def test_207_is_a_result_with_the_per_platform_outcome(late: FakeLate, client: LateClient) -> None:
    ids = await late.engine.account_ids()
    late.engine.weather.force("linkedin", "platform_error")
    two = [
        {"platform": "twitter", "accountId": ids["twitter"]},
        {"platform": "linkedin", "accountId": ids["linkedin"]},
    ]
    result = await client.create_post(
        {"content": "Half of it", "publishNow": True, "platforms": two}, idempotency_key="k-207"
    )
    assert result.status == 207 and result.partial and result.error is None
    assert result.post.status == "partial"
    assert {r.platform: r.status for r in result.platform_results} == {
        "twitter": "published",
        "linkedin": "failed",
    }
    linkedin = next(e for e in result.post.platforms if e.platform == "linkedin")
    assert linkedin.failure == "LinkedIn answered 503 (maintenance); try again later"
    assert linkedin.error_category == "platform_error"

    late.engine.weather.force("linkedin", "platform_error")
    late.engine.weather.force("twitter", "platform_error")
    failed = await client.create_post(
        {"content": "None of it", "publishNow": True, "platforms": two}, idempotency_key="k-207-all"
    )
    assert failed.status == 207 and failed.post.status == "failed" and failed.error


async def test_unknown_fields_in_answers_are_kept(late: FakeLate, client: LateClient) -> None:
    answer = {
        "post": {
            "_id": "p1",
            "status": "scheduled",
            "recycling": {"gap": 2},
            "platforms": [{"platform": "twitter", "accountId": "a1", "isTrialReel": False}],
        }
    }
    late.fail("GET", "/v1/posts/p1", 200, body=answer)
    post = await client.get_post("p1")
    assert post.id == "p1" and post.model_extra == {"recycling": {"gap": 2}}
    assert post.platforms[0].model_extra == {"isTrialReel": False}
    assert post.wire()["recycling"] == {"gap": 2}


async def test_pages_and_the_iterator_over_every_page(late: FakeLate, client: LateClient) -> None:
    x = (await late.engine.account_ids())["twitter"]
    for n in range(23):
        await client.create_post(body(x, f"Draft {n}", isDraft=True), idempotency_key=f"draft-{n}")
    page = await client.list_posts(page=3, limit=10, status="draft")
    assert (page.pagination.page, page.pagination.pages, page.pagination.total, len(page.posts)) == (
        3,
        3,
        23,
        3,
    )
    assert not page.has_more
    seen = [p.content async for p in client.iter_posts(limit=10)]
    assert sorted(seen, key=lambda c: int((c or "").split()[1])) == [f"Draft {n}" for n in range(23)]
    assert len(late.calls("GET", "/v1/posts")) == 1 + 3
    assert [p async for p in client.iter_posts(status="published")] == []


async def test_media_upload_and_url_pass_through(client: LateClient) -> None:
    files = await client.upload_media(
        [
            MediaFile("team.jpg", b"\xff\xd8\xff" + bytes(range(256)) * 4),
            MediaFile("deck.pdf", b"%PDF-1.7\r\n\r\n--x--\r\n"),
        ]
    )
    assert [(f.type, f.filename, f.mime_type, f.size) for f in files] == [
        ("image", "team.jpg", "image/jpeg", 1027),
        ("document", "deck.pdf", "application/pdf", 19),
    ]
    assert files[0].url.startswith("https://") and files[0].as_media_item().url == files[0].url
    item = client.media_from_url("https://cdn.example.com/clip.MP4")
    assert (item.type, item.url) == ("video", "https://cdn.example.com/clip.MP4")
    with pytest.raises(ValueError):
        client.media_from_url("file:///etc/passwd")


async def test_usage_boards_subreddits_and_connect(late: FakeLate, client: LateClient) -> None:
    profile = (await client.list_profiles())[0].id
    pin = await late.engine.add_account(profile, "pinterest", "demopins")
    reddit = await late.engine.add_account(profile, "reddit", "demo_redditor")
    boards = await client.pinterest_boards(pin)
    assert [b.name for b in boards.boards] == [
        "Inspiration",
        "Engineering",
    ] and boards.default_board_id is None
    await late.engine.update_account(pin, settings=json.dumps({"defaultBoardId": "engineering"}))
    assert (await client.pinterest_boards(pin)).default_board_id == "engineering"
    subs = await client.reddit_subreddits(reddit)
    assert subs.subreddits[0].display_name_prefixed == "r/programming"
    assert subs.default_subreddit is None
    await late.engine.update_account(reddit, settings=json.dumps({"defaultSubreddit": "reactjs"}))
    assert (await client.reddit_subreddits(reddit)).default_subreddit == "reactjs"
    connect = await client.connect_url("twitter", profile, redirect_url="https://example.com/done")
    assert connect.auth_url.startswith("https://") and connect.state
    usage = await client.usage_stats()
    assert (usage.plan_name, usage.limits.uploads, usage.usage.profiles, usage.can_upload) == (
        "Sandbox",
        -1,
        1,
        True,
    )


# --- errors -------------------------------------------------------------------------------------


async def test_a_wrong_key_is_an_auth_error(late: FakeLate) -> None:
    async with LateClient(late.url, SecretStr("sk_wrong")) as c:
        with pytest.raises(LateAuthError) as err:
            await c.list_profiles()
    assert err.value.status == 401 and err.value.path == "/v1/profiles"
    assert len(late.requests) == 1  # never retried


async def test_each_refusal_maps_onto_the_error_tree(late: FakeLate, client: LateClient) -> None:
    x = (await late.engine.account_ids())["twitter"]
    with pytest.raises(LateValidationError, match="At least one platform"):
        await client.create_post({"content": "To nowhere", "publishNow": True}, idempotency_key="v1")
    with pytest.raises(LateNotFoundError):
        await client.get_post("0" * 24)
    late.fail("GET", "/v1/usage-stats", 403, body={"error": "API access is not enabled for this key"})
    with pytest.raises(LateForbiddenError) as forbidden:
        await client.usage_stats()
    assert not isinstance(forbidden.value, LatePlanLimitError)
    late.fail("POST", "/v1/posts", 413, body={"error": "Payload too large"})
    with pytest.raises(LateValidationError):
        await client.create_post(body(x), idempotency_key="too-big")
    first = await client.create_post(body(x, "Said once", publishNow=True), idempotency_key="d1")
    with pytest.raises(LateDuplicateError) as dup:
        await client.create_post(body(x, "Said once", publishNow=True), idempotency_key="d2")
    assert dup.value.existing_post_id == first.post.id and dup.value.status == 409


async def test_plan_limits_are_plan_limit_errors(late: FakeLate, client: LateClient) -> None:
    late.engine.plan = Plan(name="Free", uploads=1, profiles=1)
    x = (await late.engine.account_ids())["twitter"]
    await client.create_post(body(x, "Draft, not counted", isDraft=True), idempotency_key="p0")
    await client.create_post(body(x, "The one post", publishNow=True), idempotency_key="p1")
    with pytest.raises(LatePlanLimitError) as posts:
        await client.create_post(body(x, "One too many", publishNow=True), idempotency_key="p2")
    assert (posts.value.plan_name, posts.value.limit, posts.value.current, posts.value.billing_period) == (
        "Free",
        1,
        1,
        "monthly",
    )


async def test_server_errors_timeouts_and_refused_connections(late: FakeLate) -> None:
    naps = Naps()
    async with late.client(sleep=naps, timeout=0.2) as c:
        late.fail("GET", "/v1/profiles", 502, times=10)
        with pytest.raises(LateServerError) as server:
            await c.list_profiles()
        assert server.value.status == 502 and len(late.calls("GET", "/v1/profiles")) == 4
        late.stall("GET", "/v1/accounts", 5.0, times=10)
        with pytest.raises(LateTimeoutError):
            await c.list_accounts()
        assert len(late.calls("GET", "/v1/accounts")) == 4
    assert len(naps.calls) == 6 and all(0.25 <= n <= 4.0 for n in naps.calls)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    async with LateClient(f"http://127.0.0.1:{port}", KEY, sleep=Naps()) as c:
        with pytest.raises(LateConnectionError):
            await c.list_profiles()


async def test_the_key_never_reaches_a_log_line_or_an_error(
    late: FakeLate, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with late.client(sleep=Naps()) as c:
        await c.list_profiles()
        late.fail("GET", "/v1/accounts", 500)
        await c.list_accounts()
        with pytest.raises(LateNotFoundError) as err:
            await c.get_post("missing")
        text = (
            "\n".join(r.getMessage() for r in caplog.records)
            + repr(c)
            + str(err.value)
            + repr(err.value.body)
        )
    assert "late GET /v1/profiles -> 200" in text
    assert KEY not in text


async def test_an_id_cannot_reach_another_endpoint(late: FakeLate, client: LateClient) -> None:
    with pytest.raises(LateNotFoundError):
        await client.get_post("../accounts")
    assert late.requests[-1].raw_path == "/v1/posts/..%2Faccounts"


async def test_base_url_with_a_path_and_a_trailing_v1(late: FakeLate) -> None:
    async with LateClient(late.url + "/v1/", KEY) as c:
        assert (await c.list_profiles())[0].name == "Demo Brand"
    assert late.requests[-1].path == "/v1/profiles"


def test_the_client_wants_a_key() -> None:
    with pytest.raises(ValueError):
        LateClient("https://getlate.dev/api", "")


async def test_a_draft_needs_no_time_and_stays_out_of_the_schedule(
    late: FakeLate, client: LateClient
) -> None:
    x = (await late.engine.account_ids())["twitter"]
    result = await client.create_post(
        body(x, "Later", isDraft=True, scheduledFor="2026-11-23T09:00:00Z"), idempotency_key="draft"
    )
    late.clock.advance(timedelta(days=2))  # type: ignore[attr-defined]
    await late.engine.tick()
    assert (await client.get_post(result.post.id)).status == "draft"


async def test_an_injected_http_client_is_shared_and_left_open(late: FakeLate) -> None:
    from bot.late.transport import AiohttpTransport

    async with httpx.AsyncClient(transport=AiohttpTransport()) as shared:
        async with LateClient(late.url, KEY, http=shared) as c:
            assert (await c.list_profiles())[0].name == "Demo Brand"
        assert not shared.is_closed
        assert late.requests[-1].headers["authorization"] == f"Bearer {KEY}"


async def test_a_cached_read_never_outlives_a_change(late: FakeLate, client: LateClient) -> None:
    x = (await late.engine.account_ids())["twitter"]
    draft = await client.create_post(body(x, "Draft", isDraft=True), idempotency_key="c")
    assert (await client.get_post(draft.post.id)).content == "Draft"
    assert (await client.get_post(draft.post.id)).content == "Draft"
    await client.update_post(draft.post.id, {"content": "Edited"})
    assert (await client.get_post(draft.post.id)).content == "Edited"
    await client.delete_post(draft.post.id)
    with pytest.raises(LateNotFoundError):
        await client.get_post(draft.post.id)
