"""Transient trouble on the platforms behind Late, as Late reports it (REFERENCE.md section 3).

A throttled entry (`errorCategory: platform_rate_limit`) is retried by Late itself: the entry stays
`processing` and the post `publishing` until a later attempt. An outage (`platform_error`, a 5xx or
maintenance upstream) fails the entry. Tests force either for the next attempts on a platform; the
interactive sandbox has a little of both by chance.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

Trouble = Literal["platform_rate_limit", "platform_error"]
# Late gives up on a throttled entry after this many attempts (Instagram: 3 re-sends).
MAX_THROTTLES = 3


@dataclass
class Weather:
    throttle: float = 0.0  # chance an attempt on a platform is throttled
    outage: float = 0.0  # chance an attempt fails with a platform error
    retry_after: timedelta = timedelta(seconds=30)  # when Late tries a throttled entry again
    seed: int | None = None
    _forced: list[tuple[str, Trouble]] = field(default_factory=list)
    _random: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def force(self, platform: str, trouble: Trouble = "platform_rate_limit", *, times: int = 1) -> None:
        """The next `times` attempts on `platform` meet `trouble`."""
        self._forced.extend([(platform, trouble)] * times)

    def trouble(self, platform: str) -> Trouble | None:
        for i, (forced, trouble) in enumerate(self._forced):
            if forced == platform:
                del self._forced[i]
                return trouble
        roll = self._random.random()
        if roll < self.throttle:
            return "platform_rate_limit"
        if roll < self.throttle + self.outage:
            return "platform_error"
        return None
