"""Late webhook event ids latebot has taken in: Late retries a delivery (same id) until it gets a 2xx,
so each id is handled once. An id is claimed before its event is handled and given back if handling
fails, so that Late's next attempt is handled rather than ignored."""

from __future__ import annotations

from bot.clock import iso
from bot.store import Store


class WebhookEvents:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def claim(self, event_id: str, event: str) -> bool:
        """True the first time `event_id` is seen."""
        now = iso(self.store.clock.now())
        return await self.store.write(lambda tx: tx.insert(
            "webhook_events", {"id": event_id, "event": event, "received_at": now}, or_ignore=True) == 1)

    async def release(self, event_id: str) -> None:
        await self.store.write(lambda tx: tx.execute("DELETE FROM webhook_events WHERE id = ?", [event_id]))

    async def count(self) -> int:
        row = await self.store.query_one("SELECT count(*) AS n FROM webhook_events")
        return int(row["n"]) if row else 0
