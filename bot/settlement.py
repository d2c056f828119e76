"""What Late made of a request: publish a claimed request, reconcile one left `publishing`, retry a
failed one, and `settle`, the one place that records a Late outcome (approve, reconcile, follow-up,
retry and webhooks all end there): the state change, the card, the note to the requester.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from bot.card import describe_time
from bot.errors import Conflict, NotFound, Uncertain
from bot.late.client import LateClient
from bot.messages import Actor
from bot.notices import Notices
from bot.publishing import STATE_OF, find_by_metadata, names_of, outcome_of_post, publish
from bot.request import Outcome, Request, State
from bot.requests import Requests

log = logging.getLogger("latebot.settlement")

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
UNKNOWN_OUTCOME = "Late did not answer in time. latebot will check again and will not create a second post."


def already(state: str) -> str:
    return ALREADY.get(state, state)


class Settlement:
    def __init__(self, *, requests: Requests, late: LateClient, notices: Notices) -> None:
        self.requests = requests
        self.late = late
        self.notices = notices
        # Told of every settled change after the card and the requester (the alerts of failed posts).
        self.listeners: list[Callable[[Request], Awaitable[None]]] = []

    async def get(self, request_id: str) -> Request:
        request = await self.requests.get(request_id)
        if request is None:
            raise NotFound(f"There is no request '{request_id}'.")
        return request

    async def publish(self, request: Request, actor: Actor | None) -> Request:
        """Send a claimed (`publishing`) request to Late and settle what Late answers."""
        await self.notices.refresh_card(request)
        try:
            outcome = await publish(self.late, request)
        except Uncertain:
            await self.notices.tell(request, UNKNOWN_OUTCOME)
            return request
        log.info("request %s: Late says %s (%s)", request.id, outcome.kind, outcome.late_post_id)
        return await self.settle(request, outcome, actor=actor.name if actor else "latebot", action="publish")

    async def reconcile(self, request: Request) -> Request:
        """Finish a request left in `publishing` (crash, timeout): same key, so never a second post."""
        found = None if request.late_post_id else await find_by_metadata(self.late, request, request.updated_at)
        if found is None:
            return await self.publish(request, None)
        outcome = outcome_of_post(found, names=names_of(request))
        return await self.settle(request, outcome, actor="latebot", action="reconcile")

    async def retry(self, actor: Actor, request: Request) -> Request:
        """Ask Late to publish a failed post again, and settle its answer."""
        if request.state not in ("failed", "partial"):
            raise Conflict(f"Only a failed post can be retried; {request.id} is {request.state}.")
        if not request.late_post_id:
            why = request.outcome.message if request.outcome else "no answer"
            raise Conflict(f"{request.id} never reached Late ({why}); send it again with /late post.")
        post = await self.late.retry_post(request.late_post_id)
        outcome = outcome_of_post(post, names=names_of(request))
        return await self.settle(request, outcome, actor=actor.name, action="retry", from_states=[request.state])

    async def settle(
        self,
        request: Request,
        outcome: Outcome,
        *,
        actor: str,
        action: str,
        from_states: Sequence[State] = ("publishing",),
    ) -> Request:
        """Record `outcome` (compare-and-set from `from_states`), then refresh the card and tell the
        requester, once: a second settle of the same change (a webhook after a poll) moves nothing."""
        moved = await self.requests.transition(
            request, STATE_OF[outcome.kind], actor=actor, action=action, from_states=list(from_states),
            outcome=outcome,
        )
        final = await self.get(request.id)
        if moved:
            await self.notices.refresh_card(final)
            await self.notices.tell(final, self.result_text(final))
            for listener in self.listeners:
                try:
                    await listener(final)
                except Exception:
                    log.exception("after settling %s", final.id)
        return final

    def result_text(self, request: Request) -> str:
        outcome = request.outcome
        assert outcome is not None
        errors = dict(outcome.errors)
        if request.state == "failed" and errors:
            # Say what failed in the same breath: the approval went through, Late's publishing did not.
            why = "; ".join(f"{name}: {reason}" for name, reason in errors.items())
            lines = [f"Your post {request.id} was approved by {request.decided_by}, but Late could not publish "
                     f"it. {why}"]
            errors = {}
        else:
            lines = [f"Your post {request.id} was approved by {request.decided_by}: {outcome.message}"]
        if request.state == "scheduled" and request.draft.scheduled_for:
            lines.append(f"It goes out {describe_time(request.draft.scheduled_for, request.draft.timezone)}.")
        lines += [f"{name}: {url}" for name, url in outcome.permalinks.items()]
        lines += [f"{name} failed: {why}" for name, why in errors.items()]
        return "\n".join(lines)

