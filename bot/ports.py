"""The ports the core talks through; each chat adapter implements them."""

from __future__ import annotations

from typing import Protocol

from bot.messages import Card, ChatKind, Form, MessageRef, Place, Reply


class Responder(Protocol):
    """Answers one interaction (command, click, form): to the acting user."""

    async def reply(self, reply: Reply) -> None:
        """Tell the acting user something; ephemeral where the platform allows."""
        ...

    async def open_form(self, form: Form) -> None:
        """Open a modal (Slack view, Discord modal, console prompts)."""
        ...


class ChatPort(Protocol):
    """One chat platform's outgoing side: cards and channel messages."""

    chat: ChatKind

    async def post_card(self, place: Place, card: Card) -> MessageRef:
        """Post a card as a message of its own in `place` (in its thread when `place.thread`)."""
        ...

    async def update_card(self, ref: MessageRef, card: Card) -> None:
        """Replace a posted card in place."""
        ...

    async def send(self, place: Place, reply: Reply) -> None:
        """Post a visible message in a channel or thread (e.g. tell the requester)."""
        ...
