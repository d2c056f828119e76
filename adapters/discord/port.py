"""The Discord `ChatPort`: cards and notices as channel messages.

No pacing of our own: discord.py keeps each channel's bucket from Discord's `X-RateLimit-*` headers,
waits before a message the bucket has no room for, and waits out a 429's `retry_after`. Measured
with 200 alert cards to one channel on the fake Discord (5 per 0.5 s, every 17th message a 429):
all 200 delivered in order, only the 12 injected 429s seen, 20.3 s (the bucket's own pace), the same
with or without the per-channel `Pacer` latebot had (removed). Alerts go out one at a time per
channel (`bot.alerts`), which is what keeps them in order.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from adapters.discord.replies import Message, card_message, reply_messages
from bot.errors import UserError
from bot.messages import Card, ChatKind, MessageRef, Place, Reply

log = logging.getLogger("latebot.discord.port")


def message_kwargs(message: Message) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "content": message.content,
        "embeds": message.embeds,
        "allowed_mentions": message.allowed_mentions,
    }
    if message.view is not None:
        kwargs["view"] = message.view
    return kwargs


class DiscordPort:
    """What the core uses to post and update cards and to tell people things in a channel."""

    chat: ChatKind = "discord"

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    def channel(self, place: Place | MessageRef) -> discord.PartialMessageable:
        guild_id = int(place.team) if place.team.isdigit() else None
        return self.client.get_partial_messageable(int(place.channel), guild_id=guild_id)

    def _reference(self, place: Place) -> discord.MessageReference | None:
        # The core's "thread" of a card is the card's message: answer it as a reply to that message.
        if place.thread and place.thread.isdigit():
            return discord.MessageReference(
                message_id=int(place.thread), channel_id=int(place.channel), fail_if_not_exists=False
            )
        return None

    async def post_card(self, place: Place, card: Card) -> MessageRef:
        kwargs = message_kwargs(card_message(card))
        reference = self._reference(place)
        if reference is not None:
            kwargs["reference"] = reference
        sent = await self.channel(place).send(**kwargs)
        return MessageRef(
            chat="discord",
            team=place.team,
            channel=place.channel,
            message_id=str(sent.id),
            thread=place.thread,
        )

    async def update_card(self, ref: MessageRef, card: Card) -> None:
        message = card_message(card)
        partial = self.channel(ref).get_partial_message(int(ref.message_id))
        await partial.edit(
            content=None, embeds=message.embeds, view=message.view, allowed_mentions=message.allowed_mentions
        )

    async def check_channel(self, place: Place) -> str:
        """The channel exists in this server and latebot may send messages and embeds there."""
        if not place.channel.isdigit():
            raise UserError(f"“{place.channel}” is not a Discord channel; mention it with #.")
        try:
            channel = await self.client.fetch_channel(int(place.channel))
        except (discord.NotFound, discord.Forbidden):
            raise UserError(f"latebot can't see the channel <#{place.channel}>: it does not exist, or latebot "
                            "has no access to it.") from None
        guild = getattr(channel, "guild", None)
        if guild is None or str(guild.id) != place.team:
            raise UserError("That channel is not in this server; pick one here.")
        me = guild.me
        if me is not None and isinstance(channel, discord.abc.GuildChannel):
            perms = channel.permissions_for(me)
            if not (perms.send_messages and perms.embed_links):
                raise UserError(f"latebot may not send messages with embeds in #{channel.name}; give it the "
                                "Send Messages and Embed Links permissions there.")
        return str(getattr(channel, "name", place.channel))

    async def send(self, place: Place, reply: Reply) -> None:
        reference = self._reference(place)
        for message in reply_messages(reply):
            kwargs = message_kwargs(message)
            if reference is not None:
                kwargs["reference"] = reference
            await self.channel(place).send(**kwargs)
