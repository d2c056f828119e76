"""Commands on posts: post, queue, show, cancel, retry, edit, and the post/edit/reject forms' submissions.

Each handler calls the core's services by intent; none touches the store or Late directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.card import snippet, when_text
from bot.channels import ChannelConfig
from bot.core import Core
from bot.errors import Conflict, NotAllowed, NotFound
from bot.late.models import Account
from bot.messages import Actor, FormSubmission, Place, Reply
from bot.policy import who_may_approve
from bot.ports import Responder
from bot.publishing import outcome_of_post
from bot.refs import parse_revision_ref
from bot.request import PostDraft, Request, Target
from bot.requests import FAILED_STATES
from commands import model
from commands.context import ParseContext
from commands.draft import (
    Lookups,
    accounts_of,
    check,
    draft_from_command,
    edited,
    pick_targets,
    to_targets,
    with_boards,
)
from commands.forms import command_from_form
from commands.text import split_thread


def zone_of(core: Core, actor: Actor, config: ChannelConfig) -> str:
    """The zone `actor`'s times are read and shown in: theirs, else the channel's, else the default."""
    return actor.timezone or config.timezone or core.settings.LATEBOT_TIMEZONE


async def context(core: Core, place: Place, actor: Actor) -> ParseContext:
    """What a parse needs: now, and the zone times are read in (`zone_of`)."""
    return ParseContext(now=core.clock.now(), timezone=zone_of(core, actor, await core.channels.get(place)))


async def lookups(core: Core, targets: Sequence[Target], accounts: Sequence[Account]) -> Lookups:
    """What Late says about the targeted accounts: default subreddits, and Pinterest boards."""
    wanted = {t.account_id for t in targets}
    chosen = [a for a in accounts if a.id in wanted]
    boards = {a.id: await core.directory.pinterest_boards(a.id) for a in chosen if a.platform == "pinterest"}
    return Lookups(defaults=await core.directory.defaults(chosen), boards=boards)


async def prepared(core: Core, command: model.PostCommand, accounts: Sequence[Account],
                   profile_id: str) -> PostDraft:
    targets = pick_targets(command.targets, accounts)
    return draft_from_command(command, targets, profile_id, await lookups(core, targets, accounts))


async def post(core: Core, command: model.PostCommand, actor: Actor, place: Place, responder: Responder) -> None:
    config = await core.channels.get(place)
    profile, accounts = await core.directory.accounts_for(config)
    draft = await prepared(core, command, accounts, profile.id)
    request = await core.approvals.submit(actor, place, draft)
    # Not silently accepted: what latebot last saw of an account's health, the requester hears too.
    risks = await core.risks.warnings(request.draft)
    careful = "".join(f"\nCareful: {w}" for w in risks)
    await responder.reply(Reply(text=await _sent(core, request) + careful))


async def _sent(core: Core, request: Request) -> str:
    policy = await core.policies.for_request(request)
    where = "here" if request.card is None or request.card.channel == request.channel else "in the approval channel"
    needed = policy.approvals_required
    who = who_may_approve(policy)
    return (f"Sent for approval {where} as request {request.id}. It needs {needed} approval"
            f"{'s' if needed != 1 else ''} from {who} (/late show {request.id}).")


QUEUE_LIMIT = 20
FAILED_FOR = timedelta(days=7)  # failed posts stay in the queue this long, to be retried or dropped


async def queue(core: Core, command: model.QueueCommand, actor: Actor, place: Place, responder: Responder) -> None:
    if command.which == "failed":
        await responder.reply(Reply(text=failed_text(await core.followups.failed_in(place))))
        return
    shown, total = await core.approvals.listing(place, failed_since=core.clock.now() - FAILED_FOR,
                                                limit=QUEUE_LIMIT)
    if not shown:
        text = "Nothing is waiting here: no pending, scheduled or failed posts. Start one with /late post."
    else:
        lines = ["Posts of this channel (open, then failed in the last 7 days):"]
        for r in shown:
            targets = ", ".join(t.platform for t in r.draft.targets)
            mark = f"✗ {r.state}, /late retry {r.id}" if r.state in FAILED_STATES else r.state
            lines.append(f"- {r.id} [{mark}] {when_text(r.draft)} → {targets}: {snippet(r.draft.text, 60)}")
        if total > len(shown):
            lines.append(f"…and {total - len(shown)} more not listed here (the oldest {len(shown)} are shown).")
        text = "\n".join(lines)
    await responder.reply(Reply(text=text))


def failed_text(requests: list[Request]) -> str:
    if not requests:
        return "No post of this channel has failed on Late. /late queue lists the open ones."
    lines = ["Failed and partly published posts in this channel:"]
    for r in requests:
        lines.append(f"- {r.id} [{r.state}] {snippet(r.draft.text, 60)}")
        outcome = r.outcome
        reasons = [f"{name}: {why}" for name, why in outcome.errors.items()] if outcome else []
        lines += [f"    {reason}" for reason in reasons or [outcome.message if outcome else "no answer from Late"]]
    lines.append("Retry one with /late retry <id> (a partly published post retries only what failed).")
    return "\n".join(lines)


async def show(core: Core, command: model.ShowCommand, actor: Actor, place: Place, responder: Responder) -> None:
    request = await core.approvals.find(command.id)
    if request is not None:
        if (place.chat, place.team) != (request.chat, request.team):
            raise NotFound(f"There is no request '{command.id}' here.")
        try:
            core.approvals.check_place(request, place)
        except NotAllowed:
            # Its channel may be one the asker can't see (a private one): nothing of it is shown here.
            await responder.reply(Reply(text=f"Request {request.id} belongs to another channel; "
                                             "look at it and decide it there."))
            return
        await responder.reply(Reply(text=f"Request {request.id}.", card=await core.notices.card_for(request)))
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
    await responder.reply(Reply(text=await retry_request(core, request, actor, place)))


async def retry_request(core: Core, request: Request, actor: Actor, place: Place) -> str:
    """Retry a request (the command, the card's and the alert's Retry button). A partly published post
    is sent again for its failed platforms only; the permission check is the retries' own."""
    final = await core.retries.retry(actor, request, place)
    message = final.outcome.message if final.outcome else final.state
    return f"Retried {final.id}: {message}"


async def edit(core: Core, command: model.EditCommand, actor: Actor, place: Place, responder: Responder) -> None:
    request = await core.approvals.find(command.id)
    if request is not None:
        accounts = await core.directory.accounts(request.profile_id) if request.profile_id else []
        draft = await _edited(core, request.draft, command, accounts or accounts_of(request.draft))
        final = await core.approvals.edit(actor, request.id, draft, place=place)
        await responder.reply(Reply(text=f"Edited {final.id}: revision {final.revision} needs approval again.",
                                    card=await core.notices.card_for(final)))
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
    base = PostDraft(thread=split_thread(post.content or ""), targets=to_targets(chosen),
                     mode="schedule" if post.status == "scheduled" else "draft",
                     scheduled_for=post.scheduled_for, timezone=post.timezone or "UTC",
                     profile_id=config.profile_id)
    draft = await _edited(core, base, command, accounts)
    request = await core.approvals.submit(actor, place, draft, late_post_id=command.id)
    await responder.reply(Reply(text=f"Your edit of {command.id} is request {request.id}; "
                                     "it changes Late once approved."))


async def _edited(core: Core, draft: PostDraft, command: model.EditCommand, accounts: Sequence[Account]) -> PostDraft:
    """`draft` with the edit's changes, its boards chosen again and checked like a new post."""
    changed = edited(draft, command, accounts)
    found = await lookups(core, changed.targets, [*accounts, *accounts_of(changed)])
    changed = with_boards(changed, found.boards)
    check(changed, found.defaults)
    return changed


# --- form submissions ------------------------------------------------------------------------


async def submit_post(core: Core, sub: FormSubmission, ref: str, responder: Responder) -> None:
    command = command_from_form(sub, await context(core, sub.place, sub.actor))
    await post(core, command, sub.actor, sub.place, responder)


async def submit_edit(core: Core, sub: FormSubmission, ref: str, responder: Responder) -> None:
    request_id, revision = parse_revision_ref(ref)
    request = await core.approvals.may_edit(sub.actor, request_id, revision, sub.place)
    accounts = await core.directory.accounts(request.profile_id) if request.profile_id else []
    command = command_from_form(sub, await context(core, sub.place, sub.actor))
    draft = await prepared(core, command, accounts or accounts_of(request.draft), request.profile_id or "")
    final = await core.approvals.edit(sub.actor, request.id, draft, revision=revision, place=sub.place)
    await responder.reply(Reply(text=f"Saved revision {final.revision} of {final.id}; it needs approval again."))


async def submit_reject(core: Core, sub: FormSubmission, ref: str, responder: Responder) -> None:
    request_id, revision = parse_revision_ref(ref)
    reason = sub.values.get("reason", "")
    text = reason if isinstance(reason, str) else " ".join(reason)
    await core.approvals.reject(sub.actor, request_id, text, revision=revision, place=sub.place)
    await responder.reply(Reply(text=f"Rejected {request_id}."))
