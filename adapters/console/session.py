"""`latebot console`: a local chat in the terminal, interactive or scripted from stdin.

Scripted (stdin not a terminal): one line at a time, everything a line causes is finished and
printed before the next is read, and the console exits at the end of input.

A command whose quoted text is not closed on its line goes on over the next lines until the quote
closes, so a pasted multi-line post (and a `---` thread) needs no `\\n`. Lines are read in a thread
of their own that never holds up the exit: Ctrl-C ends the console at once, even mid-prompt.
"""

from __future__ import annotations

import asyncio
import re
import sys
import threading
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
from commands.text import QUOTES, closers

HELP = ("Type /late help for commands; ':as NAME' switches user; ':click LABEL' presses a button; ':quit' ends. "
        'A quote left open goes on over the next lines (paste a multi-line post as /late post "…"); '
        "\\n also makes a new line.")
FORM_HELP = ("answer each field on its own line; an empty line keeps the value shown, ':done' keeps all the "
             "rest, ':cancel' drops the form; a quote left open goes on over the next lines.")
# Console commands: while a form is open they are refused rather than taken as a field's answer.
_CONSOLE_COMMAND = re.compile(r":(?:as|click|quit|q|exit|help)\b", re.IGNORECASE)
# The commands whose text may be quoted over several lines, and the words before that text.
_QUOTED_AFTER = {"post": 0, "edit": 1, "reject": 1}
# In the console a user's name is their id, so `@bob`, `&team` and `#channel` in a setting are mentions.
_MENTIONED = re.compile(r"(?<![<\w])([@&#])([\w.-]+)")


def config_mentions(body: str) -> str:
    """`config ... @bob &editors #ops` written as the neutral mentions settings take."""
    if not body.lower().startswith("config"):
        return body
    kinds = {"@": "@", "&": "@&", "#": "#"}
    return _MENTIONED.sub(lambda m: f"<{kinds[m.group(1)]}{m.group(2)}|{m.group(2)}>", body)


def open_quote(text: str) -> bool:
    """Whether `text` (after `/late`) is a post, edit or reject whose quoted text is not closed yet."""
    words = text.split(None, 1)
    if len(words) < 2 or words[0].lower() not in _QUOTED_AFTER:
        return False
    rest = words[1]
    for _ in range(_QUOTED_AFTER[words[0].lower()]):
        parts = rest.split(None, 1)
        if len(parts) < 2:
            return False
        rest = parts[1]
    return rest[:1] in QUOTES and not closers(rest, 0)


def unclosed_answer(text: str) -> bool:
    """A form answer that opens a quote and does not close it: it goes on over the next lines."""
    return text[:1] in QUOTES and not closers(text, 0)


def unquoted(text: str) -> str:
    """A multi-line answer without the quotes that held it together."""
    ends = closers(text, 0) if text[:1] in QUOTES else []
    return text[1 : ends[-1]] if ends and ends[-1] == len(text) - 1 else text


class LineReader:
    """Lines from a terminal, read in a daemon thread so that a pending `input()` never keeps the
    process alive: on Ctrl-C the event loop is cancelled and exits without waiting for a line
    (`asyncio.to_thread` would, since its threads are joined at shutdown)."""

    def __init__(self, read: Callable[[], str | None]) -> None:
        self.read = read

    async def __call__(self) -> str | None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[str | None] = loop.create_future()

        def run() -> None:
            try:
                line: str | None = self.read()
            except BaseException as exc:  # EOFError, KeyboardInterrupt in the thread
                if not isinstance(exc, EOFError):
                    loop.call_soon_threadsafe(_settle_error, future, exc)
                    return
                line = None
            loop.call_soon_threadsafe(_settle, future, line)

        threading.Thread(target=run, name="latebot-console-input", daemon=True).start()
        return await future


def _settle(future: asyncio.Future[str | None], line: str | None) -> None:
    if not future.done():
        future.set_result(line)


def _settle_error(future: asyncio.Future[str | None], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)


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
        self.prompt = "> "  # what an interactive read shows; "… " while a quote is open
        self.quitting = False
        self.echo = False  # print each line read (scripted runs, where nobody sees the input)
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
                body = await self._continued(text[len("/late"):].strip(), read_line)
                if body is None:
                    self.chat.print("(the input ended inside a quote; nothing was sent)")
                    return False
                # `\n` also stands for a newline (threads are split by a line of ---).
                body = config_mentions(body.replace("\\n", "\n"))
                await self.bot.invoke(Invocation(actor=self.actor, place=self.place, text=body), responder)
        elif text.startswith(":"):
            self.chat.print(f"Unknown console command {text.split()[0]}. {HELP}")
        else:
            self.chat.print(f"(said) {text}")
        while self.forms and not self.quitting:
            await self._fill(self.forms.pop(0), read_line, responder)
        return not self.quitting

    async def _line(self, read_line: Callable[[], str | None], prompt: str = "> ") -> str | None:
        self.prompt = prompt
        try:
            line = await LineReader(read_line)()
        finally:
            self.prompt = "> "
        if self.echo and line is not None:
            self.chat.print(f"{prompt}{line.rstrip()}")  # scripted: the transcript shows what was read
        return line

    async def _continued(self, body: str, read_line: Callable[[], str | None]) -> str | None:
        """`body` and, while its quote is open, the lines that follow (None: the input ended)."""
        while open_quote(body):
            more = await self._line(read_line, "… ")
            if more is None:
                return None
            body += "\n" + more.rstrip("\r\n")
        return body

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
        self.chat.print(f"[form] {form.title} — {FORM_HELP}")
        values: dict[str, str | list[str]] = {}
        fields = list(form.fields)
        while fields:
            field = fields[0]
            self.chat.print(field_prompt(form, field))
            answer = await self._answer(read_line)
            if answer is None:
                self.chat.print("[form] cancelled: the input ended.")
                return
            word = answer.strip()
            if word in (":cancel", ":quit", ":q", ":exit"):
                self.chat.print("[form] cancelled.")
                self.quitting = word != ":cancel"
                return
            if _CONSOLE_COMMAND.match(word):
                # `:click Approve` here is not the answer to a field: say so and ask again.
                self.chat.print(f"[form] “{form.title}” is open: answer {field.label!r} first, or :cancel to drop "
                                "the form, then use that command.")
                continue
            if word == ":done":
                for rest in fields:
                    values[rest.id] = rest.value if rest.value is not None else ""
                break
            fields.pop(0)
            if not word:
                values[field.id] = field.value if field.value is not None else ""
            elif field.kind == "multiselect":
                values[field.id] = [v.strip() for v in answer.split(",") if v.strip()]
            else:
                values[field.id] = answer
        await self.bot.submit(
            FormSubmission(actor=self.actor, place=self.place, form_id=form.id, values=values), responder
        )

    async def _answer(self, read_line: Callable[[], str | None]) -> str | None:
        """One field's answer: a line, or several while a quote opened at its start is not closed."""
        answer = await self._line(read_line)
        if answer is None:
            return None
        answer = answer.rstrip("\r\n")
        while unclosed_answer(answer):
            more = await self._line(read_line, "… ")
            if more is None:
                return None
            answer += "\n" + more.rstrip("\r\n")
        return unquoted(answer).replace("\\n", "\n")

    async def run(self, stream: TextIO, *, interactive: bool) -> None:
        def read_line() -> str | None:
            if interactive:
                try:
                    return input(self.prompt)
                except EOFError:
                    return None
            line = stream.readline()
            return line if line else None

        self.echo = not interactive
        while True:
            line = await self._line(read_line)
            if line is None:
                break
            if not await self.handle(line, read_line):
                break
            if self.after_line is not None:
                result = self.after_line()
                if asyncio.iscoroutine(result):
                    await result
