"""Wiring of the core: settings and a Late client -> store, directory, approvals, scheduler."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from bot.approval import Approvals
from bot.chats import Chats
from bot.clock import Clock, IdGen, SystemClock, random_id
from bot.directory import Directory
from bot.late.client import LateClient
from bot.policy import Policies
from bot.scheduler import Scheduler
from bot.settings import Settings
from bot.store import Store

log = logging.getLogger("latebot.core")

SANDBOX_BANNER = "sandbox: nothing is published"


@dataclass
class Core:
    settings: Settings
    store: Store
    late: LateClient
    chats: Chats
    policies: Policies
    directory: Directory
    approvals: Approvals
    scheduler: Scheduler
    clock: Clock
    sandbox: bool
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def start_background(self) -> None:
        """The scheduler loop (reconcile on start, then expiry and follow-ups)."""
        interval = 1.0 if self.sandbox else 30.0
        self.tasks.append(asyncio.create_task(self.scheduler.run(interval), name="latebot-scheduler"))

    async def stop_background(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.tasks.clear()


@contextlib.asynccontextmanager
async def open_core(
    settings: Settings,
    *,
    clock: Clock | None = None,
    ids: IdGen | None = None,
    late: LateClient,
    before_tick: Callable[[], Awaitable[None]] | None = None,
) -> AsyncIterator[Core]:
    """Build the core on `late` (Late itself or the sandbox: the caller chooses, opens and closes it).

    `before_tick` runs before each scheduler tick (the sandbox publishes what is due there).
    """
    clock = clock or SystemClock()
    store = await Store(settings.LATEBOT_DB, clock=clock).open()
    try:
        chats = Chats()
        policies = Policies(store)
        approvals = Approvals(
            store=store,
            late=late,
            chats=chats,
            clock=clock,
            ids=ids or random_id,
            policies=policies,
            footer=SANDBOX_BANNER if settings.sandbox else "",
        )
        core = Core(
            settings=settings,
            store=store,
            late=late,
            chats=chats,
            policies=policies,
            directory=Directory(late, clock),
            approvals=approvals,
            scheduler=Scheduler(approvals, before_tick=before_tick),
            clock=clock,
            sandbox=settings.sandbox,
        )
        try:
            yield core
        finally:
            await core.stop_background()
    finally:
        await store.close()
