"""The approval buttons: one `DynamicItem` for every `late:<action>:<request id>` custom_id.

Nothing lives in memory: the action and the request id come from the custom_id, the state from
SQLite, so a click on a card posted before a restart is handled like any other.
"""

from __future__ import annotations

import re
from typing import Any, Protocol, cast

import discord

from bot.messages import BUTTON_PREFIX

TEMPLATE = rf"{BUTTON_PREFIX}:(?P<action>[a-z_]+):(?P<request_id>[^:\s]+)"


class PressHandler(Protocol):
    async def handle_press(
        self, interaction: discord.Interaction[Any], action: str, request_id: str
    ) -> None: ...


class ApprovalButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=TEMPLATE):
    def __init__(self, item: discord.ui.Button[Any]) -> None:
        super().__init__(item)
        match = re.fullmatch(TEMPLATE, item.custom_id or "")
        assert match is not None
        self.action = match["action"]
        self.request_id = match["request_id"]

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ApprovalButton:
        if not isinstance(item, discord.ui.Button):
            raise TypeError("late: custom_ids belong to buttons")
        return cls(item)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        handler = cast(PressHandler, interaction.client)
        await handler.handle_press(interaction, self.action, self.request_id)
