"""Bookkeeping of the follow-ups: when to look at a Late post again, and the extra Late posts that
retrying the failed platforms of a partly published request made (`retry_posts`).

A retry post's idempotency key is stored here before Late is called (`claim_retry`), numbered per
request. A claim whose answer never came is handed out again with the same key, so asking again (a
second press, a restart) can only meet the post the first attempt made, never make a second one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from bot.clock import iso, parse_iso
from bot.messages import Actor
from bot.store import AuditRow, Store, Tx


@dataclass(frozen=True)
class RetryPost:
    request_id: str
    n: int
    idempotency_key: str
    late_post_id: str | None
    accounts: list[str]


def _retry(row: dict[str, object]) -> RetryPost:
    return RetryPost(request_id=str(row["request_id"]), n=int(str(row["n"])),
                     idempotency_key=str(row["idempotency_key"]),
                     late_post_id=str(row["late_post_id"]) if row["late_post_id"] else None,
                     accounts=list(json.loads(str(row["accounts"]))))


class FollowBook:
    def __init__(self, store: Store) -> None:
        self.store = store

    # --- when to look again --------------------------------------------------------------------

    async def next_checks(self) -> dict[str, tuple[int, datetime | None]]:
        """request id -> (checks so far, when the next is due)."""
        rows = await self.store.query("SELECT request_id, checks, next_at FROM followups")
        return {r["request_id"]: (r["checks"], parse_iso(r["next_at"]) if r["next_at"] else None) for r in rows}

    async def checked(self, request_id: str, late_status: str | None, next_at: datetime) -> None:
        now = iso(self.store.clock.now())
        await self.store.write(lambda tx: tx.execute(
            "INSERT INTO followups (request_id, checks, next_at, late_status, updated_at) VALUES (?, 1, ?, ?, ?) "
            "ON CONFLICT(request_id) DO UPDATE SET checks = checks + 1, next_at = excluded.next_at, "
            "late_status = excluded.late_status, updated_at = excluded.updated_at",
            [request_id, iso(next_at), late_status, now]))

    async def done(self, request_id: str) -> None:
        await self.store.write(lambda tx: tx.execute("DELETE FROM followups WHERE request_id = ?", [request_id]))

    # --- retry posts -----------------------------------------------------------------------------

    async def retries(self, request_id: str) -> list[RetryPost]:
        rows = await self.store.query("SELECT * FROM retry_posts WHERE request_id = ? ORDER BY n", [request_id])
        return [_retry(r) for r in rows]

    async def request_of(self, late_post_id: str) -> str | None:
        row = await self.store.query_one("SELECT request_id FROM retry_posts WHERE late_post_id = ?", [late_post_id])
        return str(row["request_id"]) if row else None

    async def claim_retry(self, request_id: str, key_base: str, accounts: list[str], actor: Actor,
                          content_hash: str) -> RetryPost:
        """The next retry of `request_id` (or the unanswered one), its key stored before Late sees it."""
        now = iso(self.store.clock.now())

        def write(tx: Tx) -> RetryPost:
            open_claim = tx.one("SELECT * FROM retry_posts WHERE request_id = ? AND late_post_id IS NULL",
                                [request_id])
            if open_claim is not None:
                return _retry(open_claim)
            row = tx.one("SELECT count(*) AS n FROM retry_posts WHERE request_id = ?", [request_id])
            n = (row or {}).get("n", 0) + 1
            key = f"{key_base}-retry{n}"
            tx.insert("retry_posts", {"request_id": request_id, "n": n, "idempotency_key": key,
                                      "accounts": json.dumps(accounts), "actor": actor.name,
                                      "actor_id": actor.id, "created_at": now})
            tx.audit(AuditRow(actor=actor.name, actor_id=actor.id, action="retry-failed-platforms",
                              request_id=request_id, content_hash=content_hash, idempotency_key=key,
                              detail={"accounts": accounts}))
            return RetryPost(request_id, n, key, None, accounts)

        return await self.store.write(write)

    async def retry_made(self, retry: RetryPost, late_post_id: str | None) -> None:
        """Late's answer to a claimed retry: its post, or (no post made) the claim given back."""
        if late_post_id is None:
            await self.store.write(lambda tx: tx.execute(
                "DELETE FROM retry_posts WHERE request_id = ? AND n = ?", [retry.request_id, retry.n]))
            return
        await self.store.write(lambda tx: tx.execute(
            "UPDATE retry_posts SET late_post_id = ? WHERE request_id = ? AND n = ?",
            [late_post_id, retry.request_id, retry.n]))
