"""Reading and writing approval requests. State changes are compare-and-set with their audit row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.clock import iso
from bot.messages import MessageRef
from bot.request import Outcome, PostDraft, Request, State, idempotency_key, stamp
from bot.store import AuditRow, Store, Tx


class Requests:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def get(self, request_id: str) -> Request | None:
        row = await self.store.query_one("SELECT * FROM requests WHERE id = ?", [request_id])
        if row is None:
            return None
        names = await self.store.query(
            "SELECT approver_name FROM approvals WHERE request_id = ? AND revision = ? ORDER BY at",
            [request_id, row["revision"]],
        )
        return Request.from_row(row, [n["approver_name"] for n in names])

    async def find(
        self, where: str = "1=1", params: Sequence[Any] = (), *, order: str = "created_at", limit: int = 50
    ) -> list[Request]:
        rows = await self.store.query(
            f"SELECT * FROM requests WHERE {where} ORDER BY {order} LIMIT {int(limit)}", list(params)
        )
        return [Request.from_row(r) for r in rows]

    async def by_late_post(self, late_post_id: str) -> Request | None:
        rows = await self.find("late_post_id = ?", [late_post_id], order="created_at DESC", limit=1)
        return rows[0] if rows else None

    async def create(
        self,
        *,
        request_id: str,
        draft: PostDraft,
        requester_id: str,
        requester_name: str,
        chat: str,
        team: str,
        channel: str,
        approvals_required: int,
        allow_self_approval: bool,
        expires_at: datetime | None,
        now: datetime,
        late_post_id: str | None = None,
    ) -> Request:
        digest = draft.content_hash()

        def write(tx: Tx) -> None:
            tx.insert(
                "requests",
                {
                    "id": request_id,
                    "state": "pending",
                    "chat": chat,
                    "team": team,
                    "channel": channel,
                    "requester_id": requester_id,
                    "requester_name": requester_name,
                    "profile_id": draft.profile_id,
                    "revision": 1,
                    "draft": draft.model_dump_json(),
                    "content_hash": digest,
                    "idempotency_key": idempotency_key(request_id, 1),
                    "late_post_id": late_post_id,
                    "approvals_required": approvals_required,
                    "allow_self_approval": int(allow_self_approval),
                    "created_at": iso(now),
                    "updated_at": iso(now),
                    "expires_at": stamp(expires_at),
                },
            )
            add_revision(tx, request_id, 1, draft, requester_name, now)
            tx.audit(
                AuditRow(
                    actor=requester_name,
                    action="submit",
                    request_id=request_id,
                    to_state="pending",
                    content_hash=digest,
                    late_post_id=late_post_id,
                )
            )

        await self.store.write(write)
        created = await self.get(request_id)
        assert created is not None
        return created

    async def set_card(self, request_id: str, ref: MessageRef) -> None:
        def write(tx: Tx) -> None:
            tx.execute(
                "UPDATE requests SET card_chat=?, card_channel=?, card_message_id=?, card_thread=? WHERE id=?",
                [ref.chat, ref.channel, ref.message_id, ref.thread, request_id],
            )

        await self.store.write(write)

    async def transition(
        self,
        request: Request,
        to_state: State,
        *,
        actor: str,
        action: str,
        from_states: Sequence[State] | None = None,
        changes: Mapping[str, Any] | None = None,
        outcome: Outcome | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> bool:
        """Compare-and-set `request` from its state (or `from_states`) to `to_state`, with one audit row."""
        now = self.store.clock.now()
        values: dict[str, Any] = {"state": to_state, "updated_at": iso(now), **(changes or {})}
        if outcome is not None:
            values["outcome"] = outcome.model_dump_json()
            if outcome.late_post_id:
                values["late_post_id"] = outcome.late_post_id
        audit = AuditRow(
            actor=actor,
            action=action,
            request_id=request.id,
            from_state=request.state if from_states is None else ",".join(from_states),
            to_state=to_state,
            content_hash=request.content_hash,
            idempotency_key=values.get("idempotency_key", request.idempotency_key),
            late_post_id=values.get("late_post_id", request.late_post_id),
            detail=detail,
        )

        def write(tx: Tx) -> bool:
            return tx.compare_and_set(
                "requests", request.id, from_states or [request.state], values, audit
            )

        return await self.store.write(write)


def load(tx: Tx, request_id: str) -> Request | None:
    row = tx.one("SELECT * FROM requests WHERE id = ?", [request_id])
    if row is None:
        return None
    names = tx.all(
        "SELECT approver_name FROM approvals WHERE request_id = ? AND revision = ? ORDER BY at",
        [request_id, row["revision"]],
    )
    return Request.from_row(row, [n["approver_name"] for n in names])


def add_revision(tx: Tx, request_id: str, revision: int, draft: PostDraft, author: str, now: datetime) -> None:
    tx.insert(
        "revisions",
        {
            "request_id": request_id,
            "revision": revision,
            "draft": draft.model_dump_json(),
            "content_hash": draft.content_hash(),
            "author": author,
            "at": iso(now),
        },
    )
