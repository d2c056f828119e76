"""What `/late help [command]` says: every command, what it does, and examples that work."""

from __future__ import annotations

import difflib

from bot.channels import KEYS
from commands.model import NAMES

# command -> (usage, what it does, examples)
TOPICS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "post": (
        'post "<text>" [to <targets>] [at|on|in <time> | now | draft] [tz <zone>] [with <media url>...]',
        "Send a post for approval. Targets are platforms (x, linkedin, ig, fb, threads, bsky, tiktok, yt, "
        "pinterest, reddit, gmb, telegram, snapchat) or @handles, separated by commas. Without a time it "
        "is published as soon as it is approved; `draft` saves it on Late instead. Times are read in your "
        "time zone unless `tz` names another. A line with only --- splits a thread (X, Threads, Bluesky). "
        "Quote the text to be exact; unquoted, the options are only taken from its end.",
        (
            '/late post "Launch day! 🚀" to twitter,linkedin at "Dec 1 09:00" tz America/New_York',
            '/late post "Hello from the team" to x tomorrow 9am',
            '/late post "Now is the time" to bluesky now',
            '/late post "An idea for later" to linkedin draft',
            '/late post "New photo" to ig in 2 hours with https://example.com/photo.jpg',
        ),
    ),
    "queue": ("queue [failed]", "List this channel's posts that wait for approval or are scheduled; with "
              "`failed`, its failed and partly published posts with Late's reasons.",
              ("/late queue", "/late queue failed")),
    "show": ("show <id>", "Show a request (its card) or a Late post.", ("/late show 8kq3m2xd",)),
    "cancel": ("cancel <id>", "Cancel a request, or delete a scheduled Late post.",
               ("/late cancel 8kq3m2xd",)),
    "retry": ("retry <id>", "Publish a failed post again.", ("/late retry 8kq3m2xd",)),
    "edit": ('edit <id> "<text>"', "Change the text of a request; it needs approval again.",
             ('/late edit 8kq3m2xd "Launch day, take two 🚀"',)),
    "accounts": ("accounts", "The accounts this channel's Late profile posts to.", ("/late accounts",)),
    "health": ("health", "Check the connected accounts: tokens, permissions, what needs a reconnect (with a "
               "Reconnect link), and where this brand's alerts go.", ("/late health",)),
    "connect": ("connect <platform>", "A link to connect (or reconnect) an account of this channel's Late profile; "
                "only you see it.", ("/late connect linkedin", "/late connect x")),
    "usage": ("usage", "The Late plan and how much of it is used.", ("/late usage",)),
    "profiles": ("profiles", "The Late profiles (brands) and which one this channel uses.",
                 ("/late profiles",)),
    "bind": ("bind <profile>", "Make this channel post to a Late profile, by name or id (admins).",
             ("/late bind Acme",)),
    "config": ("config [<key> [<value>]]",
               f"Show this channel's settings, or change one (admins): {', '.join(KEYS)}.",
               ("/late config", "/late config approvals 2", "/late config timezone Europe/Berlin")),
    "help": ("help [<command>]", "This help, or the help of one command.", ("/late help", "/late help post")),
}


def _one(name: str) -> str:
    usage, what, examples = TOPICS[name]
    return "\n".join([f"/late {usage}", what, "Examples:", *(f"  {e}" for e in examples)])


def help_text(topic: str | None = None) -> str:
    """The overview (every command with one line), or one command in full."""
    key = (topic or "").strip().lower().lstrip("/")
    if key in TOPICS:
        return _one(key)
    lines = []
    if key:
        close = difflib.get_close_matches(key, NAMES, n=1, cutoff=0.6)
        lines.append(f"There is no command “{topic}”." + (f" Did you mean {close[0]}?" if close else ""))
    lines.append("latebot: write, approve and publish social posts through Late.")
    lines += [f"/late {TOPICS[name][0]} — {TOPICS[name][1].split('. ')[0].rstrip('.')}." for name in NAMES]
    lines.append('Example: /late post "Hello from the team" to x tomorrow 9am')
    lines.append("More on one command: /late help <command>")
    return "\n".join(lines)
