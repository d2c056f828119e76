"""What every engine handler may read: the clock, ids, the plan and the behaviour switches."""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol

from adapters.sandbox.limits import Limits
from adapters.sandbox.plan import Plan
from adapters.sandbox.weather import Weather
from bot.clock import Clock, IdGen


class Context(Protocol):
    clock: Clock
    ids: IdGen
    plan: Plan
    # How long a due post (or a publish-now one) stays `publishing` before it is published (0: at once).
    publish_delay: timedelta
    # Whether content duplicates are checked before idempotency keys (the newest SDK says Late does).
    dedup_before_idempotency: bool
    # Whether duplicate content is refused at all (off only in tests that must see every second post).
    content_dedup: bool
    # How long a repeated `x-request-id` / `Idempotency-Key` is answered with the original post.
    replay_window: timedelta
    # The largest `limit` `GET /v1/posts` takes (Late: 500 since August 2026, 100 before).
    list_limit_max: int
    limits: Limits
    weather: Weather
