"""The registry of chat ports: the core posts and updates cards without knowing which chat it is."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.errors import UserError
from bot.messages import Card, ChatKind, MessageRef, Place, Reply
from bot.ports import ChatPort
from bot.redaction import Redaction

log = logging.getLogger("latebot.chats")


class Chats:
    def __init__(self, redaction: Redaction | None = None) -> None:
        self._ports: dict[ChatKind, ChatPort] = {}
        # Called when a chat's adapter is up (alerts raised before it can go out now).
        self.on_register: list[Callable[[], None]] = []
        # Every card and message leaves through here, redacted (Late's error texts may echo a key).
        self.redaction = redaction or Redaction()

    def register(self, port: ChatPort) -> None:
        self._ports[port.chat] = port
        for listener in self.on_register:
            listener()

    def port(self, chat: ChatKind) -> ChatPort | None:
        port = self._ports.get(chat)
        if port is None:
            log.warning("no %s adapter is running; its cards are not updated until it is", chat)
        return port

    async def post_card(self, place: Place, card: Card) -> MessageRef | None:
        port = self.port(place.chat)
        return None if port is None else await port.post_card(place, self.redaction.card(card))

    async def update_card(self, ref: MessageRef, card: Card) -> None:
        # A card that can't be updated (deleted message, chat outage) must not undo a decision that
        # is already committed: log it and carry on; the state is in SQLite.
        port = self.port(ref.chat)
        if port is None:
            return
        try:
            await port.update_card(ref, self.redaction.card(card))
        except Exception:
            log.exception("could not update the card %s in %s", ref.message_id, ref.channel)

    async def check_channel(self, place: Place) -> str:
        port = self._ports.get(place.chat)
        if port is None:
            raise UserError(f"latebot's {place.chat} adapter is not running, so it can't check that channel.")
        return await port.check_channel(place)

    async def send(self, place: Place, reply: Reply) -> None:
        port = self.port(place.chat)
        if port is None:
            return
        try:
            await port.send(place, self.redaction.reply(reply))
        except Exception:
            log.exception("could not send a message to %s", place.channel)
