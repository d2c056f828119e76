"""Slack text rules: escaping what we echo, reading what users typed, and Slack's length limits.

Slack's control sequences are `<...>` (mentions, links) and the entities `&amp; &lt; &gt;`.
Escaping `& < >` in everything we echo turns `<!channel>`, `<!here>`, `<!everyone>` and `<@U…>`
into plain text that pings nobody. The only mention we ever write is `mention(user_id)`.

Slack also sends emoji as shortcodes (`:rocket:`, `:wave::skin-tone-3:`); `emojize` turns them into
the Unicode a social network shows, with the `emoji` package's names and aliases (Slack's are mostly
GitHub's). A custom emoji of the workspace has no Unicode form and stays as typed (the card says so).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import emoji

from commands.text import clean

_TOKEN = re.compile(r"<([^<>]*)>")
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&amp;": "&"}
_ENTITY = re.compile("|".join(_ENTITIES))
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_BROADCASTS = {"here": "@here", "channel": "@channel", "everyone": "@everyone"}


def escape(text: str) -> str:
    """User text made inert for mrkdwn and plain_text: `& < >` become entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_SHORTCODE = re.compile(r":([a-z0-9_+'-]+):(?::skin-tone-([2-6]):)?", re.IGNORECASE)
# Slack's skin tones 2-6 are the five Fitzpatrick modifiers, lightest first.
_SKIN_TONES = {str(n): chr(0x1F3FB + n - 2) for n in range(2, 7)}
_VS16 = "\ufe0f"
_ZWJ = "\u200d"


@lru_cache(maxsize=4096)
def _unicode(name: str) -> str | None:
    """The emoji Slack's shortcode `name` stands for, or None (a custom emoji)."""
    lower = name.lower()
    if lower.startswith("flag-") and len(lower) == 7 and lower[5:].isalpha():
        return "".join(chr(0x1F1E6 + ord(ch) - ord("a")) for ch in lower[5:])  # regional indicators
    underscored = lower.replace("-", "_")
    candidates = [name, lower, underscored]
    if underscored.startswith("large_"):
        candidates.append(underscored.removeprefix("large_"))  # emoji-data's large_blue_circle
    if all(part in ("man", "woman", "boy", "girl") for part in lower.split("-")) and "-" in lower:
        candidates.append("family_" + underscored)
    for candidate in candidates:
        code = f":{candidate}:"
        found = emoji.emojize(code, language="alias")
        if found != code:
            return found
    return None


def _with_tone(base: str, tone: str) -> str:
    """`base` with a skin tone: after its first person (a ZWJ sequence keeps the rest)."""
    first, sep, rest = base.partition(_ZWJ)
    return first.replace(_VS16, "") + _SKIN_TONES[tone] + sep + rest


def emojize(text: str) -> str:
    """Slack's emoji shortcodes as Unicode; custom ones (no Unicode form) stay as typed."""
    if ":" not in text:
        return text

    def one(m: re.Match[str]) -> str:
        found = _unicode(m.group(1))
        if found is None:
            return m.group(0)
        return _with_tone(found, m.group(2)) if m.group(2) else found

    return _SHORTCODE.sub(one, text)


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def mention(user_id: str) -> str:
    """`<@U123>` for a real user id; anything else is echoed as inert text."""
    return f"<@{user_id}>" if USER_ID.match(user_id) else "@" + escape(user_id)


def slack_len(text: str) -> int:
    """Length as Slack may count it (UTF-16 code units), never less than the code point count."""
    return len(text.encode("utf-16-le")) // 2


def _longest(text: str, fits: Callable[[str], bool]) -> str:
    """The longest prefix of `text` that `fits` (which must hold for shorter prefixes too)."""
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(text[:mid]):
            lo = mid
        else:
            hi = mid - 1
    return text[:lo]


def cut(text: str, limit: int, ellipsis: str = "…") -> str:
    """`text` shortened to at most `limit` (Slack-counted) characters, marked with `ellipsis`."""
    if slack_len(text) <= limit:
        return text
    budget = limit - slack_len(ellipsis)
    return _longest(text[:limit], lambda t: slack_len(t) <= budget) + ellipsis


def fit(text: str, limit: int) -> str:
    """Escaped `text` in at most `limit` characters, cut before escaping so no entity is split."""
    escaped = escape(text)
    if slack_len(escaped) <= limit:
        return escaped
    budget = limit - 1
    return escape(_longest(text[:limit], lambda t: slack_len(escape(t)) <= budget)) + "…"


# --- reading Slack markup ----------------------------------------------------------------------


def _link(body: str) -> str:
    url, _, label = body.partition("|")
    if not label:
        return url.removeprefix("mailto:")
    bare = url.removeprefix("mailto:").removeprefix("https://").removeprefix("http://").rstrip("/")
    if label.rstrip("/") in (url, bare, url.removeprefix("mailto:")):
        return label
    return f"{label} ({url})"


def _special(body: str) -> str:
    name, _, label = body.partition("|")
    if name in _BROADCASTS:
        return _BROADCASTS[name]
    if name.startswith("subteam^"):
        return label or "@" + name.removeprefix("subteam^")
    return label or ""  # <!date^...|fallback> and others: their fallback text


Names = Callable[[str], str | None]


def _neutral(body: str, names: Names) -> str:
    """One Slack `<...>` token in latebot's neutral form (see `commands.text.MENTION`)."""
    target, _, label = body.partition("|")
    if target.startswith("@"):  # <@U123> or <@U123|name>
        label = label or names(target[1:]) or ""
        return f"<@{target[1:]}|{label}>" if label else f"<@{target[1:]}>"
    if target.startswith("#"):  # <#C123|general>
        return f"<#{target[1:]}|{label}>" if label else f"<#{target[1:]}>"
    if target.startswith("!subteam^"):  # a user group
        group = target.removeprefix("!subteam^")
        return f"<@&{group}|{label}>" if label else f"<@&{group}>"
    if target.startswith("!"):
        return _special(target[1:] + (f"|{label}" if label else ""))
    if target.startswith("mailto:"):
        return target[len("mailto:") :]
    return target  # a link: the URL itself, since it is what will be posted


def command_text(text: str, names: Names = lambda _: None) -> str:
    """A slash command's text (the command has `should_escape` on) for the parser: mentions of
    users, groups and channels in the neutral form, which keeps their ids (`/late config approvers`
    needs them; post text shows them as names, from `names` when Slack sent none); `@here` and the
    like as plain text; links as their URL; emoji shortcodes as Unicode; entities last, so that
    `&lt;b&gt;` stays the literal `<b>`."""
    text = emojize(_TOKEN.sub(lambda m: _neutral(m.group(1), names), text))
    return clean(_ENTITY.sub(lambda m: _ENTITIES[m.group(0)], text))


def user_ids(text: str, *, unlabelled: bool = False) -> list[str]:
    """The users mentioned in `text` (only those Slack gave no name for, when `unlabelled`)."""
    pattern = r"<@([UW][A-Z0-9]+)>" if unlabelled else r"<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>"
    return list(dict.fromkeys(re.findall(pattern, text)))


def plain_text(text: str, names: Names = lambda _: None) -> str:
    """A Slack message's markup as plain text for a social post: `@name`, `#channel`, `label (url)`."""

    def token(m: re.Match[str]) -> str:
        body = m.group(1)
        if body.startswith("@"):
            uid, _, label = body[1:].partition("|")
            return "@" + (label or names(uid) or uid)
        if body.startswith("#"):
            cid, _, name = body[1:].partition("|")
            return f"#{name or cid}"
        if body.startswith("!"):
            return _special(body[1:])
        return _link(body)

    return emojize(unescape(_TOKEN.sub(token, text)))
