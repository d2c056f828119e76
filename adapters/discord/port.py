"""The Discord `ChatPort`: cards and notices as channel messages, paced per channel."""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from typing import Any

import discord

from adapters.discord.replies import Message, card_message, reply_messages
from bot.errors import UserError
from bot.messages import Card, ChatKind, MessageRef, Place, Reply

log = logging.getLogger("latebot.discord.port")


class Pacer:
    """At most `rate` messages per `per` seconds in one channel (Discord's 5 per 5 s), waiting if need be.

    Alerts and notices come in bursts (an outage breaks every account at once); pacing them here
    keeps them in order and away from 429s, on top of discord.py's own rate limit handling.
    """

    def __init__(self, rate: int = 5, per: float = 5.0) -> None:
        self.rate = rate
        self.per = per
        self._sent: dict[str, collections.deque[float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def wait(self, channel: str) -> None:
        lock = self._locks.setdefault(channel, asyncio.Lock())
        async with lock:
            sent = self._sent.setdefault(channel, collections.deque(maxlen=self.rate))
            now = time.monotonic()
            if len(sent) == self.rate and now - sent[0] < self.per:
                await asyncio.sleep(self.per - (now - sent[0]))
            sent.append(time.monotonic())


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

    def __init__(self, client: discord.Client, *, pacer: Pacer | None = None) -> None:
        self.client = client
        self.pacer = pacer or Pacer()

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
        await self.pacer.wait(place.channel)
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
            await self.pacer.wait(place.channel)
            kwargs = message_kwargs(message)
            if reference is not None:
                kwargs["reference"] = reference
            await self.channel(place).send(**kwargs)
