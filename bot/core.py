"""Wiring of the core: settings -> store, Late client (or sandbox), directory, approvals, scheduler."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
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
    late: LateClient | None = None,
) -> AsyncIterator[Core]:
    """Build the core; without LATE_API_KEY it runs on the sandbox (nothing is published)."""
    clock = clock or SystemClock()
    store = await Store(settings.LATEBOT_DB, clock=clock).open()
    engine = None
    try:
        if late is None:
            if settings.sandbox:
                from bot.sandbox import open_sandbox

                engine, late = await open_sandbox(store, clock)
            else:
                assert settings.LATE_API_KEY is not None
                late = LateClient(settings.LATE_BASE_URL, settings.LATE_API_KEY)
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
        before_tick = engine.tick if engine is not None else None
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
            await late.aclose()
    finally:
        await store.close()
