"""The one error tree of latebot.

    LatebotError
    ├── UserError                 shown to the user word for word
    │   ├── ParseError            the command text could not be understood
    │   ├── NotAllowed            not an approver, own request, not an admin
    │   ├── NotFound              no such request, post, profile or account
    │   ├── Conflict              it already changed: decided, cancelled, published
    │   └── UploadFailed          Late (or the way to it) did not take a file: described, redacted
    ├── ConfigError               a setting is missing or wrong (one line naming it)
    ├── Uncertain                 Late may or may not have acted; reconcile will tell
    └── LateError                 anything the Late API did or did not answer
        ├── LateNoAnswer          no answer: the outcome of the call is unknown
        │   ├── LateTimeoutError      (unless `maybe_done` is False: then it was never sent)
        │   └── LateConnectionError
        └── LateAnswered          Late answered with an error status (`status` is set)
            ├── LateValidationError   400, 413, 422
            ├── LateAuthError         401
            ├── LatePaymentError      402
            ├── LateForbiddenError    403
            │   ├── LatePlanLimitError      the plan's posts or profiles are used up
            │   └── LateAccountError        the account can't post (`code`)
            ├── LateNotFoundError     404
            ├── LateDuplicateError    409
            ├── LateRateLimitedError  429 (this attempt did nothing; `retry_after`)
            └── LateServerError       5xx (for a create: the post may exist)

`LateError.maybe_done` says whether Late may have acted on the call: an answer lost in transit, a
5xx, or any error after an earlier attempt of the same call whose answer was lost. A 429 or a 403
with `maybe_done` False means Late did nothing; with `maybe_done` True nothing is known.

Anything that is not a `UserError` is logged with a short reference (see `describe`), and the
user is shown only that reference: never a traceback, never a guess about what Late did.
"""

from __future__ import annotations

import logging
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


class UploadFailed(UserError):
    """A chat file did not reach Late's media for Late's reasons, not the file's; trying again may help."""


class ConfigError(LatebotError):
    """A setting is missing or malformed; the message is one line naming the variable."""


class Uncertain(LatebotError):
    """Late's answer did not arrive (or was a 5xx to a create): whether it acted is unknown until reconciled."""


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
        # Set by the session: Late may have acted on this call (see the module docstring).
        self.maybe_done = False


class LateNoAnswer(LateError):
    """No answer arrived: the request may or may not have reached Late."""


class LateTimeoutError(LateNoAnswer):
    """No answer in time. For a create, the post may or may not exist."""


class LateConnectionError(LateNoAnswer):
    """The connection failed or dropped before an answer."""


class LateAnswered(LateError):
    """Late answered with an error status."""


class LateValidationError(LateAnswered):
    """400 (or 413, 422): Late rejected the request's content."""


class LateAuthError(LateAnswered):
    """401: the API key is missing, wrong or revoked."""


class LatePaymentError(LateAnswered):
    """402: the Late account's payment or add-on is missing; `dashboard_url` when Late gave one."""

    def __init__(self, message: str, *, code: str | None = None, dashboard_url: str | None = None,
                 **kw: Any) -> None:
        super().__init__(message, **kw)
        self.code = code
        self.dashboard_url = dashboard_url


class LateForbiddenError(LateAnswered):
    """403 that is neither a plan limit nor an account refusal."""

    def __init__(self, message: str, *, code: str | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.code = code


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


class LateAccountError(LateForbiddenError):
    """403 with a `code` about the social account: `ACCOUNT_DISCONNECTED`,
    `ACCOUNT_NOT_ENABLED_FOR_POSTING`, or `PROFILE_OVER_LIMIT` (its profile is beyond the plan);
    `account_id` when Late named it."""

    def __init__(self, message: str, *, account_id: str | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.account_id = account_id


class LateNotFoundError(LateAnswered):
    """404."""


class LateDuplicateError(LateAnswered):
    """409: the same content was already posted; `existing_post_id` names that post when Late said."""

    def __init__(self, message: str, *, existing_post_id: str | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.existing_post_id = existing_post_id


class LateRateLimitedError(LateAnswered):
    """429: this attempt did nothing. `retry_after` in seconds when Late said (`Retry-After`, which
    Late documents for its API limit only); `limit` from `X-RateLimit-Limit`; `account_id` when the
    body names an account (a per-account limit: posts per hour, a cooldown, a daily cap)."""

    def __init__(self, message: str, *, retry_after: float | None = None, limit: int | None = None,
                 account_id: str | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after
        self.limit = limit
        self.account_id = account_id


class LateServerError(LateAnswered):
    """5xx."""


def new_reference() -> str:
    import secrets  # only when an error is described: it costs a few ms at import

    return secrets.token_hex(3)


MAY_HAVE_PUBLISHED = "Late may have published this; checking…"


def describe(exc: BaseException, *, logger: logging.Logger | None = None) -> str:
    """The text a user sees for `exc`: its own words for a user error, else a logged reference.

    Nothing here claims what Late did: an unexpected error may come after Late acted. (Secrets in
    the text are redacted where replies leave the core: `bot.redaction`.)
    """
    if isinstance(exc, UserError):
        return str(exc)
    ref = new_reference()
    if isinstance(exc, Uncertain):
        (logger or log).warning("outcome unknown (ref %s): %s", ref, exc)
        return f"{MAY_HAVE_PUBLISHED} (ref {ref})"
    logger = logger or log
    if isinstance(exc, LateAnswered) and not exc.maybe_done and not isinstance(exc, LateServerError):
        # Late's own refusal: said in its words, no traceback needed to explain it.
        logger.warning("Late refused %s %s (ref %s): %s %s", exc.method, exc.path, ref, exc.status, exc.message)
        return f"Late refused the request: {exc.message} (ref {ref})"
    if isinstance(exc, LateNoAnswer | LateServerError):
        # Late's trouble, not latebot's: one line in the log, and only what is known in the reply.
        logger.warning("Late did not answer %s %s (ref %s): %s", exc.method, exc.path, ref, exc.message)
        if exc.maybe_done and exc.method not in (None, "GET"):
            return (f"Late did not answer clearly: {exc.message} (ref {ref}). It may have acted on it; look before "
                    "trying again.")
        return f"Late is not answering properly right now: {exc.message} (ref {ref}). Try again in a moment."
    logger.error("unexpected error (ref %s)", ref, exc_info=exc)
    if isinstance(exc, LateError):
        return f"{exc.message} (ref {ref})"
    return f"Something went wrong on our side (ref {ref}). An admin can look it up with that reference."
