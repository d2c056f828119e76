"""The wire models read every shape Late is documented to send, and write exactly what Late expects."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.clock import FixedClock
from bot.late.backoff import Backoff
from bot.late.models import (
    Account,
    CreatePostBody,
    CreatePostResult,
    HealthReport,
    PlatformEntry,
    Post,
    PostPage,
    Subreddit,
    UsageStats,
)
from bot.late.ratelimit import RateLimit, epoch


def test_an_account_profile_may_be_an_id_or_the_profile() -> None:
    plain = Account.model_validate(
        {"_id": "a1", "platform": "instagram", "profileId": "p1", "isActive": True}
    )
    populated = Account.model_validate(
        {
            "_id": "a2",
            "platform": "twitter",
            "profileId": {"_id": "p1", "name": "My Brand", "slug": "my-brand"},
            "username": "@acme",
            "displayName": "Acme",
            "tokenExpiresAt": "2024-12-31T23:59:59Z",
        }
    )
    assert (plain.id, plain.profile_id, plain.profile) == ("a1", "p1", None)
    assert populated.profile_id == "p1" and populated.profile and populated.profile.name == "My Brand"
    assert populated.token_expires_at == datetime(2024, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert Account(id="a3", platform="x").profile_id is None  # built by name too


def test_a_platform_entry_account_may_be_an_id_or_the_account() -> None:
    entry = PlatformEntry.model_validate(
        {
            "platform": "twitter",
            "accountId": {"_id": "a1", "platform": "twitter", "username": "acme"},
            "status": "failed",
            "error": "rate limited",
        }
    )
    assert (entry.account_id, entry.username, entry.failure) == ("a1", "acme", "rate limited")
    bare = PlatformEntry.model_validate(
        {"platform": "bluesky", "accountId": "a2", "username": "acme.bsky.social"}
    )
    assert (bare.account_id, bare.username) == ("a2", "acme.bsky.social")


def test_post_ids_and_times() -> None:
    post = Post.model_validate({"id": "p1", "scheduledFor": "2026-01-15T10:00:00", "status": "scheduled"})
    assert post.id == "p1" and post.scheduled_for == datetime(2026, 1, 15, 10, tzinfo=UTC)
    assert Post.model_validate({"_id": "p2"}).wire() == {"_id": "p2", "platforms": [], "mediaItems": []}


def test_the_create_body_is_camel_case_without_nulls_and_keeps_extras() -> None:
    body = CreatePostBody.model_validate(
        {
            "content": "Hi",
            "platforms": [{"platform": "tiktok", "accountId": "a1"}],
            "publishNow": True,
            "tiktokSettings": {"privacy_level": "SELF_ONLY"},
        }
    )
    assert body.publish_now and body.platforms and body.platforms[0].account_id == "a1"
    assert body.wire() == {
        "content": "Hi",
        "platforms": [{"platform": "tiktok", "accountId": "a1"}],
        "publishNow": True,
        "tiktokSettings": {"privacy_level": "SELF_ONLY"},
    }


def test_a_create_answer_with_its_own_status_field_still_parses() -> None:
    result = CreatePostResult.model_validate({"status": "success", "post": {"_id": "p1"}})
    result.http_status = 207
    assert result.status == 207 and result.partial and result.model_extra == {"status": "success"}


def test_shapes_from_the_docs() -> None:
    report = HealthReport.model_validate(
        {
            "summary": {"total": 1, "healthy": 0, "warning": 0, "error": 1, "needsReconnect": 1},
            "accounts": [
                {
                    "accountId": "def456",
                    "platform": "twitter",
                    "status": "error",
                    "canPost": False,
                    "tokenValid": False,
                    "needsReconnect": True,
                    "issues": ["Token expired"],
                }
            ],
        }
    )
    assert report.summary.needs_reconnect == 1 and report.accounts[0].issues == ["Token expired"]
    usage = UsageStats.model_validate(
        {
            "planName": "Accelerate",
            "billingPeriod": "yearly",
            "limits": {"uploads": -1, "profiles": 50},
            "usage": {"uploads": 847, "profiles": 12, "lastReset": "2024-01-01T00:00:00.000Z"},
            "canUpload": True,
            "canCreateProfile": True,
        }
    )
    assert (usage.limits.uploads, usage.usage.uploads, usage.can_create_profile) == (-1, 847, True)
    assert Subreddit.model_validate(
        {"name": "reactjs", "display_name_prefixed": "r/reactjs"}
    ).display_name_prefixed


def test_a_page_without_a_page_count_has_more_when_full() -> None:
    assert PostPage.model_validate({"posts": [{"_id": str(n)} for n in range(10)]}).has_more
    assert not PostPage.model_validate({"posts": [{"_id": "1"}]}).has_more
    assert not PostPage.model_validate(
        {"posts": [], "pagination": {"page": 2, "pages": 2, "limit": 10}}
    ).has_more


def test_reset_times_in_every_form_proxies_send() -> None:
    now = 1_800_000_000.0
    assert epoch("1800000060", now) == 1_800_000_060
    assert epoch("1800000060000", now) == 1_800_000_060
    assert epoch("30", now) == now + 30
    assert epoch("soon", now) is None and epoch(None, now) is None


async def test_retry_after_as_an_http_date() -> None:
    clock = FixedClock(datetime(2026, 11, 22, 12, 0, tzinfo=UTC))

    async def no_sleep(_: float) -> None:
        return None

    rate = RateLimit(clock, no_sleep, max_wait=60)
    assert rate.retry_after({"retry-after": "Sun, 22 Nov 2026 12:00:42 GMT"}) == 42.0
    assert rate.retry_after({"retry-after": "7"}) == 7.0
    assert rate.retry_after({}) is None


def test_backoff_grows_stays_bounded_and_is_never_zero() -> None:
    low, high = Backoff(random=lambda: 0.0), Backoff(random=lambda: 0.999999)
    assert [low.delay(n) for n in range(6)] == [0.25, 0.5, 1.0, 2.0, 4.0, 4.0]
    assert all(high.delay(n) <= min(8.0, 0.5 * 2**n) for n in range(6))
