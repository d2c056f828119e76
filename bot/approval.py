"""The approval gate: submit, approve, reject, edit, cancel, expire; each a compare-and-set with audit.

Every decision is checked at the moment it is made (`bot.policy`): by the decider's platform id,
for the exact revision the decider saw, from the request's own chat and channel, under the brand's
rules as they are now. Once a request is claimed (`pending -> publishing`), `bot.settlement` sends it
to Late and records what Late made of it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.clock import Clock, IdGen, describe_time, iso
from bot.errors import Conflict, LateError, LateNotFoundError, NotAllowed, NotFound, UserError, new_reference
from bot.late.client import LateClient
from bot.messages import Actor, Place
from bot.notices import Notices
from bot.policy import Policies, Policy, authorize_cancel, authorize_decision, counts_for, is_author
from bot.request import PostDraft, Request
from bot.requests import AuditEntry, NewRequest, Requests, Tally
from bot.settlement import Settlement, already
from bot.store import Tx

log = logging.getLogger("latebot.approval")


def _missing(request_id: str) -> NotFound:
    return NotFound(f"There is no request '{request_id}'. /late queue lists the open ones.")


class StaleRevision(Conflict):
    """A decision made on a card of an older revision: refused, with the current request to show."""

    def __init__(self, request: Request, seen: int) -> None:
        super().__init__(f"This card shows an older version (revision {request.revision} is current); "
                         "here is the current one.")
        self.request, self.seen = request, seen  # seen: the revision the decider saw


class CardPending(UserError):
    """The request is saved, but its approval card could not be posted yet; the scheduler posts it."""

    def __init__(self, request: Request, why: str) -> None:
        super().__init__(f"Saved as request {request.id}, but its approval card could not be posted yet ({why}). "
                         "latebot keeps trying, and tells you in the card's thread once it is up.")
        self.request = request


class Approvals:
    def __init__(
        self,
        *,
        requests: Requests,
        late: LateClient,
        notices: Notices,
        policies: Policies,
        settlement: Settlement,
        clock: Clock,
        ids: IdGen,
    ) -> None:
        self.requests = requests
        self.settlement = settlement
        self.late = late
        self.notices = notices
        self.policies = policies
        self.clock = clock
        self.ids = ids
        # Requests whose card this process is posting right now: the scheduler leaves them alone.
        self.posting: set[str] = set()

    # --- reading ---------------------------------------------------------------------------

    async def get(self, request_id: str) -> Request:
        request = await self.requests.get(request_id.strip())
        if request is None:
            raise _missing(request_id)
        return request

    async def find(self, key: str) -> Request | None:
        """The request with this id, or the one that made the Late post with this id."""
        found = await self.requests.get(key) or await self.requests.by_late_post(key)
        return await self.requests.get(found.id) if found is not None else None

    async def queue(self, place: Place) -> list[Request]:
        return await self.requests.open_in(place)

    async def listing(self, place: Place, *, failed_since: datetime, limit: int) -> tuple[list[Request], int]:
        """The channel's open requests, then those failed since `failed_since`; and how many in all."""
        return await self.requests.queue_of(place, failed_since=failed_since, limit=limit)

    async def history(self, request_id: str) -> list[AuditEntry]:
        """The request's audit trail, oldest first."""
        return await self.requests.history(request_id)

    # --- submit ----------------------------------------------------------------------------

    async def submit(
        self, actor: Actor, place: Place, draft: PostDraft, *, late_post_id: str | None = None
    ) -> Request:
        policy = await self.policies.for_place(place, draft.profile_id)
        if policy.nobody_here:
            raise UserError(
                "This brand's posts need its approvers, and none is named in this workspace, so no one here "
                "could approve this. An admin can name approvers here first.",
                example="/late config approvers @alice @bob",
            )
        now = self.clock.now()
        new = NewRequest(
            id=self.ids(), draft=draft, requester_id=actor.id, requester_name=actor.name, place=place,
            approvals_required=policy.approvals_required, allow_self_approval=policy.allow_self_approval,
            expires_at=now + timedelta(hours=policy.expiry_hours), late_post_id=late_post_id,
        )
        request = await self.requests.create(new, now)
        log.info("request %s submitted by %s in %s/%s", request.id, actor.id, place.chat, place.channel)
        self.posting.add(request.id)
        try:
            ref = await self.notices.post_card(request, policy.approval_place)
        except Exception as exc:
            # Saved, but with no card anywhere: the scheduler posts it once the chat takes it.
            if isinstance(exc, UserError):
                log.warning("request %s: its card could not be posted: %s", request.id, exc)
                raise CardPending(request, str(exc)) from None
            code = new_reference()
            log.warning("request %s: its card could not be posted (ref %s)", request.id, code, exc_info=exc)
            raise CardPending(request, f"the chat did not take it; ref {code}") from None
        finally:
            self.posting.discard(request.id)
        if ref is not None:
            await self.requests.set_card(request.id, ref)
        return await self.get(request.id)

    async def post_missing_card(self, request: Request) -> Request:
        """Post the card a pending request never got, and tell the requester where it is."""
        policy = await self.policies.for_request(request)
        self.posting.add(request.id)
        try:
            current = await self.get(request.id)
            if current.state != "pending" or current.card is not None:
                return current
            ref = await self.notices.post_card(current, policy.approval_place)
        finally:
            self.posting.discard(request.id)
        if ref is None:
            return current  # that chat's adapter is not running in this process
        await self.requests.set_card(request.id, ref)
        final = await self.get(request.id)
        log.info("request %s: its card is posted now (%s)", final.id, ref.message_id)
        await self.notices.tell(final, f"Your post {final.id} is waiting for approval here (its card could not be "
                                       "posted when you sent it).")
        return final

    # --- checks every decision makes -------------------------------------------------------

    @staticmethod
    def check_place(request: Request, place: Place | None) -> None:
        """A request is decided from its own workspace, in its channel or its card's."""
        if place is None:
            return
        home = {request.channel, *([request.card.channel] if request.card else [])}
        if (place.chat, place.team) != (request.chat, request.team) or place.channel not in home:
            raise NotAllowed("This request belongs to another channel; decide it there.")

    @staticmethod
    def check_revision(request: Request, revision: int | None) -> None:
        if revision is not None and revision != request.revision:
            raise StaleRevision(request, revision)

    async def _decidable(self, actor: Actor, request_id: str, revision: int | None, place: Place | None,
                         action: str) -> tuple[Request, Policy]:
        request, policy = await self._with_policy(request_id)
        self.check_place(request, place)
        self._check_open(request)
        self.check_revision(request, revision)
        authorize_decision(actor, request, policy, action)
        return request, policy

    async def _with_policy(self, request_id: str) -> tuple[Request, Policy]:
        """The request and the rules it is decided under, in one trip to the store (every press)."""
        def read(tx: Tx) -> tuple[Request | None, Policy | None]:
            found = self.requests.read(tx, request_id.strip())
            return found, None if found is None else self.policies.read(tx, found.place, found.profile_id)

        request, policy = await self.requests.store.look(read)
        if request is None or policy is None:
            raise _missing(request_id)
        return request, policy

    async def may_decide(self, actor: Actor, request_id: str, revision: int | None, place: Place | None,
                         action: str) -> Request:
        """The request, when `actor` may `action` it now (before a form opens); else the refusal."""
        request, _ = await self._decidable(actor, request_id, revision, place, action)
        return request

    async def may_edit(self, actor: Actor, request_id: str, revision: int | None, place: Place | None) -> Request:
        request = await self.get(request_id)
        self.check_place(request, place)
        self.check_revision(request, revision)
        if request.state not in ("pending", "scheduled", "draft"):
            raise Conflict(f"This post can't be edited any more: {already(request.state)}.")
        if not is_author(actor, request):
            authorize_decision(actor, request, await self.policies.for_request(request), "edit")
        return request

    # --- approve / reject --------------------------------------------------------------------

    async def approve(self, actor: Actor, request_id: str, *, revision: int | None = None,
                      place: Place | None = None) -> tuple[Request, Tally]:
        request, policy = await self._decidable(actor, request_id, revision, place, "approve")
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
        tally = await self.requests.record_approval(
            request, actor, now, counts=counts_for(request, policy), required=policy.approvals_required
        )
        current = tally.current or await self.get(request.id)
        if not tally.claimed:
            if current.state == "pending":
                await self.notices.refresh_card(current, policy)
                return current, tally
            raise Conflict(f"Already decided: {already(current.state)}.")
        return await self.settlement.publish(current, actor), tally

    async def reevaluate(self, profile_id: str) -> int:
        """After the brand's rules changed (a lower quorum, an approver removed): count every pending
        request's votes again under the new rules; publish those that now have enough."""
        published = 0
        for request in await self.requests.pending_of(profile_id):
            policy = await self.policies.for_request(request)
            tally = await self.requests.record_approval(
                request, None, self.clock.now(), counts=counts_for(request, policy),
                required=policy.approvals_required,
            )
            if tally.claimed:
                published += 1
                await self.settlement.publish(tally.current or await self.get(request.id), None)
            else:
                await self.notices.refresh_card(tally.current or await self.get(request.id), policy)
        return published

    async def reject(self, actor: Actor, request_id: str, reason: str, *, revision: int | None = None,
                     place: Place | None = None) -> Request:
        request, _ = await self._decidable(actor, request_id, revision, place, "reject")
        reason = reason.strip()
        if not reason:
            raise UserError("Say why you reject it, so the requester can fix it.")
        now = iso(self.clock.now())
        moved, final = await self.requests.transition_and_load(
            request, "rejected", actor=actor.name, actor_id=actor.id, action="reject", from_states=["pending"],
            changes={"decided_by": actor.name, "decided_by_id": actor.id, "decided_at": now, "reason": reason[:1000]},
        )
        if not moved or final is None:
            current = await self.get(request.id)
            self._check_open(current)
            raise StaleRevision(current, request.revision)  # still pending: edited since the reject was asked for
        await self.notices.refresh_card(final)
        await self.notices.tell(final, f"Your post {final.id} was rejected by {actor.name}: {reason}")
        return final

    # --- edit / cancel ---------------------------------------------------------------------

    async def edit(self, actor: Actor, request_id: str, draft: PostDraft, *, revision: int | None = None,
                   place: Place | None = None) -> Request:
        request = await self.may_edit(actor, request_id, revision, place)
        policy = await self.policies.for_request(request)
        late_post_id = request.late_post_id
        if request.state in ("scheduled", "draft") and late_post_id:
            # Off Late's schedule first: until the new text is approved, nothing may go out.
            await self._take_off_late(late_post_id)
            late_post_id = None
        now = self.clock.now()
        expires = now + timedelta(hours=policy.expiry_hours)
        if not await self.requests.revise(request, draft, author=actor, now=now, expires_at=expires,
                                          late_post_id=late_post_id):
            raise Conflict("Someone changed this request at the same time; look at the card and try again.")
        final = await self.get(request.id)
        await self.notices.refresh_card(final)
        if actor.id != request.requester_id:
            await self.notices.tell(final, f"{actor.name} edited your post {final.id} (revision {final.revision}); "
                                           "it needs approval again.")
        elif request.votes or request.state != "pending":
            await self.notices.tell(final, f"Post {final.id} was edited (revision {final.revision}); "
                                           "it needs approval again.")
        return final

    async def _take_off_late(self, late_post_id: str) -> None:
        try:
            await self.late.delete_post(late_post_id)
        except LateNotFoundError:
            return  # already gone from Late (deleted in its dashboard): nothing is scheduled
        except LateError as exc:
            raise Conflict(f"Late would not take the post off its schedule ({exc.message}), so nothing changed. "
                           "If it was published meanwhile, its card will say so.") from None

    async def cancel(self, actor: Actor, request_id: str, *, place: Place | None = None) -> Request:
        request = await self.get(request_id)
        self.check_place(request, place)
        authorize_cancel(actor, request, await self.policies.for_request(request))
        if request.state not in ("pending", "scheduled", "draft"):
            raise Conflict(f"Nothing to cancel: {already(request.state)}.")
        if request.state in ("scheduled", "draft") and request.late_post_id:
            await self._take_off_late(request.late_post_id)
        moved, final = await self.requests.transition_and_load(
            request, "cancelled", actor=actor.name, actor_id=actor.id, action="cancel",
            changes={"decided_by": actor.name, "decided_by_id": actor.id, "decided_at": iso(self.clock.now())},
        )
        if not moved or final is None:
            raise Conflict("This request changed at the same time; look at the card.")
        await self.notices.refresh_card(final)
        return final

    # --- expiry ----------------------------------------------------------------------------

    async def _expire(self, request: Request) -> None:
        moved, final = await self.requests.transition_and_load(request, "expired", actor="latebot", action="expire",
                                                               from_states=["pending"])
        if moved and final is not None:
            await self.notices.refresh_card(final)
            await self.notices.tell(final, f"Your post {final.id} expired without a decision.")

    async def expire_due(self) -> int:
        due = await self.requests.due_to_expire(self.clock.now())
        for request in due:
            await self._expire(request)
        return len(due)

    @staticmethod
    def _check_open(request: Request) -> None:
        if request.state != "pending":
            raise Conflict(f"Already decided: {already(request.state)}.")
