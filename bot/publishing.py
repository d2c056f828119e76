"""Sending an approved request to Late, and turning Late's answer (or a post found later) into an `Outcome`.

The rule for every message: say what Late did only when it is known. An error that Late answered
without having acted (`maybe_done` False: a 4xx, a 429, a connection that never opened) means
nothing was created; anything else (a lost answer, a 5xx, a body latebot can't read) raises
`Uncertain`, the request stays `publishing`, and reconcile finds out.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta
from typing import Any

from bot.clock import describe_time
from bot.errors import (
    LateAccountError,
    LateAnswered,
    LateAuthError,
    LateDuplicateError,
    LateError,
    LateForbiddenError,
    LateNoAnswer,
    LatePaymentError,
    LatePlanLimitError,
    LateRateLimitedError,
    LateValidationError,
    Uncertain,
)
from bot.late.category import explain
from bot.late.client import LateClient, is_ours
from bot.late.models import Post
from bot.platforms import account_label
from bot.request import Outcome, Request, State, Target, late_metadata

log = logging.getLogger("latebot.publishing")

STATE_OF: dict[str, State] = {
    "scheduled": "scheduled",
    "published": "published",
    "partial": "partial",
    "draft": "draft",
    "failed": "failed",
    "plan_limit": "failed",
    "duplicate": "duplicate",
    "cancelled": "cancelled",  # unpublished or stopped on Late (follow-ups, webhooks)
    "deleted": "cancelled",  # gone from Late (a 404 while following it up)
    # Not settled yet: the request stays `publishing` and reconcile follows it.
    "unknown": "publishing",
    "publishing": "publishing",
}
MESSAGES = {
    "scheduled": "Scheduled on Late.",
    "published": "Published.",
    "partial": "Published on some platforms; others failed.",
    "failed": "Late could not publish it.",
    "draft": "Saved as a draft on Late.",
    "publishing": "Late is publishing it now; this card shows the result when it is done.",
    "cancelled": "Cancelled on Late: it was taken off every platform.",
}
NOT_CREATED = "Nothing was created on Late"
# How far back (before the claim) a listing looks, for clocks that disagree.
LIST_MARGIN = timedelta(minutes=10)
MAX_PAGES = 50


def outcome_of_post(post: Post, http_status: int | None = None, names: dict[str, str] | None = None) -> Outcome:
    """`names` maps account ids to handles, for the lines of the card."""
    permalinks: dict[str, str] = {}
    errors: dict[str, str] = {}
    failed = 0
    for entry in post.platforms:
        handle = entry.username or (names or {}).get(entry.account_id or "", "")
        name = account_label(entry.platform, handle)
        if entry.platform_post_url and entry.status != "cancelled":
            permalinks[name] = entry.platform_post_url
        if entry.status == "failed":
            failed += 1
            errors[name] = explain(entry.failure, entry.error_category)
    # Late says what happened in `post.status` (a 207 may be partial, failed or still publishing).
    status = post.status or ("partial" if http_status == 207 else "scheduled")
    if status == "draft":
        kind = "draft"
    elif status in ("scheduled", "pending", "pending_approval"):
        kind = "scheduled"
    elif status == "publishing":
        kind = "publishing"
    elif status == "cancelled":
        kind = "cancelled"
    elif status == "failed" or (failed and failed == len(post.platforms)):
        kind = "failed"
    elif status == "partial" or failed:
        kind = "partial"
    elif status == "published":
        kind = "published"
    else:
        kind = "publishing"  # a status latebot does not know: follow it until it is one it does
    return Outcome(kind=kind, message=MESSAGES[kind], late_post_id=post.id, permalinks=permalinks, errors=errors)


def names_of(request: Request) -> dict[str, str]:
    return {t.account_id: t.username for t in request.draft.targets}


def metadata_of(request: Request) -> dict[str, Any]:
    return late_metadata(request.id, request.revision, request.idempotency_key)


def body_of(request: Request, *, update: bool = False) -> dict[str, object]:
    return request.draft.late_body(request.id, revision=request.revision, key=request.idempotency_key,
                                   update=update)


async def publish(late: LateClient, request: Request, now: datetime) -> Outcome:
    """Create (or, for an edit of a Late post, update) the post. Raises `Uncertain` when unknown."""
    try:
        if request.late_post_id:
            post = await late.update_post(request.late_post_id, body_of(request, update=True))
            return outcome_of_post(post, names=names_of(request))
        result = await late.create_post(body_of(request), idempotency_key=request.idempotency_key)
        return outcome_of_post(result.post, result.status, names_of(request))
    except LateError as exc:
        return refusal(exc, request, now)


def refusal(exc: LateError, request: Request, now: datetime) -> Outcome:
    """What an error from Late means for `request`; raises `Uncertain` unless Late certainly did nothing."""
    if exc.maybe_done or not isinstance(exc, LateAnswered | LateNoAnswer):
        # A lost answer, a 5xx, or an answer latebot can't read: the post may exist.
        log.warning("request %s: Late's outcome is unknown: %s", request.id, exc.message)
        raise Uncertain(exc.message) from exc
    if isinstance(exc, LateNoAnswer):
        return _failed(f"latebot could not reach Late ({exc.message}); the request was never sent. "
                       f"{NOT_CREATED}; press Retry.")
    if isinstance(exc, LateDuplicateError):
        if exc.existing_post_id:
            return Outcome(kind="duplicate", late_post_id=exc.existing_post_id,
                           message="Late already has this exact content for this account; linked to that post.")
        return Outcome(kind="duplicate", message=(
            "Late refused it as a duplicate: this exact content is already scheduled, publishing or was posted "
            "to this account in the last 24 hours. Late did not say which post that is."))
    if isinstance(exc, LateRateLimitedError):
        return _failed(rate_limited(exc, request, now))
    if isinstance(exc, LateAccountError):
        return _failed(account_refusal(exc, request))
    if isinstance(exc, LatePlanLimitError):
        return Outcome(kind="plan_limit", retryable=True,
                       message=f"Late plan limit reached: {said(exc.message)} {NOT_CREATED}; press Retry once the "
                               "plan allows it.")
    if isinstance(exc, LatePaymentError):
        where = f" ({exc.dashboard_url})" if exc.dashboard_url else ""
        return _failed(f"Late wants a payment before it publishes: {said(exc.message)} {NOT_CREATED}. An admin "
                       f"can fix billing in Late's dashboard{where}, then press Retry.")
    if isinstance(exc, LateAuthError):
        return _failed(f"Late refused latebot's API key ({said(exc.message)}) An admin must fix LATE_API_KEY. "
                       f"{NOT_CREATED}.")
    if isinstance(exc, LateForbiddenError):
        return _failed(f"Late refused the post: {said(exc.message)} (The account may not belong to latebot's API "
                       f"key.) {NOT_CREATED}.")
    if isinstance(exc, LateValidationError):
        return Outcome(kind="failed", message=f"Late refused the post: {exc.message}")
    return Outcome(kind="failed", message=f"Late refused the post (HTTP {exc.status}): {exc.message}")


def said(text: str) -> str:
    """Late's words as a sentence of ours (they may lack the full stop)."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _failed(message: str) -> Outcome:
    return Outcome(kind="failed", message=message, retryable=True)


def rate_limited(exc: LateRateLimitedError, request: Request, now: datetime) -> str:
    """A 429: Late's words for the limit, and when it lifts when Late said."""
    if exc.retry_after is not None:
        lifts = now + timedelta(seconds=math.ceil(exc.retry_after))
        when = (f"It lifts in about {_duration(exc.retry_after)} "
                f"({describe_time(lifts, request.draft.timezone)}).")
    else:
        when = "Late did not say when it lifts."
    who = _account(request, exc.account_id, exc.message)
    # `X-RateLimit-Limit` is Late's per-key limit of requests a minute, not an account's.
    limit = f" ({exc.limit} requests a minute)" if exc.limit and who is None else ""
    about = f" for {who}" if who else ""
    return (f"Late's rate limit{about} was reached{limit}: {said(exc.message)} {when} {NOT_CREATED}; press Retry "
            "once it has lifted.")


def account_refusal(exc: LateAccountError, request: Request) -> str:
    who = _account(request, exc.account_id, exc.message) or "One of the accounts"
    target = next((t for t in request.draft.targets if _label(t) == who), None)
    platform = target.platform if target else "<platform>"
    if exc.code == "ACCOUNT_DISCONNECTED":
        return (f"{who} is disconnected from Late, so Late refused the post. {NOT_CREATED}. Reconnect it "
                f"(/late connect {platform}, or in Late's dashboard), then press Retry. Late said: {said(exc.message)}")
    if exc.code == "ACCOUNT_NOT_ENABLED_FOR_POSTING":
        return (f"{who} is not enabled for posting in Late (it may have been connected for ads only). "
                f"{NOT_CREATED}. Enable posting for it in Late's dashboard, then press Retry.")
    return (f"{who} belongs to a Late profile beyond the plan's profile limit. {NOT_CREATED}. Upgrade the plan "
            "or remove a profile in Late, then press Retry.")


def _label(target: Target) -> str:
    return account_label(target.platform, target.username)


def _account(request: Request, account_id: str | None, text: str) -> str | None:
    """The target Late named: by `details.accountId`, or by its id in Late's words."""
    for t in request.draft.targets:
        if t.account_id == account_id or (account_id is None and t.account_id in text):
            return _label(t)
    return None


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{math.ceil(seconds)} seconds"
    minutes = math.ceil(seconds / 60)
    if minutes < 90:
        return f"{minutes} minutes"
    return f"{minutes / 60:.1f} hours"


async def find_by_metadata(late: LateClient, request: Request, since: datetime) -> Post | None:
    """The post Late made for `request` (created after `since`), found by the metadata we sent.

    Late has no metadata filter: list the profile's posts newest-created first, from a day before
    `since`, and match on our side, until the posts are older than `since`. Raises a LateError when
    the listing fails or is too long to read to the end: then nothing is known.
    """
    mine = metadata_of(request)
    oldest = since - LIST_MARGIN
    seen = 0
    async for post in late.iter_posts(profile_id=request.profile_id, from_date=since - timedelta(days=1),
                                      sort_by="created-desc"):
        if is_ours(post, mine):
            return post
        seen += 1
        if post.created_at is not None and post.created_at < oldest:
            return None
        if seen >= MAX_PAGES * 100:  # pages of 100
            raise LateError(f"Late lists more than {seen} posts since {since}; latebot could not read them all")
    return None
