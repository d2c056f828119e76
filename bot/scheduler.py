"""Background duties: finish interrupted publishing, expire stale requests, post cards that were never
posted, follow posts on Late until they are final."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from bot.approval import Approvals
from bot.clock import Clock
from bot.errors import LateError
from bot.followup import FollowUps
from bot.late.backoff import Backoff
from bot.request import Request
from bot.requests import Requests
from bot.settlement import Settlement

log = logging.getLogger("latebot.scheduler")

# A request `publishing` (or `pending` without a card) for less than this is left to whoever is
# working on it; after it, the scheduler takes over.
TAKE_OVER_AFTER = timedelta(seconds=30)


class Attempts:
    """When each thing that failed may be tried again: exponential backoff, per key, in memory (a
    restart tries everything at once, which is what a restart is for)."""

    def __init__(self, backoff: Backoff) -> None:
        self.backoff = backoff
        self._next: dict[str, tuple[int, datetime]] = {}

    def due(self, key: str, now: datetime) -> bool:
        entry = self._next.get(key)
        return entry is None or entry[1] <= now

    def failed(self, key: str, now: datetime) -> None:
        n = self._next.get(key, (0, now))[0]
        self._next[key] = (n + 1, now + timedelta(seconds=self.backoff.delay(n)))

    def done(self, key: str) -> None:
        self._next.pop(key, None)

    def __len__(self) -> int:
        return len(self._next)


class Scheduler:
    """A service (see `bot.runtime`): `run()` reconciles once, then ticks every `interval` seconds."""

    name = "scheduler"

    def __init__(
        self, *, approvals: Approvals, settlement: Settlement, requests: Requests, clock: Clock,
        interval: float = 30.0, followups: FollowUps, take_over_after: timedelta = TAKE_OVER_AFTER,
        backoff: Backoff | None = None, concurrency: int = 4,
    ) -> None:
        self.approvals = approvals
        self.followups = followups
        self.settlement = settlement
        self.requests = requests
        self.clock = clock
        self.interval = interval
        self.take_over_after = take_over_after
        self.retries = Attempts(backoff or Backoff(base=max(interval, 1.0), cap=300.0))
        self.concurrency = concurrency

    # --- publishing left unfinished ------------------------------------------------------------

    async def reconcile(self) -> list[Request]:
        """Every request left in `publishing` (at start: by a crash or a timeout), now."""
        return await self._each(await self.requests.publishing(), self._reconcile_one)

    async def reconcile_due(self) -> list[Request]:
        """Requests `publishing` that nobody is sending to Late (this process is not, and either what
        Late said is recorded or it has been longer than `take_over_after`), each on its own backoff,
        until it is settled."""
        now = self.clock.now()
        stale = now - self.take_over_after
        due = [r for r in await self.requests.publishing()
               if r.id not in self.settlement.busy and (r.outcome is not None or r.updated_at <= stale)
               and self.retries.due(f"publish:{r.id}", now)]
        return await self._each(due, self._reconcile_one)

    async def _reconcile_one(self, request: Request) -> Request:
        key = f"publish:{request.id}"
        try:
            final = await self.settlement.reconcile(request)
        except LateError as exc:
            log.warning("could not reconcile %s yet: %s", request.id, exc.message)
            self.retries.failed(key, self.clock.now())
            return request
        if final.state == "publishing":
            self.retries.failed(key, self.clock.now())  # not known yet: look again, less often
        else:
            self.retries.done(key)
        return final

    # --- cards that were never posted ----------------------------------------------------------

    async def repost_cards(self) -> int:
        """Pending requests whose approval card was never posted (the chat refused it, or the process
        stopped while posting it): post it, and tell the requester where it is."""
        now = self.clock.now()
        orphans = [r for r in await self.requests.without_card(created_before=now - self.take_over_after)
                   if r.id not in self.approvals.posting and self.retries.due(f"card:{r.id}", now)]
        posted = await self._each(orphans, self._repost_one)
        return sum(1 for r in posted if r.card is not None)

    async def _repost_one(self, request: Request) -> Request:
        key = f"card:{request.id}"
        try:
            final = await self.approvals.post_missing_card(request)
        except Exception as exc:
            log.warning("could not post the card of %s yet: %s", request.id, exc)
            self.retries.failed(key, self.clock.now())
            return request
        if final.card is None:
            self.retries.failed(key, self.clock.now())
        else:
            self.retries.done(key)
        return final

    # --- outcomes recorded but never told ------------------------------------------------------

    async def tell_owed(self) -> int:
        """Outcomes a stopped process recorded but did not get to tell: refresh the card, tell them."""
        owed = await self.requests.owed_notices(updated_before=self.clock.now() - self.take_over_after)
        for request in owed:
            await self.settlement.notify(request)
        return len(owed)

    # --- scheduled posts -----------------------------------------------------------------------

    async def follow_up(self) -> int:
        """Posts Late has taken on and not finished (see `bot.followup`): how many it finished."""
        return await self.followups.check_due()

    # --- the loop ------------------------------------------------------------------------------

    async def tick(self) -> None:
        duties: list[tuple[str, Callable[[], Awaitable[object]]]] = [
            ("expire", self.approvals.expire_due),
            ("reconcile", self.reconcile_due),
            ("cards", self.repost_cards),
            ("notices", self.tell_owed),
            ("follow-up", self.follow_up),
        ]
        for name, duty in duties:
            # One duty failing (Late down, a chat outage) must not hold up the others.
            try:
                await duty()
            except Exception:
                log.exception("scheduler: %s failed", name)

    async def run(self) -> None:
        try:
            await self.reconcile()
        except Exception:
            log.exception("scheduler: reconcile at start failed; the next ticks try again")
        while True:
            await self.tick()
            await asyncio.sleep(self.interval)

    async def _each(self, items: Sequence[Request], work: Callable[[Request], Awaitable[Request]]) -> list[Request]:
        """`work` on every item, a few at a time: one slow answer from Late must not hold up the rest."""
        gate = asyncio.Semaphore(self.concurrency)

        async def one(request: Request) -> Request:
            async with gate:
                return await work(request)

        return list(await asyncio.gather(*(one(r) for r in items)))
