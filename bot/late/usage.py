"""`GET /v1/usage-stats`: the plan's limits and what has been used of them."""

from __future__ import annotations

from pydantic import Field

from bot.late.base import LateModel, UtcDatetime


class UsageLimits(LateModel):
    uploads: int | None = None  # -1 means unlimited
    profiles: int | None = None


class UsageCounts(LateModel):
    uploads: int | None = None
    profiles: int | None = None
    last_reset: UtcDatetime | None = None


class UsageStats(LateModel):
    plan_name: str | None = None
    billing_period: str | None = None
    signup_date: UtcDatetime | None = None
    limits: UsageLimits = Field(default_factory=UsageLimits)
    usage: UsageCounts = Field(default_factory=UsageCounts)
    can_upload: bool | None = None
    can_create_profile: bool | None = None
