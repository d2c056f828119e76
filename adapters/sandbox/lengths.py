"""How long a text is to each platform and the most it takes: the sandbox's own table and counting,
apart from bot/platforms.py on purpose, so that a wrong limit or count in latebot fails a post here
instead of agreeing with itself.

X 280, Threads 500 and Bluesky 300 are Late's guide (shared/late-api, "Threads" section). The others are
not in Late's docs: they are each platform's own published limit for a post's text.
"""

from __future__ import annotations

import unicodedata

import emoji
import regex

NAMES = {
    "twitter": "X", "threads": "Threads", "bluesky": "Bluesky", "linkedin": "LinkedIn",
    "instagram": "Instagram", "facebook": "Facebook", "tiktok": "TikTok", "youtube": "YouTube",
    "pinterest": "Pinterest", "reddit": "Reddit", "googlebusiness": "Google Business",
    "telegram": "Telegram", "snapchat": "Snapchat",
}
LIMITS = {
    "twitter": 280, "threads": 500, "bluesky": 300, "linkedin": 3000, "instagram": 2200,
    "facebook": 63206, "tiktok": 2200, "youtube": 5000, "pinterest": 500, "reddit": 40000,
    "googlebusiness": 1500, "telegram": 4096,
}
THREADED = frozenset({"twitter", "threads", "bluesky"})  # take platformSpecificData.threadItems

# X (twitter-text v3): a URL weighs 23 and an emoji 2; other code points 1 in these ranges, else 2.
# Only http(s) URLs are found here, so a bare domain counts by its letters.
_URL = regex.compile(r"https?://\S*[^\s.,:;!?'\")\]]")
_LIGHT = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
_GRAPHEME = regex.compile(r"\X")


def display(platform: str) -> str:
    return NAMES.get(platform, platform)


def length(text: str, platform: str) -> int:
    """The length of `text` as `platform` counts it: X weighs it, Bluesky counts graphemes (UAX #29)."""
    text = unicodedata.normalize("NFC", text)
    if platform == "bluesky":
        return len(_GRAPHEME.findall(text))
    if platform == "twitter":
        urls = len(_URL.findall(text))
        rest = _URL.sub("", text)
        return 23 * urls + _weight(rest) - sum(_weight(e["emoji"]) - 2 for e in emoji.emoji_list(rest))
    return len(text)


def _weight(text: str) -> int:
    return sum(1 if any(lo <= ord(c) <= hi for lo, hi in _LIGHT) else 2 for c in text)
