"""What `/late help [command]` says: every command, what it does, and examples that work."""

from __future__ import annotations

import difflib

from bot.channels import KEYS
from commands.model import NAMES

# command -> (usage, what it does, examples)
TOPICS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "post": (
        'post "<text>" [to <targets>] [at|on|in <time> | now | draft] [tz <zone>] [with <media url>...] '
        '[title "…"] [first comment "…"] [board <name>] [link <url>] [r/<subreddit>] [story|reel] '
        "[privacy <public|friends|followers|private|unlisted>]",
        "Send a post for approval. Targets are platforms (x, linkedin, ig, fb, threads, bsky, tiktok, yt, "
        "pinterest, reddit, gmb, telegram, snapchat) or @handles, separated by commas. Without a time it "
        "is published as soon as it is approved; `draft` saves it on Late instead. Times are read in your "
        "time zone unless `tz` names another; a day without a time (`on monday`) means 09:00. A line with "
        "only --- splits a thread (X, Threads, Bluesky). Media URLs must be public https:// addresses. "
        "Options for some platforms: a title (Reddit, Pinterest, YouTube), a first comment (Facebook, "
        "Instagram, LinkedIn, YouTube, Threads), a Pinterest board and link, a subreddit (`to reddit "
        "r/python`), an Instagram or Facebook story or reel, TikTok privacy or YouTube visibility. "
        "Quote the text to be exact; unquoted, the options are only taken from its end.",
        (
            '/late post "Launch day! 🚀" to twitter,linkedin tomorrow 9am tz America/New_York',
            '/late post "Hello from the team" to x on monday',
            '/late post "Now is the time" to bluesky now',
            '/late post "An idea for later" to linkedin draft',
            '/late post "New photo" to ig in 2 hours with https://example.com/photo.jpg first comment "#launch"',
            '/late post "What we learned" to reddit r/python title "Lessons from launch day"',
            '/late post "Tomato soup" to pinterest board "Recipes" with https://example.com/soup.jpg',
        ),
    ),
    "queue": ("queue [failed]", "List this channel's posts that wait for approval or are scheduled, and those "
              "that failed in the last 7 days (marked ✗, to retry); it says how many more there are. With "
              "`failed`: its failed and partly published posts with Late's reasons.",
              ("/late queue", "/late queue failed")),
    "show": ("show <id>", "Show a request (its card) or a Late post.", ("/late show 8kq3m2xd",)),
    "approve": ("approve <id>", "Approve a request from here, as its Approve button does; the reply shows "
                "the text you approved. `<id>:<revision>` approves only that revision.",
                ("/late approve 8kq3m2xd", "/late approve 8kq3m2xd:2")),
    "reject": ('reject <id> "<reason>"', "Reject a request; the requester is told the reason.",
               ('/late reject 8kq3m2xd "Wrong date, please move it to Friday"',)),
    "history": ("history <id>", "Who did what to a request, when, to which revision, and which Late post.",
                ("/late history 8kq3m2xd",)),
    "cancel": ("cancel <id>", "Cancel a request, or delete a scheduled Late post.",
               ("/late cancel 8kq3m2xd",)),
    "retry": ("retry <id>", "Publish a failed post again.", ("/late retry 8kq3m2xd",)),
    "edit": ('edit <id> ["<text>"] [to <targets>] [at <time> | now | draft] [tz <zone>] [with <url>...] [options]',
             "Change a request's text, targets, time, media or options (as `post` takes them); only what "
             "you name changes, and it needs approval again.",
             ('/late edit 8kq3m2xd "Launch day, take two 🚀"', '/late edit 8kq3m2xd to x,linkedin at "Fri 9am"')),
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
