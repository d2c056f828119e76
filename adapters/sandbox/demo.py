"""The sandbox's demo data: a "Demo Brand" profile with five accounts, one of them about to expire."""

from __future__ import annotations

from datetime import timedelta

from adapters.sandbox.accounts import add_profile
from adapters.sandbox.context import Context
from bot.clock import iso
from bot.store import Tx

DEMO_PROFILE = "Demo Brand"
# (platform, username, display name, days until the token expires)
DEMO_ACCOUNTS = (
    ("twitter", "demobrand", "Demo Brand", 60),
    ("linkedin", "demo-brand", "Demo Brand", 60),
    ("instagram", "demobrand", "Demo Brand", 60),
    ("bluesky", "demobrand.bsky.social", "Demo Brand", 60),
    # Expiring soon, so that `/late health` has something to warn about.
    ("threads", "demobrand", "Demo Brand", 3),
)


def add_account(
    ctx: Context,
    tx: Tx,
    profile_id: str,
    platform: str,
    username: str,
    *,
    display_name: str | None = None,
    expires_in: timedelta | None = timedelta(days=60),
    is_active: bool = True,
    token_valid: bool = True,
    settings: str = "{}",
) -> str:
    now = ctx.clock.now()
    account_id = ctx.ids()
    tx.insert(
        "sandbox_accounts",
        {
            "id": account_id,
            "profile_id": profile_id,
            "platform": platform,
            "username": username,
            "display_name": display_name or username,
            "is_active": int(is_active),
            "token_valid": int(token_valid),
            "token_expires_at": iso(now + expires_in) if expires_in is not None else None,
            "settings": settings,
            "created_at": iso(now),
        },
    )
    return account_id


def seed(ctx: Context, tx: Tx) -> str:
    """Idempotent: a second call finds the first one's profile and changes nothing."""
    done = tx.one("SELECT value FROM sandbox_meta WHERE key = 'demo_profile'")
    if done is not None:
        return str(done["value"])
    existing = tx.one("SELECT id FROM sandbox_profiles WHERE name = ?", [DEMO_PROFILE])
    profile_id = (
        str(existing["id"]) if existing else str(add_profile(ctx, tx, DEMO_PROFILE, "Demo accounts")["id"])
    )
    if not existing:
        for platform, username, name, days in DEMO_ACCOUNTS:
            add_account(
                ctx, tx, profile_id, platform, username, display_name=name, expires_in=timedelta(days=days)
            )
    tx.insert("sandbox_meta", {"key": "demo_profile", "value": profile_id})
    return profile_id
