"""A command written back as text (what follows `/late`) that `parse` reads as the same command.

The text is always quoted, the time always absolute (`at "YYYY-MM-DD HH:MM"`) with its zone, so the
result does not depend on when or by whom it is read again. Only `time_phrase` changes: it becomes
that canonical time.
"""

from __future__ import annotations

from datetime import datetime

from bot.refs import revision_ref
from bot.specifics import Specifics
from commands import model
from commands.text import QUOTES, quote
from commands.when import canonical_time


def _maybe_quoted(value: str) -> str:
    return quote(value) if not value or value[0] in QUOTES or any(ch.isspace() for ch in value) else value


def render_options(o: Specifics) -> list[str]:
    """The per-platform options as the words that set them (`title "…"`, `subreddit python`, ...)."""
    words = {"title": "title", "board": "board", "link": "link", "first_comment": "first comment",
             "subreddit": "subreddit", "privacy": "privacy"}
    out = [f"{word} {quote(str(getattr(o, name)))}" for name, word in words.items()
           if getattr(o, name) is not None]
    if o.content_type is not None:
        out.append(o.content_type)
    return out


def _when(mode: str | None, scheduled_for: datetime | None, zone: str | None) -> list[str]:
    if mode == "schedule" and scheduled_for is not None and zone is not None:
        return [f'at "{canonical_time(scheduled_for, zone)}"']
    return [mode] if mode else []


def render_post(c: model.PostCommand) -> str:
    parts = ["post", quote(c.text)]
    if c.targets:
        parts.append("to " + ",".join(c.targets))
    parts += _when(c.mode, c.scheduled_for, c.timezone)
    parts.append(f"tz {c.timezone}")
    if c.media:
        parts.append("with " + " ".join(c.media))
    return " ".join(parts + render_options(c.options))


def render_edit(c: model.EditCommand) -> str:
    parts = ["edit", c.id]
    if c.text is not None:
        parts.append(quote(c.text))
    if c.targets is not None:
        parts.append("to " + ",".join(c.targets))
    parts += _when(c.mode, c.scheduled_for, c.timezone)
    if c.timezone is not None:
        parts.append(f"tz {c.timezone}")
    if c.media is not None:
        parts.append("with " + " ".join(c.media))
    return " ".join(parts + render_options(c.options))


def render(command: model.Command) -> str:
    match command:
        case model.PostCommand():
            return render_post(command)
        case model.ShowCommand(id=ident) | model.CancelCommand(id=ident) | model.RetryCommand(id=ident):
            return f"{command.kind} {ident}"
        case model.EditCommand():
            return render_edit(command)
        case model.ApproveCommand():
            return f"approve {revision_ref(command.id, command.revision) if command.revision else command.id}"
        case model.RejectCommand():
            ident = revision_ref(command.id, command.revision) if command.revision else command.id
            return f"reject {ident} {quote(command.reason)}"
        case model.HistoryCommand():
            return f"history {command.id}"
        case model.BindCommand():
            return f"bind {_maybe_quoted(command.profile)}"
        case model.ConfigCommand():
            words = ["config", command.key or "", _maybe_quoted(command.value) if command.value else ""]
            return " ".join(w for w in words if w)
        case model.QueueCommand(which="failed"):
            return "queue failed"
        case model.ConnectCommand():
            return f"connect {command.platform}"
        case model.HelpCommand():
            return f"help {command.topic}" if command.topic else "help"
        case _:
            return command.kind
