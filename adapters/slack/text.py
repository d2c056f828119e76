"""Slack text rules: escaping what we echo, reading what users typed, and Slack's length limits.

Slack's control sequences are `<...>` (mentions, links) and the entities `&amp; &lt; &gt;`.
Escaping `& < >` in everything we echo turns `<!channel>`, `<!here>`, `<!everyone>` and `<@U…>`
into plain text that pings nobody. The only mention we ever write is `mention(user_id)`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from commands.text import clean

_TOKEN = re.compile(r"<([^<>]*)>")
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&amp;": "&"}
_ENTITY = re.compile("|".join(_ENTITIES))
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_BROADCASTS = {"here": "@here", "channel": "@channel", "everyone": "@everyone"}


def escape(text: str) -> str:
    """User text made inert for mrkdwn and plain_text: `& < >` become entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


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


def _neutral(body: str) -> str:
    """One Slack `<...>` token in latebot's neutral form (see `commands.text.MENTION`)."""
    target, _, label = body.partition("|")
    if target.startswith("@"):  # <@U123> or <@U123|name>
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


def command_text(text: str) -> str:
    """A slash command's text (the command has `should_escape` on) for the parser: mentions of
    users, groups and channels in the neutral form, which keeps their ids (`/late config approvers`
    needs them; post text shows them as names); `@here` and the like as plain text; links as their
    URL; entities last, so that `&lt;b&gt;` stays the literal `<b>`."""
    text = _TOKEN.sub(lambda m: _neutral(m.group(1)), text)
    return clean(_ENTITY.sub(lambda m: _ENTITIES[m.group(0)], text))


def user_ids(text: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r"<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>", text)))


def plain_text(text: str, names: Callable[[str], str | None] = lambda _: None) -> str:
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

    return unescape(_TOKEN.sub(token, text))
