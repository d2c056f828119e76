"""What each button does: the one table of actions the router dispatches presses through.

A button's `ref` says what it is about; approval buttons carry `<request id>:<revision>`.
New card kinds (alerts, follow-ups) add their actions here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.card import parse_revision_ref
from bot.core import Core
from bot.messages import ButtonPress, Reply
from bot.ports import Responder
from commands.forms import edit_form, reject_form

Action = Callable[[Core, ButtonPress, Responder], Awaitable[None]]


async def approve(core: Core, press: ButtonPress, responder: Responder) -> None:
    request_id, _revision = parse_revision_ref(press.ref)
    request = await core.approvals.approve(press.actor, request_id)
    if request.state == "pending":
        await responder.reply(Reply(
            text=f"Your approval is recorded ({len(request.approvers)} of {request.approvals_required} needed)."))


async def reject(core: Core, press: ButtonPress, responder: Responder) -> None:
    request_id, _revision = parse_revision_ref(press.ref)
    await responder.open_form(reject_form(await core.approvals.get(request_id)))


async def edit(core: Core, press: ButtonPress, responder: Responder) -> None:
    request_id, _revision = parse_revision_ref(press.ref)
    request = await core.approvals.get(request_id)
    # Instant (a modal must open within 3 s of the click): cached accounts only, no Late call.
    accounts = core.directory.cached_accounts(request.profile_id or "") or []
    await responder.open_form(edit_form(request, accounts))


ACTIONS: dict[str, Action] = {
    "approve": approve,
    "reject": reject,
    "edit": edit,
}
