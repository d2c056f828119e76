"""Per-channel settings: the Late profile a channel posts to, its approval rules and where cards go."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

from bot.clock import iso
from bot.errors import NotAllowed
from bot.messages import Actor, ChatKind, Place
from bot.store import AuditRow, Store, Tx

# What `/late config <key> <value>` accepts, with the help shown for each.
KEYS: dict[str, str] = {
    "approvers": "who may approve: user mentions or a group/role, or `anyone` (default: anyone but the requester)",
    "approvals": "how many distinct approvals a post needs (default 1)",
    "self_approval": "`on` lets requesters approve their own posts (default off)",
    "expiry": "hours before an undecided request expires (default 72)",
    "approval_channel": "the channel where approval cards go (default: this channel)",
    "alert_channel": "the channel for account and publishing alerts",
    "timezone": "the default time zone for this channel's posts (IANA, e.g. Europe/Berlin)",
}


class ChannelConfig(BaseModel):
    chat: ChatKind
    team: str = ""
    channel: str
    profile_id: str | None = None
    approval_channel: str | None = None
    approvers: list[str] = Field(default_factory=list)
    approver_groups: list[str] = Field(default_factory=list)
    approvals_required: int = 1
    allow_self_approval: bool = False
    expiry_hours: int = 72
    alert_channel: str | None = None
    timezone: str | None = None

    @property
    def approval_place(self) -> Place:
        return Place(chat=self.chat, team=self.team, channel=self.approval_channel or self.channel)


class Channels:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def get(self, place: Place) -> ChannelConfig:
        row = await self.store.query_one(
            "SELECT * FROM channels WHERE chat = ? AND team = ? AND channel = ?",
            [place.chat, place.team, place.channel],
        )
        if row is None:
            return ChannelConfig(chat=place.chat, team=place.team, channel=place.channel)
        row = dict(row)
        row["approvers"] = json.loads(row["approvers"])
        row["approver_groups"] = json.loads(row["approver_groups"])
        row["allow_self_approval"] = bool(row["allow_self_approval"])
        return ChannelConfig.model_validate(row)

    async def update(self, place: Place, actor: Actor, **changes: Any) -> ChannelConfig:
        if not actor.is_admin:
            raise NotAllowed("Only an admin can change this channel's settings.")
        current = await self.get(place)
        updated = current.model_copy(update=changes)
        now = iso(self.store.clock.now())

        def write(tx: Tx) -> None:
            row = updated.model_dump()
            row["approvers"] = json.dumps(row["approvers"])
            row["approver_groups"] = json.dumps(row["approver_groups"])
            row["allow_self_approval"] = int(row["allow_self_approval"])
            row["updated_by"] = actor.name
            row["updated_at"] = now
            cols = ", ".join(f"[{c}]" for c in row)
            marks = ", ".join("?" for _ in row)
            tx.execute(f"INSERT OR REPLACE INTO channels ({cols}) VALUES ({marks})", list(row.values()))
            tx.audit(AuditRow(actor=actor.name, action="config", detail={"channel": place.channel, **changes}))

        await self.store.write(write)
        return updated
