"""Values by key with a time to live, one fetch in flight per key (single-flight).

Concurrent callers of a key share the fetch in flight; a value fetched is reused for `ttl` seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")


class Cache:
    def __init__(self, ttl: float, clock: Callable[[], float], *, keep_empty: bool = True) -> None:
        self.ttl = ttl
        self.clock = clock
        self.keep_empty = keep_empty  # False: an empty answer (a failed lookup) is fetched again next time
        self._values: dict[str, tuple[float, Any]] = {}
        self._pending: dict[str, asyncio.Future[Any]] = {}

    def last(self, key: str) -> Any:
        """The last value fetched for `key`, however old, or None: for answers that must be instant."""
        hit = self._values.get(key)
        return hit[1] if hit is not None else None

    def clear(self) -> None:
        self._values.clear()

    async def get(self, key: str, fetch: Callable[[], Awaitable[T]]) -> T:
        hit = self._values.get(key)
        if hit is not None and self.clock() - hit[0] < self.ttl:
            return hit[1]  # type: ignore[no-any-return]
        flight = self._pending.get(key)
        if flight is None:
            flight = asyncio.ensure_future(fetch())
            self._pending[key] = flight

            def settle(done: asyncio.Future[Any], key: str = key) -> None:
                self._pending.pop(key, None)
                if not done.cancelled() and done.exception() is None and (done.result() or self.keep_empty):
                    self._values[key] = (self.clock(), done.result())

            flight.add_done_callback(settle)
        # Shielded: one caller giving up (a timeout) must not cancel the fetch the others wait for.
        return await asyncio.shield(flight)

    async def drain(self) -> None:
        """Cancel the fetches in flight and wait for them to end."""
        for flight in list(self._pending.values()):
            flight.cancel()
        await asyncio.gather(*self._pending.values(), return_exceptions=True)
