"""Injected time and ids, so that tests are exact."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware datetime in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, when: datetime) -> None:
        self._now = when.astimezone(UTC)


IdGen = Callable[[], str]

# Crockford base32 without I, L, O, U: short ids that survive being read aloud or retyped.
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def random_id(length: int = 8) -> str:
    # One read of the system's randomness, not one per character; 256 is a multiple of 32, so
    # `byte % 32` picks every letter equally often.
    return "".join(_ALPHABET[b % 32] for b in secrets.token_bytes(length))


class SequentialIds:
    """Deterministic ids for tests: prefix1, prefix2, ..."""

    def __init__(self, prefix: str = "r") -> None:
        self.prefix = prefix
        self.n = 0

    def __call__(self) -> str:
        self.n += 1
        return f"{self.prefix}{self.n}"


def iso(dt: datetime) -> str:
    """UTC ISO-8601 with Z, as stored in SQLite and sent to Late."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def describe_time(dt: datetime, zone: str) -> str:
    """A time as every card and message words it: "Tue 1 Dec 2026 09:00 America/New_York"."""
    local = dt.astimezone(ZoneInfo(zone))
    return f"{local.strftime('%a')} {local.day} {local.strftime('%b %Y %H:%M')} {zone}"


def parse_iso(value: str) -> datetime:
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
