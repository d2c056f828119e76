"""Account health as Late reports it: healthy, warning (token expiring soon) or error (reconnect)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.clock import iso, parse_iso

WARN_BEFORE = timedelta(days=7)


@dataclass(frozen=True)
class Health:
    status: str  # healthy | warning | error
    issues: list[str]
    token_valid: bool

    @property
    def can_post(self) -> bool:
        return self.status != "error"

    @property
    def needs_reconnect(self) -> bool:
        return self.status == "error"


def health_of(row: dict[str, Any], now: datetime) -> Health:
    expires = parse_iso(row["token_expires_at"]) if row["token_expires_at"] else None
    if not row["is_active"]:
        return Health("error", ["Account is inactive"], bool(row["token_valid"]))
    if not row["token_valid"] or (expires is not None and expires <= now):
        return Health("error", ["Token expired"], False)
    if expires is not None and expires - now <= WARN_BEFORE:
        days = max(1, (expires - now).days)
        return Health("warning", [f"Token expires in {days} day{'s' if days != 1 else ''}"], True)
    return Health("healthy", [], True)


def summary_entry(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    """One entry of `GET /v1/accounts/health`."""
    h = health_of(row, now)
    return {
        "accountId": row["id"],
        "platform": row["platform"],
        "username": row["username"],
        "displayName": row["display_name"],
        "profileId": row["profile_id"],
        "status": h.status,
        "canPost": h.can_post,
        "canFetchAnalytics": h.can_post,
        "tokenValid": h.token_valid,
        "tokenExpiresAt": row["token_expires_at"],
        "needsReconnect": h.needs_reconnect,
        "issues": h.issues,
    }


def detail(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    """`GET /v1/accounts/{id}/health`."""
    h = health_of(row, now)
    expires = parse_iso(row["token_expires_at"]) if row["token_expires_at"] else None
    scope = f"{row['platform']}_publish"
    return {
        "accountId": row["id"],
        "platform": row["platform"],
        "username": row["username"],
        "displayName": row["display_name"],
        "status": h.status,
        "tokenStatus": {
            "valid": h.token_valid,
            "expiresAt": iso(expires) if expires else None,
            "expiresIn": f"{max(0, (expires - now).days)} days" if expires else None,
            "needsRefresh": h.status != "healthy",
        },
        "permissions": {
            "posting": [{"scope": scope, "granted": h.token_valid, "required": True}],
            "analytics": [],
            "optional": [],
            "canPost": h.can_post,
            "canFetchAnalytics": h.can_post,
            "missingRequired": [] if h.token_valid else [scope],
        },
        "issues": h.issues,
        "recommendations": ["Reconnect the account in Late"] if h.status != "healthy" else [],
    }


def failure_reason(row: dict[str, Any] | None, now: datetime) -> str | None:
    """Why a publish to this account fails now, or None when it can post."""
    if row is None:
        return "Account was disconnected"
    h = health_of(row, now)
    if h.can_post:
        return None
    return f"{h.issues[0]}; reconnect the account in Late"
