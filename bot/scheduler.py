"""Background duties: finish interrupted publishing, expire stale requests, follow scheduled posts."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.approval import Approvals
from bot.clock import iso
from bot.errors import LateError, LateNotFoundError
from bot.publishing import STATE_OF, names_of, outcome_of_post
from bot.request import Request

log = logging.getLogger("latebot.scheduler")


class Scheduler:
    def __init__(self, approvals: Approvals, *, before_tick: Callable[[], Awaitable[None]] | None = None) -> None:
        self.approvals = approvals
        self.before_tick = before_tick

    async def reconcile(self) -> list[Request]:
        """Requests left in `publishing` by a crash or a timeout: resolve each without a second post."""
        stuck = await self.approvals.requests.find("state = 'publishing'")
        done = []
        for request in stuck:
            try:
                done.append(await self.approvals.resume(request))
            except LateError as exc:
                log.warning("could not reconcile %s yet: %s", request.id, exc.message)
        return done

    async def follow_up(self) -> int:
        """Scheduled posts whose time has come: record what Late made of them and tell the thread."""
        now = iso(self.approvals.clock.now())
        due = await self.approvals.requests.find(
            "state = 'scheduled' AND late_post_id IS NOT NULL AND json_extract(draft, '$.scheduled_for') <= ?",
            [now],
        )
        changed = 0
        for request in due:
            assert request.late_post_id is not None
            try:
                post = await self.approvals.late.get_post(request.late_post_id)
            except LateNotFoundError:
                continue
            except LateError as exc:
                log.warning("could not follow up %s: %s", request.id, exc.message)
                continue
            outcome = outcome_of_post(post, names=names_of(request))
            if outcome.kind == "scheduled":
                continue
            moved = await self.approvals.requests.transition(
                request, STATE_OF[outcome.kind], actor="latebot", action="follow-up", outcome=outcome
            )
            if moved:
                changed += 1
                final = await self.approvals.get(request.id)
                await self.approvals.refresh_card(final)
                await self.approvals.tell(final, self.approvals.result_text(final))
        return changed

    async def tick(self) -> None:
        if self.before_tick is not None:
            await self.before_tick()
        await self.approvals.expire_due()
        await self.follow_up()

    async def run(self, interval: float) -> None:
        await self.reconcile()
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("scheduler tick failed")
            await asyncio.sleep(interval)
