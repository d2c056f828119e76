"""Text as adapters hand it over, turned into the text that gets posted.

Adapters undo their platform's markup first (Slack's `<...>` and entities) and write mentions in the
neutral form of `MENTION`. Every path ends in `clean`: NFC, no control characters but newline and tab.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from bot.glyphs import strip_invisible

# Opening quote -> the quotes that may close it. Phones and word processors turn " into “ or ”,
# and people mix them, so each opener accepts the closers one would plausibly type after it.
QUOTES: dict[str, str] = {
    '"': '"”“',
    "“": '”"“',
    "”": '”"',
    "„": '“”"',
    "«": "»",
    "»": "«",
    "'": "'’",
    "‘": "’'",
    "‚": "‘’",
}
QUOTE_CHARS = frozenset("".join(QUOTES) + "".join(QUOTES.values()))

# Categories Cc (but newline and tab) and Cs, which is what these ranges are.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_THREAD_BREAK = re.compile(r"^[ \t]*---[ \t]*$", re.MULTILINE)


def clean(text: str) -> str:
    """NFC, newlines as \\n, no control characters but newline and tab, no lone surrogates, and no
    invisible characters that mean nothing (`bot.glyphs.strip_invisible`).

    The format characters that mean something stay: emoji sequences need the zero-width joiner and
    tags, and right-to-left text its direction marks (the card warns about overrides).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return strip_invisible(unicodedata.normalize("NFC", _CONTROL.sub("", text)))


def plain(text: str) -> str:
    """Text from Discord or the console: nothing is escaped, so only `clean` applies."""
    return clean(text)


# Mentions in command text, in one neutral form every adapter writes: `<@ID|label>` a user,
# `<@&ID|label>` a group or role, `<#ID|label>` a channel (the label is optional, for display).
# Settings keep the ids; post text shows them as the names people read (`readable`).
MENTION = re.compile(r"<(@&|@|#)([^<>|\s]+)(?:\|([^<>]*))?>")


@dataclass(frozen=True)
class Mention:
    kind: str  # "user", "group" or "channel"
    id: str
    label: str

    @property
    def shown(self) -> str:
        return ("#" if self.kind == "channel" else "@") + (self.label.lstrip("@#") or self.id)


def mention_of(match: re.Match[str]) -> Mention:
    kind = {"@": "user", "@&": "group", "#": "channel"}[match.group(1)]
    return Mention(kind=kind, id=match.group(2), label=(match.group(3) or "").strip())


def readable(text: str) -> str:
    """Mentions as people read them: `<@U1|bob>` -> `@bob`, `<#C1|general>` -> `#general`."""
    return MENTION.sub(lambda m: mention_of(m).shown, text)


def split_thread(text: str) -> list[str]:
    """Parts separated by a line of only `---`; always at least one part."""
    return [part.strip() for part in _THREAD_BREAK.split(text)]


def quote(text: str) -> str:
    """`text` in straight double quotes that `unquote` (and the parser) read back exactly.

    Only quote characters and the backslashes that would otherwise be read as escapes are
    escaped, so a shrug ¯\\_(ツ)_/¯ stays as typed.
    """
    out = []
    for i, ch in enumerate(text):
        if ch in QUOTE_CHARS:
            out.append("\\" + ch)
        elif ch == "\\" and (i + 1 == len(text) or text[i + 1] in QUOTE_CHARS or text[i + 1] == "\\"):
            out.append("\\\\")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


_ESCAPE = re.compile(r"\\([\\" + re.escape("".join(sorted(QUOTE_CHARS))) + "])")


def unescape(quoted_body: str) -> str:
    """Read the escapes that `quote` writes: a backslash before a quote or a backslash."""
    return _ESCAPE.sub(r"\1", quoted_body)


def closers(text: str, start: int) -> list[int]:
    """Positions of the quotes that may close the quote opened at `start`: unescaped, and followed
    by whitespace or the end, in order."""
    return [m.start(1) for m in _closing(text[start]).finditer(text, start + 1) if m.group(1)]


@functools.cache
def _closing(opener: str) -> re.Pattern[str]:
    # An escape (a backslash before a quote or a backslash) is passed over whole, as one token.
    escapes = re.escape("".join(sorted(QUOTE_CHARS)) + "\\")
    return re.compile(rf"\\[{escapes}]|([{re.escape(QUOTES[opener])}])(?=\s|\Z)")
