"""A health check on demand: the table `/late health` and `latebot health` show, with a Reconnect
link (Late's connect URL) for each account that needs action."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.directory import Directory
from bot.errors import LateError
from bot.late.account import AccountHealth
from bot.platforms import account_label

MARKS = {"healthy": "ok", "warning": "warning", "error": "needs action"}
LINKS_AT_ONCE = 4  # connect URLs asked of Late together: a table of broken accounts, not a burst


@dataclass(frozen=True)
class Row:
    entry: AccountHealth
    link: str | None  # where to reconnect it, for an account that needs action

    @property
    def label(self) -> str:
        return account_label(self.entry.platform, self.entry.username)

    @property
    def needs_action(self) -> bool:
        e = self.entry
        return e.status == "error" or e.needs_reconnect or e.can_post is False

    @property
    def status(self) -> str:
        return "needs action" if self.needs_action else MARKS.get(self.entry.status or "", self.entry.status or "?")

    @property
    def issues(self) -> str:
        return "; ".join(self.entry.issues)


class Checkup:
    def __init__(self, directory: Directory) -> None:
        self.directory = directory

    async def rows(self, profile_id: str | None = None) -> list[Row]:
        """Every account (of one profile, or all); raises LateError when Late can't tell."""
        report = await self.directory.health(profile_id)
        gate = asyncio.Semaphore(LINKS_AT_ONCE)

        async def row(entry: AccountHealth) -> Row:
            row = Row(entry, None)
            profile = entry.profile_id or profile_id
            if row.needs_action and entry.platform and profile:
                try:
                    async with gate:
                        return Row(entry, await self.connect_url(entry.platform, profile))
                except LateError:
                    pass  # the table still says it needs action; the link is a convenience
            return row

        return list(await asyncio.gather(*(row(entry) for entry in report.accounts)))

    async def connect_url(self, platform: str, profile_id: str) -> str:
        """Late's URL for (re)connecting an account on `platform` to the profile; fresh every time."""
        return (await self.directory.late.connect_url(platform, profile_id)).auth_url
