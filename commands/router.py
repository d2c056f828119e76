"""`Router`: the driving port (`bot.ports.BotPort`) every adapter calls.

Adapters translate payloads into `Invocation`, `ButtonPress` and `FormSubmission`, acknowledge the
platform first, and then call the methods here. Commands, button actions and forms are each
dispatched through one table; errors become the user's reply (`bot.errors.describe`), and a decision
on a revision that is no longer current is refused with the current card.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot import platforms
from bot.approval import StaleRevision
from bot.core import Core
from bot.errors import UploadFailed, UserError, describe
from bot.messages import Actor, ButtonPress, Form, FormSubmission, Invocation, MediaUpload, Place, Reply
from bot.ports import ChatPort, Responder
from bot.redaction import RedactingResponder
from commands import account, decisions, health, model, requests, settings, when
from commands.actions import ACTIONS, FORM_ACTIONS
from commands.forms import post_form
from commands.help import help_text
from commands.options import from_options
from commands.parser import parse
from commands.suggest import Suggestions

log = logging.getLogger("latebot.router")


def _first_use() -> None:
    when.prepare()
    platforms.count("Ready 🚀", "twitter")
    platforms.count("Ready 🚀", "bluesky")

Handler = Callable[[Core, Any, Actor, Place, Responder], Awaitable[None]]
FormHandler = Callable[[Core, FormSubmission, str, Responder], Awaitable[None]]


async def _help(core: Core, command: model.HelpCommand, actor: Actor, place: Place, responder: Responder) -> None:
    await responder.reply(Reply(text=help_text(command.topic)))


COMMANDS: dict[type[Any], Handler] = {
    model.PostCommand: requests.post,
    model.QueueCommand: requests.queue,
    model.ShowCommand: requests.show,
    model.CancelCommand: requests.cancel,
    model.RetryCommand: requests.retry,
    model.EditCommand: requests.edit,
    model.ApproveCommand: decisions.approve,
    model.RejectCommand: decisions.reject,
    model.HistoryCommand: decisions.history,
    model.AccountsCommand: account.accounts,
    model.HealthCommand: health.health,
    model.ConnectCommand: health.connect,
    model.UsageCommand: account.usage,
    model.ProfilesCommand: account.profiles,
    model.BindCommand: settings.bind,
    model.ConfigCommand: settings.config,
    model.HelpCommand: _help,
}
# Form ids are `late:<kind>` or `late:<kind>:<ref>`.
FORMS: dict[str, FormHandler] = {
    "post": requests.submit_post,
    "edit": requests.submit_edit,
    "reject": requests.submit_reject,
}
# What a form submitted on a revision that is no longer current did not do.
NOT_DONE = {"edit": "Your edit was not saved.", "reject": "Nothing was rejected."}


def _card_is_old(exc: StaleRevision) -> str:
    return exc.message


class Router:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.suggestions = Suggestions(core)
        self._prepared: asyncio.Future[None] | None = None

    def register(self, port: ChatPort) -> None:
        self.core.chats.register(port)

    # --- entry points ----------------------------------------------------------------------

    async def invoke(self, inv: Invocation, responder: Responder) -> None:
        responder = self._redacting(responder)

        async def run() -> None:
            ctx = await requests.context(self.core, inv.place, inv.actor)
            if inv.command is not None:
                command = from_options(inv.command, inv.options or {}, ctx)
            else:
                command = parse(inv.text, ctx)
            await COMMANDS[type(command)](self.core, command, inv.actor, inv.place, responder)

        await self._guard(inv.delivery_id, responder, run, decisions.stale_text)

    async def press(self, press: ButtonPress, responder: Responder) -> None:
        responder = self._redacting(responder)

        async def run() -> None:
            action = ACTIONS.get(press.action)
            if action is None:
                raise UserError(f"This button ({press.action}) is not one latebot knows.")
            await action(self.core, press, responder)

        await self._guard(press.delivery_id, responder, run, _card_is_old)

    async def prepare(self) -> None:
        """Pay the one-time costs of a first command (dateparser's tables, the counting patterns:
        ~0.3 s of CPU) in a thread, while the adapters connect. Work that arrives meanwhile waits
        for it here instead of paying them itself, which would stop the event loop."""
        if self._prepared is None:
            self._prepared = asyncio.ensure_future(asyncio.to_thread(_first_use))
        await asyncio.shield(self._prepared)

    async def _ready(self) -> None:
        if self._prepared is not None and not self._prepared.done():
            with contextlib.suppress(Exception):  # then each cost is paid where it comes up
                await asyncio.shield(self._prepared)

    def may_open_form(self, action: str) -> bool:
        return action in FORM_ACTIONS

    async def submit(self, sub: FormSubmission, responder: Responder) -> None:
        responder = self._redacting(responder)

        _, kind, ref = [*sub.form_id.split(":", 2), "", ""][:3]

        async def run() -> None:
            handler = FORMS.get(kind) if sub.form_id.startswith("late:") else None
            if handler is None or (kind != "post" and not ref):
                raise UserError("This form is not one latebot knows; it may be from an older version.")
            await handler(self.core, sub, ref, responder)

        await self._guard(sub.delivery_id, responder, run,
                          lambda exc: f"{exc.message} {NOT_DONE[kind]}" if kind in NOT_DONE else exc.message)

    async def post_form(self, place: Place, actor: Actor, *, text: str = "",
                        media: list[str] | None = None) -> Form:
        """The new-post modal; must be instant (Slack's trigger_id lives 3 s): cached accounts only."""
        config = await self.core.channels.get(place)
        cached = self.core.directory.cached_accounts(config.profile_id) if config.profile_id else None
        boards = self.core.directory.cached_board_names(cached or [])
        return post_form(cached or [], text=text, timezone=requests.zone_of(self.core, actor, config),
                         media=media or [], boards=boards)

    async def autocomplete(self, inv: Invocation, option: str, value: str) -> list[tuple[str, str]]:
        await self._ready()
        try:
            return await self.suggestions.choices(inv, option, value)
        except Exception:
            log.exception("autocomplete for %s failed", option)
            return []

    @property
    def max_upload_bytes(self) -> int:
        return self.core.media.max_bytes

    async def upload_media(self, upload: MediaUpload) -> str:
        """Every failure is a `UserError` whose text is redacted (Late's error texts may echo a key)
        and is shown as it is: adapters show a file's failure outside any reply that passes here."""
        try:
            return await self.core.media.upload(upload)
        except UserError as exc:  # the file's own fault: its type, its size
            raise UserError(self.core.redaction.text(str(exc))) from None
        except Exception as exc:
            raise UploadFailed(self.core.redaction.text(describe(exc, logger=log))) from None

    # --- plumbing --------------------------------------------------------------------------

    def _redacting(self, responder: Responder) -> Responder:
        """Every reply leaves with its secrets redacted (Late's error texts may echo a key)."""
        return RedactingResponder(responder, self.core.redaction)

    async def _guard(self, delivery_id: str | None, responder: Responder, run: Callable[[], Awaitable[None]],
                     stale: Callable[[StaleRevision], str]) -> None:
        """Run `run` once per delivery; its error is the reply. `stale` words the refusal of a
        decision made on an older revision, which comes with the current card."""
        await self._ready()
        if not await self.core.deliveries.first(delivery_id):
            log.info("duplicate delivery %s ignored", delivery_id)
            return
        try:
            try:
                await run()
            except StaleRevision as exc:
                await responder.reply(Reply(text=stale(exc), card=await self.core.notices.card_for(exc.request)))
        except Exception as exc:
            await responder.reply(Reply(text=describe(exc, logger=log)))
