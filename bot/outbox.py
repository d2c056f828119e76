"""The alerts table: every alert once (by key), where it goes, and where it has been delivered.

An alert is written in the same transaction as the change that raised it (a health state, a
settled request), so a crash can neither lose it nor raise it twice; delivery marks each
destination ("chat:team:channel") as done, and the alert `sent` once all are. States: `pending`,
`held` (its account is muted), `sent`, `dropped` (superseded, too old, or nowhere to go).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.alert import Alert
from bot.clock import iso, parse_iso
from bot.store import Store, Tx

AlertState = Literal["pending", "held", "sent", "dropped"]


@dataclass(frozen=True)
class Stored:
    id: int
    alert: Alert
    destinations: tuple[str, ...]
    delivered: frozenset[str]
    state: AlertState
    created_at: datetime

    @property
    def to_do(self) -> list[str]:
        return [d for d in self.destinations if d not in self.delivered]


def insert(tx: Tx, alert: Alert, destinations: list[str], now: datetime, *, held: bool = False) -> bool:
    """Within a caller's transaction; False when an alert with this key exists already."""
    state: AlertState = "held" if held else "pending" if destinations else "dropped"
    return tx.insert("alerts", {
        "key": alert.key, "kind": alert.kind, "account_id": alert.account_id, "request_id": alert.request_id,
        "body": alert.model_dump_json(), "destinations": json.dumps(destinations), "delivered": "[]",
        "state": state, "created_at": iso(now), "updated_at": iso(now),
    }, or_ignore=True) == 1


def _stored(row: dict[str, object]) -> Stored:
    return Stored(
        id=int(str(row["id"])), alert=Alert.model_validate_json(str(row["body"])),
        destinations=tuple(json.loads(str(row["destinations"]))),
        delivered=frozenset(json.loads(str(row["delivered"]))),
        state=row["state"],  # type: ignore[arg-type]
        created_at=parse_iso(str(row["created_at"])),
    )


class Outbox:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def add(self, alert: Alert, destinations: list[str], *, held: bool = False) -> bool:
        now = self.store.clock.now()
        return await self.store.write(lambda tx: insert(tx, alert, destinations, now, held=held))

    async def pending(self) -> list[Stored]:
        """Alerts still to deliver, oldest first."""
        rows = await self.store.query("SELECT * FROM alerts WHERE state = 'pending' ORDER BY id")
        return [_stored(r) for r in rows]

    async def all(self) -> list[Stored]:
        return [_stored(r) for r in await self.store.query("SELECT * FROM alerts ORDER BY id")]

    async def delivered(self, alert_id: int, destination: str) -> None:
        now = iso(self.store.clock.now())

        def write(tx: Tx) -> None:
            row = tx.one("SELECT destinations, delivered FROM alerts WHERE id = ?", [alert_id])
            if row is None:
                return
            done = sorted({*json.loads(row["delivered"]), destination})
            state = "sent" if set(json.loads(row["destinations"])) <= set(done) else "pending"
            tx.execute("UPDATE alerts SET delivered = ?, state = ?, updated_at = ? WHERE id = ?",
                       [json.dumps(done), state, now, alert_id])

        await self.store.write(write)

    async def set_state(self, alert_ids: list[int], state: AlertState) -> None:
        if not alert_ids:
            return
        now = iso(self.store.clock.now())
        marks = ", ".join("?" for _ in alert_ids)
        await self.store.write(lambda tx: tx.execute(
            f"UPDATE alerts SET state = ?, updated_at = ? WHERE id IN ({marks})", [state, now, *alert_ids]))

    async def held_accounts(self) -> list[str]:
        rows = await self.store.query("SELECT DISTINCT account_id FROM alerts WHERE state = 'held' "
                                      "AND account_id IS NOT NULL")
        return [str(r["account_id"]) for r in rows]

    async def held_of(self, account_id: str) -> list[Stored]:
        rows = await self.store.query("SELECT * FROM alerts WHERE state = 'held' AND account_id = ? ORDER BY id",
                                      [account_id])
        return [_stored(r) for r in rows]
