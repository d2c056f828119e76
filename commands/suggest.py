"""Autocomplete choices for typed options: targets, time phrases, zones, profiles."""

from __future__ import annotations

from bot.core import Core
from bot.errors import UserError
from bot.messages import Invocation
from commands.requests import zone_of
from commands.targets import target_choices
from commands.when import describe_time, resolve_time
from commands.zones import suggest_zones

LIMIT = 25  # Discord shows at most 25 choices


class Suggestions:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def choices(self, inv: Invocation, option: str, value: str) -> list[tuple[str, str]]:
        if option == "to":
            config = await self.core.channels.get(inv.place)
            _, accounts = await self.core.directory.accounts_for(config)
            return target_choices(accounts, value, LIMIT)
        if option == "tz":
            return [(z, z) for z in suggest_zones(value)[:LIMIT]]
        if option == "when":
            return await self._when(inv, value)
        if option == "profile":
            profiles = await self.core.directory.profiles()
            wanted = value.lower()
            return [(p.name, p.name) for p in profiles if wanted in p.name.lower()][:LIMIT]
        return []

    async def _when(self, inv: Invocation, value: str) -> list[tuple[str, str]]:
        phrase = value.strip()
        if phrase.lower() in ("now", "draft"):
            return [(f"{phrase.lower()} (use the mode option)", phrase.lower())]
        if not phrase:
            return [(p, p) for p in ("now", "in 1 hour", "tomorrow 9am", "monday 10am")]
        config = await self.core.channels.get(inv.place)
        zone = (inv.options or {}).get("tz") or zone_of(self.core, inv.actor, config)
        try:
            when = resolve_time(phrase, zone, self.core.clock.now())
        except UserError as exc:
            return [(f"{phrase} -> ? {exc.message}"[:100], phrase[:100])]
        return [(f"{phrase} -> {describe_time(when, zone)}"[:100], phrase[:100])]
