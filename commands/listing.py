"""Commands on requests and Late posts: queue, show, cancel, retry, edit; and the post/edit forms."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from bot.card import build_card, when_text
from bot.errors import Conflict, NotAllowed, NotFound, UserError
from bot.late.models import Account, Post
from bot.messages import Actor, Form, FormField, FormSubmission, Place, Reply
from bot.ports import Responder
from bot.publishing import STATE_OF, names_of, outcome_of_post
from bot.request import PostDraft, Request
from commands import model
from commands.context import ParseContext
from commands.options import from_options
from commands.posting import (
    check,
    draft_from_command,
    iso_local,
    post_form,
    to_targets,
    values_list,
    values_text,
)
from commands.text import split_thread

Say = Callable[[Reply], Awaitable[None]]

if TYPE_CHECKING:
    from commands.router import Router


async def run(router: Router, command: model.Command, actor: Actor, place: Place, responder: Responder) -> None:
    reply = responder.reply
    approvals = router.core.approvals
    if isinstance(command, model.QueueCommand):
        await reply(Reply(text=await queue_text(router, place)))
    elif isinstance(command, model.ShowCommand):
        request = await approvals.requests.get(command.id)
        if request is None:
            request = await approvals.requests.by_late_post(command.id)
        if request is not None:
            await reply(Reply(text=f"Request {request.id}", card=build_card(request, footer=approvals.footer)))
        else:
            post = await _late_post(router, command.id)
            await reply(Reply(text=f"Late post {post.id}: {post.status}\n{post.content or ''}"))
    elif isinstance(command, model.CancelCommand):
        request = await _request_or_none(router, command.id)
        if request is None:
            _require_admin(actor, "cancel a post latebot did not create")
            await router.core.late.delete_post(command.id)
            await reply(Reply(text=f"Deleted the Late post {command.id}."))
        else:
            final = await approvals.cancel(actor, request.id)
            await reply(Reply(text=f"Cancelled {final.id}."))
    elif isinstance(command, model.RetryCommand):
        await retry(router, command.id, actor, reply)
    elif isinstance(command, model.EditCommand):
        await edit_text(router, command.id, command.text, actor, place, reply)


async def queue_text(router: Router, place: Place) -> str:
    requests = await router.core.approvals.requests.find(
        "chat = ? AND team = ? AND channel = ? AND state IN ('pending','publishing','scheduled','draft')",
        [place.chat, place.team, place.channel],
    )
    if not requests:
        return "Nothing is waiting here: no pending or scheduled posts. Start one with /late post."
    lines = ["Open posts in this channel:"]
    for r in requests:
        snippet = r.draft.text.replace("\n", " ")
        snippet = snippet if len(snippet) <= 60 else snippet[:59] + "…"
        targets = ", ".join(t.platform for t in r.draft.targets)
        lines.append(f"- {r.id} [{r.state}] {when_text(r.draft)} → {targets}: {snippet}")
    return "\n".join(lines)


async def retry(router: Router, key: str, actor: Actor, reply: Say) -> None:
    approvals = router.core.approvals
    request = await _request_or_none(router, key)
    post_id = request.late_post_id if request else key
    if request is not None and request.state not in ("failed", "partial"):
        raise Conflict(f"Only a failed post can be retried; {request.id} is {request.state}.")
    if request is not None and not post_id:
        why = request.outcome.message if request.outcome else "no answer"
        raise Conflict(f"{request.id} never reached Late ({why}); send it again with /late post.")
    if request is None:
        _require_admin(actor, "retry a post latebot did not create")
    assert post_id is not None
    post = await router.core.late.retry_post(post_id)
    outcome = outcome_of_post(post, names=names_of(request) if request else None)
    if request is not None:
        if await approvals.requests.transition(request, STATE_OF[outcome.kind], actor=actor.name, action="retry",
                                               outcome=outcome):
            final = await approvals.get(request.id)
            await approvals.refresh_card(final)
    await reply(Reply(text=f"Retried {post_id}: {outcome.message}"))


async def edit_text(router: Router, key: str, text: str, actor: Actor, place: Place, reply: Say) -> None:
    approvals = router.core.approvals
    request = await _request_or_none(router, key)
    if request is not None:
        thread = split_thread(text)
        draft = request.draft.model_copy(update={"thread": thread})
        check(draft, await router.defaults(_accounts_of(draft)))
        final = await approvals.edit(actor, request.id, draft)
        await reply(Reply(text=f"Edited {final.id}; it needs approval again."))
        return
    # A Late post latebot did not create: the edit becomes a request of its own, approved like any.
    post = await _late_post(router, key)
    if post.status not in ("scheduled", "draft"):
        raise Conflict(f"Late post {key} is {post.status}; only scheduled and draft posts can be edited.")
    config = await router.core.policies.get(place)
    accounts = await router.accounts_for(place)
    by_id = {a.id: a for a in accounts if isinstance(a, Account)}
    chosen = [by_id[p.account_id] for p in post.platforms if p.account_id in by_id]
    if not chosen:
        raise NotFound(f"Late post {key} is not on this channel's profile.")
    draft = PostDraft(thread=[text], targets=to_targets(chosen),
                      mode="schedule" if post.status == "scheduled" else "draft",
                      scheduled_for=post.scheduled_for, timezone=post.timezone or "UTC",
                      profile_id=config.profile_id)
    check(draft, await router.defaults(chosen))
    request = await approvals.submit(actor, place, draft, config)
    await approvals.requests.store.write(
        lambda tx: tx.execute("UPDATE requests SET late_post_id = ? WHERE id = ?", [key, request.id])
    )
    await reply(Reply(text=f"Your edit of {key} is request {request.id}; it changes Late once approved."))


async def _request_or_none(router: Router, key: str) -> Request | None:
    requests = router.core.approvals.requests
    return await requests.get(key) or await requests.by_late_post(key)


async def _late_post(router: Router, post_id: str) -> Post:
    from bot.errors import LateNotFoundError

    try:
        return await router.core.late.get_post(post_id)
    except LateNotFoundError:
        raise NotFound(f"There is no request or Late post '{post_id}'. /late queue lists the open ones.") from None


def _require_admin(actor: Actor, what: str) -> None:
    if not actor.is_admin:
        raise NotAllowed(f"Only an admin can {what}.")


# --- forms -------------------------------------------------------------------------------------


def reject_form(request: Request) -> Form:
    return Form(
        id=f"late:reject:{request.id}",
        title="Reject post",
        submit="Reject",
        fields=[FormField(id="reason", label="Why? (the requester sees this)", kind="textarea",
                          required=True, max_length=1000)],
    )


def edit_form(request: Request, accounts: Sequence[Account]) -> Form:
    draft = request.draft
    known = {a.id for a in accounts}
    # Accounts not in the cache still show up so that the current targets are never dropped silently.
    extra = [a for a in _accounts_of(draft) if a.id not in known]
    return post_form(
        [*accounts, *extra],
        form_id=f"late:edit:{request.id}",
        title="Edit post",
        text="\n---\n".join(draft.thread),
        selected=[t.account_id for t in draft.targets],
        when=iso_local(draft.scheduled_for, draft.timezone),
        timezone=draft.timezone,
        mode=draft.mode,
        media=[m.url for m in draft.media],
        submit="Save and re-submit",
    )


def _accounts_of(draft: PostDraft) -> list[Account]:
    return [Account.model_validate({"_id": t.account_id, "platform": t.platform, "username": t.username})
            for t in draft.targets]


def command_from_form(sub: FormSubmission, ctx: ParseContext) -> model.PostCommand:
    values = sub.values
    words = values_list(values, "targets")
    mode = values_text(values, "mode") or "now"
    when = values_text(values, "when").strip()
    options = {"text": values_text(values, "text"), "to": ",".join(words), "mode": mode,
               "tz": values_text(values, "tz").strip(), "media": " ".join(values_list(values, "media"))}
    if when and mode == "schedule":
        options["when"] = when
    command = from_options("post", {k: v for k, v in options.items() if v}, ctx)
    if not isinstance(command, model.PostCommand):
        raise UserError("That form did not describe a post.")
    return command


async def submit_form(router: Router, sub: FormSubmission, ctx: ParseContext, responder: Responder) -> None:
    await router.dispatch(command_from_form(sub, ctx), sub.actor, sub.place, responder)


async def submit_edit(router: Router, request_id: str, sub: FormSubmission, ctx: ParseContext,
                      responder: Responder) -> None:
    approvals = router.core.approvals
    request = await approvals.get(request_id)
    accounts = await router.core.directory.accounts(request.profile_id) if request.profile_id else []
    command = command_from_form(sub, ctx)
    usable = accounts or _accounts_of(request.draft)
    draft = draft_from_command(command, usable, request.profile_id or "", await router.defaults(usable))
    final = await approvals.edit(sub.actor, request_id, draft)
    await responder.reply(Reply(text=f"Saved revision {final.revision} of {final.id}; it needs approval again."))
