"""Publish follow-ups: every post latebot made on Late is followed until Late is done with it.

Scheduled posts once their time has come, publish-now posts that Late answered with `publishing`,
and the posts a retry made are looked at again (backing off to every `MAX_WAIT`) until they are
published, partial, failed, cancelled, or gone from Late (a 404 ends the follow-up: the card says so).
Webhooks bring the same news sooner; both end in `Settlement.settle` through `settle_post`, which
says nothing when nothing changed, so a webhook after a poll (or the reverse) updates the card once.
A post still not published `LATE_AFTER` after its time raises one alert.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.alert import Alert
from bot.alerts import Alerts
from bot.card import snippet
from bot.clock import Clock, describe_time
from bot.errors import LateError, LateNotFoundError
from bot.followbook import FollowBook, RetryPost
from bot.late.client import LateClient
from bot.late.post import Post
from bot.messages import Place
from bot.publishing import STATE_OF, names_of, outcome_of_post
from bot.request import Outcome, Request, State
from bot.requests import Requests
from bot.settlement import Settlement

log = logging.getLogger("latebot.followup")

FINAL = ("published", "partial", "failed", "cancelled")
# The states a request may be in when Late reports on it: still on its way, or done and then
# changed on Late (a retry from Late's dashboard, an unpublish).
# `publishing` with a Late post id: Late answered that it is still publishing (a 207); its webhook or a
# poll settles it. (Without a post id the outcome is unknown: only reconcile, by listing, decides.)
FOLLOWED: tuple[State, ...] = ("publishing", "scheduled", "partial", "failed")
LATE_AFTER = timedelta(minutes=10)
FIRST_WAIT, MAX_WAIT = timedelta(seconds=30), timedelta(minutes=15)
CANCELLED = "Cancelled on Late (unpublished or stopped there, not through latebot)."
GONE = "Deleted on Late: the post is no longer there, so latebot stopped following it."
BUSY = ("scheduled", "publishing", "pending", "processing", "uploading")


def combine(posts: list[Post]) -> Post:
    """The first post as it stands with the later ones (retries of its failed platforms) on top."""
    entries = {}
    for post in posts:
        for entry in post.platforms:
            entries[entry.account_id or entry.platform] = entry
    statuses = [e.status for e in entries.values()]
    if any(p.status in BUSY for p in posts[1:]) or any(s in BUSY for s in statuses):
        status = "publishing"
    elif all(s == "published" for s in statuses):
        status = "published"
    elif any(s == "published" for s in statuses):
        status = "partial"
    else:
        status = "failed"
    return posts[0].model_copy(update={"platforms": list(entries.values()), "status": status})


def outcome_for(request: Request, post: Post, retries: list[RetryPost]) -> Outcome:
    if post.status == "cancelled":
        return Outcome(kind="cancelled", message=CANCELLED, late_post_id=post.id)
    outcome = outcome_of_post(post, names=names_of(request))
    made = [r.late_post_id for r in retries if r.late_post_id]
    if made:
        note = (f" The failed platforms were sent again as Late post {', '.join(made)}, under the approval "
                f"{request.decided_by or 'already given'} gave.")
        outcome = outcome.model_copy(update={"message": outcome.message + note})
    return outcome


def unchanged(request: Request, outcome: Outcome) -> bool:
    before = request.outcome
    return (before is not None and request.state == STATE_OF[outcome.kind] and before.message == outcome.message
            and before.permalinks == outcome.permalinks and before.errors == outcome.errors)


class FollowUps:
    def __init__(self, *, requests: Requests, settlement: Settlement, book: FollowBook, alerts: Alerts,
                 late: LateClient, clock: Clock) -> None:
        self.requests = requests
        self.settlement = settlement
        self.book = book
        self.alerts = alerts
        self.late = late
        self.clock = clock

    async def request_for(self, late_post_id: str, metadata: dict[str, object] | None = None) -> Request | None:
        """The request that made this Late post (or a retry post of it); None for posts latebot did not make."""
        found = await self.requests.by_late_post(late_post_id)
        if found is None and (request_id := await self.book.request_of(late_post_id)) is not None:
            found = await self.requests.get(request_id)
        if found is None and metadata and isinstance(metadata.get("latebotRequestId"), str):
            candidate = await self.requests.get(str(metadata["latebotRequestId"]))
            # Only the post the request recorded is its own: metadata alone can be copied.
            if candidate is not None and candidate.late_post_id == late_post_id:
                found = candidate
        return found

    async def view(self, request: Request, known: Post | None = None) -> tuple[Post, list[RetryPost]]:
        """The request's post on Late (`known` saves asking for it again), with its retries combined."""
        assert request.late_post_id is not None
        retries = [r for r in await self.book.retries(request.id) if r.late_post_id]

        async def get(post_id: str) -> Post:
            return known if known is not None and known.id == post_id else await self.late.get_post(post_id)

        posts = [await get(request.late_post_id)] + [await get(str(r.late_post_id)) for r in retries]
        return (combine(posts) if retries else posts[0]), retries

    async def settle_post(self, request: Request, post: Post, retries: list[RetryPost], *, source: str) -> bool:
        """Record what Late says when it is final; True when it was (whether or not that changed anything)."""
        if post.status not in FINAL:
            return False
        outcome = outcome_for(request, post, retries)
        if request.state in FOLLOWED and not unchanged(request, outcome):
            await self.settlement.settle(request, outcome, actor="latebot", action=source, from_states=FOLLOWED)
        return True

    async def failed_in(self, place: Place) -> list[Request]:
        return await self.requests.failed_in(place)

    # --- polling ---------------------------------------------------------------------------------

    async def check_due(self) -> int:
        """Look at every followed request that is due; returns how many Late was done with."""
        now = self.clock.now()
        plan = await self.book.next_checks()
        done = 0
        for request in await self.requests.following(now):
            checks, next_at = plan.get(request.id, (0, None))
            if next_at is None or next_at <= now:
                done += await self.check(request, checks, now)
        return done

    async def check(self, request: Request, checks: int, now: datetime) -> bool:
        try:
            post, retries = await self.view(request)
        except LateNotFoundError:
            outcome = Outcome(kind="deleted", message=GONE, late_post_id=request.late_post_id)
            await self.settlement.settle(request, outcome, actor="latebot", action="follow-up", from_states=FOLLOWED)
            await self.book.done(request.id)
            return True
        except LateError as exc:
            log.warning("could not follow up %s: %s", request.id, exc.message)
            await self.book.checked(request.id, None, now + self._wait(checks))
            return False
        if await self.settle_post(request, post, retries, source="follow-up"):
            await self.book.done(request.id)
            return True
        await self._maybe_late(request, post, now)
        await self.book.checked(request.id, post.status, now + self._wait(checks))
        return False

    @staticmethod
    def _wait(checks: int) -> timedelta:
        wait: timedelta = FIRST_WAIT * 2 ** min(checks, 10)
        return min(MAX_WAIT, wait)

    async def _maybe_late(self, request: Request, post: Post, now: datetime) -> None:
        due = request.draft.scheduled_for or request.decided_at
        if due is None or now - due < LATE_AFTER:
            return
        zone = request.draft.timezone
        await self.alerts.raise_alert(Alert(
            kind="post_late", key=f"late:{request.id}:r{request.revision}", profile_id=request.profile_id,
            request_id=request.id, title=f"Post {request.id} is late",
            text=(f"It was due {describe_time(due, zone)} and is still not published at "
                  f"{describe_time(now, zone)}: Late says it is {post.status or 'unknown'}. latebot keeps "
                  "following it and updates its card when Late is done."),
            fields=[("Requested by", request.requester_name), ("Late post", request.late_post_id or "-")]))

    # --- alerts about failed posts -----------------------------------------------------------------

    async def after_settle(self, request: Request) -> None:
        """A settle listener: a post that failed, or published only in part, is told to the alert channel."""
        if request.state not in ("failed", "partial") or request.outcome is None:
            return
        outcome = request.outcome
        whole = request.state == "failed"
        fields = [("Requested by", request.requester_name), ("Approved by", request.decided_by or "-")]
        fields += [(f"{name} failed", why) for name, why in outcome.errors.items()]
        fields += [(name, url) for name, url in outcome.permalinks.items()]
        if not outcome.errors:
            fields.append(("Late says", outcome.message))
        retry = bool(request.late_post_id) or outcome.retryable
        text = ("Late could not publish it." if whole else "Late published it on some platforms only.")
        if retry:
            text += (" Retry asks Late to publish it again." if whole
                     else " Retry sends only the failed platforms again, under the approval already given.")
        fields.insert(0, ("Post", snippet(request.draft.text, 80)))
        await self.alerts.raise_alert(Alert(
            kind="post_failed", key=f"post:{request.id}:{request.state}:{request.updated_at.isoformat()}",
            profile_id=request.profile_id, request_id=request.id, retry=retry, tone="danger" if whole else "warning",
            title=f"Post {request.id} {'failed' if whole else 'was published only in part'}", text=text,
            fields=fields))
