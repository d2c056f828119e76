"""A brand's approval rules: they belong to the Late profile, wherever a post for it is requested.

Identities are platform user ids, and a Slack id means nothing in Discord, so approvers and groups
are kept qualified by the workspace they belong to: `slack:T123:U456`, `discord:789:1234`. A brand
may be watched from several workspaces; each has its own approvers, approval channel and alert
channel, and shares the brand's numbers (approvals needed, self-approval, expiry).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

from bot.clock import iso
from bot.messages import Actor, ChatKind
from bot.store import AuditRow, Store, Tx


def workspace(chat: ChatKind | str, team: str) -> str:
    return f"{chat}:{team}"


def qualified(chat: ChatKind | str, team: str, ident: str) -> str:
    return f"{chat}:{team}:{ident}"


class BrandRules(BaseModel):
    profile_id: str
    approvers: list[str] = Field(default_factory=list)  # qualified user ids
    approver_groups: list[str] = Field(default_factory=list)  # qualified group / role ids
    approvals_required: int = 1
    allow_self_approval: bool = False
    expiry_hours: int = 72
    approval_channels: dict[str, str] = Field(default_factory=dict)  # workspace -> channel id
    alert_channels: dict[str, str] = Field(default_factory=dict)  # workspace -> channel id
    # How mentions of approvers and groups read (the chat's label when they were named), for display only.
    labels: dict[str, str] = Field(default_factory=dict)

    def approvers_in(self, chat: ChatKind | str, team: str) -> list[str]:
        prefix = qualified(chat, team, "")
        return [a.removeprefix(prefix) for a in self.approvers if a.startswith(prefix)]

    def groups_in(self, chat: ChatKind | str, team: str) -> list[str]:
        prefix = qualified(chat, team, "")
        return [g.removeprefix(prefix) for g in self.approver_groups if g.startswith(prefix)]

    @property
    def has_approvers(self) -> bool:
        return bool(self.approvers or self.approver_groups)

    def with_approvers(self, chat: ChatKind | str, team: str, users: list[str], groups: list[str]) -> BrandRules:
        """These rules with this workspace's approvers replaced (other workspaces' kept)."""
        prefix = qualified(chat, team, "")
        return self.model_copy(update={
            "approvers": [a for a in self.approvers if not a.startswith(prefix)]
            + [qualified(chat, team, u) for u in users],
            "approver_groups": [g for g in self.approver_groups if not g.startswith(prefix)]
            + [qualified(chat, team, g) for g in groups],
        })


_JSON = ("approvers", "approver_groups", "approval_channels", "alert_channels", "labels")


class Brands:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def get(self, profile_id: str | None) -> BrandRules:
        """The brand's rules (the defaults when none were set, or without a profile)."""
        return await self.store.look(lambda tx: self.read(tx, profile_id))

    @staticmethod
    def read(tx: Tx, profile_id: str | None) -> BrandRules:
        """`get` inside a trip to the store that reads more (see `Policies.read`)."""
        if not profile_id:
            return BrandRules(profile_id="")
        row = tx.one("SELECT * FROM brands WHERE profile_id = ?", [profile_id])
        if row is None:
            return BrandRules(profile_id=profile_id)
        data: dict[str, Any] = dict(row)
        for key in _JSON:
            data[key] = json.loads(data[key])
        data["allow_self_approval"] = bool(data["allow_self_approval"])
        return BrandRules.model_validate(data)

    async def alert_destinations(self, profile_id: str | None) -> list[str]:
        """Where the brand's alerts go, as "chat:team:channel" (one per workspace); None: every brand's."""
        if profile_id is not None:
            found = [(await self.get(profile_id)).alert_channels]
        else:
            rows = await self.store.query("SELECT alert_channels FROM brands ORDER BY profile_id")
            found = [json.loads(r["alert_channels"]) for r in rows]
        return list(dict.fromkeys(f"{ws}:{channel}" for channels in found for ws, channel in channels.items()))

    async def save(self, rules: BrandRules, actor: Actor, change: dict[str, Any]) -> None:
        now = iso(self.store.clock.now())

        def write(tx: Tx) -> None:
            row: dict[str, Any] = rules.model_dump()
            for key in _JSON:
                row[key] = json.dumps(row[key])
            row["allow_self_approval"] = int(row["allow_self_approval"])
            row["updated_by"] = actor.id
            row["updated_at"] = now
            tx.insert("brands", row, or_replace=True)
            tx.audit(AuditRow(actor=actor.name, actor_id=actor.id, action="brand-config",
                              detail={"profile": rules.profile_id, **change}))

        await self.store.write(write)
