"""Per-channel settings: the Late profile a channel posts to, where its cards go, its time zone, and
its own approval rules, which only ever tighten the brand's (see `bot.policy`).

A channel rule that is `None` has no opinion: the brand's rule applies.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from bot.clock import iso
from bot.errors import NotAllowed
from bot.messages import Actor, ChatKind, Place
from bot.store import AuditRow, Store, Tx

# What `/late config <key> <value>` accepts, with the help shown for each.
KEYS: dict[str, str] = {
    "approvers": "who may approve the brand's posts here: user mentions or a group/role, or `anyone` "
                 "(default: anyone but the requester)",
    "approvals": "how many distinct approvals a post of the brand needs (default 1)",
    "self_approval": "`on` lets requesters approve their own posts (default off)",
    "expiry": "hours before an undecided request expires (default 72)",
    "approval_channel": "the channel where the brand's approval cards go here (default: where it is asked)",
    "alert_channel": "the channel for the brand's account and publishing alerts",
    "timezone": "the default time zone for this channel's posts (IANA, e.g. Europe/Berlin)",
}
# `/late config channel <key> <value>`: this channel's own, stricter rules.
CHANNEL_KEYS: dict[str, str] = {
    "approvers": "only these may approve here (they must be allowed by the brand too), or `brand`",
    "approvals": "at least this many approvals here (more than the brand asks), or `brand`",
    "self_approval": "`off` forbids self-approval here even if the brand allows it, or `brand`",
    "expiry": "expire undecided requests sooner here (hours), or `brand`",
    "approval_channel": "send this channel's cards to another channel, or `brand`",
}


class ChannelConfig(BaseModel):
    chat: ChatKind
    team: str = ""
    channel: str
    profile_id: str | None = None
    approval_channel: str | None = None
    timezone: str | None = None
    # Tightenings of the brand's rules.
    approvers: list[str] | None = None
    approver_groups: list[str] | None = None
    approvals_required: int | None = None
    allow_self_approval: bool | None = None
    expiry_hours: int | None = None
    labels: dict[str, str] | None = None  # how approvers' mentions read, for display only

    @property
    def place(self) -> Place:
        return Place(chat=self.chat, team=self.team, channel=self.channel)

    @property
    def has_approvers(self) -> bool:
        return bool(self.approvers or self.approver_groups)


_LISTS = ("approvers", "approver_groups", "labels")


class Channels:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def get(self, place: Place) -> ChannelConfig:
        return await self.store.look(lambda tx: self.read(tx, place))

    @staticmethod
    def read(tx: Tx, place: Place) -> ChannelConfig:
        """`get` inside a trip to the store that reads more (see `Policies.read`)."""
        row = tx.one("SELECT * FROM channels WHERE chat = ? AND team = ? AND channel = ?",
                     [place.chat, place.team, place.channel])
        if row is None:
            return ChannelConfig(chat=place.chat, team=place.team, channel=place.channel)
        data: dict[str, Any] = dict(row)
        for key in _LISTS:
            data[key] = json.loads(data[key]) if data[key] is not None else None
        if data["allow_self_approval"] is not None:
            data["allow_self_approval"] = bool(data["allow_self_approval"])
        return ChannelConfig.model_validate(data)

    async def update(self, place: Place, actor: Actor, **changes: Any) -> ChannelConfig:
        if not actor.is_admin:
            raise NotAllowed("Only an admin can change this channel's settings.")
        current = await self.get(place)
        updated = current.model_copy(update=changes)
        now = iso(self.store.clock.now())

        def write(tx: Tx) -> None:
            row: dict[str, Any] = updated.model_dump()
            for key in _LISTS:
                row[key] = json.dumps(row[key]) if row[key] is not None else None
            if row["allow_self_approval"] is not None:
                row["allow_self_approval"] = int(row["allow_self_approval"])
            row["updated_by"] = actor.id
            row["updated_at"] = now
            tx.insert("channels", row, or_replace=True)
            tx.audit(AuditRow(actor=actor.name, actor_id=actor.id, action="config",
                              detail={"channel": place.channel, **changes}))

        await self.store.write(write)
        return updated
