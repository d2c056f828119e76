"""What the core says about a request in chat: its card, kept up to date, and notes in the card's thread."""

from __future__ import annotations

from bot.card import build_card
from bot.chats import Chats
from bot.messages import MessageRef, Place, Reply
from bot.request import Request


class Notices:
    def __init__(self, chats: Chats, *, footer: str = "") -> None:
        self.chats = chats
        self.footer = footer

    async def post_card(self, request: Request, place: Place) -> MessageRef | None:
        return await self.chats.post_card(place, build_card(request, footer=self.footer))

    async def refresh_card(self, request: Request) -> None:
        if request.card is not None:
            await self.chats.update_card(request.card, build_card(request, footer=self.footer))

    async def tell(self, request: Request, text: str) -> None:
        """Tell the requester, in the card's thread where there is one."""
        if request.card is None:
            return
        place = Place(chat=request.card.chat, team=request.card.team, channel=request.card.channel,
                      thread=request.card.message_id)
        await self.chats.send(place, Reply(text=text, ephemeral=False, mention=request.requester_id))
