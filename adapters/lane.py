"""The lane: the work that follows an acknowledgement, kept out of the acknowledgements' way.

Acknowledging is bound by a deadline (Slack and Discord allow 3 s) and costs a fraction of a
millisecond; the work after it (parse, store, policy, cards, Late) costs milliseconds. On one
event loop both compete for the same CPU, so every command worked on while a burst is still
being acknowledged delays every acknowledgement behind it. The lane holds that work in a bounded
queue and starts it only when the acknowledgements let it:

- an item starts once no acknowledgement happened for `quiet` seconds (a burst is acknowledged
  at the SDK's own speed, then worked off), and only while the loop is free: when one pass of
  the loop takes more than `BUSY` (the items already running are using the CPU), the next item
  waits, so that a burst that begins finds at most an item or two ready to run ahead of its
  acknowledgements; items waiting on I/O (Late, the chat's API) leave the loop free, so up to
  `workers` of them overlap;
- an item that waited `patience` seconds starts anyway, one such item at a time, so that a flood
  of acknowledgements slows the work down but never starves it.

Full (`capacity` items waiting): `offer` refuses and the adapter waits for room with `put`,
before it acknowledges and within the platform's deadline (backpressure); past that deadline it
acknowledges and keeps waiting for room in a task of its own. A command is never dropped and the
user is never told anything about it but its result. On `close` the lane works off what it holds
for `grace` seconds; an item that never started is cancelled through its `abandon` (the adapter
tells the user it was not done).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import gc
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("latebot.lane")

Work = Callable[[], Coroutine[Any, Any, None]]
# What an adapter's `abandon` tells the user.
STOPPED = "latebot was restarting and did not get to this; nothing was done. Please try again."
POLL = 0.05
BUSY = 0.002  # seconds one pass of the event loop may take for it to count as free


@dataclass
class Job:
    name: str
    work: Work
    queued: float
    abandon: Work | None = None


class Lane:
    def __init__(self, name: str, *, capacity: int = 4096, workers: int = 32, quiet: float = 0.02,
                 patience: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self.capacity = capacity
        self.workers = workers
        self.quiet = quiet
        self.patience = patience
        self.clock = clock
        self.last_ack = float("-inf")
        self.tasks: set[asyncio.Task[None]] = set()  # items running
        self._jobs: collections.deque[Job] = collections.deque()
        self._arrived = asyncio.Event()
        self._room = asyncio.Event()
        self._slots = asyncio.Semaphore(workers)
        self._overdue = 0
        self._closing = False
        self._closed = False
        self._dispatcher: asyncio.Task[None] | None = None

    # --- the acknowledging side ----------------------------------------------------------------

    def acked(self) -> None:
        """An acknowledgement is going out: hold new work back for `quiet` seconds."""
        self.last_ack = self.clock()

    def offer(self, name: str, work: Work, abandon: Work | None = None) -> bool:
        """Queue `work` unless the lane is full (then False: nothing was queued). Once the lane is
        closed nothing runs any more: the user is told at once (`abandon`) that it was not done."""
        if self._closed:
            if abandon is not None:
                self._tell([abandon])
            return True
        if len(self._jobs) >= self.capacity:
            return False
        self._jobs.append(Job(name, work, self.clock(), abandon))
        self._arrived.set()
        return True

    async def put(self, name: str, work: Work, abandon: Work | None = None, *, until: float | None = None) -> bool:
        """Queue `work` as soon as there is room; False if there was none by `until` (a clock time)."""
        while not self.offer(name, work, abandon):
            self._room.clear()
            wait = None if until is None else until - self.clock()
            if wait is not None and wait <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._room.wait(), wait)
        return True

    @property
    def waiting(self) -> int:
        return len(self._jobs)

    # --- the working side -----------------------------------------------------------------------

    def start(self) -> None:
        if self._dispatcher is None:
            self._dispatcher = asyncio.create_task(self._dispatch(), name=f"{self.name}-lane")

    async def _dispatch(self) -> None:
        while True:
            while not self._jobs:
                self._arrived.clear()
                await self._arrived.wait()
            await self._slots.acquire()
            try:
                overdue = await self._turn(self._jobs[0])
            except BaseException:
                self._slots.release()
                raise
            job = self._jobs.popleft()
            self._room.set()
            self._overdue += overdue
            task = asyncio.create_task(self._run(job, overdue), name=job.name)
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _turn(self, job: Job) -> bool:
        """Wait until `job` may start; True when it starts because it waited too long."""
        while True:
            now = self.clock()
            since_ack = now - self.last_ack
            if self._closing:
                return False
            if since_ack >= self.quiet:
                if await _loop_is_free():
                    return False
                continue
            if now - job.queued >= self.patience and self._overdue == 0:
                return True
            # Short naps: closing, or a new setting, takes effect within POLL seconds.
            await asyncio.sleep(min(max(self.quiet - since_ack, 0.001), POLL))

    async def _run(self, job: Job, overdue: bool) -> None:
        try:
            await job.work()
        except Exception:
            log.exception("%s failed", job.name)
        finally:
            self._overdue -= overdue
            self._slots.release()

    async def idle(self) -> None:
        """Wait until nothing is queued or running (including work queued meanwhile)."""
        while self._jobs or self.tasks:
            if self.tasks:
                await asyncio.gather(*set(self.tasks), return_exceptions=True)
            else:
                await asyncio.sleep(0.002)

    async def close(self, grace: float) -> None:
        """Work off what is queued for up to `grace` seconds, then cancel the rest."""
        self._closing = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.idle(), grace)
        if self._dispatcher is not None:
            self._dispatcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._dispatcher
        running = set(self.tasks)
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        self._closed = True
        left = list(self._jobs)
        self._jobs.clear()
        if left:
            log.error("%s lane: %d item(s) never started before shutdown; telling their users", self.name, len(left))
            told = self._tell([job.abandon for job in left if job.abandon is not None])
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(*told, return_exceptions=True), 2.0)

    def _tell(self, abandons: list[Work]) -> list[asyncio.Task[None]]:
        told = [asyncio.create_task(abandon(), name=f"{self.name}-not-done") for abandon in abandons]
        for task in told:
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        return told


async def _loop_is_free() -> bool:
    """Whether one pass of the loop (everything ready to run besides us) takes less than BUSY."""
    started = time.perf_counter()
    await asyncio.sleep(0)
    return time.perf_counter() - started < BUSY


def keep_what_started() -> None:
    """Move every object alive now (modules, SDK tables, schemas: what starting up built, and keeps)
    out of the collector's way: a full collection then walks only what came after, instead of
    stopping the loop for ~0.1 s in the middle of a burst of acknowledgements. (No collection
    first: it would cost start-up ~50 ms to spare the little garbage starting up leaves.)"""
    gc.freeze()
