"""The approval requests in the store, behind intent-named methods (no SQL leaves this module).

Every state change is a compare-and-set with its audit row in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Required, TypedDict, Unpack

from bot.clock import iso, parse_iso
from bot.messages import Actor, MessageRef, Place
from bot.request import Author, Outcome, PostDraft, Request, State, Vote, idempotency_key, stamp
from bot.store import AuditRow, Store, Tx

# Whether a recorded vote (voter id, the voter's groups when they voted) counts under today's rules.
Counts = Callable[[str, list[str]], bool]


@dataclass(frozen=True)
class NewRequest:
    """What a new request is made of (the store adds its id, state and times)."""

    id: str
    draft: PostDraft
    requester_id: str
    requester_name: str
    place: Place
    approvals_required: int
    allow_self_approval: bool
    expires_at: datetime | None
    # An edit of a Late post latebot did not create: the request updates that post once approved.
    late_post_id: str | None = None


class Change(TypedDict, total=False):
    """What a `transition` records besides the new state."""

    actor: Required[str]
    action: Required[str]
    actor_id: str | None
    from_states: Sequence[State] | None
    changes: Mapping[str, Any] | None
    outcome: Outcome | None
    detail: Mapping[str, Any] | None


@dataclass(frozen=True)
class Tally:
    """The result of recording one approval: whether it completed the quorum and claimed the request."""

    claimed: bool
    count: int  # the votes that count under today's rules
    # True when this approver had already approved this revision.
    again: bool = False
    # The request as the same transaction left it (one trip to the store fewer per press).
    current: Request | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One line of a request's audit trail, oldest first (`Requests.history`)."""

    at: datetime
    actor: str
    actor_id: str | None
    action: str
    from_state: str | None
    to_state: str | None
    late_post_id: str | None
    detail: dict[str, Any]


OPEN_STATES = ("pending", "publishing", "scheduled", "draft")
FAILED_STATES = ("failed", "partial")


class Requests:
    def __init__(self, store: Store) -> None:
        self.store = store

    # --- reading ---------------------------------------------------------------------------

    async def get(self, request_id: str) -> Request | None:
        return await self.store.look(lambda tx: _load(tx, request_id))

    @staticmethod
    def read(tx: Tx, request_id: str) -> Request | None:
        """`get` inside a trip to the store that reads more."""
        return _load(tx, request_id)

    async def by_late_post(self, late_post_id: str) -> Request | None:
        rows = await self._find("late_post_id = ?", [late_post_id], order="created_at DESC", limit=1)
        return rows[0] if rows else None

    async def open_in(self, place: Place, *, limit: int = 50) -> list[Request]:
        """Pending, publishing, scheduled and draft requests of one channel, oldest first."""
        return await self._find(
            f"chat = ? AND team = ? AND channel = ? AND state IN ({_marks(OPEN_STATES)})",
            [place.chat, place.team, place.channel, *OPEN_STATES],
            limit=limit,
        )

    async def queue_of(self, place: Place, *, failed_since: datetime, limit: int = 20) -> tuple[list[Request], int]:
        """A channel's queue: its open requests, then those that failed (or partly) since
        `failed_since`, oldest first within each; at most `limit` of them, and how many there are."""
        where = (f"chat = ? AND team = ? AND channel = ? AND (state IN ({_marks(OPEN_STATES)}) OR "
                 f"(state IN ({_marks(FAILED_STATES)}) AND updated_at >= ?))")
        params = [place.chat, place.team, place.channel, *OPEN_STATES, *FAILED_STATES, iso(failed_since)]
        order = f"CASE WHEN state IN ({', '.join(repr(s) for s in FAILED_STATES)}) THEN 1 ELSE 0 END, created_at"
        shown = await self._find(where, params, order=order, limit=limit)
        counted = await self.store.query_one(f"SELECT COUNT(*) AS n FROM requests WHERE {where}", params)
        return shown, int(counted["n"]) if counted else len(shown)

    async def history(self, request_id: str) -> list[AuditEntry]:
        """Everything the audit table holds about one request, oldest first."""
        rows = await self.store.query(
            "SELECT at, actor, actor_id, action, from_state, to_state, late_post_id, detail FROM audit "
            "WHERE request_id = ? ORDER BY id", [request_id])
        return [AuditEntry(at=parse_iso(r["at"]), actor=r["actor"], actor_id=r["actor_id"], action=r["action"],
                           from_state=r["from_state"], to_state=r["to_state"], late_post_id=r["late_post_id"],
                           detail=json.loads(r["detail"]) if r["detail"] else {}) for r in rows]

    async def pending_of(self, profile_id: str) -> list[Request]:
        """Pending requests for one Late profile (to re-count them when its rules change)."""
        return await self._find("state = 'pending' AND profile_id = ?", [profile_id])

    async def due_to_expire(self, now: datetime) -> list[Request]:
        return await self._find("state = 'pending' AND expires_at <= ?", [iso(now)])

    async def publishing(self) -> list[Request]:
        """Requests left in `publishing` (a crash, a timeout, Late still at it)."""
        return await self._find("state = 'publishing'", [])

    async def without_card(self, *, created_before: datetime) -> list[Request]:
        """Pending requests whose approval card was never posted, oldest first."""
        return await self._find("state = 'pending' AND card_message_id IS NULL AND created_at <= ?",
                                [iso(created_before)])

    async def owed_notices(self, *, updated_before: datetime) -> list[Request]:
        """Requests whose recorded outcome was never told (the process stopped in between)."""
        return await self._find("owed_notice = 1 AND updated_at <= ?", [iso(updated_before)])

    async def notice_sent(self, request_id: str) -> None:
        await self.store.write(
            lambda tx: tx.execute("UPDATE requests SET owed_notice = 0 WHERE id = ?", [request_id])
        )

    async def using_account(self, account_id: str, states: Sequence[State]) -> list[Request]:
        """Requests in `states` with a target on this Late account, soonest first (the posts at risk)."""
        return await self._find(
            f"state IN ({_marks(states)}) AND EXISTS (SELECT 1 FROM json_each(draft, '$.targets') t "
            "WHERE json_extract(t.value, '$.account_id') = ?)",
            [*states, account_id], order="scheduled_for IS NULL, scheduled_for, created_at",
        )

    async def following(self, now: datetime) -> list[Request]:
        """Requests Late has taken on and not finished: scheduled ones once due, and publish-now ones."""
        return await self._find(
            "state = 'scheduled' AND late_post_id IS NOT NULL AND (scheduled_for IS NULL OR scheduled_for <= ?)",
            [iso(now)], order="scheduled_for",
        )

    async def failed_in(self, place: Place, *, limit: int = 50) -> list[Request]:
        """Failed and partly published requests of one channel, newest first."""
        return await self._find(
            f"chat = ? AND team = ? AND channel = ? AND state IN ({_marks(FAILED_STATES)})",
            [place.chat, place.team, place.channel, *FAILED_STATES], order="updated_at DESC", limit=limit,
        )

    async def _find(
        self, where: str, params: Sequence[Any], *, order: str = "created_at", limit: int = 500
    ) -> list[Request]:
        sql = f"SELECT * FROM requests WHERE {where} ORDER BY {order} LIMIT {int(limit)}"
        return await self.store.look(lambda tx: _whole(tx, sql, params))

    # --- writing ---------------------------------------------------------------------------

    async def create(self, new: NewRequest, now: datetime) -> Request:
        digest = new.draft.content_hash()

        def write(tx: Tx) -> None:
            tx.insert(
                "requests",
                {
                    "id": new.id,
                    "state": "pending",
                    "chat": new.place.chat,
                    "team": new.place.team,
                    "channel": new.place.channel,
                    "requester_id": new.requester_id,
                    "requester_name": new.requester_name,
                    "profile_id": new.draft.profile_id,
                    "revision": 1,
                    "draft": new.draft.model_dump_json(),
                    "content_hash": digest,
                    "idempotency_key": idempotency_key(new.id, 1),
                    "late_post_id": new.late_post_id,
                    "approvals_required": new.approvals_required,
                    "allow_self_approval": int(new.allow_self_approval),
                    "created_at": iso(now),
                    "updated_at": iso(now),
                    "expires_at": stamp(new.expires_at),
                    "scheduled_for": stamp(new.draft.scheduled_for),
                },
            )
            _add_revision(tx, new.id, 1, new.draft, new.requester_id, new.requester_name, now)
            tx.audit(
                AuditRow(
                    actor=new.requester_name, actor_id=new.requester_id, action="submit", request_id=new.id,
                    to_state="pending", content_hash=digest, late_post_id=new.late_post_id,
                )
            )

        await self.store.write(write)
        created = await self.get(new.id)
        assert created is not None
        return created

    async def set_card(self, request_id: str, ref: MessageRef) -> None:
        def write(tx: Tx) -> None:
            tx.execute(
                "UPDATE requests SET card_chat=?, card_channel=?, card_message_id=?, card_thread=? WHERE id=?",
                [ref.chat, ref.channel, ref.message_id, ref.thread, request_id],
            )

        await self.store.write(write)

    async def transition(self, request: Request, to_state: State, **change: Unpack[Change]) -> bool:
        """Compare-and-set `request` from its state (or `from_states`) to `to_state`, with one audit row."""
        moved, _ = await self.transition_and_load(request, to_state, load=False, **change)
        return moved

    async def transition_and_load(
        self, request: Request, to_state: State, *, actor: str, action: str, actor_id: str | None = None,
        from_states: Sequence[State] | None = None, changes: Mapping[str, Any] | None = None,
        outcome: Outcome | None = None, detail: Mapping[str, Any] | None = None, load: bool = True,
    ) -> tuple[bool, Request | None]:
        """`transition`, and the request as that same transaction left it (when `load`)."""
        now = self.store.clock.now()
        values: dict[str, Any] = {"state": to_state, "updated_at": iso(now), **(changes or {})}
        if outcome is not None:
            values["outcome"] = outcome.model_dump_json()
            if outcome.late_post_id:
                values["late_post_id"] = outcome.late_post_id
        audit = AuditRow(
            actor=actor, actor_id=actor_id, action=action, request_id=request.id,
            from_state=request.state if from_states is None else ",".join(from_states), to_state=to_state,
            content_hash=request.content_hash, idempotency_key=values.get("idempotency_key", request.idempotency_key),
            late_post_id=values.get("late_post_id", request.late_post_id), detail=detail,
        )

        def write(tx: Tx) -> tuple[bool, Request | None]:
            # The revision too: a change decided on what one revision says must not land on the next.
            moved = tx.compare_and_set("requests", request.id, from_states or [request.state], values, audit,
                                       expect={"revision": request.revision})
            return moved, _load(tx, request.id) if load else None

        return await self.store.write(write)

    async def record_approval(
        self, request: Request, actor: Actor | None, now: datetime, *, counts: Counts, required: int
    ) -> Tally:
        """Add `actor`'s approval of the request's current revision (None: only recount), then count
        the votes that count under today's rules; when they reach `required`, claim
        `pending -> publishing` with the revision's idempotency key. One transaction: two approvers
        racing for the last vote cannot both claim it."""
        key = idempotency_key(request.id, request.revision)
        at = iso(now)

        def write(tx: Tx) -> Tally:
            row = tx.one("SELECT state, revision FROM requests WHERE id = ?", [request.id])
            if row is None or row["state"] != "pending" or row["revision"] != request.revision:
                return Tally(claimed=False, count=0)  # decided, or edited meanwhile
            again = False
            if actor is not None:
                again = tx.insert(
                    "approvals",
                    {"request_id": request.id, "revision": request.revision, "approver_id": actor.id,
                     "approver_name": actor.name, "groups": json.dumps(list(actor.groups)), "at": at},
                    or_ignore=True,
                ) == 0
            votes = tx.all(
                "SELECT approver_id, groups, approver_name FROM approvals WHERE request_id = ? AND revision = ? "
                "ORDER BY at",
                [request.id, request.revision],
            )
            counted = [v for v in votes if counts(v["approver_id"], json.loads(v["groups"] or "[]"))]
            n = len(counted)
            who = actor or Actor(id=counted[-1]["approver_id"], name=counted[-1]["approver_name"]) if counted else None
            if n < required or who is None:
                if actor is not None and not again:
                    tx.audit(AuditRow(
                        actor=actor.name, actor_id=actor.id, action="approve", request_id=request.id,
                        from_state="pending", to_state="pending", content_hash=request.content_hash,
                        detail={"approvals": n, "required": required, "revision": request.revision},
                    ))
                return Tally(claimed=False, count=n, again=again)
            won = tx.compare_and_set(
                "requests", request.id, "pending",
                {"state": "publishing", "idempotency_key": key, "decided_by": who.name, "decided_by_id": who.id,
                 "decided_at": at, "updated_at": at, "approvals_required": required},
                AuditRow(
                    actor=who.name, actor_id=who.id, action="approve" if actor else "quorum",
                    request_id=request.id, from_state="pending", to_state="publishing",
                    content_hash=request.content_hash, idempotency_key=key, late_post_id=request.late_post_id,
                    detail={"approvals": n, "required": required, "revision": request.revision},
                ),
            )
            return Tally(claimed=won, count=n, again=again)

        return await self.store.write(lambda tx: replace(write(tx), current=_load(tx, request.id)))

    async def revise(
        self, request: Request, draft: PostDraft, *, author: Actor, now: datetime, expires_at: datetime,
        late_post_id: str | None,
    ) -> bool:
        """Replace the draft with a new revision, back to `pending`; approvals given so far are void
        (they belong to the old revision). `late_post_id` is the Late post the request keeps (None
        once an approved post was taken off Late's schedule for the edit)."""
        revision = request.revision + 1
        digest = draft.content_hash()

        def write(tx: Tx) -> bool:
            won = tx.compare_and_set(
                "requests", request.id, request.state,
                {"state": "pending", "revision": revision, "draft": draft.model_dump_json(),
                 "content_hash": digest, "updated_at": iso(now), "decided_by": None, "decided_by_id": None,
                 "decided_at": None, "outcome": None, "late_post_id": late_post_id,
                 "expires_at": iso(expires_at), "scheduled_for": stamp(draft.scheduled_for),
                 "idempotency_key": idempotency_key(request.id, revision)},
                AuditRow(actor=author.name, actor_id=author.id, action="edit", request_id=request.id,
                         from_state=request.state, to_state="pending", content_hash=digest,
                         late_post_id=request.late_post_id, detail={"revision": revision}),
                expect={"revision": request.revision},  # two edits of one revision: the second loses
            )
            if won:
                _add_revision(tx, request.id, revision, draft, author.id, author.name, now)
            return won

        return await self.store.write(write)


def _marks(values: Sequence[str]) -> str:
    return ", ".join("?" for _ in values)


def _load(tx: Tx, request_id: str) -> Request | None:
    found = _whole(tx, "SELECT * FROM requests WHERE id = ?", [request_id])
    return found[0] if found else None


def _whole(tx: Tx, sql: str, params: Sequence[Any]) -> list[Request]:
    """The requests `sql` selects, each with its current revision's votes and its authors: a card
    drawn from a request without them would name the wrong author and count no approvals."""
    rows = tx.all(sql, list(params))
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    votes: dict[str, list[Vote]] = {i: [] for i in ids}
    for v in tx.all(
        f"SELECT a.request_id, a.approver_id, a.approver_name, a.groups, a.at FROM approvals a "
        f"JOIN requests r ON r.id = a.request_id AND r.revision = a.revision "
        f"WHERE a.request_id IN ({_marks(ids)}) ORDER BY a.at", ids,
    ):
        votes[v["request_id"]].append(Vote(approver_id=v["approver_id"], approver_name=v["approver_name"],
                                           groups=json.loads(v["groups"] or "[]"), at=parse_iso(v["at"])))
    authors: dict[str, list[Author]] = {i: [] for i in ids}
    for a in tx.all(f"SELECT request_id, revision, author, author_id FROM revisions "
                    f"WHERE request_id IN ({_marks(ids)}) ORDER BY revision", ids):
        authors[a["request_id"]].append(
            Author(revision=a["revision"], author_id=a["author_id"] or a["author"], author_name=a["author"]))
    return [Request.from_row(r, votes[r["id"]], authors[r["id"]]) for r in rows]


def _add_revision(
    tx: Tx, request_id: str, revision: int, draft: PostDraft, author_id: str, author_name: str, now: datetime
) -> None:
    tx.insert(
        "revisions",
        {
            "request_id": request_id,
            "revision": revision,
            "draft": draft.model_dump_json(),
            "content_hash": draft.content_hash(),
            "author": author_name,
            "author_id": author_id,
            "at": iso(now),
        },
    )
