"""Connected social accounts and their health, in both shapes the accounts reference documents."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from bot.late.base import LateModel, UtcDatetime, id_field
from bot.late.profile import ProfileRef


class Account(LateModel):
    id: str = id_field()
    platform: str
    profile_id: str | None = None
    # Set when Late populated `profileId` with the profile object rather than its id.
    profile: ProfileRef | None = None
    username: str | None = None
    display_name: str | None = None
    profile_url: str | None = None
    profile_picture: str | None = None
    is_active: bool | None = None
    token_expires_at: UtcDatetime | None = None
    permissions: list[str] | None = None

    @model_validator(mode="before")
    @classmethod
    def _split_profile(cls, data: Any) -> Any:
        if isinstance(data, dict):
            ref = data.get("profileId", data.get("profile_id"))
            if isinstance(ref, dict):
                data = {**data, "profileId": ref.get("_id") or ref.get("id"), "profile": ref}
                data.pop("profile_id", None)
        return data


class AccountHealth(LateModel):
    """One entry of `GET /v1/accounts/health`."""

    account_id: str
    platform: str | None = None
    username: str | None = None
    display_name: str | None = None
    profile_id: str | None = None  # which brand's alert channels hear about it
    status: str | None = None  # healthy | warning | error
    can_post: bool | None = None
    can_fetch_analytics: bool | None = None
    token_valid: bool | None = None
    token_expires_at: UtcDatetime | None = None
    needs_reconnect: bool = False
    issues: list[str] = Field(default_factory=list)


class HealthSummary(LateModel):
    total: int = 0
    healthy: int = 0
    warning: int = 0
    error: int = 0
    needs_reconnect: int = 0


class HealthReport(LateModel):
    """`GET /v1/accounts/health`: every account at once."""

    summary: HealthSummary = Field(default_factory=HealthSummary)
    accounts: list[AccountHealth] = Field(default_factory=list)


class TokenStatus(LateModel):
    valid: bool | None = None
    expires_at: UtcDatetime | None = None
    expires_in: str | None = None
    needs_refresh: bool | None = None


class Scope(LateModel):
    scope: str
    granted: bool = False
    required: bool = False


class Permissions(LateModel):
    posting: list[Scope] = Field(default_factory=list)
    analytics: list[Scope] = Field(default_factory=list)
    optional: list[Scope] = Field(default_factory=list)
    can_post: bool | None = None
    can_fetch_analytics: bool | None = None
    missing_required: list[str] = Field(default_factory=list)


class AccountHealthDetail(LateModel):
    """`GET /v1/accounts/{accountId}/health`: one account, with token and permission detail."""

    account_id: str
    platform: str | None = None
    username: str | None = None
    display_name: str | None = None
    status: str | None = None
    token_status: TokenStatus = Field(default_factory=TokenStatus)
    permissions: Permissions = Field(default_factory=Permissions)
    issues: list[str] = Field(default_factory=list)
    recommendations: list[str] = Field(default_factory=list)
