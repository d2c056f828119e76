"""The approval workflow: submit, approve, reject, edit, cancel; each a compare-and-set with audit."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.card import build_card, describe_time
from bot.chats import Chats
from bot.clock import Clock, IdGen, iso
from bot.errors import Conflict, NotFound, UserError
from bot.late.client import LateClient
from bot.messages import Actor, Place, Reply
from bot.policy import ChannelConfig, Policies, authorize_cancel, authorize_decision
from bot.publishing import STATE_OF, Uncertain, publish
from bot.repository import Requests, add_revision
from bot.request import PostDraft, Request, idempotency_key
from bot.store import AuditRow, Store, Tx

log = logging.getLogger("latebot.approval")

ALREADY = {
    "publishing": "it is being published right now",
    "scheduled": "it was approved and is scheduled",
    "published": "it was approved and published",
    "partial": "it was approved and published (partly)",
    "draft": "it was approved and saved as a draft",
    "failed": "it was approved; Late could not publish it",
    "duplicate": "it was approved; Late already had it",
    "rejected": "it was rejected",
    "cancelled": "it was cancelled",
    "expired": "it expired",
}


class Approvals:
    def __init__(
        self,
        *,
        store: Store,
        late: LateClient,
        chats: Chats,
        clock: Clock,
        ids: IdGen,
        policies: Policies,
        footer: str = "",
    ) -> None:
        self.store = store
        self.late = late
        self.chats = chats
        self.clock = clock
        self.ids = ids
        self.policies = policies
        self.requests = Requests(store)
        self.footer = footer

    # --- reading ---------------------------------------------------------------------------

    async def get(self, request_id: str) -> Request:
        request = await self.requests.get(request_id.strip())
        if request is None:
            raise NotFound(f"There is no request '{request_id}'. /late queue lists the open ones.")
        return request

    # --- submit ----------------------------------------------------------------------------

    async def submit(self, actor: Actor, place: Place, draft: PostDraft, config: ChannelConfig) -> Request:
        now = self.clock.now()
        request = await self.requests.create(
            request_id=self.ids(),
            draft=draft,
            requester_id=actor.id,
            requester_name=actor.name,
            chat=place.chat,
            team=place.team,
            channel=place.channel,
            approvals_required=config.approvals_required,
            allow_self_approval=config.allow_self_approval,
            expires_at=now + timedelta(hours=config.expiry_hours),
            now=now,
        )
        log.info("request %s submitted by %s in %s/%s", request.id, actor.name, place.chat, place.channel)
        ref = await self.chats.post_card(config.approval_place, build_card(request, footer=self.footer))
        if ref is not None:
            await self.requests.set_card(request.id, ref)
        return request

    # --- approve ---------------------------------------------------------------------------

    async def approve(self, actor: Actor, request_id: str) -> Request:
        request = await self.get(request_id)
        config = await self.policies.get(request.place)
        self._check_open(request)
        authorize_decision(actor, request, config, "approve")
        now = self.clock.now()
        if request.expires_at and request.expires_at <= now:
            await self._expire(request)
            raise Conflict("This request expired before anyone approved it; ask for a new one.")
        draft = request.draft
        if draft.mode == "schedule" and draft.scheduled_for and draft.scheduled_for <= now:
            raise UserError(
                f"The scheduled time ({describe_time(draft.scheduled_for, draft.timezone)}) has passed. "
                "Edit the time first (Edit button), then approve.",
            )
        claimed, _ = await self._record_approval(actor, request)
        if not claimed:
            current = await self.get(request.id)
            if current.state == "pending":
                await self.refresh_card(current)
                return current
            raise Conflict(f"Already decided: {ALREADY.get(current.state, current.state)}.")
        claimed_request = await self.get(request.id)
        return await self._publish(claimed_request, actor)

    async def _record_approval(self, actor: Actor, request: Request) -> tuple[bool, int]:
        """Add this approval; when enough, claim pending -> publishing. Both in one transaction."""
        now = iso(self.clock.now())
        key = idempotency_key(request.id, request.revision)

        def write(tx: Tx) -> tuple[bool, int]:
            row = tx.one("SELECT state, revision FROM requests WHERE id = ?", [request.id])
            if row is None or row["state"] != "pending" or row["revision"] != request.revision:
                return False, 0
            tx.insert(
                "approvals",
                {
                    "request_id": request.id,
                    "revision": request.revision,
                    "approver_id": actor.id,
                    "approver_name": actor.name,
                    "at": now,
                },
                or_ignore=True,
            )
            got = tx.one(
                "SELECT count(*) AS n FROM approvals WHERE request_id = ? AND revision = ?",
                [request.id, request.revision],
            )
            n = int(got["n"]) if got else 0
            if n < request.approvals_required:
                tx.audit(
                    AuditRow(
                        actor=actor.name, action="approve", request_id=request.id, from_state="pending",
                        to_state="pending", content_hash=request.content_hash,
                        detail={"approvals": n, "required": request.approvals_required},
                    )
                )
                return False, n
            won = tx.compare_and_set(
                "requests",
                request.id,
                "pending",
                {"state": "publishing", "idempotency_key": key, "decided_by": actor.name,
                 "decided_at": now, "updated_at": now},
                AuditRow(
                    actor=actor.name, action="approve", request_id=request.id, from_state="pending",
                    to_state="publishing", content_hash=request.content_hash, idempotency_key=key,
                    late_post_id=request.late_post_id,
                ),
            )
            return won, n

        return await self.store.write(write)

    async def _publish(self, request: Request, actor: Actor | None) -> Request:
        await self.refresh_card(request)
        try:
            outcome = await publish(self.late, request)
        except Uncertain:
            await self.tell(request, "Late did not answer in time. latebot will check again and will not "
                             "create a second post.")
            return request
        who = actor.name if actor else "latebot"
        log.info("request %s: Late says %s (%s)", request.id, outcome.kind, outcome.late_post_id)
        moved = await self.requests.transition(
            request, STATE_OF[outcome.kind], actor=who, action="publish", from_states=["publishing"],
            outcome=outcome,
        )
        final = await self.get(request.id)
        if moved:
            await self.refresh_card(final)
            await self.tell(final, self.result_text(final))
        return final

    def result_text(self, request: Request) -> str:
        outcome = request.outcome
        assert outcome is not None
        lines = [f"Your post {request.id} was approved by {request.decided_by}: {outcome.message}"]
        if request.state == "scheduled" and request.draft.scheduled_for:
            lines.append(f"It goes out {describe_time(request.draft.scheduled_for, request.draft.timezone)}.")
        lines += [f"{name}: {url}" for name, url in outcome.permalinks.items()]
        lines += [f"{name} failed: {why}" for name, why in outcome.errors.items()]
        return "\n".join(lines)

    # --- reject / edit / cancel ------------------------------------------------------------

    async def reject(self, actor: Actor, request_id: str, reason: str) -> Request:
        request = await self.get(request_id)
        config = await self.policies.get(request.place)
        self._check_open(request)
        authorize_decision(actor, request, config, "reject")
        reason = reason.strip()
        if not reason:
            raise UserError("Say why you reject it, so the requester can fix it.")
        now = iso(self.clock.now())
        moved = await self.requests.transition(
            request, "rejected", actor=actor.name, action="reject", from_states=["pending"],
            changes={"decided_by": actor.name, "decided_at": now, "reason": reason[:1000]},
        )
        if not moved:
            current = await self.get(request.id)
            raise Conflict(f"Already decided: {ALREADY.get(current.state, current.state)}.")
        final = await self.get(request.id)
        await self.refresh_card(final)
        await self.tell(final, f"Your post {final.id} was rejected by {actor.name}: {reason}")
        return final

    async def edit(self, actor: Actor, request_id: str, draft: PostDraft) -> Request:
        request = await self.get(request_id)
        config = await self.policies.get(request.place)
        if actor.id != request.requester_id:
            authorize_decision(actor, request, config, "edit")
        if request.state not in ("pending", "scheduled", "draft"):
            raise Conflict(f"This post can't be edited any more: {ALREADY.get(request.state, request.state)}.")
        now = self.clock.now()
        revision = request.revision + 1
        digest = draft.content_hash()

        def write(tx: Tx) -> bool:
            won = tx.compare_and_set(
                "requests",
                request.id,
                request.state,
                {"state": "pending", "revision": revision, "draft": draft.model_dump_json(),
                 "content_hash": digest, "updated_at": iso(now), "decided_by": None, "decided_at": None,
                 "expires_at": iso(now + timedelta(hours=config.expiry_hours))},
                AuditRow(actor=actor.name, action="edit", request_id=request.id, from_state=request.state,
                         to_state="pending", content_hash=digest, late_post_id=request.late_post_id),
            )
            if won:
                add_revision(tx, request.id, revision, draft, actor.name, now)
            return won

        if not await self.store.write(write):
            raise Conflict("Someone changed this request at the same time; look at the card and try again.")
        final = await self.get(request.id)
        await self.refresh_card(final)
        if request.approvers or request.state != "pending":
            await self.tell(final, f"{actor.name} edited post {final.id}; it needs approval again.")
        return final

    async def cancel(self, actor: Actor, request_id: str) -> Request:
        request = await self.get(request_id)
        config = await self.policies.get(request.place)
        authorize_cancel(actor, request, config)
        if request.state not in ("pending", "scheduled", "draft"):
            raise Conflict(f"Nothing to cancel: {ALREADY.get(request.state, request.state)}.")
        if request.state in ("scheduled", "draft") and request.late_post_id:
            await self.late.delete_post(request.late_post_id)
        moved = await self.requests.transition(
            request, "cancelled", actor=actor.name, action="cancel",
            changes={"decided_by": actor.name, "decided_at": iso(self.clock.now())},
        )
        if not moved:
            raise Conflict("This request changed at the same time; look at the card.")
        final = await self.get(request.id)
        await self.refresh_card(final)
        return final

    # --- housekeeping ----------------------------------------------------------------------

    async def _expire(self, request: Request) -> None:
        if await self.requests.transition(request, "expired", actor="latebot", action="expire",
                                          from_states=["pending"]):
            final = await self.get(request.id)
            await self.refresh_card(final)
            await self.tell(final, f"Your post {final.id} expired without a decision.")

    async def expire_due(self) -> int:
        due = await self.requests.find("state = 'pending' AND expires_at <= ?", [iso(self.clock.now())])
        for request in due:
            await self._expire(request)
        return len(due)

    async def resume(self, request: Request) -> Request:
        """Finish a request left in `publishing` (crash, timeout): same key, so never a second post."""
        from bot.publishing import find_by_metadata, names_of, outcome_of_post

        found = None if request.late_post_id else await find_by_metadata(self.late, request, request.updated_at)
        if found is None:
            return await self._publish(request, None)
        outcome = outcome_of_post(found, names=names_of(request))
        if await self.requests.transition(request, STATE_OF[outcome.kind], actor="latebot", action="reconcile",
                                          from_states=["publishing"], outcome=outcome):
            final = await self.get(request.id)
            await self.refresh_card(final)
            await self.tell(final, self.result_text(final))
            return final
        return await self.get(request.id)

    async def refresh_card(self, request: Request) -> None:
        if request.card is not None:
            await self.chats.update_card(request.card, build_card(request, footer=self.footer))

    async def tell(self, request: Request, text: str) -> None:
        """Tell the requester, in the card's thread where there is one."""
        if request.card is None:
            return
        place = Place(chat=request.card.chat, team=request.card.team, channel=request.card.channel,
                      thread=request.card.message_id)
        await self.chats.send(place, Reply(text=text, ephemeral=False, mention=request.requester_id))

    @staticmethod
    def _check_open(request: Request) -> None:
        if request.state != "pending":
            raise Conflict(f"Already decided: {ALREADY.get(request.state, request.state)}.")
