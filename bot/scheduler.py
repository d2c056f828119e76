"""Background duties: finish interrupted publishing, expire stale requests, follow posts on Late."""

from __future__ import annotations

import asyncio
import logging

from bot.approval import Approvals
from bot.clock import Clock
from bot.errors import LateError
from bot.followup import FollowUps
from bot.request import Request
from bot.requests import Requests
from bot.settlement import Settlement

log = logging.getLogger("latebot.scheduler")


class Scheduler:
    """A service (see `bot.runtime`): `run()` reconciles once, then ticks every `interval` seconds."""

    name = "scheduler"

    def __init__(
        self, *, approvals: Approvals, settlement: Settlement, requests: Requests, clock: Clock,
        interval: float = 30.0, followups: FollowUps,
    ) -> None:
        self.approvals = approvals
        self.followups = followups
        self.settlement = settlement
        self.requests = requests
        self.clock = clock
        self.interval = interval

    async def reconcile(self) -> list[Request]:
        """Requests left in `publishing` by a crash or a timeout: resolve each without a second post."""
        done = []
        for request in await self.requests.publishing():
            try:
                done.append(await self.settlement.reconcile(request))
            except LateError as exc:
                log.warning("could not reconcile %s yet: %s", request.id, exc.message)
        return done

    async def follow_up(self) -> int:
        """Posts Late has taken on and not finished (see `bot.followup`): how many it finished."""
        return await self.followups.check_due()

    async def tick(self) -> None:
        await self.approvals.expire_due()
        await self.follow_up()

    async def run(self) -> None:
        await self.reconcile()
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("scheduler tick failed")
            await asyncio.sleep(self.interval)
