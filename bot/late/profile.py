"""A Late profile: one brand, holding at most one account per platform."""

from __future__ import annotations

from bot.late.base import LateModel, UtcDatetime, id_field


class Profile(LateModel):
    id: str = id_field()
    name: str = ""
    description: str | None = None
    color: str | None = None
    is_default: bool | None = None
    created_at: UtcDatetime | None = None


class ProfileRef(LateModel):
    """The populated form of `profileId` on an account: `{_id, name, slug}`."""

    id: str = id_field()
    name: str | None = None
    slug: str | None = None
