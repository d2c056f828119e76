"""`/late approve <id>`, `/late reject <id> "reason"` and `/late history <id>`: decisions made by
command, for when the card is far away (or, in the console, printed by an earlier run).

A command decides the revision current when it is read (or the one named, `<id>:<revision>`),
through the same gate as a button: identity, revision, place and the brand's rules are all
checked there. The reply carries the card, so the approver sees the text they approved; when the
request changed in between, nothing is decided and the current card is shown instead.
"""

from __future__ import annotations

from bot.approval import StaleRevision
from bot.card import history_card
from bot.core import Core
from bot.errors import NotFound
from bot.messages import Actor, Place, Reply
from bot.ports import Responder
from bot.request import Request
from bot.settlement import already
from commands import model
from commands.requests import zone_of


async def _request(core: Core, ident: str, place: Place) -> Request:
    request = await core.approvals.find(ident)
    if request is None or (place.chat, place.team) != (request.chat, request.team):
        raise NotFound(f"There is no request '{ident}' here. /late queue lists this channel's.")
    return request


def stale_text(exc: StaleRevision) -> str:
    """The refusal of a command's decision on a revision that is no longer current (the router
    shows it with the current card)."""
    return (f"{exc.request.id} changed: revision {exc.request.revision} is current, not {exc.seen}. Nothing was "
            "decided; here is the current text, decide again if it is right.")


async def approve(core: Core, command: model.ApproveCommand, actor: Actor, place: Place,
                  responder: Responder) -> None:
    request = await _request(core, command.id, place)
    revision = command.revision or request.revision
    final, tally = await core.approvals.approve(actor, request.id, revision=revision, place=place)
    if final.state == "pending":
        counted = f"{tally.count} of {final.approvals_required}"
        text = (f"You already approved revision {revision} of {final.id} ({counted})." if tally.again
                else f"Your approval of revision {revision} of {final.id} is recorded ({counted} needed).")
    else:
        outcome = final.outcome.message if final.outcome else f"{already(final.state)}."
        text = f"You approved revision {revision} of {final.id}: {outcome}"
    await responder.reply(Reply(text=text, card=await core.notices.card_for(final)))


async def reject(core: Core, command: model.RejectCommand, actor: Actor, place: Place,
                 responder: Responder) -> None:
    request = await _request(core, command.id, place)
    revision = command.revision or request.revision
    final = await core.approvals.reject(actor, request.id, command.reason, revision=revision, place=place)
    await responder.reply(Reply(text=f"Rejected revision {revision} of {final.id}; {final.requester_name} is told "
                                     "why.", card=await core.notices.card_for(final)))


async def history(core: Core, command: model.HistoryCommand, actor: Actor, place: Place,
                  responder: Responder) -> None:
    request = await _request(core, command.id, place)
    entries = await core.approvals.history(request.id)
    zone = zone_of(core, actor, await core.channels.get(place))
    await responder.reply(Reply(text=f"What happened to {request.id}, oldest first:",
                                card=history_card(request, entries, zone)))
