"""Late's rate limit as its answers describe it, shared by every call of one client.

Every answer may carry `X-RateLimit-Limit/-Remaining/-Reset` (reset in epoch seconds). When
`Remaining` reaches 0 the next call waits for the reset instead of spending a request on a 429; a 429's
`Retry-After` closes the gate for everyone in the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from bot.clock import Clock
from bot.errors import LateRateLimitedError

log = logging.getLogger("latebot.late")

Sleep = Callable[[float], Awaitable[None]]

# Beyond this a value is milliseconds; below the first a delta in seconds rather than an epoch.
_EPOCH_MS = 10**12
_EPOCH_MIN = 10**9


@dataclass
class RateLimitState:
    limit: int | None = None
    remaining: int | None = None
    reset_at: float | None = None  # epoch seconds


class RateLimit:
    def __init__(self, clock: Clock, sleep: Sleep, *, max_wait: float) -> None:
        self.clock = clock
        self.sleep = sleep
        self.max_wait = max_wait
        self.state = RateLimitState()
        self._closed_until = 0.0  # epoch seconds; no call starts before it
        self.waited = 0.0  # total seconds spent waiting, for tests and logs

    def _now(self) -> float:
        return self.clock.now().timestamp()

    def observe(self, headers: Mapping[str, str]) -> int | None:
        """Track the limit from any answer, 2xx or not; returns the limit this answer states."""
        now = self._now()
        limit = header_int(headers.get("x-ratelimit-limit"))
        remaining = header_int(headers.get("x-ratelimit-remaining"))
        reset_at = epoch(headers.get("x-ratelimit-reset"), now)
        if limit is not None:
            self.state.limit = limit
        if remaining is not None:
            self.state.remaining = remaining
            self.state.reset_at = reset_at
            if remaining <= 0 and reset_at is not None and reset_at > now:
                self.close_until(reset_at)
        return limit

    def close_until(self, when: float) -> None:
        self._closed_until = max(self._closed_until, when)

    def retry_after(self, headers: Mapping[str, str]) -> float | None:
        """Seconds a 429 asks us to wait: `Retry-After`, else the reset time, else None."""
        now = self._now()
        value = headers.get("retry-after")
        if value is not None:
            seconds = _retry_after(value, now)
            if seconds is not None:
                return seconds
        reset_at = epoch(headers.get("x-ratelimit-reset"), now)
        return max(0.0, reset_at - now) if reset_at is not None else None

    async def wait_turn(self) -> None:
        """Wait until the gate is open; too long a wait fails now rather than hang a chat reply."""
        closed_until = self._closed_until
        delay = closed_until - self._now()
        if delay <= 0:
            return
        if delay > self.max_wait:
            raise LateRateLimitedError(
                f"Late's rate limit resets in {delay:.0f} s", retry_after=delay, status=429
            )
        log.debug("rate limit: waiting %.2f s for the reset", delay)
        self.waited += delay
        await self.sleep(delay)
        # The wait is over even when the clock is not wall time (tests); a newer answer may close it again.
        if self._closed_until == closed_until:
            self._closed_until = 0.0


def header_int(value: str | None) -> int | None:
    try:
        return int(float(value)) if value is not None else None
    except ValueError:
        return None


def epoch(value: str | None, now: float) -> float | None:
    """`X-RateLimit-Reset` as epoch seconds; tolerates milliseconds and deltas, which some proxies send."""
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    if number is None:
        return None
    if number >= _EPOCH_MS:
        return number / 1000
    if number < _EPOCH_MIN:
        return now + number
    return number


def _retry_after(value: str, now: float) -> float | None:
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return None
