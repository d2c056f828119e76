"""What each button does: the one table of actions the router dispatches presses through.

A button's `ref` says what it is about; approval buttons carry `<request id>:<revision>`, and a press
for another revision than the current one is refused with the current card (by the router, for every
action alike). Permission is checked before any form opens.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.core import Core
from bot.messages import ButtonPress, Reply
from bot.ports import Responder
from bot.refs import parse_revision_ref
from commands import health
from commands.forms import edit_form, reject_form
from commands.requests import retry_request

Action = Callable[[Core, ButtonPress, Responder], Awaitable[None]]


async def approve(core: Core, press: ButtonPress, responder: Responder) -> None:
    request_id, revision = parse_revision_ref(press.ref)
    request, tally = await core.approvals.approve(press.actor, request_id, revision=revision, place=press.place)
    if request.state == "pending":
        counted = f"{tally.count} of {request.approvals_required}"
        text = (f"You already approved this ({counted})." if tally.again
                else f"Your approval is recorded ({counted} needed).")
        await responder.reply(Reply(text=text))


async def reject(core: Core, press: ButtonPress, responder: Responder) -> None:
    request_id, revision = parse_revision_ref(press.ref)
    request = await core.approvals.may_decide(press.actor, request_id, revision, press.place, "reject")
    await responder.open_form(reject_form(request))


async def edit(core: Core, press: ButtonPress, responder: Responder) -> None:
    request_id, revision = parse_revision_ref(press.ref)
    request = await core.approvals.may_edit(press.actor, request_id, revision, press.place)
    # Instant (a modal must open within 3 s of the click): cached accounts only, no Late call.
    accounts = core.directory.cached_accounts(request.profile_id or "") or []
    await responder.open_form(edit_form(request, accounts, core.directory.cached_board_names(accounts)))


async def retry(core: Core, press: ButtonPress, responder: Responder) -> None:
    """Retry on a failed or partly published card, or on its alert in the alert channel: as
    `/late retry <id>`. It sends again what was approved, so it is not a decision bound to the card's
    channel; but only from the request's own workspace, by whoever may retry it."""
    request = await core.approvals.get(press.ref)
    await responder.reply(Reply(text=await retry_request(core, request, press.actor, press.place)))


ACTIONS: dict[str, Action] = {
    "approve": approve,
    "reject": reject,
    "edit": edit,
    "retry": retry,
    "mute": health.mute,
    "at_risk": health.at_risk,
}
# The actions that may answer with a form (after the permission check): adapters must not defer them.
FORM_ACTIONS = frozenset({"reject", "edit"})
