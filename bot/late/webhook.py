"""Late's webhooks: the subscriptions (`/v1/webhooks/settings`) and the events it delivers.

Event payloads follow the official SDKs' generated types (`WebhookPayloadPost`,
`WebhookPayloadPostPlatform`, `WebhookPayloadAccount*`): webhooks name a permalink `publishedUrl`
and a failure `error`, where REST says `platformPostUrl` and `errorMessage`. `as_post` reads an
event's post into the REST shape, so that one reader (`bot.publishing.outcome_of_post`) serves both.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from bot.late.base import LateModel, UtcDatetime, id_field, ref_id
from bot.late.post import PlatformEntry, Post

# The events latebot subscribes to and handles; others are answered 200 and ignored.
EVENTS = (
    "post.published",
    "post.failed",
    "post.partial",
    "post.cancelled",
    "post.platform.published",
    "post.platform.failed",
    "account.connected",
    "account.disconnected",
)


class Webhook(LateModel):
    """One subscription (`GET /v1/webhooks/settings` lists up to 50)."""

    id: str = id_field()
    name: str | None = None
    url: str
    events: list[str] = Field(default_factory=list)
    is_active: bool = True
    last_fired_at: UtcDatetime | None = None
    failure_count: int = 0


class WebhookList(LateModel):
    webhooks: list[Webhook] = Field(default_factory=list)


class WebhookSaved(LateModel):
    """The answer to creating or updating a subscription."""

    success: bool = False
    webhook: Webhook | None = None


class EventEntry(LateModel):
    """One entry of `post.platforms[]` in an event."""

    platform: str
    status: str | None = None
    account_id: Any = None
    platform_post_id: str | None = None
    published_url: str | None = None
    error: str | None = None
    error_category: str | None = None
    error_source: str | None = None

    def as_entry(self) -> PlatformEntry:
        return PlatformEntry(
            platform=self.platform,
            account_id=ref_id(self.account_id),
            status=self.status,
            platform_post_id=self.platform_post_id,
            platform_post_url=self.published_url or None,
            error=self.error,
            error_category=self.error_category,
            error_source=self.error_source,
        )


class EventPost(LateModel):
    id: str = id_field()
    status: str | None = None
    scheduled_for: UtcDatetime | None = None
    published_at: UtcDatetime | None = None
    platforms: list[EventEntry] = Field(default_factory=list)
    metadata: dict[str, Any] | None = None

    def as_post(self) -> Post:
        return Post(
            _id=self.id, status=self.status, scheduled_for=self.scheduled_for, published_at=self.published_at,
            platforms=[e.as_entry() for e in self.platforms], metadata=self.metadata,
        )


class EventAccount(LateModel):
    account_id: str
    profile_id: str | None = None
    platform: str | None = None
    username: str | None = None
    display_name: str | None = None
    disconnection_type: str | None = None  # intentional | unintentional
    reason: str | None = None


class WebhookEvent(LateModel):
    """Any delivery: `{id, event, timestamp}` and, by kind, `post`, `platform` and `account`."""

    id: str
    event: str
    timestamp: UtcDatetime | None = None
    post: EventPost | None = None
    account: EventAccount | None = None
