"""The one error tree of latebot.

A `UserError` is shown to the user word for word. Anything else is logged with a short
reference (see `describe`) and the user is shown only that reference.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

log = logging.getLogger("latebot.errors")


class LatebotError(Exception):
    """Base of every error latebot raises on purpose."""


class UserError(LatebotError):
    """Something the user can fix; `str(err)` is shown to them as it is."""

    def __init__(self, message: str, *, example: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.example = example

    def __str__(self) -> str:
        if self.example:
            return f"{self.message}\nFor example: {self.example}"
        return self.message


class ParseError(UserError):
    """The command text could not be understood."""


class NotAllowed(UserError):
    """The actor may not do this (not an approver, own request, not an admin)."""


class NotFound(UserError):
    """A request, post, profile or account the user named does not exist."""


class Conflict(UserError):
    """The thing already changed: decided, cancelled, published."""


class ConfigError(LatebotError):
    """A setting is missing or malformed; the message is one line naming the variable."""


# --- Late API -------------------------------------------------------------------------------


class LateError(LatebotError):
    """An error answer (or no answer) from the Late API."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        body: Any = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.body = body
        self.method = method
        self.path = path


class LateAuthError(LateError):
    """401: the API key is missing, wrong or revoked."""


class LateForbiddenError(LateError):
    """403 that is not a plan limit."""


class LatePlanLimitError(LateForbiddenError):
    """403 with `planName`/`limit`/`current`: the plan's posts or profiles are used up."""

    def __init__(
        self,
        message: str,
        *,
        plan_name: str | None = None,
        limit: int | None = None,
        current: int | None = None,
        billing_period: str | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(message, **kw)
        self.plan_name = plan_name
        self.limit = limit
        self.current = current
        self.billing_period = billing_period


class LateNotFoundError(LateError):
    """404."""


class LateValidationError(LateError):
    """400: Late rejected the request's content."""


class LateDuplicateError(LateError):
    """409: the same content was already posted; `existing_post_id` names that post."""

    def __init__(self, message: str, *, existing_post_id: str | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.existing_post_id = existing_post_id


class LateRateLimitedError(LateError):
    """429 that we gave up waiting for; `retry_after` in seconds when Late said."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class LateServerError(LateError):
    """5xx."""


class LateTimeoutError(LateError):
    """No answer in time. For a create, the post may or may not exist."""


class LateConnectionError(LateError):
    """The connection failed or dropped before an answer."""


def new_reference() -> str:
    return secrets.token_hex(3)


def describe(exc: BaseException, *, logger: logging.Logger | None = None) -> str:
    """The text a user sees for `exc`: its own words for a user error, else a logged reference."""
    if isinstance(exc, UserError):
        return str(exc)
    ref = new_reference()
    (logger or log).error("unexpected error (ref %s)", ref, exc_info=exc)
    if isinstance(exc, LateError):
        return f"Late could not be reached or refused the request: {exc.message} (ref {ref})"
    return f"Something went wrong on our side (ref {ref}). Nothing was published; an admin can look it up."
