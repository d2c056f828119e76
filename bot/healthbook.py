"""What latebot last knew about each account's health, the health check itself, and mutes.

The monitor compares each poll with these rows and alerts on the differences only; the rows and
the alerts they raise are written in one transaction (see `record`), so a restart neither repeats
an alert nor loses one.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from bot import outbox
from bot.alert import Alert
from bot.clock import iso, parse_iso
from bot.messages import Actor
from bot.store import AuditRow, Store, Tx


class AccountState(BaseModel):
    account_id: str
    profile_id: str | None = None
    platform: str
    username: str = ""
    status: str = "healthy"  # healthy | warning | error
    can_post: bool = True
    needs_reconnect: bool = False
    token_expires_at: datetime | None = None
    issues: list[str] = Field(default_factory=list)
    # The token expiry the last expiry warning was about, and which one it was (7 or 1 days).
    warned_expiry: datetime | None = None
    warned_days: int | None = None
    seen_at: datetime

    @property
    def problems(self) -> set[str]:
        found = set()
        if self.needs_reconnect:
            found.add("reconnect")
        if self.status == "error":
            found.add("error")
        if not self.can_post:
            found.add("cannot_post")
        if self.status == "warning":
            found.add("warning")
        return found


@dataclass(frozen=True)
class CheckState:
    failures: int = 0  # health calls failed in a row
    alerted: bool = False  # the "health check failing" alert went out
    last_error: str | None = None


@dataclass(frozen=True)
class NewAlert:
    alert: Alert
    destinations: list[str]
    held: bool = False


def _row(state: AccountState) -> dict[str, Any]:
    return {
        "account_id": state.account_id, "profile_id": state.profile_id, "platform": state.platform,
        "username": state.username, "status": state.status, "can_post": int(state.can_post),
        "needs_reconnect": int(state.needs_reconnect),
        "token_expires_at": iso(state.token_expires_at) if state.token_expires_at else None,
        "issues": json.dumps(state.issues),
        "warned_expiry": iso(state.warned_expiry) if state.warned_expiry else None,
        "warned_days": state.warned_days, "seen_at": iso(state.seen_at),
    }


def _state(row: dict[str, Any]) -> AccountState:
    data = dict(row)
    data["issues"] = json.loads(data["issues"] or "[]")
    data["can_post"], data["needs_reconnect"] = bool(data["can_post"]), bool(data["needs_reconnect"])
    for key in ("token_expires_at", "warned_expiry", "seen_at"):
        data[key] = parse_iso(data[key]) if data[key] else None
    return AccountState.model_validate(data)


def _add_alerts(tx: Tx, alerts: Sequence[NewAlert], now: datetime) -> None:
    for new in alerts:
        outbox.insert(tx, new.alert, new.destinations, now, held=new.held)


class HealthBook:
    def __init__(self, store: Store) -> None:
        self.store = store

    # --- account states ----------------------------------------------------------------------

    async def states(self) -> dict[str, AccountState]:
        rows = await self.store.query("SELECT * FROM account_health")
        return {r["account_id"]: _state(r) for r in rows}

    async def state(self, account_id: str) -> AccountState | None:
        return (await self.states_of([account_id])).get(account_id)

    async def states_of(self, account_ids: Collection[str]) -> dict[str, AccountState]:
        """What latebot last saw of these accounts (those never seen are left out), in one read."""
        return {r["account_id"]: _state(r) for r in await self._rows("account_health", "*", account_ids)}

    async def record(self, states: Sequence[AccountState], alerts: Sequence[NewAlert],
                     *, forget: Sequence[str] = ()) -> None:
        """Save what a poll (or a webhook) saw and the alerts it raised, together."""
        now = self.store.clock.now()

        def write(tx: Tx) -> None:
            for s in states:
                tx.insert("account_health", _row(s), or_replace=True)
            for account_id in forget:
                tx.execute("DELETE FROM account_health WHERE account_id = ?", [account_id])
            _add_alerts(tx, alerts, now)

        await self.store.write(write)

    # --- the health check itself ---------------------------------------------------------------

    async def check(self) -> CheckState:
        row = await self.store.query_one("SELECT * FROM health_checks WHERE id = 1")
        if row is None:
            return CheckState()
        return CheckState(failures=row["failures"], alerted=bool(row["alerted"]), last_error=row["last_error"])

    async def record_check(self, check: CheckState, alerts: Sequence[NewAlert] = ()) -> None:
        now = self.store.clock.now()

        def write(tx: Tx) -> None:
            tx.execute(
                "INSERT OR REPLACE INTO health_checks (id, failures, alerted, last_error, checked_at) "
                "VALUES (1, ?, ?, ?, ?)", [check.failures, int(check.alerted), check.last_error, iso(now)])
            _add_alerts(tx, alerts, now)

        await self.store.write(write)

    # --- mutes ---------------------------------------------------------------------------------

    async def mute(self, account_id: str, until: datetime, actor: Actor) -> None:
        now = self.store.clock.now()

        def write(tx: Tx) -> None:
            tx.execute("INSERT OR REPLACE INTO mutes (account_id, until, muted_by, muted_by_id, at) "
                       "VALUES (?, ?, ?, ?, ?)", [account_id, iso(until), actor.name, actor.id, iso(now)])
            tx.audit(AuditRow(actor=actor.name, actor_id=actor.id, action="mute",
                              detail={"account": account_id, "until": iso(until)}))

        await self.store.write(write)

    async def muted_until(self, account_id: str) -> datetime | None:
        return (await self.mutes_of([account_id])).get(account_id)

    async def mutes_of(self, account_ids: Collection[str]) -> dict[str, datetime]:
        """Until when each of these accounts is muted (those never muted are left out), in one read."""
        rows = await self._rows("mutes", "account_id, until", account_ids)
        return {r["account_id"]: parse_iso(r["until"]) for r in rows}

    async def _rows(self, table: str, columns: str, account_ids: Collection[str]) -> list[dict[str, Any]]:
        ids = list(account_ids)
        if not ids:
            return []
        marks = ", ".join("?" for _ in ids)
        return await self.store.query(f"SELECT {columns} FROM {table} WHERE account_id IN ({marks})", ids)
