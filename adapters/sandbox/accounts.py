"""`GET /v1/profiles`, `GET /v1/accounts` and account health; `add_profile` for seeding and tests."""

from __future__ import annotations

from typing import Any

from adapters.sandbox import health
from adapters.sandbox.context import Context
from adapters.sandbox.inbound import Inbound, Refusal, Reply
from adapters.sandbox.tables import account_doc, account_row, profile_doc
from bot.clock import iso
from bot.store import Tx


def handle_profiles(ctx: Context, tx: Tx, req: Inbound) -> Reply:
    rows = tx.all("SELECT * FROM sandbox_profiles ORDER BY created_at, rowid")
    return Reply(200, {"profiles": [profile_doc(r) for r in rows]})


def add_profile(
    ctx: Context, tx: Tx, name: str, description: str | None = None, color: str | None = None
) -> dict[str, Any]:
    if tx.one("SELECT id FROM sandbox_profiles WHERE lower(name) = lower(?)", [name]):
        raise Refusal(400, "A profile with this name already exists")
    first = tx.one("SELECT count(*) AS n FROM sandbox_profiles")
    row = {
        "id": ctx.ids(),
        "name": name,
        "description": description,
        "color": color,
        "is_default": int(not first or first["n"] == 0),
        "created_at": iso(ctx.clock.now()),
    }
    tx.insert("sandbox_profiles", row)
    return row


def handle_accounts(ctx: Context, tx: Tx, req: Inbound) -> Reply:
    profile_id = req.params.get("profileId")
    rows = tx.all(
        "SELECT * FROM sandbox_accounts WHERE (:p IS NULL OR profile_id = :p) ORDER BY created_at, rowid",
        {"p": profile_id},
    )
    profiles = {p["id"]: p for p in tx.all("SELECT id, name FROM sandbox_profiles")}
    docs = [account_doc(r, profiles.get(r["profile_id"])) for r in rows]
    return Reply(200, {"accounts": docs, "hasAnalyticsAccess": False})


def handle_health(ctx: Context, tx: Tx, req: Inbound) -> Reply:
    now = ctx.clock.now()
    p = req.params
    rows = tx.all(
        "SELECT * FROM sandbox_accounts WHERE (:p IS NULL OR profile_id = :p) "
        "AND (:f IS NULL OR platform = :f) ORDER BY created_at, rowid",
        {"p": p.get("profileId"), "f": p.get("platform")},
    )
    entries = [health.summary_entry(r, now) for r in rows]
    if p.get("status"):
        entries = [e for e in entries if e["status"] == p["status"]]
    summary = {"total": len(entries), "needsReconnect": sum(1 for e in entries if e["needsReconnect"])}
    for state in ("healthy", "warning", "error"):
        summary[state] = sum(1 for e in entries if e["status"] == state)
    return Reply(200, {"summary": summary, "accounts": entries})


def handle_account_health(ctx: Context, tx: Tx, req: Inbound) -> Reply:
    row = account_row(tx, req.args["id"])
    if row is None:
        raise Refusal(404, "Not found")
    return Reply(200, health.detail(row, ctx.clock.now()))
