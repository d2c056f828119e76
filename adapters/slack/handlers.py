"""The work behind each listener, run after the ack: translate, call the core, answer.

Nothing here decides anything: it builds the neutral types, hands them to the driving port with a
`SlackResponder`, and reports failures to the user (a `UserError` word for word, anything else
as a logged reference).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from typing import Any

from adapters.lane import STOPPED
from adapters.slack import translate
from adapters.slack.context import SlackContext
from adapters.slack.forms import form_view
from adapters.slack.media import Attached
from adapters.slack.responder import SlackResponder
from adapters.slack.text import plain_text, user_ids
from bot.errors import describe
from bot.messages import Form, Place, Reply

log = logging.getLogger("latebot.slack.handlers")

LOOKUP = 1.0  # seconds a users.info may take before a form must open without it
FORM = 1.5  # seconds the core may take to build a form (trigger_id lives 3 s)
MEDIA_FIELD = "media"
LOST_FILES = ("The message's files could not be attached (latebot restarted while they uploaded). "
              "Add them as media URLs with /late edit.")

Body = dict[str, Any]


def responder_for(ctx: SlackContext, body: Body, place: Place, received: float,
                  origin: translate.Origin | None = None) -> SlackResponder:
    return SlackResponder(
        ctx.port, ctx.session, user=translate.who(body).user, place=place,
        trigger_id=body.get("trigger_id"), response_url=body.get("response_url"), received=received,
        origin=origin,
    )


async def _answering(responder: SlackResponder, work: Any) -> None:
    try:
        await work
    except Exception as exc:
        text = describe(exc, logger=log)
        with contextlib.suppress(Exception):
            await responder.reply(Reply(text=text))


async def command(ctx: SlackContext, body: Body, received: float) -> None:
    place = translate.place_of(body)
    responder = responder_for(ctx, body, place, received)

    async def work() -> None:
        text = str(body.get("text", ""))
        actor, names = await asyncio.gather(ctx.people.actor(translate.who(body), within=LOOKUP),
                                            ctx.people.names(user_ids(text, unlabelled=True), within=LOOKUP))
        if translate.is_bare_post(text):
            if ctx.opened.first_time(translate.delivery_id(body)):
                form = await asyncio.wait_for(ctx.bot.post_form(place, actor), FORM)
                await responder.open_form(form)
            return
        await ctx.bot.invoke(translate.invocation(body, actor, names), responder)

    await _answering(responder, work())


async def press(ctx: SlackContext, body: Body, received: float) -> None:
    place = translate.place_of(body)
    responder = responder_for(ctx, body, place, received)

    async def work() -> None:
        actor = await ctx.people.actor(translate.who(body), within=LOOKUP)
        pressed = translate.press(body, actor)
        if pressed is None:  # the listener passes latebot's buttons only
            return
        await ctx.bot.press(pressed, responder)

    await _answering(responder, work())


def _view_responder(ctx: SlackContext, body: Body, received: float) -> tuple[SlackResponder, translate.Origin | None]:
    """A modal submission answers where the form was opened from (its origin), else by DM."""
    view = body.get("view") or {}
    origin = translate.Origin.load(view.get("private_metadata"))
    w = translate.who(body)
    place = origin.place if origin else Place(chat="slack", team=w.team, channel=w.user)
    responder = SlackResponder(ctx.port, ctx.session, user=w.user, place=place, received=received,
                               response_url=origin.response_url if origin else None, origin=origin)
    return responder, origin


async def submit(ctx: SlackContext, body: Body, received: float) -> None:
    responder, origin = _view_responder(ctx, body, received)
    w = translate.who(body)

    async def work() -> None:
        actor = await ctx.people.actor(w, within=LOOKUP)
        extra: dict[str, list[str]] = {}
        if origin is not None and origin.upload:
            attached = await ctx.uploads.result(origin.upload)
            if attached is None:
                await responder.reply(Reply(text=LOST_FILES))
            else:
                extra[MEDIA_FIELD] = [a.url for a in attached if a.url]
                await _tell_failures(responder, attached)
        await ctx.bot.submit(translate.submission(body, actor, origin, extra), responder)

    await _answering(responder, work())


async def abandoned(ctx: SlackContext, body: Body, received: float) -> None:
    """Work that never started before shutdown: the user is told it was not done."""
    if body.get("view"):
        responder, _ = _view_responder(ctx, body, received)
    else:
        responder = responder_for(ctx, body, translate.place_of(body), received)
    with contextlib.suppress(Exception):
        await responder.reply(Reply(text=STOPPED))


async def _tell_failures(responder: SlackResponder, attached: list[Attached]) -> None:
    failed = [a for a in attached if a.error]
    if failed:
        lines = "\n".join(f"- {a.name}: {a.error}" for a in failed)
        await responder.reply(Reply(text=f"These files were not attached to the post:\n{lines}"))


async def shortcut(ctx: SlackContext, body: Body, received: float) -> None:
    """"Post to social" on a message: the post form with its text, then its files once uploaded."""
    place = translate.place_of(body)
    responder = responder_for(ctx, body, place, received)

    async def work() -> None:
        if not ctx.opened.first_time(translate.delivery_id(body)):
            return
        text, files = translate.shortcut_message(body)
        actor, names = await asyncio.gather(
            ctx.people.actor(translate.who(body), within=LOOKUP),
            ctx.people.names(user_ids(text), within=LOOKUP),
        )
        plain = plain_text(text, names.get)
        form = await asyncio.wait_for(ctx.bot.post_form(place, actor, text=plain), FORM)
        if files:
            responder.origin = dataclasses.replace(responder.origin, upload=ctx.uploads.start(files))
        plural = "s" if len(files) > 1 else ""
        notes = [f"Attaching {len(files)} file{plural} from the message…"] if files else []
        await responder.open_form(form, notes=notes)
        if files and responder.view_id:
            await _show_uploads(ctx, responder, form, place, actor, plain)

    await _answering(responder, work())


async def _show_uploads(ctx: SlackContext, responder: SlackResponder, form: Form, place: Place, actor: Any,
                        text: str) -> None:
    """Update the open modal with the uploaded media (or say which files failed)."""
    attached = await ctx.uploads.result(responder.origin.upload) or []
    urls = [a.url for a in attached if a.url]
    updated = await ctx.bot.post_form(place, actor, text=text, media=urls) if urls else form
    before = {f.id: f.value for f in form.fields}
    changed = {f.id for f in updated.fields if before.get(f.id) != f.value}
    notes = [f"Could not attach {a.name}: {a.error}" for a in attached if a.error]
    view = form_view(updated, metadata=responder.origin.dump(), notes=notes, rekey=changed)
    try:
        await ctx.client.views_update(view_id=responder.view_id, view=view)
    except Exception as exc:  # closed or submitted meanwhile: the submission picks the files up
        log.info("could not update the post form with its files: %r", exc)
