"""Secrets never leave in a message: every reply, card and note the core sends goes through here.

Late's error texts are shown to users, and one echoed the API key ("Invalid API key: sk_live_…").
The redactor is the one the logs use (`bot.logs.RedactingFilter`): every configured secret and
every token shape, replaced in each string of the outgoing message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from pydantic import BaseModel

from bot.logs import RedactingFilter
from bot.messages import Card, Form, Reply
from bot.ports import Responder

M = TypeVar("M", bound=BaseModel)


class Redaction:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.text: Callable[[str], str] = RedactingFilter(secrets).redact

    def message(self, message: M) -> M:
        """`message` (a Reply, a Card) with every secret in its strings redacted."""
        data = message.model_dump()
        clean = self._walk(data)
        return message if clean == data else type(message).model_validate(clean)

    def _walk(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self._walk(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self._walk(v) for v in value)
        return value

    def card(self, card: Card) -> Card:
        return self.message(card)

    def reply(self, reply: Reply) -> Reply:
        return self.message(reply)


class RedactingResponder:
    """A `Responder` whose replies are redacted before the adapter sees them."""

    def __init__(self, responder: Responder, redaction: Redaction) -> None:
        self.responder = responder
        self.redaction = redaction

    async def reply(self, reply: Reply) -> None:
        await self.responder.reply(self.redaction.reply(reply))

    async def open_form(self, form: Form) -> None:
        await self.responder.open_form(form)
