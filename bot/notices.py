"""What the core says about a request in chat: its card, kept up to date, and notes in the card's thread."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.card import build_card
from bot.chats import Chats
from bot.messages import Card, MessageRef, Place, Reply
from bot.policy import Policies, Policy, who_may_approve
from bot.request import Request


class Notices:
    def __init__(self, chats: Chats, policies: Policies, *, footer: str = "",
                 notes: Callable[[Request], Awaitable[list[str]]] | None = None) -> None:
        self.chats = chats
        self.policies = policies
        self.footer = footer
        # More for the card to warn about (an account latebot last saw broken, see `bot.risks`).
        self.notes = notes

    async def card_for(self, request: Request, policy: Policy | None = None) -> Card:
        """The request's card as it stands, with who may still approve it under today's rules
        (`policy`: those rules, when the caller has just read them)."""
        who = None
        if request.state == "pending":
            who = who_may_approve(policy or await self.policies.for_request(request))
        card = build_card(request, footer=self.footer, who_may_approve=who)
        extra = await self.notes(request) if self.notes is not None else []
        return card.model_copy(update={"notes": [*card.notes, *extra]}) if extra else card

    async def post_card(self, request: Request, place: Place) -> MessageRef | None:
        return await self.chats.post_card(place, await self.card_for(request))

    async def refresh_card(self, request: Request, policy: Policy | None = None) -> None:
        if request.card is not None:
            await self.chats.update_card(request.card, await self.card_for(request, policy))

    async def tell(self, request: Request, text: str) -> None:
        """Tell the requester, in the card's thread where there is one."""
        if request.card is None:
            return
        place = Place(chat=request.card.chat, team=request.card.team, channel=request.card.channel,
                      thread=request.card.message_id)
        await self.chats.send(place, Reply(text=text, ephemeral=False, mention=request.requester_id))
