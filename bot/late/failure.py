"""Late's error answers -> latebot's error tree (bot.errors)."""

from __future__ import annotations

from typing import Any

import httpx

from bot.errors import (
    LateAuthError,
    LateDuplicateError,
    LateError,
    LateForbiddenError,
    LateNotFoundError,
    LatePlanLimitError,
    LateRateLimitedError,
    LateServerError,
    LateValidationError,
)

_PLAN_KEYS = ("planName", "limit", "current")


def body_of(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        # A proxy in front of Late may answer with HTML; the first line is enough to explain it.
        return response.text[:200] or None


def error_for(response: httpx.Response, *, retry_after: float | None = None) -> LateError:
    status = response.status_code
    body = body_of(response)
    fields = body if isinstance(body, dict) else {}
    message = str(fields.get("error") or fields.get("message") or f"HTTP {status} {response.reason_phrase}")
    request = response.request
    kw: dict[str, Any] = {"status": status, "body": body, "method": request.method, "path": request.url.path}
    if status == 400 or status in (413, 422):
        return LateValidationError(message, **kw)
    if status == 401:
        return LateAuthError(message, **kw)
    if status == 403:
        if any(k in fields for k in _PLAN_KEYS):
            return LatePlanLimitError(
                message,
                plan_name=_str(fields.get("planName")),
                limit=_num(fields.get("limit")),
                current=_num(fields.get("current")),
                billing_period=_str(fields.get("billingPeriod")),
                **kw,
            )
        return LateForbiddenError(message, **kw)
    if status == 404:
        return LateNotFoundError(message, **kw)
    if status == 409:
        return LateDuplicateError(message, existing_post_id=existing_post_id(fields), **kw)
    if status == 429:
        return LateRateLimitedError(message, retry_after=retry_after, **kw)
    if status >= 500:
        return LateServerError(message, **kw)
    return LateError(message, **kw)


def existing_post_id(fields: dict[str, Any]) -> str | None:
    """Late puts it in `details.existingPostId`; its idempotency guide shows it at the top level."""
    details = fields.get("details")
    for source in (details if isinstance(details, dict) else {}, fields):
        value = source.get("existingPostId")
        if isinstance(value, str) and value:
            return value
    return None


def _str(value: Any) -> str | None:
    return str(value) if value is not None else None


def _num(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
