"""Deliveries already handled: a platform that retries a delivery (Slack after 3 s, a reconnecting
gateway) must never make latebot act twice. Kept in SQLite, so a restart does not forget them."""

from __future__ import annotations

from bot.clock import Clock, iso
from bot.store import Store, Tx


class Deliveries:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def first(self, delivery_id: str | None) -> bool:
        """True the first time `delivery_id` is seen (and for deliveries without an id)."""
        if not delivery_id:
            return True
        at = iso(self.clock.now())

        def write(tx: Tx) -> int:
            return tx.insert("deliveries", {"key": delivery_id, "at": at}, or_ignore=True)

        return await self.store.write(write) == 1
