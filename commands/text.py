"""Text as chat platforms deliver it, turned into the text that gets posted.

Slack escapes `&`, `<` and `>` and wraps mentions, channels and links in `<...>`; Discord and the
console send plain text. Every path ends in `clean`: NFC, no control characters but newline and tab.
"""

from __future__ import annotations

import re
import unicodedata

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

_SLACK_TOKEN = re.compile(r"<([^<>]*)>")
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&amp;": "&"}
_ENTITY = re.compile("|".join(_ENTITIES))
_THREAD_BREAK = re.compile(r"^[ \t]*---[ \t]*$", re.MULTILINE)


def clean(text: str) -> str:
    """NFC, newlines as \\n, no control characters but newline and tab, no lone surrogates.

    Format characters stay: emoji sequences need the zero-width joiner and tags, and right-to-left
    text its direction marks.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs"))
    return unicodedata.normalize("NFC", text)


def plain(text: str) -> str:
    """Text from Discord or the console: nothing is escaped, so only `clean` applies."""
    return clean(text)


def _slack_token(match: re.Match[str]) -> str:
    inner = match.group(1)
    target, _, label = inner.partition("|")
    if target.startswith("@"):  # <@U123> or <@U123|name>
        return "@" + (label or target[1:])
    if target.startswith("#"):  # <#C123|general>
        return "#" + (label or target[1:])
    if target.startswith("!"):  # <!here>, <!subteam^S1|@team>, <!date^...|fallback>
        special = target[1:]
        if special in ("here", "channel", "everyone"):
            return "@" + special
        return label or "@" + special.split("^", 1)[-1]
    if target.startswith("mailto:"):
        return target[len("mailto:") :]
    # A link: the URL itself, since it is what will be posted.
    return target


def from_slack(text: str) -> str:
    """Undo Slack's message formatting; entities last, so that `&lt;b&gt;` stays literal `<b>`."""
    text = _SLACK_TOKEN.sub(_slack_token, text)
    text = _ENTITY.sub(lambda m: _ENTITIES[m.group(0)], text)
    return clean(text)


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
    accepted = QUOTES[text[start]]
    out = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and (text[i + 1] in QUOTE_CHARS or text[i + 1] == "\\"):
            i += 2
            continue
        if ch in accepted and (i + 1 == len(text) or text[i + 1].isspace()):
            out.append(i)
        i += 1
    return out
