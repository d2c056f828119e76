"""The bodies latebot sends to create and update posts."""

from __future__ import annotations

from typing import Any

from bot.late.base import LateModel
from bot.late.post import MediaItem


class PlatformTarget(LateModel):
    """One entry of `platforms[]` in a create or update body."""

    platform: str
    account_id: str
    custom_content: str | None = None
    custom_media: list[MediaItem] | None = None
    scheduled_for: str | None = None
    platform_specific_data: dict[str, Any] | None = None


class CreatePostBody(LateModel):
    """`POST /v1/posts`. `scheduled_for` stays a string: Late prefers local wall time plus `timezone`."""

    content: str | None = None
    title: str | None = None
    platforms: list[PlatformTarget] | None = None  # a draft may have none yet
    scheduled_for: str | None = None
    timezone: str | None = None
    publish_now: bool | None = None
    is_draft: bool | None = None
    media_items: list[MediaItem] | None = None
    tags: list[str] | None = None
    metadata: dict[str, Any] | None = None


class UpdatePostBody(CreatePostBody):
    """`PUT /v1/posts/{id}`: the same fields, every one optional."""
