"""The approval gate: submit, approve, reject, edit, cancel, expire; each a compare-and-set with audit.

Once a request is claimed (`pending -> publishing`), `bot.settlement` sends it to Late and records
what Late made of it.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.card import describe_time
from bot.channels import ChannelConfig, Channels
from bot.clock import Clock, IdGen, iso
from bot.errors import Conflict, NotFound, UserError
from bot.late.client import LateClient
from bot.messages import Actor, Place
from bot.notices import Notices
from bot.policy import authorize_cancel, authorize_decision
from bot.request import PostDraft, Request
from bot.requests import NewRequest, Requests
from bot.settlement import Settlement, already

log = logging.getLogger("latebot.approval")


class Approvals:
    def __init__(
        self,
        *,
        requests: Requests,
        late: LateClient,
        notices: Notices,
        channels: Channels,
        settlement: Settlement,
        clock: Clock,
        ids: IdGen,
    ) -> None:
        self.requests = requests
        self.settlement = settlement
        self.late = late
        self.notices = notices
        self.channels = channels
        self.clock = clock
        self.ids = ids

    # --- reading ---------------------------------------------------------------------------

    async def get(self, request_id: str) -> Request:
        request = await self.requests.get(request_id.strip())
        if request is None:
            raise NotFound(f"There is no request '{request_id}'. /late queue lists the open ones.")
        return request

    async def find(self, key: str) -> Request | None:
        """The request with this id, or the one that made the Late post with this id."""
        return await self.requests.get(key) or await self.requests.by_late_post(key)

    async def queue(self, place: Place) -> list[Request]:
        return await self.requests.open_in(place)

    # --- submit ----------------------------------------------------------------------------

    async def submit(
        self, actor: Actor, place: Place, draft: PostDraft, config: ChannelConfig, *, late_post_id: str | None = None
    ) -> Request:
        now = self.clock.now()
        new = NewRequest(
            id=self.ids(), draft=draft, requester_id=actor.id, requester_name=actor.name, place=place,
            approvals_required=config.approvals_required, allow_self_approval=config.allow_self_approval,
            expires_at=now + timedelta(hours=config.expiry_hours), late_post_id=late_post_id,
        )
        request = await self.requests.create(new, now)
        log.info("request %s submitted by %s in %s/%s", request.id, actor.id, place.chat, place.channel)
        ref = await self.notices.post_card(request, config.approval_place)
        if ref is not None:
            await self.requests.set_card(request.id, ref)
        return request

    # --- approve / reject --------------------------------------------------------------------

    async def approve(self, actor: Actor, request_id: str) -> Request:
        request = await self.get(request_id)
        config = await self.channels.get(request.place)
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
        vote = await self.requests.record_approval(request, actor.id, actor.name, now)
        if not vote.claimed:
            current = await self.get(request.id)
            if current.state == "pending":
                await self.notices.refresh_card(current)
                return current
            raise Conflict(f"Already decided: {already(current.state)}.")
        return await self.settlement.publish(await self.get(request.id), actor)

    async def reject(self, actor: Actor, request_id: str, reason: str) -> Request:
        request = await self.get(request_id)
        config = await self.channels.get(request.place)
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
            raise Conflict(f"Already decided: {already(current.state)}.")
        final = await self.get(request.id)
        await self.notices.refresh_card(final)
        await self.notices.tell(final, f"Your post {final.id} was rejected by {actor.name}: {reason}")
        return final

    # --- edit / cancel ---------------------------------------------------------------------

    async def edit(self, actor: Actor, request_id: str, draft: PostDraft) -> Request:
        request = await self.get(request_id)
        config = await self.channels.get(request.place)
        if actor.id != request.requester_id:
            authorize_decision(actor, request, config, "edit")
        if request.state not in ("pending", "scheduled", "draft"):
            raise Conflict(f"This post can't be edited any more: {already(request.state)}.")
        now = self.clock.now()
        expires = now + timedelta(hours=config.expiry_hours)
        if not await self.requests.revise(request, draft, author=actor.name, now=now, expires_at=expires):
            raise Conflict("Someone changed this request at the same time; look at the card and try again.")
        final = await self.get(request.id)
        await self.notices.refresh_card(final)
        if request.approvers or request.state != "pending":
            await self.notices.tell(final, f"{actor.name} edited post {final.id}; it needs approval again.")
        return final

    async def cancel(self, actor: Actor, request_id: str) -> Request:
        request = await self.get(request_id)
        config = await self.channels.get(request.place)
        authorize_cancel(actor, request, config)
        if request.state not in ("pending", "scheduled", "draft"):
            raise Conflict(f"Nothing to cancel: {already(request.state)}.")
        if request.state in ("scheduled", "draft") and request.late_post_id:
            await self.late.delete_post(request.late_post_id)
        moved = await self.requests.transition(
            request, "cancelled", actor=actor.name, action="cancel",
            changes={"decided_by": actor.name, "decided_at": iso(self.clock.now())},
        )
        if not moved:
            raise Conflict("This request changed at the same time; look at the card.")
        final = await self.get(request.id)
        await self.notices.refresh_card(final)
        return final

    # --- expiry ----------------------------------------------------------------------------

    async def _expire(self, request: Request) -> None:
        if await self.requests.transition(request, "expired", actor="latebot", action="expire",
                                          from_states=["pending"]):
            final = await self.get(request.id)
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
