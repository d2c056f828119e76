"""Background duties: finish interrupted publishing, expire stale requests, follow scheduled posts."""

from __future__ import annotations

import asyncio
import logging

from bot.approval import Approvals
from bot.clock import Clock
from bot.errors import LateError, LateNotFoundError
from bot.publishing import names_of, outcome_of_post
from bot.request import Request
from bot.requests import Requests
from bot.settlement import Settlement

log = logging.getLogger("latebot.scheduler")


class Scheduler:
    """A service (see `bot.runtime`): `run()` reconciles once, then ticks every `interval` seconds."""

    name = "scheduler"

    def __init__(
        self, *, approvals: Approvals, settlement: Settlement, requests: Requests, clock: Clock,
        interval: float = 30.0,
    ) -> None:
        self.approvals = approvals
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
        """Scheduled posts whose time has come: record what Late made of them and tell the thread."""
        changed = 0
        for request in await self.requests.scheduled_due(self.clock.now()):
            assert request.late_post_id is not None
            try:
                post = await self.settlement.late.get_post(request.late_post_id)
            except LateNotFoundError:
                continue
            except LateError as exc:
                log.warning("could not follow up %s: %s", request.id, exc.message)
                continue
            outcome = outcome_of_post(post, names=names_of(request))
            if outcome.kind == "scheduled":
                continue
            before = request.state
            final = await self.settlement.settle(
                request, outcome, actor="latebot", action="follow-up", from_states=["scheduled"]
            )
            changed += final.state != before
        return changed

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
