"""What Late made of a request: publish a claimed request, reconcile one left `publishing`, retry a
failed one, and `settle`, the one place that records a Late outcome (approve, reconcile, follow-up,
retry and webhooks all end there): the state change, the card, the note to the requester.

A request stays `publishing` until Late's outcome is known. Reconcile (the scheduler, every tick)
finds out without ever making a second post: it looks the post up (by its id when latebot has it,
else by the metadata latebot sent), sends the create again with the same key only while Late still
replays that key (about 5 minutes), and after that only looks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from bot.clock import Clock, SystemClock, describe_time, iso
from bot.errors import (
    MAY_HAVE_PUBLISHED,
    Conflict,
    LateDuplicateError,
    LateError,
    LateNotFoundError,
    LateRateLimitedError,
    LateValidationError,
    NotFound,
    Uncertain,
    new_reference,
)
from bot.late.client import LateClient, is_ours
from bot.messages import Actor
from bot.notices import Notices
from bot.publishing import (
    NOT_CREATED,
    STATE_OF,
    find_by_metadata,
    metadata_of,
    names_of,
    outcome_of_post,
    publish,
    rate_limited,
    refusal,
)
from bot.request import Outcome, Request, State
from bot.requests import Requests

log = logging.getLogger("latebot.settlement")

ALREADY = {
    "publishing": "it is being published, and latebot is checking with Late; the card shows the result",
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
# Late answers a repeated `x-request-id` with the original post for about 5 minutes: latebot sends
# a create again only well inside that.
RESEND_WINDOW = timedelta(minutes=4)
# After this long, listings that never showed the post mean Late has none (a create still running
# at Late would be listed as `publishing`): settle as failed, with Retry.
GIVE_UP_AFTER = timedelta(minutes=15)
# On shutdown, how long the record of an answer Late already gave may still take.
RECORD_GRACE = 5.0


def already(state: str) -> str:
    return ALREADY.get(state, state)


class Settlement:
    def __init__(self, *, requests: Requests, late: LateClient, notices: Notices, clock: Clock | None = None) -> None:
        self.requests = requests
        self.late = late
        self.notices = notices
        self.clock = clock or SystemClock()
        self.resend_window = RESEND_WINDOW
        self.give_up_after = GIVE_UP_AFTER
        # Requests this process is sending to Late right now: reconcile leaves them alone.
        self.busy: set[str] = set()
        # Told of every settled change after the card and the requester (the alerts of failed posts).
        self.listeners: list[Callable[[Request], Awaitable[None]]] = []

    async def get(self, request_id: str) -> Request:
        request = await self.requests.get(request_id)
        if request is None:
            raise NotFound(f"There is no request '{request_id}'.")
        return request

    # --- publish -----------------------------------------------------------------------------

    async def publish(self, request: Request, actor: Actor | None, *, quiet: bool = False) -> Request:
        """Send a claimed (`publishing`) request to Late and settle what Late answers.

        When Late's outcome is unknown the request stays `publishing` and the requester hears exactly
        that (once; `quiet` for reconcile's own attempts)."""
        self.busy.add(request.id)
        try:
            if not quiet:
                await self.notices.refresh_card(request)
            try:
                outcome = await publish(self.late, request, self.clock.now())
            except Uncertain:
                return await self._unknown(request, quiet=quiet)
            log.info("request %s: Late says %s (%s)", request.id, outcome.kind, outcome.late_post_id)
            who = actor.name if actor else "latebot"
            return await self._record(request, outcome, actor=who, action="reconcile" if quiet else "publish")
        finally:
            self.busy.discard(request.id)

    async def _unknown(self, request: Request, *, quiet: bool) -> Request:
        """Late may or may not have the post: say so, keep `publishing`, let reconcile find out."""
        outcome = Outcome(kind="unknown", message=MAY_HAVE_PUBLISHED)
        told = request.outcome is not None and request.outcome.kind == "unknown"
        final = await self._record(request, outcome, actor="latebot", action="unknown")
        if not (quiet or told):
            await self.notices.tell(final, f"Your post {final.id}: {MAY_HAVE_PUBLISHED} latebot will not create "
                                           "a second post; the card shows the result.")
        return final

    async def _record(
        self, request: Request, outcome: Outcome, *, actor: str, action: str,
        from_states: Sequence[State] = ("publishing",),
    ) -> Request:
        """`settle`, for an answer Late has already given: a shutdown waits (briefly) for the record,
        and a record that fails (a full disk) leaves the request `publishing` for reconcile and says
        so instead of guessing."""
        task = asyncio.ensure_future(
            self.settle(request, outcome, actor=actor, action=action, from_states=from_states)
        )
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            await asyncio.wait({task}, timeout=RECORD_GRACE)
            raise
        except Exception:
            ref = new_reference()
            log.exception("request %s: Late answered %s (%s) but latebot could not record it (ref %s)",
                          request.id, outcome.kind, outcome.late_post_id, ref)
            if STATE_OF[outcome.kind] != "publishing":
                await self.notices.tell(request, f"Your post {request.id}: {MAY_HAVE_PUBLISHED} (ref {ref})")
            return request

    # --- reconcile ---------------------------------------------------------------------------

    async def reconcile(self, request: Request) -> Request:
        """Settle a request left `publishing` (a crash, a lost answer, Late still publishing) without a
        second post. Raises a LateError when Late could not be asked; the scheduler tries again."""
        if request.id in self.busy or request.state != "publishing":
            return request
        self.busy.add(request.id)
        try:
            return await self._reconcile(request)
        finally:
            self.busy.discard(request.id)

    async def _reconcile(self, request: Request) -> Request:
        names = names_of(request)
        if request.late_post_id:
            try:
                post = await self.late.get_post(request.late_post_id)
            except LateNotFoundError:
                gone = Outcome(kind="failed", late_post_id=request.late_post_id,
                               message=f"The Late post {request.late_post_id} no longer exists (deleted in Late?), "
                                       "so nothing of this request is on Late.")
                return await self._record(request, gone, actor="latebot", action="reconcile")
            if is_ours(post, metadata_of(request)):
                return await self._record(request, outcome_of_post(post, names=names), actor="latebot",
                                          action="reconcile")
            # An edit of a Late post whose update may not have been applied: a PUT is safe to repeat.
            return await self.publish(request, None, quiet=True)
        found = await find_by_metadata(self.late, request, request.updated_at)
        if found is not None:
            log.info("request %s: reconcile found Late post %s", request.id, found.id)
            return await self._record(request, outcome_of_post(found, names=names), actor="latebot",
                                      action="reconcile")
        age = self.clock.now() - request.updated_at
        if age < self.resend_window:
            # Late has no such post yet; within the window a create with the same key is answered with
            # the original if there is one, so sending it again can't make a second post.
            return await self.publish(request, None, quiet=True)
        if age < self.give_up_after:
            return request  # past the window: only look, never send again
        minutes = int(age.total_seconds() // 60)
        none = Outcome(kind="failed", retryable=True, message=(
            f"Late has no post for this request: latebot looked for {minutes} minutes after it was approved. "
            f"{NOT_CREATED}; press Retry to send it again."))
        return await self._record(request, none, actor="latebot", action="reconcile")

    # --- retry -------------------------------------------------------------------------------

    async def retry(self, actor: Actor, request: Request) -> Request:
        """Send again what Late certainly did not make (after a rate limit, a reconnect...), or ask Late
        to publish a failed post again; settle its answer."""
        if request.state == "partial":
            failed = ", ".join(request.outcome.errors) if request.outcome and request.outcome.errors else "some"
            raise Conflict(f"{request.id} was published on some platforms and failed on {failed}. Late retries only "
                           "a post that failed everywhere, so latebot can't retry it; send the failed ones again "
                           "with /late post … to <those platforms>.")
        if request.state != "failed":
            raise Conflict(f"Only a failed post can be retried; {request.id}: {already(request.state)}.")
        outcome = request.outcome
        if outcome is not None and outcome.retryable:
            return await self._send_again(actor, request)
        if outcome is None or not outcome.late_post_id:
            why = outcome.message if outcome else "no answer"
            raise Conflict(f"Late refused {request.id} ({why}); it would refuse it again. Fix it and send a new "
                           "post with /late post.")
        return await self._late_retry(actor, request, outcome.late_post_id)

    async def _send_again(self, actor: Actor, request: Request) -> Request:
        moved, sending = await self.requests.transition_and_load(
            request, "publishing", actor=actor.name, actor_id=actor.id, action="retry", from_states=["failed"],
            changes={"outcome": None},
        )
        if not moved or sending is None:
            current = await self.get(request.id)
            raise Conflict(f"{request.id} changed meanwhile: {already(current.state)}.")
        return await self.publish(sending, actor)

    async def _late_retry(self, actor: Actor, request: Request, post_id: str) -> Request:
        try:
            post = await self.late.retry_post(post_id)
        except LateRateLimitedError as exc:
            if exc.maybe_done:
                return await self._follow(actor, request, post_id)
            raise Conflict(rate_limited(exc, request, self.clock.now())) from None
        except LateDuplicateError:
            return await self._follow(actor, request, post_id)  # 409: Late is publishing it right now
        except LateValidationError as exc:
            raise Conflict(f"Late would not retry {request.id}: {exc.message}") from None
        except LateError as exc:
            try:
                refused = refusal(exc, request, self.clock.now())
            except Uncertain:
                return await self._follow(actor, request, post_id)
            raise Conflict(f"Late would not retry {request.id}: {refused.message}") from None
        return await self._record(request, outcome_of_post(post, names=names_of(request)), actor=actor.name,
                                  action="retry", from_states=["failed"])

    async def _follow(self, actor: Actor, request: Request, post_id: str) -> Request:
        """Late may be publishing the post again: `publishing`, followed by reconcile."""
        following = Outcome(kind="publishing", late_post_id=post_id, message=MAY_HAVE_PUBLISHED)
        return await self._record(request, following, actor=actor.name, action="retry", from_states=["failed"])

    # --- settle ------------------------------------------------------------------------------

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
        requester, once: a second settle of the same change (a webhook after a poll) moves nothing.

        An outcome that is not final (Late may have it, or is publishing it) keeps the request
        `publishing`: recorded for the card, told to nobody, and followed by reconcile."""
        target = STATE_OF[outcome.kind]
        if target == "publishing":
            return await self._progress(request, outcome, actor=actor, action=action, from_states=from_states)
        moved, final = await self.requests.transition_and_load(
            request, target, actor=actor, action=action, from_states=list(from_states), outcome=outcome,
            changes={"owed_notice": 1},  # cleared once told: a crash in between does not lose it
        )
        final = final or await self.get(request.id)
        if moved:
            await self.notify(final)
        return final

    async def notify(self, request: Request) -> None:
        """Refresh the card, tell the requester what Late made of it, then the listeners (the alert of a
        failed post); once: then it is no longer owed, and a crash before that tells it on the next tick."""
        await self.notices.refresh_card(request)
        await self.notices.tell(request, self.result_text(request))
        for listener in self.listeners:
            try:
                await listener(request)
            except Exception:
                log.exception("after settling %s", request.id)
        await self.requests.notice_sent(request.id)

    async def _progress(
        self, request: Request, outcome: Outcome, *, actor: str, action: str, from_states: Sequence[State]
    ) -> Request:
        if request.state == "publishing" and request.outcome == outcome:
            return request
        # The time it entered `publishing` stays: the replay window and reconcile count from it.
        keep = {"updated_at": iso(request.updated_at)} if request.state == "publishing" else {}
        moved, final = await self.requests.transition_and_load(
            request, "publishing", actor=actor, action=action, from_states=list(from_states), outcome=outcome,
            changes=keep,
        )
        final = final or await self.get(request.id)
        if moved:
            await self.notices.refresh_card(final)
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
