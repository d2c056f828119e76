"""A command written back as text (what follows `/late`) that `parse` reads as the same command.

The text is always quoted, the time always absolute (`at "YYYY-MM-DD HH:MM"`) with its zone, so the
result does not depend on when or by whom it is read again. Only `time_phrase` changes: it becomes
that canonical time.
"""

from __future__ import annotations

from commands import model
from commands.text import QUOTES, quote
from commands.when import canonical_time


def _maybe_quoted(value: str) -> str:
    return quote(value) if not value or value[0] in QUOTES or any(ch.isspace() for ch in value) else value


def render_post(c: model.PostCommand) -> str:
    parts = ["post", quote(c.text)]
    if c.targets:
        parts.append("to " + ",".join(c.targets))
    if c.mode == "schedule" and c.scheduled_for is not None:
        parts.append(f'at "{canonical_time(c.scheduled_for, c.timezone)}"')
    else:
        parts.append(c.mode)
    parts.append(f"tz {c.timezone}")
    if c.media:
        parts.append("with " + " ".join(c.media))
    return " ".join(parts)


def render(command: model.Command) -> str:
    match command:
        case model.PostCommand():
            return render_post(command)
        case model.ShowCommand(id=ident) | model.CancelCommand(id=ident) | model.RetryCommand(id=ident):
            return f"{command.kind} {ident}"
        case model.EditCommand():
            return f"edit {command.id} {quote(command.text)}"
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
