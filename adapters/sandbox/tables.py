"""The sandbox's own database: its tables (sandbox_*) as ordered migrations, and the documents built
from their rows. It lives in a file of its own (see `sandbox_path`), never in latebot's database.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.clock import Clock
from bot.store import Migration, Store, Tx

V1 = """
CREATE TABLE sandbox_profiles (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    color TEXT,
    is_default INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE TABLE sandbox_accounts (
    id TEXT PRIMARY KEY,
    profile_id TEXT NOT NULL,
    platform TEXT NOT NULL,
    username TEXT NOT NULL,
    display_name TEXT,
    is_active INTEGER NOT NULL DEFAULT 1,
    token_valid INTEGER NOT NULL DEFAULT 1,
    token_expires_at TEXT,
    settings TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
);
CREATE INDEX sandbox_accounts_profile ON sandbox_accounts(profile_id);
CREATE TABLE sandbox_posts (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    due_at TEXT,
    sort_at TEXT NOT NULL,
    published_at TEXT,
    created_at TEXT NOT NULL,
    counted INTEGER NOT NULL DEFAULT 0,
    doc TEXT NOT NULL
);
CREATE INDEX sandbox_posts_due ON sandbox_posts(status, due_at);
CREATE INDEX sandbox_posts_sort ON sandbox_posts(sort_at);
CREATE TABLE sandbox_idempotency (
    key TEXT PRIMARY KEY,
    post_id TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE sandbox_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

# Never edit a released migration: add the next one.
# Presigned media uploads: what was promised (type, size) and whether the bytes arrived.
V2 = """
CREATE TABLE sandbox_uploads (
    key TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    size INTEGER,
    expires_at TEXT NOT NULL,
    uploaded_at TEXT
);
"""

# Every post sent to an account (drafts excepted), for Late's per-account limits.
V3 = """
CREATE TABLE sandbox_sends (
    account_id TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX sandbox_sends_account ON sandbox_sends(account_id, at);
"""

SANDBOX_MIGRATIONS: list[Migration] = [
    Migration(1, "sandbox profiles, accounts, posts, idempotency keys, meta", V1),
    Migration(2, "sandbox presigned media uploads", V2),
    Migration(3, "sandbox sends per account, for Late's per-account limits", V3),
]


def sandbox_path(db: Path | str) -> str:
    """The sandbox's file beside latebot's: `latebot.db` -> `latebot.sandbox.db`; `:memory:` stays so."""
    if str(db) == ":memory:":
        return ":memory:"
    path = Path(db)
    return str(path.with_name(f"{path.stem}.sandbox{path.suffix}"))


def sandbox_store(path: Path | str, clock: Clock) -> Store:
    """A store holding the sandbox's tables only (open it before use)."""
    return Store(path, clock=clock, migrations=SANDBOX_MIGRATIONS)


def profile_doc(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "_id": row["id"],
        "name": row["name"],
        "description": row["description"],
        "color": row["color"],
        "isDefault": bool(row["is_default"]),
        "createdAt": row["created_at"],
    }


def slug(name: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split())


def account_doc(row: dict[str, Any], profile: dict[str, Any] | None = None) -> dict[str, Any]:
    """As `GET /v1/accounts` returns it: `profileId` populated when the profile is at hand."""
    profile_ref: Any = row["profile_id"]
    if profile is not None:
        profile_ref = {"_id": profile["id"], "name": profile["name"], "slug": slug(profile["name"])}
    return {
        "_id": row["id"],
        "platform": row["platform"],
        "profileId": profile_ref,
        "username": row["username"],
        "displayName": row["display_name"],
        "profileUrl": profile_url(row["platform"], row["username"]),
        "isActive": bool(row["is_active"]),
        "tokenExpiresAt": row["token_expires_at"],
    }


def profile_url(platform: str, username: str) -> str:
    handle = username.lstrip("@")
    return {
        "twitter": f"https://x.com/{handle}",
        "linkedin": f"https://www.linkedin.com/company/{handle}",
        "instagram": f"https://www.instagram.com/{handle}/",
        "bluesky": f"https://bsky.app/profile/{handle}",
        "threads": f"https://www.threads.net/@{handle}",
        "facebook": f"https://www.facebook.com/{handle}",
        "tiktok": f"https://www.tiktok.com/@{handle}",
        "youtube": f"https://www.youtube.com/@{handle}",
        "pinterest": f"https://www.pinterest.com/{handle}/",
        "reddit": f"https://www.reddit.com/user/{handle}",
    }.get(platform, f"https://{platform}.example/{handle}")


def settings_of(row: dict[str, Any]) -> dict[str, Any]:
    value = json.loads(row["settings"] or "{}")
    return value if isinstance(value, dict) else {}


def post_row(tx: Tx, post_id: str) -> dict[str, Any] | None:
    return tx.one("SELECT * FROM sandbox_posts WHERE id = ?", [post_id])


def account_row(tx: Tx, account_id: Any) -> dict[str, Any] | None:
    return tx.one("SELECT * FROM sandbox_accounts WHERE id = ?", [account_id])


def load_doc(row: dict[str, Any]) -> dict[str, Any]:
    doc = json.loads(row["doc"])
    assert isinstance(doc, dict)
    return doc


def dump_doc(doc: dict[str, Any]) -> str:
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


def ref_id(value: Any) -> Any:
    """An account or profile reference, as an id string or as the populated object."""
    return value.get("_id") if isinstance(value, dict) else value
