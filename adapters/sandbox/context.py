"""What every engine handler may read: the clock, ids, the plan and the behaviour switches."""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol

from adapters.sandbox.plan import Plan
from bot.clock import Clock, IdGen


class Context(Protocol):
    clock: Clock
    ids: IdGen
    plan: Plan
    # How long a due post (or a publish-now one) stays `publishing` before it is published (0: at once).
    publish_delay: timedelta
    # Real Late checks content duplicates before idempotency keys; the default here is the reverse.
    dedup_before_idempotency: bool
