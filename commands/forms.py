"""The forms latebot opens (new post, reject, edit) and a submitted form read back as a command.

A form's id says what it is for: `late:post`, `late:reject:<request id>:<revision>`,
`late:edit:<request id>:<revision>` (the revision the form was opened for).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot import specifics
from bot.errors import UserError
from bot.late.models import Account
from bot.messages import Form, FormField, FormSubmission
from bot.platforms import account_label
from bot.refs import revision_ref
from bot.request import Request
from bot.specifics import PRIVACIES, Specifics
from commands import model
from commands.context import ParseContext
from commands.draft import accounts_of
from commands.options import SPECIFIC_OPTIONS, from_options


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
    specifics: Specifics | None = None,
    boards: Sequence[str] = (),
) -> Form:
    """The post modal: the same fields for a new post, the shortcut and Edit. The per-platform
    options appear for the platforms the accounts are on; `boards` are Pinterest board names to
    choose from (a text field when none are known)."""
    options = [(a.id, account_label(a.platform, a.username or a.id))
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
            *option_fields({a.platform for a in accounts}, specifics or Specifics(), boards),
        ],
    )


# field id, label, the platforms it is for
_OPTION_FIELDS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("subreddit", "Subreddit (Reddit)", frozenset({"reddit"})),
    ("title", "Title (Reddit, Pinterest, YouTube)", specifics.TITLE_PLATFORMS),
    ("board", "Pinterest board", frozenset({"pinterest"})),
    ("link", "Link (Pinterest, Reddit)", specifics.LINK_PLATFORMS),
    ("first_comment", "First comment", specifics.FIRST_COMMENT_PLATFORMS),
    ("type", "Story or reel (Instagram, Facebook)", specifics.TYPE_PLATFORMS),
    ("privacy", "Privacy (TikTok, YouTube)", specifics.PRIVACY_PLATFORMS),
)
FEED = "feed"  # the type field's "neither story nor reel"


def option_fields(on: set[str], current: Specifics, boards: Sequence[str]) -> list[FormField]:
    """The fields of the per-platform options that apply to the platforms `on` (or are set)."""
    out: list[FormField] = []
    for ident, label, where in _OPTION_FIELDS:
        name = SPECIFIC_OPTIONS[ident]
        value = getattr(current, name)
        if not (on & where) and value is None:
            continue
        if ident == "type":
            out.append(FormField(id=ident, label=label, kind="select", value=value or FEED,
                                 options=[(FEED, "A post"), ("story", "A story"), ("reel", "A reel (one video)")]))
        elif ident == "privacy":
            out.append(FormField(id=ident, label=label, kind="select", value=value,
                                 options=[(p, p.capitalize()) for p in PRIVACIES]))
        elif ident == "board" and boards:
            names = list(dict.fromkeys([*boards, *([value] if value else [])]))
            out.append(FormField(id=ident, label=label, kind="select", value=value,
                                 options=[(n, n) for n in names]))
        else:
            out.append(FormField(id=ident, label=label, kind="textarea" if ident == "first_comment" else "text",
                                 value=value or "", max_length=300 if ident == "title" else None,
                                 placeholder={"subreddit": "python", "board": "Recipes",
                                              "link": "https://example.com/page"}.get(ident, "")))
    return out


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
    return dt.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def reject_form(request: Request) -> Form:
    return Form(
        id=f"late:reject:{revision_ref(request.id, request.revision)}",
        title="Reject post",
        submit="Reject",
        fields=[FormField(id="reason", label="Why? (the requester sees this)", kind="textarea",
                          required=True, max_length=1000)],
    )


def edit_form(request: Request, accounts: Sequence[Account], boards: Sequence[str] = ()) -> Form:
    draft = request.draft
    known = {a.id for a in accounts}
    # Accounts not in the cache still show up so that the current targets are never dropped silently.
    extra = [a for a in accounts_of(draft) if a.id not in known]
    return post_form(
        [*accounts, *extra],
        form_id=f"late:edit:{revision_ref(request.id, request.revision)}",
        title="Edit post",
        text="\n---\n".join(draft.thread),
        selected=[t.account_id for t in draft.targets],
        when=iso_local(draft.scheduled_for, draft.timezone),
        timezone=draft.timezone,
        mode=draft.mode,
        media=[m.url for m in draft.media],
        submit="Save and re-submit",
        specifics=draft.specifics,
        boards=list(dict.fromkeys([*boards, *draft.specifics.board_names.values()])),
    )


def command_from_form(sub: FormSubmission, ctx: ParseContext) -> model.PostCommand:
    values = sub.values
    words = values_list(values, "targets")
    mode = values_text(values, "mode") or "now"
    when = values_text(values, "when").strip()
    options = {"text": values_text(values, "text"), "to": ",".join(words), "mode": mode,
               "tz": values_text(values, "tz").strip(), "media": " ".join(values_list(values, "media"))}
    for ident in SPECIFIC_OPTIONS:
        value = values_text(values, ident).strip()
        if value and not (ident == "type" and value == FEED):
            options[ident] = value
    if when and mode == "schedule":
        options["when"] = when
    command = from_options("post", {k: v for k, v in options.items() if v}, ctx)
    if not isinstance(command, model.PostCommand):
        raise UserError("That form did not describe a post.")
    return command
