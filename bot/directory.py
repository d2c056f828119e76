"""Late profiles and accounts, cached briefly: every command and autocomplete needs them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.errors import NotFound, UserError
from bot.late.client import LateClient
from bot.late.models import Account, Profile
from bot.policy import ChannelConfig


@dataclass
class _Entry:
    at: datetime
    value: Any


class Directory:
    def __init__(self, late: LateClient, clock: Clock, ttl: timedelta = timedelta(seconds=60)) -> None:
        self.late = late
        self.clock = clock
        self.ttl = ttl
        self._cache: dict[str, _Entry] = {}

    def invalidate(self) -> None:
        self._cache.clear()

    def _fresh(self, key: str) -> Any | None:
        entry = self._cache.get(key)
        if entry is not None and self.clock.now() - entry.at < self.ttl:
            return entry.value
        return None

    async def profiles(self) -> list[Profile]:
        cached = self._fresh("profiles")
        if cached is None:
            cached = await self.late.list_profiles()
            self._cache["profiles"] = _Entry(self.clock.now(), cached)
        return list(cached)

    async def accounts(self, profile_id: str) -> list[Account]:
        key = f"accounts:{profile_id}"
        cached = self._fresh(key)
        if cached is None:
            cached = await self.late.list_accounts(profile_id=profile_id)
            self._cache[key] = _Entry(self.clock.now(), cached)
        return list(cached)

    def cached_accounts(self, profile_id: str) -> list[Account] | None:
        """Accounts without a Late call, for answers that must be instant (modals, autocomplete)."""
        entry = self._cache.get(f"accounts:{profile_id}")
        return list(entry.value) if entry else None

    async def find_profile(self, name_or_id: str) -> Profile:
        wanted = name_or_id.strip().strip('"').lower()
        profiles = await self.profiles()
        for p in profiles:
            if p.id.lower() == wanted or p.name.lower() == wanted:
                return p
        names = ", ".join(p.name for p in profiles) or "none"
        raise NotFound(f"There is no Late profile called '{name_or_id}'. Profiles: {names}.")

    async def profile_for(self, config: ChannelConfig) -> Profile:
        """The channel's bound profile, or the only profile when the Late account has exactly one."""
        profiles = await self.profiles()
        if config.profile_id:
            for p in profiles:
                if p.id == config.profile_id:
                    return p
            raise NotFound(
                "This channel is bound to a Late profile that no longer exists. "
                "An admin can bind another one with /late bind <profile>."
            )
        if len(profiles) == 1:
            return profiles[0]
        names = ", ".join(p.name for p in profiles) or "none yet"
        raise UserError(
            f"This channel is not bound to a Late profile yet (profiles: {names}).",
            example=f"/late bind {profiles[0].name if profiles else 'My Brand'}",
        )
