"""Late's error answers -> latebot's error tree (bot.errors)."""

from __future__ import annotations

from typing import Any

import httpx

from bot.errors import (
    LateAccountError,
    LateAuthError,
    LateDuplicateError,
    LateError,
    LateForbiddenError,
    LateNotFoundError,
    LatePaymentError,
    LatePlanLimitError,
    LateRateLimitedError,
    LateServerError,
    LateValidationError,
)

_PLAN_KEYS = ("planName", "limit", "current")
# 403 codes of `POST /v1/posts` about one account (REFERENCE.md section 1).
ACCOUNT_CODES = ("ACCOUNT_DISCONNECTED", "ACCOUNT_NOT_ENABLED_FOR_POSTING", "PROFILE_OVER_LIMIT")


def body_of(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        # A proxy in front of Late may answer with HTML; the first line is enough to explain it.
        return response.text[:200] or None


def error_for(
    response: httpx.Response, *, retry_after: float | None = None, limit: int | None = None
) -> LateError:
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
    if status == 402:
        return LatePaymentError(message, code=_str(fields.get("code")), dashboard_url=_str(fields.get("dashboard_url")),
                                **kw)
    if status == 403:
        code = _str(fields.get("code"))
        if code in ACCOUNT_CODES:
            return LateAccountError(message, code=code, account_id=_detail(fields, "accountId"), **kw)
        if any(k in fields for k in _PLAN_KEYS):
            return LatePlanLimitError(
                message,
                plan_name=_str(fields.get("planName")),
                limit=_num(fields.get("limit")),
                current=_num(fields.get("current")),
                billing_period=_str(fields.get("billingPeriod")),
                **kw,
            )
        return LateForbiddenError(message, code=code, **kw)
    if status == 404:
        return LateNotFoundError(message, **kw)
    if status == 409:
        return LateDuplicateError(message, existing_post_id=existing_post_id(fields), **kw)
    if status == 429:
        return LateRateLimitedError(message, retry_after=retry_after, limit=limit,
                                    account_id=_detail(fields, "accountId"), **kw)
    if status >= 500:
        return LateServerError(message, **kw)
    return LateError(message, **kw)


def existing_post_id(fields: dict[str, Any]) -> str | None:
    """Late puts it in `details.existingPostId` (every source agrees); None when it is not there."""
    return _detail(fields, "existingPostId")


def _detail(fields: dict[str, Any], key: str) -> str | None:
    details = fields.get("details")
    value = details.get(key) if isinstance(details, dict) else None
    return value if isinstance(value, str) and value else None


def _str(value: Any) -> str | None:
    return str(value) if value is not None else None


def _num(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
