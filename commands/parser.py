"""`/late ...` text -> a typed `Command`, the same words in Slack, Discord and the console.

Adapters undo their platform's markup first and write mentions in the neutral form of
`commands.text.MENTION`; `parse` itself only cleans the text (NFC, control characters) and reads it.
Post and edit text show mentions as names (`readable`); settings keep their ids. It raises nothing
but `ParseError`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable

from bot import platforms
from bot.errors import ParseError
from bot.refs import parse_revision_ref
from commands import model
from commands.context import ParseContext
from commands.post import parse_edit, parse_post
from commands.render import render
from commands.text import QUOTES, clean, closers, readable, unescape

__all__ = ["ParseContext", "command_named", "parse", "render", "unknown_command"]

_PREFIX = re.compile(r"/?late(?:\s+|$)", re.IGNORECASE)
_ID = re.compile(r"[\w.:-]{1,100}")
# Words people reach for that are not commands, and the command they mean.
_SYNONYMS = {
    "list": "queue", "ls": "queue", "pending": "queue", "schedule": "post", "new": "post", "tweet": "post",
    "delete": "cancel", "remove": "cancel", "status": "show", "view": "show", "get": "show",
    "ok": "approve", "accept": "approve", "lgtm": "approve", "deny": "reject", "decline": "reject",
    "log": "history", "audit": "history", "trail": "history",
    "update": "edit", "change": "edit", "republish": "retry", "resend": "retry", "settings": "config",
    "set": "config", "link": "bind", "brands": "profiles", "profile": "profiles", "account": "accounts",
    "limits": "usage", "plan": "usage", "check": "health", "reconnect": "connect", "?": "help", "commands": "help",
}


def _first_word(rest: str) -> tuple[str, str]:
    """The first word of `rest` and what follows it, newlines and all."""
    found = re.match(r"(\S*)\s*(.*)", rest, re.DOTALL)
    assert found is not None
    return found.group(1), found.group(2)


def _whole_quoted(rest: str) -> str:
    """`rest` without its quotes when one quoted string is all of it, else as it is."""
    if rest and rest[0] in QUOTES:
        ends = closers(rest, 0)
        if ends and ends[-1] == len(rest) - 1:
            return unescape(rest[1:-1]).strip()
    return rest


def unknown_command(word: str) -> ParseError:
    close = difflib.get_close_matches(word.lower(), model.NAMES, n=2, cutoff=0.6)
    if word.lower() in _SYNONYMS:
        close = [_SYNONYMS[word.lower()], *close]
    guess = f" Did you mean {' or '.join(dict.fromkeys(close))}?" if close else ""
    return ParseError(f"latebot has no command “{word}”.{guess} /late help lists them all.",
                      example=f"/late {close[0]}" if close else "/late help")


def command_named(word: str) -> str:
    """The command `word` names (any case); else the ParseError that suggests one."""
    name = word.lower()
    if name not in model.NAMES:
        raise unknown_command(word)
    return name


def _no_arguments(name: str) -> Callable[[str], model.Command]:
    commands: dict[str, Callable[[], model.Command]] = {
        "accounts": model.AccountsCommand, "health": model.HealthCommand,
        "usage": model.UsageCommand, "profiles": model.ProfilesCommand,
    }

    def read(rest: str) -> model.Command:
        if rest:
            raise ParseError(f"`{name}` takes nothing after it, not “{rest[:40]}”.", example=f"/late {name}")
        return commands[name]()

    return read


def read_id(name: str, word: str) -> str:
    """A request id or a Late post id, as `show`, `cancel`, `retry` and `edit` take."""
    value = word.strip().strip("`'\"#")
    if not value:
        raise ParseError(f"`{name}` needs the id of a request or a Late post; /late queue lists them.",
                         example=f"/late {name} 8kq3m2xd")
    if not _ID.fullmatch(value):
        raise ParseError(f"“{value[:40]}” is not a request or post id.", example=f"/late {name} 8kq3m2xd")
    return value


def with_id(name: str, ident: str) -> model.Command:
    """`show`, `cancel`, `retry`, `history` or `approve` of one id."""
    if name == "show":
        return model.ShowCommand(id=ident)
    if name == "history":
        return model.HistoryCommand(id=ident)
    if name == "approve":
        request_id, revision = parse_revision_ref(ident)
        return model.ApproveCommand(id=request_id, revision=revision)
    return model.CancelCommand(id=ident) if name == "cancel" else model.RetryCommand(id=ident)


def _with_id(name: str) -> Callable[[str], model.Command]:
    def read(rest: str) -> model.Command:
        first, _, more = rest.partition(" ")
        if more.strip():
            raise ParseError(f"`{name}` takes one id, not “{rest[:40]}”.", example=f"/late {name} 8kq3m2xd")
        return with_id(name, read_id(name, first))

    return read


def reject_of(ident: str, reason: str) -> model.RejectCommand:
    request_id, revision = parse_revision_ref(ident)
    if not reason.strip():
        raise ParseError("`reject` needs the reason after the id; the requester is told it.",
                         example=f'/late reject {request_id} "Wrong date, please move it to Friday"')
    return model.RejectCommand(id=request_id, reason=reason.strip(), revision=revision)


def _reject(rest: str) -> model.Command:
    first, reason = _first_word(readable(rest).strip())  # the requester reads the reason: names, not ids
    return reject_of(read_id("reject", first), _whole_quoted(reason.strip()))


def _queue(rest: str) -> model.Command:
    if not rest or rest.lower() in ("open", "failed"):
        return model.QueueCommand(which="failed" if rest.lower() == "failed" else "open")
    raise ParseError(f"`queue` takes nothing after it (or `failed`), not “{rest[:40]}”.", example="/late queue")


def read_platform(word: str) -> model.ConnectCommand:
    name = platforms.canonical(word.strip().lstrip("@"))
    if not word.strip():
        raise ParseError("`connect` needs the platform to connect.", example="/late connect linkedin")
    if name is None:
        close = difflib.get_close_matches(word.lower(), list(platforms.ALIASES), n=1, cutoff=0.6)
        guess = f" Did you mean {close[0]}?" if close else ""
        raise ParseError(f"“{word[:40]}” is not a platform Late connects.{guess}", example="/late connect linkedin")
    return model.ConnectCommand(platform=name)


def _connect(rest: str) -> model.Command:
    first, _, more = rest.partition(" ")
    if more.strip():
        raise ParseError(f"`connect` takes one platform, not “{rest[:40]}”.", example="/late connect linkedin")
    return read_platform(first)


def _bind(rest: str) -> model.Command:
    profile = _whole_quoted(rest)
    if not profile:
        raise ParseError("`bind` needs a Late profile name or id; /late profiles lists them.",
                         example="/late bind Acme")
    return model.BindCommand(profile=profile)


def _config(rest: str) -> model.Command:
    key, value = _first_word(rest)
    value = _whole_quoted(value.strip())
    return model.ConfigCommand(key=key or None, value=value or None)


def _help(rest: str) -> model.Command:
    if not rest:
        return model.HelpCommand()
    return model.HelpCommand(topic=command_named(rest.split()[0].lstrip("/")))


def _post(rest: str, ctx: ParseContext) -> model.Command:
    return parse_post(readable(rest), ctx)


def _edit(rest: str, ctx: ParseContext) -> model.Command:
    first, text = _first_word(readable(rest).strip())
    return parse_edit(read_id("edit", first), text, ctx)


Reader = Callable[[str, ParseContext], model.Command]  # (what follows the command word, context)


def _words(read: Callable[[str], model.Command]) -> Reader:
    """A command of at most a word or two: spaces and newlines between them are alike."""
    return lambda rest, ctx: read(" ".join(rest.split()))


def _as_typed(read: Callable[[str], model.Command]) -> Reader:
    """A command whose rest is read as typed: text (its newlines kept), or settings (mentions kept as ids)."""
    return lambda rest, ctx: read(rest.strip())


_READERS: dict[str, Reader] = {
    **{name: _words(_no_arguments(name)) for name in ("accounts", "health", "usage", "profiles")},
    **{name: _words(_with_id(name)) for name in ("show", "cancel", "retry", "history", "approve")},
    "queue": _words(_queue), "connect": _words(_connect), "help": _words(_help),
    "reject": _as_typed(_reject), "bind": _as_typed(_bind), "config": _as_typed(_config),
    "post": _post, "edit": _edit,
}


def parse(text: str, ctx: ParseContext) -> model.Command:
    """The command in `text`, with or without a leading `/late`. `/late` alone asks for help."""
    source = clean(text).strip()
    if prefix := _PREFIX.match(source):
        source = source[prefix.end() :]
    word, rest = _first_word(source)
    if not word:
        return model.HelpCommand()
    return _READERS[command_named(word)](rest, ctx)
