"""Who a Slack user is: name, time zone and admin flag from `users.info`, groups from `usergroups.list`.

The admin flag and group membership decide who may approve and configure, and must be as they are
now: lookups are cached for a few seconds only (`TTL`), long enough that a burst of commands costs one
call per user, short enough that a user removed from a group or demoted stops counting at once.
Concurrent callers share one call. Callers on Slack's 3-second clock pass a `timeout`: when the lookup
is slower, the actor is built from the payload alone (no zone, not admin, no groups: it fails closed)
while the lookup finishes for next time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.translate import Who
from bot.cache import Cache
from bot.messages import Actor

log = logging.getLogger("latebot.slack.people")

TTL = 5.0


class People:
    def __init__(self, client: AsyncWebClient, *, ttl: float = TTL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.users = Cache(ttl, clock, keep_empty=False)  # a failed lookup is tried again next time
        self.groups = Cache(ttl, clock)

    async def actor(self, who: Who, *, within: float | None = None) -> Actor:
        basic = Actor(id=who.user, name=who.name or who.user)
        try:
            user, groups = await asyncio.wait_for(
                asyncio.gather(self.user(who.user), self.groups_of(who.team, who.user)), within
            )
        except TimeoutError:
            log.info("users.info for %s was slow; going on without zone and role", who.user)
            return basic
        if not user:
            return basic.model_copy(update={"groups": groups})
        # The handle, as Slack labels mentions (`<@U1|bob>` -> `@bob`), so `config approvers @bob` matches.
        name = user.get("name") or who.name
        return Actor(
            id=who.user,
            name=str(name or who.user),
            groups=groups,
            is_admin=bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")),
            timezone=user.get("tz") or None,
        )

    async def user(self, user_id: str) -> dict[str, Any]:
        async def fetch() -> dict[str, Any]:
            try:
                resp = await self.client.users_info(user=user_id)
            except SlackApiError as exc:
                log.warning("users.info %s failed: %s", user_id, exc.response.get("error"))
                return {}
            except Exception as exc:  # the lookup is a nicety: never let it stop the command
                log.warning("users.info %s failed: %r", user_id, exc)
                return {}
            return dict(resp.get("user") or {})

        return await self.users.get(user_id, fetch)

    async def names(self, user_ids: list[str], *, within: float) -> dict[str, str]:
        """Display names for mentions in a shared message; whatever is known within `within` seconds."""
        if not user_ids:
            return {}
        try:
            users = await asyncio.wait_for(asyncio.gather(*(self.user(u) for u in user_ids)), within)
        except TimeoutError:
            return {}
        out: dict[str, str] = {}
        for uid, user in zip(user_ids, users, strict=True):
            profile = user.get("profile") or {}
            name = profile.get("display_name") or user.get("name")
            if name:
                out[uid] = str(name)
        return out

    async def groups_of(self, team: str, user_id: str) -> tuple[str, ...]:
        async def fetch() -> dict[str, tuple[str, ...]]:
            try:
                resp = await self.client.usergroups_list(include_users=True)
            except SlackApiError as exc:
                log.info("usergroups.list failed (%s): approver groups can't be matched",
                         exc.response.get("error"))
                return {}
            except Exception as exc:
                log.warning("usergroups.list failed: %r", exc)
                return {}
            members: dict[str, list[str]] = {}
            for group in resp.get("usergroups") or []:
                for uid in group.get("users") or []:
                    members.setdefault(uid, []).append(str(group["id"]))
            return {uid: tuple(ids) for uid, ids in members.items()}

        by_user = await self.groups.get(f"team:{team}", fetch)
        return by_user.get(user_id, ())

    async def close(self) -> None:
        await self.users.drain()
        await self.groups.drain()
