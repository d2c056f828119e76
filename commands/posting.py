"""From a parsed post command or a submitted form to a `PostDraft` the approval workflow accepts."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from bot import platforms
from bot.errors import ParseError, UserError
from bot.late.models import Account
from bot.messages import Form, FormField
from bot.request import Media, PostDraft, Target
from commands.model import PostCommand
from commands.targets import resolve_targets

EXAMPLE = '/late post "Launch day!" to x,linkedin tomorrow 9am'


def to_targets(accounts: Sequence[Account]) -> list[Target]:
    return [Target(account_id=a.id, platform=a.platform, username=a.username or a.display_name or a.id)
            for a in accounts]


def pick_targets(words: Sequence[str], accounts: Sequence[Account]) -> list[Target]:
    if not accounts:
        raise UserError("This channel's Late profile has no connected accounts yet; connect one in Late first.")
    if not words:
        if len(accounts) == 1:
            return to_targets(accounts)
        handles = ", ".join(f"{a.platform} (@{(a.username or '').lstrip('@')})" for a in accounts)
        raise ParseError(f"Say where to post it. Accounts here: {handles}.", example=EXAMPLE)
    # Forms send account ids (a multi-select); typed commands send platforms and handles.
    by_id = {a.id.lower(): a for a in accounts}
    if all(w.lower() in by_id for w in words):
        return to_targets([by_id[w.lower()] for w in dict.fromkeys(words)])
    return to_targets(resolve_targets(list(words), list(accounts)))


def media_items(urls: Sequence[str]) -> list[Media]:
    out = []
    for url in urls:
        url = url.strip()
        if not url:
            continue
        if not url.startswith(("http://", "https://")):
            raise ParseError(f"'{url}' is not a media URL (it must start with https://).",
                             example='/late post "New photo" to ig with https://example.com/photo.jpg')
        out.append(Media(url=url, type=platforms.guess_media_type(url)))
    return out


def draft_from_command(
    cmd: PostCommand, accounts: Sequence[Account], profile_id: str, defaults: Collection[str] = ()
) -> PostDraft:
    draft = PostDraft(
        thread=list(cmd.thread),
        targets=pick_targets(cmd.targets, accounts),
        mode=cmd.mode,
        scheduled_for=cmd.scheduled_for,
        timezone=cmd.timezone,
        media=media_items(cmd.media),
        profile_id=profile_id,
    )
    check(draft, defaults)
    return draft


def check(draft: PostDraft, defaults: Collection[str] = ()) -> None:
    """Refuse what Late would certainly reject; warnings go on the card instead.

    `defaults` holds the ids of accounts with a default Pinterest board or subreddit set in Late.
    """
    errors = []
    for t in draft.targets:
        has_default = t.account_id in defaults
        for problem in platforms.validate(draft.thread, draft.media, t.platform, None, has_default):
            if problem.level == "error":
                errors.append(f"{platforms.display_name(t.platform)}: {problem.message}")
    if errors:
        raise UserError("Late would refuse this post:\n- " + "\n- ".join(dict.fromkeys(errors)))


def post_form(
    accounts: Sequence[Account],
    *,
    form_id: str = "late:post",
    title: str = "New social post",
    text: str = "",
    selected: Sequence[str] = (),
    when: str = "",
    timezone: str = "",
    mode: str = "now",
    media: Sequence[str] = (),
    submit: str = "Send for approval",
) -> Form:
    """The post modal: the same fields for a new post, the shortcut and Edit."""
    options = [(a.id, f"{platforms.display_name(a.platform)} @{(a.username or a.id).lstrip('@')}")
               for a in accounts]
    return Form(
        id=form_id,
        title=title,
        submit=submit,
        fields=[
            FormField(id="text", label="Post text", kind="textarea", value=text, required=True,
                      hint="A line with only --- splits a thread (X, Threads, Bluesky).", max_length=3000),
            FormField(id="targets", label="Post to", kind="multiselect", value=list(selected),
                      options=options, required=True),
            FormField(id="mode", label="Publish", kind="select", value=mode,
                      options=[("now", "As soon as approved"), ("schedule", "At the time below"),
                               ("draft", "Save as a draft on Late")]),
            FormField(id="when", label="When", kind="datetime", value=when,
                      placeholder="tomorrow 9am, or 2026-12-01 09:00", hint="Used when Publish is 'at the time'."),
            FormField(id="tz", label="Time zone", value=timezone, placeholder="Europe/Berlin"),
            FormField(id="media", label="Media URLs", kind="textarea", value="\n".join(media),
                      placeholder="https://example.com/photo.jpg (one per line)"),
        ],
    )


def values_text(values: dict[str, str | list[str]], key: str) -> str:
    value = values.get(key, "")
    return value if isinstance(value, str) else ",".join(value)


def values_list(values: dict[str, str | list[str]], key: str) -> list[str]:
    value = values.get(key, [])
    if isinstance(value, list):
        return [v for v in value if v]
    return [v.strip() for v in value.replace("\n", ",").split(",") if v.strip()]


def iso_local(dt: datetime | None, zone: str) -> str:
    if dt is None:
        return ""
    from zoneinfo import ZoneInfo

    return dt.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
