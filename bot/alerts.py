"""Alerts on their way to the alert channels: raised into the outbox, delivered through the chat ports.

`prepare` decides where an alert goes (the alert channel of each workspace that watches the brand,
`/late config alert_channel`) and whether it is held (its account is muted). `flush` delivers what is
pending, each destination in order on its own (a paced Slack channel does not hold up Discord), and
stops at a destination's first failure so that its next alerts do not overtake it; what failed is
tried again on the next flush. The `Reconnect` link is fetched from Late for each alert by the flush
that delivers it (how long a connect URL stays valid is not documented). As a service, `run` flushes
whenever an alert is raised and every `retry_every` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from datetime import timedelta

from bot.alert import Alert, card_of, reply_of
from bot.brands import Brands
from bot.chats import Chats
from bot.clock import Clock
from bot.errors import LateError
from bot.healthbook import HealthBook, NewAlert
from bot.late.client import LateClient
from bot.messages import Place
from bot.outbox import Outbox, Stored

log = logging.getLogger("latebot.alerts")

MAX_AGE = timedelta(hours=24)  # an alert not delivered by then is stale: dropped, and logged
Link = tuple[str | None, str | None]  # Late's connect URL, or why there is none


def place_of(destination: str) -> Place:
    chat, team, channel = destination.split(":", 2)
    return Place.model_validate({"chat": chat, "team": team, "channel": channel})


class Alerts:
    name = "alerts"

    def __init__(self, *, outbox: Outbox, book: HealthBook, brands: Brands, chats: Chats, late: LateClient,
                 clock: Clock, footer: str = "", retry_every: float = 30.0) -> None:
        self.outbox = outbox
        self.book = book
        self.brands = brands
        self.chats = chats
        self.late = late
        self.clock = clock
        self.footer = footer
        self.retry_every = retry_every
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        chats.on_register.append(self.wake)

    # --- raising -------------------------------------------------------------------------------

    async def muted(self, account_id: str | None) -> bool:
        return account_id in await self._muted({account_id})

    async def _muted(self, account_ids: set[str | None]) -> set[str]:
        """Which of these accounts are muted now, in one read."""
        now = self.clock.now()
        mutes = await self.book.mutes_of({a for a in account_ids if a is not None})
        return {account_id for account_id, until in mutes.items() if until > now}

    async def prepare(self, alert: Alert) -> NewAlert:
        destinations = await self.brands.alert_destinations(alert.profile_id)
        if not destinations:
            log.info("alert %s has nowhere to go: no alert channel is set for its brand", alert.key)
        return NewAlert(alert, destinations, held=await self.muted(alert.account_id))

    async def raise_alert(self, alert: Alert) -> bool:
        """Record an alert that no state change of its own goes with; False when it was raised before."""
        new = await self.prepare(alert)
        added = await self.outbox.add(new.alert, new.destinations, held=new.held)
        if added:  # a repeat changes nothing, so there is nothing new to deliver
            self.wake()
        return added

    def wake(self) -> None:
        self._wake.set()

    # --- delivering ----------------------------------------------------------------------------

    async def flush(self) -> int:
        """Deliver what is pending; returns how many messages went out."""
        async with self._lock:
            now = self.clock.now()
            queues: dict[str, list[Stored]] = defaultdict(list)
            stale, hold = [], []
            pending = await self.outbox.pending()
            muted = await self._muted({stored.alert.account_id for stored in pending})
            for stored in pending:
                if now - stored.created_at > MAX_AGE:
                    log.warning("alert %s could not be delivered within %s; dropped", stored.alert.key, MAX_AGE)
                    stale.append(stored.id)
                elif stored.alert.account_id in muted:
                    hold.append(stored.id)
                else:
                    for destination in stored.to_do:
                        if self.chats.port(place_of(destination).chat) is not None:
                            queues[destination].append(stored)
            await self.outbox.set_state(stale, "dropped")
            await self.outbox.set_state(hold, "held")
            # One connect URL per alert, for all its destinations, fetched before any is delivered to.
            cards = list({s.id: s for queue in queues.values() for s in queue if not s.alert.plain}.values())
            # An unexpected failure stops only the destinations that reach the alert, as a failed send does.
            found = await asyncio.gather(*(self._link(s.alert) for s in cards), return_exceptions=True)
            links = {s.id: link for s, link in zip(cards, found, strict=True)}
            sent = await asyncio.gather(*(self._deliver(d, q, links) for d, q in queues.items()))
            return sum(sent)

    async def _deliver(self, destination: str, queue: list[Stored],
                       links: dict[int, Link | BaseException]) -> int:
        place = place_of(destination)
        port = self.chats.port(place.chat)
        assert port is not None
        sent = 0
        for stored in queue:
            try:
                if stored.alert.plain:
                    await port.send(place, reply_of(stored.alert))
                else:
                    found = links[stored.id]
                    if isinstance(found, BaseException):
                        raise found
                    link, problem = found
                    await port.post_card(place, card_of(stored.alert, link=link, link_problem=problem,
                                                        footer=self.footer))
            except Exception:
                log.exception("could not deliver alert %s to %s; trying again later", stored.alert.key, destination)
                return sent
            await self.outbox.delivered(stored.id, destination)
            sent += 1
        return sent

    async def _link(self, alert: Alert) -> Link:
        if not alert.reconnect or not alert.profile_id:
            return None, None
        try:
            found = await self.late.connect_url(alert.reconnect, alert.profile_id)
        except LateError as exc:
            log.warning("no connect URL for %s: %s", alert.reconnect, exc.message)
            return None, exc.message
        return found.auth_url, None

    # --- as a service --------------------------------------------------------------------------

    async def run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.flush()
            except Exception:
                log.exception("delivering alerts failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.retry_every)
