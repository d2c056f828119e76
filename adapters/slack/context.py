"""What the work behind each Slack listener needs, handed over explicitly (no reaching into the app)."""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.media import Uploads
from adapters.slack.people import People
from adapters.slack.port import SlackPort
from bot.ports import BotPort

SEEN_TTL = 600.0


@dataclass
class Opened:
    """Forms the adapter itself opened (bare `/late post`, the shortcut): a retried delivery opens
    nothing twice. Oldest first, so expiry only ever looks at the front."""

    ttl: float = SEEN_TTL
    _seen: OrderedDict[str, float] = field(default_factory=OrderedDict)

    def first_time(self, key: str | None) -> bool:
        if not key:
            return True
        now = time.monotonic()
        while self._seen:
            oldest, at = next(iter(self._seen.items()))
            if now - at <= self.ttl:
                break
            del self._seen[oldest]
        if key in self._seen:
            return False
        self._seen[key] = now
        return True


@dataclass
class SlackContext:
    bot: BotPort
    client: AsyncWebClient
    session: aiohttp.ClientSession
    port: SlackPort
    people: People
    uploads: Uploads
    opened: Opened = field(default_factory=Opened)
