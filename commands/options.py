"""Typed options (Discord slash commands, modal fields) -> the same `Command`s as text.

Option values are plain text: nothing is quoted or escaped, and each option holds one thing, so
there is nothing to guess. Their checks and messages are those of the text parser.
"""

from __future__ import annotations

import re

from bot.errors import ParseError
from commands import model
from commands.clauses import Clauses, read_clauses, specific_value
from commands.context import ParseContext
from commands.parser import command_named, parse, read_id, read_platform, reject_of, with_id
from commands.post import build_edit, build_post, example
from commands.text import plain, readable
from commands.words import split_words

# The per-platform options, by option name -> `bot.specifics.Specifics` field.
SPECIFIC_OPTIONS = {"subreddit": "subreddit", "title": "title", "board": "board", "link": "link",
                    "first_comment": "first_comment", "type": "content_type", "privacy": "privacy"}
_POST = frozenset({"text", "to", "when", "tz", "media", "mode", *SPECIFIC_OPTIONS})
ALLOWED: dict[str, frozenset[str]] = {
    "post": _POST,
    "show": frozenset({"id"}), "cancel": frozenset({"id"}), "retry": frozenset({"id"}),
    "history": frozenset({"id"}), "approve": frozenset({"id"}), "reject": frozenset({"id", "reason"}),
    "edit": _POST | {"id"}, "bind": frozenset({"profile"}), "config": frozenset({"key", "value"}),
    "help": frozenset({"command"}), "connect": frozenset({"platform"}), "queue": frozenset({"which"}),
}
_MODES = ("schedule", "now", "draft")
# Options that are posted (or told) as people read them; the others keep mentions as ids.
_PROSE = frozenset({"text", "title", "first_comment", "reason"})
# Media URLs come one per line, or separated by spaces or commas (but a comma inside a URL stays).
_MEDIA_SPLIT = re.compile(r"\s*,\s*(?=https?://)|\s+")


def _clauses(o: dict[str, str], text: str) -> Clauses:
    """`to`, `tz` and `media` read by the text parser's own reader, so they are checked alike."""
    media = " ".join(_MEDIA_SPLIT.split(o["media"])) if "media" in o else ""
    line = " ".join(f"{word} {o[key]}" if key != "media" else f"with {media}"
                    for key, word in (("to", "to"), ("tz", "tz"), ("media", "with")) if key in o)
    if not line:
        return Clauses()
    clauses = read_clauses(line, split_words(line), 0, lenient=False, example=example(text))
    if clauses.phrase is not None or clauses.mode is not None or set(clauses.specifics) - {"subreddit"}:
        raise ParseError("Put the time in `when`, the mode in `mode` and each option in its own field, "
                         "not among the targets or media.", example=example(text))
    return clauses


def _specifics(o: dict[str, str], clauses: Clauses, text: str) -> None:
    """The per-platform options, each a plain value of its own field."""
    for option, name in SPECIFIC_OPTIONS.items():
        if option in o:
            clauses.specifics[name] = specific_value(name, o[option], example(text))


def _timed(o: dict[str, str], text: str, *, edit: bool) -> Clauses:
    """The clauses of typed options: targets, zone and media read as text is, then the time and mode."""
    mode = o.get("mode", "").lower() or None
    when = o.get("when", "")
    if mode is not None and mode not in _MODES:
        raise ParseError(f"“{mode}” is not a mode; it is schedule, now or draft.", example=example(text))
    if when.lower() in ("now", "draft") and mode in (None, when.lower()):
        mode, when = when.lower(), ""
    clauses = _clauses(o, text)
    _specifics(o, clauses, text)
    if when:
        first, _, rest = when.partition(" ")
        clauses.phrase = rest.strip() if first.lower() in ("at", "on") and rest.strip() else when
        mode = mode or "schedule"
    if mode == "schedule" and not when and not edit:
        raise ParseError("Say when to publish it, or choose now or draft.",
                         example=example(text, clauses.targets))
    if mode in ("now", "draft"):
        if when:
            raise ParseError(f"Say either a time or {mode}, not both.",
                             example=example(text, clauses.targets))
        clauses.mode = "now" if mode == "now" else "draft"
    return clauses


def _post(o: dict[str, str], ctx: ParseContext) -> model.PostCommand:
    text = o.get("text", "")
    return build_post(text, _timed(o, text, edit=False), ctx)


def _edit(o: dict[str, str], ctx: ParseContext) -> model.EditCommand:
    ident = read_id("edit", o.get("id", ""))
    return build_edit(ident, o.get("text"), _timed(o, o.get("text", ""), edit=True), ctx)


def from_options(command_name: str, options: dict[str, str], ctx: ParseContext) -> model.Command:
    """The command `command_name` with typed `options` (names as in `ALLOWED`; empty ones ignored)."""
    name = command_named(command_name.strip())
    # Typed text is posted as people read it; only settings keep mentions as ids.
    cleaned = {k: (readable(plain(v)) if k in _PROSE else plain(v)).strip() for k, v in options.items()
               if v is not None}
    o = {k: v for k, v in cleaned.items() if v}
    unknown = set(o) - ALLOWED.get(name, frozenset())
    if unknown:
        raise ParseError(f"`{name}` has no option {', '.join(sorted(unknown))}.",
                         example=f"/late help {name}")
    if name == "post":
        if "text" not in o and "media" not in o:
            raise ParseError("What should the post say?", example=example())
        return _post(o, ctx)
    if name in ("show", "cancel", "retry", "history", "approve"):
        return with_id(name, read_id(name, o.get("id", "")))
    if name == "reject":
        return reject_of(read_id(name, o.get("id", "")), o.get("reason", ""))
    if name == "edit":
        return _edit(o, ctx)
    if name == "bind":
        if not o.get("profile"):
            raise ParseError("`bind` needs a Late profile name or id.", example="/late bind Acme")
        return model.BindCommand(profile=o["profile"])
    if name == "config":
        if "value" in o and "key" not in o:
            raise ParseError("Say which setting to change.", example="/late config approvals 2")
        return model.ConfigCommand(key=o.get("key"), value=o.get("value"))
    if name == "help":
        return model.HelpCommand(topic=command_named(o["command"]) if "command" in o else None)
    if name == "connect":
        return read_platform(o.get("platform", ""))
    if name == "queue":
        return parse(f"queue {o.get('which', '')}", ctx)
    return parse(name, ctx)  # the commands without arguments
