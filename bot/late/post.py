"""Posts: what Late returns for a post, and its per-platform entries."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from bot.late.account import Account
from bot.late.base import LateModel, UtcDatetime, id_field

# Statuses a post moves through on Late; `partial` means some platforms published and some failed.
POST_STATUSES = ("draft", "scheduled", "publishing", "published", "failed", "partial")


class MediaItem(LateModel):
    type: str | None = None  # image | video | gif | document
    url: str
    filename: str | None = None
    size: int | None = None
    mime_type: str | None = None
    thumbnail: str | None = None
    alt_text: str | None = None


class PlatformEntry(LateModel):
    """One entry of `post.platforms[]`: where it goes and, once tried, what happened there."""

    platform: str
    account_id: str | None = None
    # Set when Late populated `accountId` with the account object rather than its id.
    account: Account | None = None
    status: str | None = None  # pending | processing | published | failed | cancelled
    custom_content: str | None = None
    scheduled_for: UtcDatetime | None = None
    platform_specific_data: dict[str, Any] | None = None
    platform_post_id: str | None = None
    platform_post_url: str | None = None
    published_at: UtcDatetime | None = None
    error_message: str | None = None
    error: str | None = None
    error_category: str | None = None
    error_source: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _split_account(cls, data: Any) -> Any:
        if isinstance(data, dict):
            ref = data.get("accountId", data.get("account_id"))
            if isinstance(ref, dict):
                data = {**data, "accountId": ref.get("_id") or ref.get("id"), "account": ref}
                data.pop("account_id", None)
        return data

    @property
    def username(self) -> str | None:
        if self.account is not None:
            return self.account.username
        value = (self.model_extra or {}).get("username")
        return value if isinstance(value, str) else None

    @property
    def failure(self) -> str | None:
        """Why this platform failed, from whichever field Late filled in."""
        return self.error_message or self.error


class Post(LateModel):
    id: str = id_field()
    content: str | None = None
    title: str | None = None
    status: str | None = None
    scheduled_for: UtcDatetime | None = None
    timezone: str | None = None
    platforms: list[PlatformEntry] = Field(default_factory=list)
    media_items: list[MediaItem] = Field(default_factory=list)
    tags: list[str] | None = None
    metadata: dict[str, Any] | None = None
    published_at: UtcDatetime | None = None
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None


class Pagination(LateModel):
    page: int = 1
    limit: int = 10
    total: int = 0
    pages: int = 0


class PostPage(LateModel):
    """One page of `GET /v1/posts`."""

    posts: list[Post] = Field(default_factory=list)
    pagination: Pagination = Field(default_factory=Pagination)

    @property
    def has_more(self) -> bool:
        p = self.pagination
        if p.pages:
            return p.page < p.pages
        # Without a page count, a full page is the only hint that another may follow.
        return len(self.posts) >= p.limit > 0


class PlatformResult(LateModel):
    """One entry of `platformResults` in a 207 answer."""

    platform: str
    status: str
    error: str | None = None
    account_id: str | None = None


class CreatePostResult(LateModel):
    """The answer to `POST /v1/posts`: 201, 207 (some or all platforms failed) or 200 (a replay)."""

    post: Post
    http_status: int = Field(default=201, exclude=True)
    message: str | None = None
    error: str | None = None
    platform_results: list[PlatformResult] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    # True when Late answered with the post an earlier attempt (same idempotency key) made.
    replayed: bool = Field(default=False, exclude=True)

    @property
    def status(self) -> int:
        """The HTTP status: 201 created, 207 some or all platforms failed, 200 an earlier attempt's post."""
        return self.http_status

    @property
    def partial(self) -> bool:
        return self.http_status == 207
