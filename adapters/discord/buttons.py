"""latebot's buttons: one `DynamicItem` for every `late:<action>:<ref>` custom_id.

Nothing lives in memory: the action and the reference (for approvals `<request id>:<revision>`)
come from the custom_id, the state from SQLite, so a click on a card posted before a restart is
handled like any other. Link buttons have no custom_id and never reach latebot.
"""

from __future__ import annotations

import re
from typing import Any, Protocol, cast

import discord

from bot.refs import BUTTON_PREFIX

TEMPLATE = rf"{BUTTON_PREFIX}:(?P<action>[a-z_]+):(?P<ref>\S+)"


class PressHandler(Protocol):
    async def handle_press(
        self, interaction: discord.Interaction[Any], action: str, ref: str
    ) -> None: ...


class LateButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=TEMPLATE):
    def __init__(self, item: discord.ui.Button[Any]) -> None:
        super().__init__(item)
        match = re.fullmatch(TEMPLATE, item.custom_id or "")
        assert match is not None
        self.action = match["action"]
        self.ref = match["ref"]

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> LateButton:
        if not isinstance(item, discord.ui.Button):
            raise TypeError("late: custom_ids belong to buttons")
        return cls(item)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        handler = cast(PressHandler, interaction.client)
        await handler.handle_press(interaction, self.action, self.ref)
