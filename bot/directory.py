"""Late profiles and accounts (and Pinterest/Reddit defaults), cached briefly: every command needs them.

A burst of commands asks Late once: concurrent callers share the call in flight (single-flight),
and the answer is reused for `ttl`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from functools import partial

from bot.cache import Cache
from bot.channels import ChannelConfig
from bot.clock import Clock
from bot.errors import NotFound, UserError
from bot.late.client import LateClient
from bot.late.models import Account, HealthReport, Profile, UsageStats
from bot.late.pinterest import PinterestBoards


class Directory:
    def __init__(self, late: LateClient, clock: Clock, ttl: timedelta = timedelta(seconds=60)) -> None:
        self.late = late
        self._cache = Cache(ttl.total_seconds(), lambda: clock.now().timestamp())

    def invalidate(self) -> None:
        self._cache.clear()

    async def profiles(self) -> list[Profile]:
        return list(await self._cache.get("profiles", self.late.list_profiles))

    async def accounts(self, profile_id: str) -> list[Account]:
        return list(await self._cache.get(f"accounts:{profile_id}", partial(self.late.list_accounts, profile_id)))

    def cached_accounts(self, profile_id: str) -> list[Account] | None:
        """Accounts without a Late call, for answers that must be instant (modals, autocomplete)."""
        found = self._cache.last(f"accounts:{profile_id}")
        return list(found) if found is not None else None

    async def pinterest_boards(self, account_id: str) -> PinterestBoards:
        """The boards a Pinterest account can pin to (Late's answer may name no default)."""
        return await self._cache.get(f"boards:{account_id}", partial(self.late.pinterest_boards, account_id))

    def cached_board_names(self, accounts: Sequence[Account]) -> list[str]:
        """Names of the boards of these Pinterest accounts that are cached (for an instant form)."""
        names: list[str] = []
        for a in accounts:
            boards = self._cache.last(f"boards:{a.id}") if a.platform == "pinterest" else None
            if boards is not None:
                names += [b.name or b.id for b in boards.boards]
        return list(dict.fromkeys(names))

    async def defaults(self, accounts: Sequence[Account]) -> set[str]:
        """Ids of the Pinterest and Reddit accounts that have a default board or subreddit in Late."""
        found: set[str] = set()
        for a in accounts:
            if a.platform == "pinterest":
                if (await self.pinterest_boards(a.id)).default_board_id:
                    found.add(a.id)
            elif a.platform == "reddit":
                subs = await self._cache.get(f"subreddits:{a.id}", partial(self.late.reddit_subreddits, a.id))
                if subs.default_subreddit:
                    found.add(a.id)
        return found

    async def usage(self) -> UsageStats:
        """The Late plan and how much of it is used (never cached: it is asked for rarely)."""
        return await self.late.usage_stats()

    async def health(self, profile_id: str | None = None) -> HealthReport:
        return await self.late.accounts_health(profile_id=profile_id)

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

    async def accounts_for(self, config: ChannelConfig) -> tuple[Profile, list[Account]]:
        """The channel's profile and its accounts."""
        profile = await self.profile_for(config)
        return profile, await self.accounts(profile.id)
