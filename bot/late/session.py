"""One call to Late: rate-limit gate, retries with backoff, error mapping.

The retry rule is about what the server may already have done. GET/PUT/DELETE are safe to repeat;
a POST that carries an idempotency key is too (Late answers a repeat with the original). Any other
POST is repeated only after a 429, which says the server did not process it: after a timeout, a
dropped connection or a 5xx the post may exist, and a blind repeat could publish it twice.

Every error that leaves here says in `maybe_done` whether Late may have acted on the call (this
attempt or an earlier one): the caller must not report "nothing happened" unless it is False.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.errors import LateConnectionError, LateError, LateRateLimitedError, LateServerError, LateTimeoutError
from bot.late.backoff import Backoff
from bot.late.failure import error_for
from bot.late.ratelimit import RateLimit, Sleep

log = logging.getLogger("latebot.late")


@dataclass
class Call:
    method: str
    path: str  # "/v1/..." appended to the base URL
    params: dict[str, Any] | None = None
    json: Any = None
    files: list[tuple[str, tuple[str, bytes, str]]] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    timeout: httpx.Timeout | None = None
    # Whether repeating the call after an unknown outcome is safe (see the module docstring).
    repeatable: bool = True
    # Error statuses handed back as an answer (the caller decides) instead of raised.
    expect: tuple[int, ...] = ()
    # Creating and retrying posts meet per-account limits (posts per hour, cooldowns, daily caps):
    # a 429 without `Retry-After` is one of those, and waiting for the API limit's reset would not help.
    account_limits: bool = False


@dataclass
class Answer:
    response: httpx.Response
    attempts: int
    # True when an earlier attempt may have reached Late (timeout, dropped connection, 5xx).
    uncertain: bool = False


@dataclass
class _Retry:
    error: LateError
    maybe_done: bool  # the server may have acted on the request
    wait: float | None = None  # what a 429 asked for


class LateSession:
    def __init__(self, http: httpx.AsyncClient, rate: RateLimit, backoff: Backoff, sleep: Sleep) -> None:
        self.http = http
        self.rate = rate
        self.backoff = backoff
        self.sleep = sleep

    async def send(self, call: Call) -> Answer:
        uncertain = False
        attempt = 0
        while True:
            attempt += 1
            try:
                await self.rate.wait_turn()
                outcome = await self._attempt(call, attempt)
            except LateError as refused:
                refused.maybe_done = refused.maybe_done or uncertain
                raise
            if isinstance(outcome, Answer):
                outcome.uncertain = uncertain
                return outcome
            error = outcome.error
            uncertain = uncertain or outcome.maybe_done
            rate_limited = isinstance(error, LateRateLimitedError)
            if attempt >= self.backoff.attempts or not (call.repeatable or rate_limited):
                error.maybe_done = uncertain
                raise error
            delay = outcome.wait if outcome.wait is not None else self.backoff.delay(attempt - 1)
            log.debug(
                "late %s %s: %s; retry %d in %.2f s",
                call.method,
                call.path,
                type(error).__name__,
                attempt,
                delay,
            )
            if rate_limited:
                # Close the gate for every concurrent call, not only this one; wait_turn does the waiting.
                self.rate.close_until(self.rate.clock.now().timestamp() + delay)
            else:
                await self.sleep(delay)

    async def _attempt(self, call: Call, attempt: int) -> Answer | _Retry:
        started = time.perf_counter()
        try:
            response = await self.http.request(
                call.method,
                call.path,
                params=call.params,
                json=call.json,
                files=call.files,
                headers=call.headers,
                timeout=call.timeout if call.timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.TimeoutException as exc:
            # A connect or pool timeout never sent the request; a read or write timeout may have.
            sent = not isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
            return _Retry(self._lost(call, LateTimeoutError, "Late did not answer in time", exc), sent)
        except httpx.TransportError as exc:
            sent = not isinstance(exc, httpx.ConnectError)
            return _Retry(self._lost(call, LateConnectionError, "could not reach Late", exc), sent)
        elapsed = (time.perf_counter() - started) * 1000
        log.debug(
            "late %s %s -> %d in %.0f ms (attempt %d)",
            call.method,
            call.path,
            response.status_code,
            elapsed,
            attempt,
        )
        limit = self.rate.observe(response.headers)
        if response.is_success or response.status_code in call.expect:
            return Answer(response, attempt)
        if response.status_code == 429:
            wait = self.rate.retry_after(response.headers)
            per_account = call.account_limits and "retry-after" not in response.headers
            error = error_for(response, retry_after=None if per_account else wait,
                              limit=limit)
            if per_account or (wait is not None and wait > self.rate.max_wait):
                # Waiting would hang the chat (or not help at all); fail now and say why.
                raise error
            return _Retry(error, False, wait)
        error = error_for(response)
        if isinstance(error, LateServerError):
            return _Retry(error, True)
        raise error

    @staticmethod
    def _lost(call: Call, kind: type[LateError], what: str, exc: Exception) -> LateError:
        detail = type(exc).__name__
        return kind(f"{what} ({detail})", method=call.method, path=call.path)
