"""`latebot console`: a local chat in the terminal, interactive or scripted from stdin.

Scripted (stdin not a terminal): one line at a time, everything a line causes is finished and
printed before the next is read, and the console exits at the end of input.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Callable
from typing import TextIO

from adapters.console.render import card_text, field_prompt, reply_text
from bot.messages import (
    Actor,
    ButtonPress,
    Card,
    ChatKind,
    Form,
    FormSubmission,
    Invocation,
    MessageRef,
    Place,
    Reply,
)
from bot.ports import BotPort

HELP = "Type /late help for commands; ':as NAME' switches user; ':click LABEL' presses a button; ':quit' ends."
# In the console a user's name is their id, so `@bob`, `&team` and `#channel` in a setting are mentions.
_MENTIONED = re.compile(r"(?<![<\w])([@&#])([\w.-]+)")


def config_mentions(body: str) -> str:
    """`config ... @bob &editors #ops` written as the neutral mentions settings take."""
    if not body.lower().startswith("config"):
        return body
    kinds = {"@": "@", "&": "@&", "#": "#"}
    return _MENTIONED.sub(lambda m: f"<{kinds[m.group(1)]}{m.group(2)}|{m.group(2)}>", body)


class ConsoleChat:
    """The console's ChatPort and the owner of what has been printed (cards and their buttons)."""

    chat: ChatKind = "console"

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.cards: dict[str, Card] = {}
        self.order: list[str] = []

    def print(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    async def post_card(self, place: Place, card: Card) -> MessageRef:
        ref = f"c{len(self.order) + 1}"
        self.cards[ref] = card
        self.order.append(ref)
        self.print(card_text(card, ref))
        return MessageRef(chat="console", team=place.team, channel=place.channel, message_id=ref)

    async def update_card(self, ref: MessageRef, card: Card) -> None:
        self.cards[ref.message_id] = card
        self.print(f"(card {ref.message_id} updated)\n" + card_text(card, ref.message_id))

    async def send(self, place: Place, reply: Reply) -> None:
        self.print(reply_text(reply, thread=place.thread))
        if reply.card is not None:
            self.print(card_text(reply.card, "shown"))

    async def check_channel(self, place: Place) -> str:
        return place.channel  # the console's channels are whatever you call them

    def newest_with(self, label: str) -> Card | None:
        wanted = label.strip().lower()
        for ref in reversed(self.order):
            card = self.cards[ref]
            if any(b.label.lower() == wanted and not b.is_link for b in card.buttons):
                return card
        return None


class ConsoleResponder:
    def __init__(self, session: ConsoleSession) -> None:
        self.session = session

    async def reply(self, reply: Reply) -> None:
        self.session.chat.print(reply_text(reply))
        if reply.card is not None:
            self.session.chat.print(card_text(reply.card, "shown"))

    async def open_form(self, form: Form) -> None:
        self.session.forms.append(form)


class ConsoleSession:
    def __init__(self, bot: BotPort, *, out: TextIO | None = None, user: str = "alice",
                 channel: str = "general", after_line: Callable[[], object] | None = None) -> None:
        self.bot = bot
        self.chat = ConsoleChat(out or sys.stdout)
        self.user = user
        self.place = Place(chat="console", team="console", channel=channel)
        self.forms: list[Form] = []
        self.after_line = after_line
        bot.register(self.chat)

    @property
    def actor(self) -> Actor:
        # Every console user may run admin commands (it is the operator's own terminal).
        return Actor(id=self.user, name=self.user, is_admin=True)

    async def handle(self, line: str, read_line: Callable[[], str | None]) -> bool:
        """Run one line; False when the session should end."""
        line = line.rstrip("\r\n")
        text = line.strip()
        responder = ConsoleResponder(self)
        if not text or text.startswith("#"):
            return True
        if text in (":quit", ":q", ":exit"):
            return False
        if text.startswith(":as"):
            name = text[3:].strip().lstrip("@")
            if not name:
                self.chat.print("Usage: :as NAME")
            else:
                self.user = name
                self.chat.print(f"You are now {name}.")
        elif text.startswith(":click"):
            await self._click(text[6:].strip(), responder)
        elif text.startswith("/late") or text.startswith("/"):
            if not text.startswith("/late"):
                self.chat.print(f"Unknown command {text.split()[0]}. {HELP}")
            else:
                # A terminal line can't hold a newline: `\n` stands for one (threads are split by ---).
                body = config_mentions(text[len("/late"):].strip().replace("\\n", "\n"))
                await self.bot.invoke(Invocation(actor=self.actor, place=self.place, text=body), responder)
        elif text.startswith(":"):
            self.chat.print(f"Unknown console command {text.split()[0]}. {HELP}")
        else:
            self.chat.print(f"(said) {text}")
        while self.forms:
            await self._fill(self.forms.pop(0), read_line, responder)
        return True

    async def _click(self, label: str, responder: ConsoleResponder) -> None:
        if not label:
            self.chat.print("Usage: :click LABEL   (for example :click Approve)")
            return
        card = self.chat.newest_with(label)
        if card is None:
            self.chat.print(f"No card has a [{label}] button.")
            return
        button = next(b for b in card.buttons if b.label.lower() == label.lower() and not b.is_link)
        self.chat.print(f"{self.user} clicked [{button.label}]")
        await self.bot.press(
            ButtonPress(actor=self.actor, place=self.place, action=button.action, ref=button.ref), responder
        )

    async def _fill(self, form: Form, read_line: Callable[[], str | None], responder: ConsoleResponder) -> None:
        self.chat.print(f"[form] {form.title} — answer each field on its own line; '\\n' makes a new line.")
        values: dict[str, str | list[str]] = {}
        for field in form.fields:
            self.chat.print(field_prompt(form, field))
            answer = await asyncio.to_thread(read_line)
            if answer is None:
                self.chat.print("[form] cancelled: the input ended.")
                return
            answer = answer.rstrip("\r\n").replace("\\n", "\n")
            if answer.strip() == ":cancel":
                self.chat.print("[form] cancelled.")
                return
            if not answer.strip():
                values[field.id] = field.value if field.value is not None else ""
            elif field.kind == "multiselect":
                values[field.id] = [v.strip() for v in answer.split(",") if v.strip()]
            else:
                values[field.id] = answer
        await self.bot.submit(
            FormSubmission(actor=self.actor, place=self.place, form_id=form.id, values=values), responder
        )

    async def run(self, stream: TextIO, *, interactive: bool) -> None:
        def read_line() -> str | None:
            if interactive:
                try:
                    return input("> ")
                except EOFError:
                    return None
            line = stream.readline()
            return line if line else None

        while True:
            line = await asyncio.to_thread(read_line)
            if line is None:
                break
            if not interactive:
                self.chat.print(f"> {line.rstrip()}")
            if not await self.handle(line, read_line):
                break
            if self.after_line is not None:
                result = self.after_line()
                if asyncio.iscoroutine(result):
                    await result
