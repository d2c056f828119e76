"""Sending an approved request to Late, and turning Late's answer (or a post found later) into an `Outcome`."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.errors import (
    LateAuthError,
    LateDuplicateError,
    LateError,
    LateNoAnswer,
    LatePlanLimitError,
    LateRateLimitedError,
    LateServerError,
    Uncertain,
)
from bot.late.category import explain
from bot.late.client import LateClient
from bot.late.models import Post
from bot.platforms import display_name
from bot.request import Outcome, Request, State

log = logging.getLogger("latebot.publishing")

# After these Late may or may not have the post: the request stays `publishing` and is reconciled.
# A 5xx to a create is among them: Late may have made the post before failing to answer.
UNCERTAIN = (LateNoAnswer, LateServerError, LateRateLimitedError)

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
}


def outcome_of_post(post: Post, http_status: int | None = None, names: dict[str, str] | None = None) -> Outcome:
    """`names` maps account ids to handles, for the lines of the card."""
    permalinks: dict[str, str] = {}
    errors: dict[str, str] = {}
    failed = 0
    for entry in post.platforms:
        handle = entry.username or (names or {}).get(entry.account_id or "", "")
        name = f"{display_name(entry.platform)} @{handle.lstrip('@')}" if handle else display_name(entry.platform)
        if entry.platform_post_url:
            permalinks[name] = entry.platform_post_url
        if entry.status == "failed":
            failed += 1
            errors[name] = explain(entry.failure, entry.error_category)
    status = post.status or "scheduled"
    if status in ("draft",):
        kind = "draft"
    elif status in ("scheduled", "pending"):
        kind = "scheduled"
    elif status == "failed" or (failed and failed == len(post.platforms)):
        kind = "failed"
    elif status == "publishing":
        kind = "scheduled"  # Late owns it now and finishes it; the follow-ups watch it to the end
    elif http_status == 207 or status == "partial" or failed:
        kind = "partial"
    elif status in ("published",):
        kind = "published"
    else:
        kind = "scheduled"
    message = {
        "scheduled": "Late is publishing it; latebot follows it until it is done." if status == "publishing"
        else "Scheduled on Late.",
        "published": "Published.",
        "partial": "Published on some platforms; others failed.",
        "failed": "Late could not publish it.",
        "draft": "Saved as a draft on Late.",
    }[kind]
    return Outcome(kind=kind, message=message, late_post_id=post.id, permalinks=permalinks, errors=errors)


def names_of(request: Request) -> dict[str, str]:
    return {t.account_id: t.username for t in request.draft.targets}


async def publish(late: LateClient, request: Request) -> Outcome:
    """Create (or, for an edit of a Late post, update) the post. Raises `Uncertain` when unknown."""
    body = request.draft.late_body(request.id)
    try:
        if request.late_post_id:
            post = await late.update_post(request.late_post_id, body)
            return outcome_of_post(post, names=names_of(request))
        result = await late.create_post(body, idempotency_key=request.idempotency_key)
        return outcome_of_post(result.post, result.status, names_of(request))
    except LateDuplicateError as exc:
        return Outcome(
            kind="duplicate",
            message="Late already has this exact content for this account; linked to that post.",
            late_post_id=exc.existing_post_id,
        )
    except LatePlanLimitError as exc:
        return Outcome(kind="plan_limit", message=f"Late plan limit reached: {exc.message}")
    except LateAuthError:
        return Outcome(kind="failed", message="Late refused latebot's API key; an admin must fix LATE_API_KEY.")
    except UNCERTAIN as exc:
        log.warning("Late did not answer for request %s: %s", request.id, exc)
        raise Uncertain(str(exc)) from exc
    except LateError as exc:
        return Outcome(kind="failed", message=f"Late refused the post: {exc.message}")


async def find_by_metadata(late: LateClient, request: Request, since: datetime) -> Post | None:
    """The post Late made for `request`, found by the request id we put in its metadata."""
    async for post in late.iter_posts(date_from=since - timedelta(days=1)):
        metadata = post.metadata or {}
        if metadata.get("latebotRequestId") == request.id:
            return post
    return None
