"""The core's parts, built once per process: store, repositories, Late, approvals, settlement, scheduler,
the health monitor, alerts, follow-ups and webhooks.

`open_core` takes the Late client from its caller (`adapters/cli.py` chooses Late or the sandbox), so
the core never knows which one it talks to.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from bot.alerts import Alerts
from bot.approval import Approvals
from bot.brands import Brands
from bot.channels import Channels
from bot.chats import Chats
from bot.checkup import Checkup
from bot.clock import Clock, IdGen, SystemClock, random_id
from bot.deliveries import Deliveries
from bot.directory import Directory
from bot.followbook import FollowBook
from bot.followup import FollowUps
from bot.health import HealthMonitor
from bot.healthbook import HealthBook
from bot.late.client import LateClient
from bot.lateposts import LatePosts
from bot.media import Media
from bot.notices import Notices
from bot.outbox import Outbox
from bot.policy import Policies
from bot.redaction import Redaction
from bot.requests import Requests
from bot.retries import Retries
from bot.risks import Risks
from bot.scheduler import Scheduler
from bot.schema import MIGRATIONS
from bot.settings import Settings
from bot.settlement import Settlement
from bot.store import Store
from bot.webhookevents import WebhookEvents
from bot.webhooks import Webhooks

log = logging.getLogger("latebot.core")

SANDBOX_BANNER = "sandbox: nothing is published"


@dataclass
class Core:
    settings: Settings
    clock: Clock
    store: Store
    late: LateClient
    chats: Chats
    brands: Brands
    channels: Channels
    policies: Policies
    requests: Requests
    deliveries: Deliveries
    directory: Directory
    media: Media
    late_posts: LatePosts
    notices: Notices
    settlement: Settlement
    approvals: Approvals
    scheduler: Scheduler
    sandbox: bool
    health_book: HealthBook
    alerts: Alerts
    risks: Risks
    monitor: HealthMonitor
    checkup: Checkup
    followups: FollowUps
    retries: Retries
    webhooks: Webhooks

    @property
    def redaction(self) -> Redaction:
        """What every reply and card goes through before it leaves the core."""
        return self.chats.redaction


@contextlib.asynccontextmanager
async def open_core(
    settings: Settings,
    late: LateClient,
    *,
    sandbox: bool = False,
    clock: Clock | None = None,
    ids: IdGen | None = None,
    scheduler_interval: float = 30.0,
    health_sleep: Callable[[float], Awaitable[None]] | None = None,
) -> AsyncIterator[Core]:
    """Open the store and build the core around `late` (which the caller owns and closes).

    `sandbox` labels every card "sandbox: nothing is published".
    """
    clock = clock or SystemClock()
    store = await Store(settings.LATEBOT_DB, migrations=MIGRATIONS, clock=clock).open()
    try:
        redaction = Redaction(settings.secrets())
        chats = Chats(redaction)
        channels = Channels(store)
        brands = Brands(store)
        policies = Policies(brands, channels)
        requests = Requests(store)
        footer = SANDBOX_BANNER if sandbox else ""
        health_book = HealthBook(store)
        risks = Risks(requests, health_book, clock)
        notices = Notices(chats, policies, footer=footer, notes=risks.notes)
        settlement = Settlement(requests=requests, late=late, notices=notices, clock=clock)
        approvals = Approvals(
            requests=requests, late=late, notices=notices, policies=policies, settlement=settlement,
            clock=clock, ids=ids or random_id,
        )
        directory = Directory(late, clock)
        alerts = Alerts(outbox=Outbox(store), book=health_book, brands=brands, chats=chats, late=late, clock=clock,
                        footer=footer)
        monitor = HealthMonitor(book=health_book, alerts=alerts, risks=risks, directory=directory, clock=clock,
                                interval=settings.LATEBOT_HEALTH_INTERVAL, sleep=health_sleep or asyncio.sleep)
        follow_book = FollowBook(store)
        followups = FollowUps(requests=requests, settlement=settlement, book=follow_book, alerts=alerts, late=late,
                              clock=clock)
        settlement.listeners.append(followups.after_settle)
        yield Core(
            settings=settings,
            clock=clock,
            store=store,
            late=late,
            chats=chats,
            brands=brands,
            channels=channels,
            policies=policies,
            requests=requests,
            deliveries=Deliveries(store, clock),
            directory=directory,
            media=Media(late),
            late_posts=LatePosts(late),
            notices=notices,
            settlement=settlement,
            approvals=approvals,
            scheduler=Scheduler(
                approvals=approvals, settlement=settlement, requests=requests, clock=clock,
                interval=scheduler_interval, followups=followups,
            ),
            sandbox=sandbox,
            health_book=health_book,
            alerts=alerts,
            risks=risks,
            monitor=monitor,
            checkup=Checkup(directory),
            followups=followups,
            retries=Retries(settlement=settlement, followups=followups, book=follow_book, late=late,
                            policies=policies),
            webhooks=Webhooks(secret=settings.LATE_WEBHOOK_SECRET, events=WebhookEvents(store),
                              followups=followups, monitor=monitor, clock=clock),
        )
    finally:
        await store.close()
