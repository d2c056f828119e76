"""Retry: a failed post through Late's retry endpoint; a partly published one by a new post for only
the platforms that failed, under the approval already given.

Late has no per-platform retry and its retry endpoint takes failed posts only, so for a partial post
latebot creates a post with just the failed accounts, its idempotency key derived from the request's
(`<key>-retry<n>`, stored before the call). Accounts that published are never in it.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

from bot.errors import Conflict, NotAllowed, Uncertain, UserError
from bot.followbook import FollowBook
from bot.followup import FollowUps, outcome_for
from bot.late.client import LateClient
from bot.messages import Actor, Place
from bot.policy import Policies, authorize_cancel
from bot.publishing import publish
from bot.request import Request
from bot.settlement import Settlement


class Retries:
    def __init__(self, *, settlement: Settlement, followups: FollowUps, book: FollowBook, late: LateClient,
                 policies: Policies) -> None:
        self.settlement = settlement
        self.policies = policies
        self.followups = followups
        self.book = book
        self.late = late
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def authorize(self, actor: Actor, request: Request, place: Place) -> None:
        """From the request's own workspace (any of its channels: the card's, the alert channel...),
        whoever may cancel it, and whoever approved it (a retry sends what they approved)."""
        if (place.chat, place.team) != (request.chat, request.team):
            raise NotAllowed("This request belongs to another workspace; retry it there.")
        if actor.id == request.decided_by_id:
            return
        try:
            authorize_cancel(actor, request, await self.policies.for_request(request))
        except NotAllowed:
            raise NotAllowed("Only the requester, whoever approved it, an approver or an admin can retry this post.") \
                from None

    async def retry(self, actor: Actor, request: Request, place: Place) -> Request:
        await self.authorize(actor, request, place)
        if request.state != "partial":
            return await self.settlement.retry(actor, request)
        async with self._locks[request.id]:
            request = await self.settlement.get(request.id)
            if request.state != "partial":
                raise Conflict(f"{request.id} changed meanwhile: it is {request.state} now.")
            return await self._failed_platforms(actor, request)

    async def _failed_platforms(self, actor: Actor, request: Request) -> Request:
        post, _ = await self.followups.view(request)
        published = {e.account_id for e in post.platforms if e.status == "published"}
        failed = {e.account_id for e in post.platforms if e.status == "failed"} - published
        targets = [t for t in request.draft.targets if t.account_id in failed]
        if not targets:
            raise Conflict(f"Nothing of {request.id} has failed on Late (any more): /late show {request.id}.")
        claim = await self.book.claim_retry(request.id, request.idempotency_key, [t.account_id for t in targets],
                                            actor, request.content_hash)
        draft = request.draft.model_copy(update={"targets": targets, "mode": "now", "scheduled_for": None})
        attempt = request.model_copy(update={"draft": draft, "idempotency_key": claim.idempotency_key,
                                             "late_post_id": None})
        try:
            made = await publish(self.late, attempt, self.settlement.clock.now())
        except Uncertain:
            raise UserError("Late did not answer in time. Press Retry again: it can only meet the post this "
                            "attempt made, never make a second one.") from None
        if made.late_post_id is None:
            await self.book.retry_made(claim, None)
            raise Conflict(f"Late refused the retry: {made.message}")
        await self.book.retry_made(claim, made.late_post_id)
        post, retries = await self.followups.view(request)
        outcome = outcome_for(request, post, retries)
        return await self.settlement.settle(request, outcome, actor=actor.name, action="retry-failed-platforms",
                                            from_states=["partial"])
