"""Commands on posts: post, queue, show, cancel, retry, edit, and the post/edit/reject forms' submissions.

Each handler calls the core's services by intent; none touches the store or Late directly.
"""

from __future__ import annotations

from bot.approval import StaleRevision
from bot.card import parse_revision_ref, when_text
from bot.core import Core
from bot.errors import Conflict, NotFound
from bot.messages import Actor, FormSubmission, Place, Reply
from bot.policy import authorize_cancel, who_may_approve
from bot.ports import Responder
from bot.publishing import outcome_of_post
from bot.request import PostDraft, Request
from commands import model
from commands.context import ParseContext
from commands.draft import accounts_of, check, draft_from_command, to_targets
from commands.forms import command_from_form
from commands.text import split_thread


async def context(core: Core, place: Place, actor: Actor) -> ParseContext:
    """What a parse needs: now, and the zone times are read in (the user's, the channel's, the default)."""
    config = await core.channels.get(place)
    zone = actor.timezone or config.timezone or core.settings.LATEBOT_TIMEZONE
    return ParseContext(now=core.clock.now(), timezone=zone)


async def post(core: Core, command: model.PostCommand, actor: Actor, place: Place, responder: Responder) -> None:
    config = await core.channels.get(place)
    profile, accounts = await core.directory.accounts_for(config)
    draft = draft_from_command(command, accounts, profile.id, await core.directory.defaults(accounts))
    request = await core.approvals.submit(actor, place, draft)
    await responder.reply(Reply(text=await _sent(core, request)))


async def _sent(core: Core, request: Request) -> str:
    policy = await core.policies.for_request(request)
    where = "here" if request.card is None or request.card.channel == request.channel else "in the approval channel"
    needed = policy.approvals_required
    who = who_may_approve(policy)
    return (f"Sent for approval {where} as request {request.id}. It needs {needed} approval"
            f"{'s' if needed != 1 else ''} from {who} (/late show {request.id}).")


async def queue(core: Core, command: model.QueueCommand, actor: Actor, place: Place, responder: Responder) -> None:
    requests = await core.approvals.queue(place)
    if not requests:
        text = "Nothing is waiting here: no pending or scheduled posts. Start one with /late post."
    else:
        lines = ["Open posts in this channel:"]
        for r in requests:
            snippet = r.draft.text.replace("\n", " ")
            snippet = snippet if len(snippet) <= 60 else snippet[:59] + "…"
            targets = ", ".join(t.platform for t in r.draft.targets)
            lines.append(f"- {r.id} [{r.state}] {when_text(r.draft)} → {targets}: {snippet}")
        text = "\n".join(lines)
    await responder.reply(Reply(text=text))


async def show(core: Core, command: model.ShowCommand, actor: Actor, place: Place, responder: Responder) -> None:
    request = await core.approvals.find(command.id)
    if request is not None:
        if (place.chat, place.team) != (request.chat, request.team):
            raise NotFound(f"There is no request '{command.id}' here.")
        card = await core.notices.card_for(request)
        home = {request.channel, *([request.card.channel] if request.card else [])}
        note = ""
        if place.channel not in home:
            # Decided only where it belongs: shown here without its buttons.
            card = card.model_copy(update={"buttons": []})
            note = " It belongs to another channel; decide it there."
        await responder.reply(Reply(text=f"Request {request.id}.{note}", card=card))
        return
    post = await core.late_posts.get(command.id)
    await responder.reply(Reply(text=f"Late post {post.id}: {post.status}\n{post.content or ''}"))


async def cancel(core: Core, command: model.CancelCommand, actor: Actor, place: Place, responder: Responder) -> None:
    request = await core.approvals.find(command.id)
    if request is None:
        await core.late_posts.delete(actor, command.id)
        await responder.reply(Reply(text=f"Deleted the Late post {command.id}."))
        return
    final = await core.approvals.cancel(actor, request.id, place=place)
    await responder.reply(Reply(text=f"Cancelled {final.id}."))


async def retry(core: Core, command: model.RetryCommand, actor: Actor, place: Place, responder: Responder) -> None:
    request = await core.approvals.find(command.id)
    if request is None:
        post = await core.late_posts.retry(actor, command.id)
        await responder.reply(Reply(text=f"Retried {command.id}: {outcome_of_post(post).message}"))
        return
    await responder.reply(Reply(text=await retry_request(core, request, actor)))


async def retry_request(core: Core, request: Request, actor: Actor) -> str:
    """Retry a request (the command and the card's Retry button): who may cancel it may retry it."""
    authorize_cancel(actor, request, await core.policies.for_request(request))
    final = await core.settlement.retry(actor, request)
    message = final.outcome.message if final.outcome else final.state
    return f"Retried {final.id}: {message}"


async def edit(core: Core, command: model.EditCommand, actor: Actor, place: Place, responder: Responder) -> None:
    request = await core.approvals.find(command.id)
    if request is not None:
        draft = request.draft.model_copy(update={"thread": split_thread(command.text)})
        check(draft, await core.directory.defaults(accounts_of(draft)))
        final = await core.approvals.edit(actor, request.id, draft, place=place)
        await responder.reply(Reply(text=f"Edited {final.id}: revision {final.revision} needs approval again."))
        return
    # A Late post latebot did not create: the edit becomes a request of its own, approved like any.
    post = await core.late_posts.get(command.id)
    if post.status not in ("scheduled", "draft"):
        raise Conflict(f"Late post {command.id} is {post.status}; only scheduled and draft posts can be edited.")
    config = await core.channels.get(place)
    _, accounts = await core.directory.accounts_for(config)
    by_id = {a.id: a for a in accounts}
    chosen = [by_id[p.account_id] for p in post.platforms if p.account_id in by_id]
    if not chosen:
        raise NotFound(f"Late post {command.id} is not on this channel's profile.")
    draft = PostDraft(thread=[command.text], targets=to_targets(chosen),
                      mode="schedule" if post.status == "scheduled" else "draft",
                      scheduled_for=post.scheduled_for, timezone=post.timezone or "UTC",
                      profile_id=config.profile_id)
    check(draft, await core.directory.defaults(chosen))
    request = await core.approvals.submit(actor, place, draft, late_post_id=command.id)
    await responder.reply(Reply(text=f"Your edit of {command.id} is request {request.id}; "
                                     "it changes Late once approved."))


# --- form submissions ------------------------------------------------------------------------


async def submit_post(core: Core, sub: FormSubmission, ref: str, responder: Responder) -> None:
    command = command_from_form(sub, await context(core, sub.place, sub.actor))
    await post(core, command, sub.actor, sub.place, responder)


async def submit_edit(core: Core, sub: FormSubmission, ref: str, responder: Responder) -> None:
    request_id, revision = parse_revision_ref(ref)
    try:
        request = await core.approvals.may_edit(sub.actor, request_id, revision, sub.place)
    except StaleRevision as exc:
        await responder.reply(Reply(text=f"{exc.message} Your edit was not saved.",
                                    card=await core.notices.card_for(exc.request)))
        return
    accounts = await core.directory.accounts(request.profile_id) if request.profile_id else []
    command = command_from_form(sub, await context(core, sub.place, sub.actor))
    usable = accounts or accounts_of(request.draft)
    draft = draft_from_command(command, usable, request.profile_id or "", await core.directory.defaults(usable))
    final = await core.approvals.edit(sub.actor, request.id, draft, revision=revision, place=sub.place)
    await responder.reply(Reply(text=f"Saved revision {final.revision} of {final.id}; it needs approval again."))


async def submit_reject(core: Core, sub: FormSubmission, ref: str, responder: Responder) -> None:
    request_id, revision = parse_revision_ref(ref)
    reason = sub.values.get("reason", "")
    text = reason if isinstance(reason, str) else " ".join(reason)
    try:
        await core.approvals.reject(sub.actor, request_id, text, revision=revision, place=sub.place)
    except StaleRevision as exc:
        await responder.reply(Reply(text=f"{exc.message} Nothing was rejected.",
                                    card=await core.notices.card_for(exc.request)))
        return
    await responder.reply(Reply(text=f"Rejected {request_id}."))
