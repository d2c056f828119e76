"""The one entry point adapters call: parse what the user did, run it on the core, answer.

Adapters translate payloads into `Invocation`, `ButtonPress` and `FormSubmission`, acknowledge
the platform first, and then call the methods here.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from bot.clock import iso
from bot.core import Core
from bot.errors import UserError, describe
from bot.late.models import Account
from bot.messages import Actor, ButtonPress, Form, FormSubmission, Invocation, Place, Reply
from bot.ports import ChatPort, Responder
from bot.store import Tx
from commands import admin, listing, model
from commands.context import ParseContext
from commands.options import from_options
from commands.parser import parse
from commands.posting import draft_from_command, post_form
from commands.suggest import Suggestions

log = logging.getLogger("latebot.router")


class Router:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.suggestions = Suggestions(core)

    def register(self, port: ChatPort) -> None:
        self.core.chats.register(port)

    # --- entry points ----------------------------------------------------------------------

    async def invoke(self, inv: Invocation, responder: Responder) -> None:
        async def run() -> None:
            ctx = await self.context(inv.place, inv.actor)
            if inv.command is not None:
                command = from_options(inv.command, inv.options or {}, ctx)
            else:
                command = parse(inv.text, ctx)
            await self.dispatch(command, inv.actor, inv.place, responder)

        await self._guard(inv.delivery_id, responder, run)

    async def press(self, press: ButtonPress, responder: Responder) -> None:
        async def run() -> None:
            approvals = self.core.approvals
            if press.action == "approve":
                request = await approvals.approve(press.actor, press.request_id)
                if request.state == "pending":
                    await responder.reply(Reply(
                        text=f"Your approval is recorded ({len(request.approvers)} of "
                             f"{request.approvals_required} needed)."))
            elif press.action == "reject":
                request = await approvals.get(press.request_id)
                await responder.open_form(listing.reject_form(request))
            elif press.action == "edit":
                request = await approvals.get(press.request_id)
                accounts = self.core.directory.cached_accounts(request.profile_id or "") or []
                await responder.open_form(listing.edit_form(request, accounts))
            else:
                raise UserError(f"This button ({press.action}) is not one latebot knows.")

        await self._guard(press.delivery_id, responder, run)

    async def submit(self, sub: FormSubmission, responder: Responder) -> None:
        async def run() -> None:
            parts = sub.form_id.split(":", 2)
            if sub.form_id == "late:post":
                ctx = await self.context(sub.place, sub.actor)
                await listing.submit_form(self, sub, ctx, responder)
            elif len(parts) == 3 and parts[1] == "reject":
                reason = str(sub.values.get("reason", ""))
                await self.core.approvals.reject(sub.actor, parts[2], reason)
                await responder.reply(Reply(text=f"Rejected {parts[2]}."))
            elif len(parts) == 3 and parts[1] == "edit":
                ctx = await self.context(sub.place, sub.actor)
                await listing.submit_edit(self, parts[2], sub, ctx, responder)
            else:
                raise UserError("This form is not one latebot knows; it may be from an older version.")

        await self._guard(sub.delivery_id, responder, run)

    async def post_form(self, place: Place, actor: Actor, *, text: str = "",
                        media: list[str] | None = None) -> Form:
        """The new-post modal; must be instant (Slack's trigger_id lives 3 s): cached accounts only."""
        config = await self.core.policies.get(place)
        accounts = []
        if config.profile_id:
            accounts = self.core.directory.cached_accounts(config.profile_id) or []
        zone = actor.timezone or config.timezone or self.core.settings.LATEBOT_TIMEZONE
        return post_form(accounts, text=text, timezone=zone, media=media or [])

    async def autocomplete(self, inv: Invocation, option: str, value: str) -> list[tuple[str, str]]:
        try:
            return await self.suggestions.choices(inv, option, value)
        except Exception:
            log.exception("autocomplete for %s failed", option)
            return []

    # --- dispatch --------------------------------------------------------------------------

    async def dispatch(self, command: model.Command, actor: Actor, place: Place, responder: Responder) -> None:
        core = self.core
        if isinstance(command, model.PostCommand):
            config = await core.policies.get(place)
            profile = await core.directory.profile_for(config)
            accounts = await core.directory.accounts(profile.id)
            draft = draft_from_command(command, accounts, profile.id, await self.defaults(accounts))
            request = await core.approvals.submit(actor, place, draft, config)
            where = "here" if config.approval_place.channel == place.channel else "in the approval channel"
            await responder.reply(Reply(text=f"Sent for approval {where} as request {request.id}. "
                                        f"Anyone but you can approve it (/late show {request.id})."
                                        if not config.approvers else
                                        f"Sent for approval {where} as request {request.id}."))
        elif isinstance(command, model.HelpCommand):
            from commands.help import help_text

            await responder.reply(Reply(text=help_text(command.topic)))
        elif isinstance(command, model.QueueCommand | model.ShowCommand | model.CancelCommand
                        | model.RetryCommand | model.EditCommand):
            await listing.run(self, command, actor, place, responder)
        else:
            await admin.run(self, command, actor, place, responder)

    async def defaults(self, accounts: Sequence[Account]) -> set[str]:
        """Pinterest and Reddit accounts that have a default board or subreddit in Late."""
        late = self.core.late
        found: set[str] = set()
        for a in accounts:
            if a.platform == "pinterest" and (await late.pinterest_boards(a.id)).default_board_id:
                found.add(a.id)
            elif a.platform == "reddit" and (await late.reddit_subreddits(a.id)).default_subreddit:
                found.add(a.id)
        return found

    async def context(self, place: Place, actor: Actor) -> ParseContext:
        config = await self.core.policies.get(place)
        zone = actor.timezone or config.timezone or self.core.settings.LATEBOT_TIMEZONE
        return ParseContext(now=self.core.clock.now(), timezone=zone)

    async def accounts_for(self, place: Place) -> list[object]:
        config = await self.core.policies.get(place)
        profile = await self.core.directory.profile_for(config)
        return list(await self.core.directory.accounts(profile.id))

    # --- plumbing --------------------------------------------------------------------------

    async def first_delivery(self, delivery_id: str | None) -> bool:
        """False when this delivery was handled before (a platform retry): do nothing twice."""
        if not delivery_id:
            return True
        at = iso(self.core.clock.now())

        def write(tx: Tx) -> int:
            return tx.insert("deliveries", {"key": delivery_id, "at": at}, or_ignore=True)

        return await self.core.store.write(write) == 1

    async def _guard(self, delivery_id: str | None, responder: Responder,
                     run: Callable[[], Awaitable[None]]) -> None:
        if not await self.first_delivery(delivery_id):
            log.info("duplicate delivery %s ignored", delivery_id)
            return
        try:
            await run()
        except Exception as exc:
            await responder.reply(Reply(text=describe(exc, logger=log)))

