"""How long to wait before retrying a call that may succeed next time."""

from __future__ import annotations

import random as _random
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Backoff:
    """Exponential with equal jitter: never zero (no hammering), never in lockstep with other clients."""

    attempts: int = 4  # including the first
    base: float = 0.5
    cap: float = 8.0
    random: Callable[[], float] = field(default=_random.random, compare=False)

    def delay(self, retry: int) -> float:
        """The wait before retry number `retry` (0 for the first retry)."""
        ceiling = min(self.cap, self.base * 2.0**retry)
        return ceiling / 2 + self.random() * ceiling / 2
