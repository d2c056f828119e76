"""What each Late platform accepts: names, text limits and how they count, threads, media rules.

`validate` turns these rules into `Problem`s: an "error" when Late (or the platform behind it) would
certainly refuse the post, so it must not be submitted; a "warning" when the post goes out but not
quite as written, so the approver should know. The rules follow `shared/late-api/`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol
from urllib.parse import urlsplit

from bot import specifics, urls
from bot.specifics import Specifics

if TYPE_CHECKING:
    import regex

MediaType = Literal["image", "video", "gif", "document"]
Counting = Literal["chars", "graphemes", "twitter"]
Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Platform:
    name: str  # as Late spells it in `platforms[].platform`
    display: str
    aliases: tuple[str, ...] = ()
    text_limit: int | None = None
    counting: Counting = "chars"
    threads: bool = False  # takes `platformSpecificData.threadItems`
    # Platforms that take a title from the first line cut it rather than refuse the post.
    title_limit: int | None = None
    needs_media: bool = False
    max_media: int | None = None
    # X and Bluesky take several images, or one video, never both.
    single_video: bool = False


PLATFORMS: dict[str, Platform] = {
    p.name: p
    for p in (
        Platform("twitter", "X", ("x",), 280, "twitter", threads=True, max_media=4, single_video=True),
        Platform("threads", "Threads", (), 500, threads=True, max_media=20),
        Platform("bluesky", "Bluesky", ("bsky",), 300, "graphemes", threads=True, max_media=4,
                 single_video=True),
        Platform("linkedin", "LinkedIn", ("li",), 3000),
        Platform("instagram", "Instagram", ("ig",), 2200, needs_media=True, max_media=10),
        Platform("facebook", "Facebook", ("fb",), 63206),
        Platform("tiktok", "TikTok", (), 2200, needs_media=True),
        Platform("youtube", "YouTube", ("yt",), 5000, title_limit=100, needs_media=True),
        Platform("pinterest", "Pinterest", (), 500, title_limit=100, needs_media=True),
        Platform("reddit", "Reddit", (), 40000, title_limit=300),
        Platform("googlebusiness", "Google Business", ("gmb",), 1500),
        Platform("telegram", "Telegram", (), 4096),
        Platform("snapchat", "Snapchat", (), needs_media=True),
    )
}

ALIASES: dict[str, str] = {
    word: p.name for p in PLATFORMS.values() for word in (p.name, *p.aliases)
}


def canonical(word: str) -> str | None:
    """The Late platform name for a platform word or alias ("x" -> "twitter"), else None."""
    return ALIASES.get(word.strip().lower())


def display_name(platform: str) -> str:
    p = PLATFORMS.get(platform)
    return p.display if p else platform


def account_label(platform: str | None, username: str | None) -> str:
    """How latebot names an account to people: "X @demobrand" (the platform alone without a handle)."""
    name = display_name(platform or "?")
    handle = (username or "").lstrip("@")
    return f"{name} @{handle}" if handle else name


def text_limit(platform: str) -> int | None:
    p = PLATFORMS.get(platform)
    return p.text_limit if p else None


def supports_threads(platform: str) -> bool:
    p = PLATFORMS.get(platform)
    return bool(p and p.threads)


# --- counting ---------------------------------------------------------------------------------

# twitter-text v3: these code points weigh 1, every other one 2; a URL always weighs 23.
_LIGHT = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
_URL_WEIGHT = 23
# An approximation of twitter-text's URL rule: any http(s) URL, and bare domains on common TLDs.
_TLDS = "com|net|org|io|co|dev|ai|app|me|ly|gg|tv|xyz|info|biz|edu|gov|uk|de|fr|eu"
_URL = re.compile(
    r"https?://[^\s<>\"]+[^\s<>\"().,:;!?'’”]"
    rf"|\b(?:[a-z0-9-]+\.)+(?:{_TLDS})"
    r"\b(?:/[^\s<>\"]*[^\s<>\"().,:;!?'’”])?",
    re.IGNORECASE,
)
# Every text with a URL has one of these; a text without any is counted without `_URL`'s slower scan.
_URL_HINT = re.compile(rf"https?://|\.(?:{_TLDS})\b", re.IGNORECASE)
_HEAVY = re.compile("[^" + "".join(f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in _LIGHT) + "]")
_PICTOGRAPHIC = ((0x1F000, 0x1FAFF), (0x2300, 0x23FF), (0x2600, 0x27BF), (0x2B00, 0x2BFF))
_ZWJ = "\u200d"
_RI = "[\U0001f1e6-\U0001f1ff]"  # regional indicators: two make a flag
# What joins the character before it: combining marks, variation selectors, skin tones, tag
# sequences (subdivision flags); and anything right after a zero-width joiner.
_EXTEND = r"[\p{M}\ufe00-\ufe0f\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]"
_TAIL = rf"(?:\u200d+[\s\S]?|{_EXTEND})"
_HEAD = rf"(?:\r\n|{_RI}{_RI}|\u200d+[\s\S]?)"


@functools.cache
def _patterns() -> tuple[regex.Pattern[str], regex.Pattern[str], regex.Pattern[str]]:
    """(every cluster, clusters of more than one code point, a code point that joins), compiled on
    first use: the `regex` module (for \\p{M}) compiles in Python, which an import should not pay for."""
    import regex

    every = regex.compile(rf"{_HEAD}{_TAIL}*|[\s\S]{_TAIL}*")
    multi = regex.compile(rf"{_HEAD}{_TAIL}*|[\s\S]{_TAIL}+")
    joiner = regex.compile(rf"{_EXTEND}|\u200d|{_RI}|\r\n")
    return every, multi, joiner


def _within(cp: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= cp <= hi for lo, hi in ranges)


def graphemes(text: str) -> Iterator[str]:
    """User-perceived characters, close enough to UAX #29 for counting posts.

    Our own rule (not `regex`'s \\X) so that counts stay as they were: it keeps emoji sequences,
    flags, keycaps and accents whole. A cluster is one code point with whatever joins it: marks,
    variation selectors, skin tones, tags, anything after a ZWJ; two regional indicators; CR LF.
    """
    for match in _patterns()[0].finditer(text):
        yield match.group()


def _joined(text: str) -> Iterator[str]:
    """The clusters of more than one code point, in order: all a count has to look at one by one."""
    _, multi, joiner = _patterns()
    first = joiner.search(text)
    if first is None:
        return
    # Before the first joining code point every cluster is a single one, so the cluster holding it
    # starts at most one code point earlier: the search for clusters starts there.
    for match in multi.finditer(text, max(0, first.start() - 1)):
        if len(cluster := match.group()) > 1:
            yield cluster


def _is_emoji(cluster: str) -> bool:
    return any(
        _within(ord(ch), _PICTOGRAPHIC) or ch in ("\ufe0f", "\u20e3") for ch in cluster
    )


def _code_point_weight(text: str) -> int:
    return len(text) + len(text) - len(_HEAVY.sub("", text))


@functools.lru_cache(maxsize=1024)
def _emoji_discount(cluster: str) -> int:
    """What counting `cluster` by its code points overcounts: an emoji of several weighs only 2."""
    return _code_point_weight(cluster) - 2 if _is_emoji(cluster) else 0


def _twitter_weight(text: str) -> int:
    return _code_point_weight(text) - sum(_emoji_discount(cluster) for cluster in _joined(text))


def _grapheme_count(text: str) -> int:
    return len(text) - sum(len(cluster) - 1 for cluster in _joined(text))


def count(text: str, platform: str) -> int:
    """The length of `text` as `platform` counts it against its limit."""
    p = PLATFORMS.get(platform)
    return _count(text, p.counting if p else "chars")


@functools.lru_cache(maxsize=64)
def _count(text: str, counting: Counting) -> int:
    # Cached: a card counts each text per account and again when it checks the limits.
    text = unicodedata.normalize("NFC", text)
    if counting == "graphemes":
        return _grapheme_count(text)
    if counting == "twitter":
        if not _URL_HINT.search(text):
            return _twitter_weight(text)
        total, last = 0, 0
        for match in _URL.finditer(text):
            total += _twitter_weight(text[last : match.start()]) + _URL_WEIGHT
            last = match.end()
        return total + _twitter_weight(text[last:])
    return len(text)


# --- media ------------------------------------------------------------------------------------

_EXTENSIONS: dict[str, MediaType] = {
    **dict.fromkeys(("jpg", "jpeg", "png", "webp", "heic", "heif", "avif", "bmp", "tif", "tiff"), "image"),
    "gif": "gif",
    **dict.fromkeys(("mp4", "mov", "m4v", "webm", "avi", "mkv", "mpeg", "mpg", "3gp"), "video"),
    **dict.fromkeys(("pdf", "ppt", "pptx", "doc", "docx"), "document"),
}


def media_extension_type(url: str) -> MediaType | None:
    """The media type the URL's file extension names, or None when it names none."""
    try:
        path = urlsplit(url.strip()).path
    except ValueError:
        return None
    name = path.rsplit("/", 1)[-1]
    if "." not in name:
        return None
    return _EXTENSIONS.get(name.rsplit(".", 1)[-1].lower())


def guess_media_type(url: str) -> MediaType:
    """By file extension; most media URLs without one (image CDNs) serve images."""
    return media_extension_type(url) or "image"


class MediaLike(Protocol):
    @property
    def url(self) -> str: ...

    @property
    def type(self) -> str: ...


# --- validation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    level: Level
    platform: str
    message: str


def validate(
    thread: Sequence[str],
    media: Sequence[MediaLike],
    platform: str,
    specific: Mapping[str, Any] | None,
    has_default: bool = False,
    *,
    options: Specifics | None = None,
    account_id: str = "",
) -> list[Problem]:
    """Problems of posting `thread` with `media` to one `platform`.

    `specific` is the target's `platformSpecificData`, or None to take it from the post's `options`
    for this account; `has_default` says whether the account has a default board (Pinterest) or
    subreddit (Reddit) set in Late.
    """
    p = PLATFORMS.get(platform)
    if p is None:
        return [Problem("warning", platform, f"latebot does not know {platform}'s rules; Late checks them.")]
    out: list[Problem] = []

    def error(message: str) -> None:
        out.append(Problem("error", platform, message))

    def warning(message: str) -> None:
        out.append(Problem("warning", platform, message))

    parts = list(thread) or [""]
    if len(parts) > 1 and not p.threads:
        warning(f"{p.display} has no threads: only the first of the {len(parts)} parts is posted.")
    posted = parts if p.threads else parts[:1]
    for i, part in enumerate(posted):
        where = f"Part {i + 1} of the thread" if len(posted) > 1 else "The text"
        if not part.strip() and (i > 0 or not media):
            error(f"{where} is empty." if i > 0 else "The post has neither text nor media.")
        n = count(part, platform)
        if p.text_limit is not None and n > p.text_limit:
            error(f"{where} is {n} characters; {p.display} allows {p.text_limit}.")
    ignored: list[str] = []
    if specific is None and options is not None:
        specific, ignored = options.for_platform(platform, account_id)
    specific = specific or {}
    title = str(specific.get("title") or parts[0].strip().split("\n", 1)[0])
    if p.title_limit is not None and len(title) > p.title_limit:
        if specific.get("title"):
            error(f"The title is {len(title)} characters; {p.display} allows {p.title_limit}.")
        else:
            warning(f"{p.display} titles have at most {p.title_limit} characters; "
                    f"the first line has {len(title)} and will be cut.")
    kinds = [m.type for m in media]
    _check_media(p, kinds, error)
    if platform == "pinterest" and not (specific.get("boardId") or has_default):
        error("Pinterest needs a board: name one with `board \"<name>\"`.")
    if platform == "reddit" and not (specific.get("subreddit") or has_default):
        error("Reddit needs a subreddit: add `r/<name>` (or set a default subreddit for the account in Late).")
    if options is not None:
        _check_options(p, options, specific, kinds, error, warning)
    for name in ignored:
        if not (name == "privacy" and platform in ("tiktok", "youtube")):
            warning(_ignored(p, name, options))
    return out


_SUBREDDIT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_]{1,20}")
_FIRST_COMMENT_LIMITS = {"threads": 500, "youtube": 10_000}


def _ignored(p: Platform, name: str, options: Specifics | None) -> str:
    label = specifics.LABELS[name]
    if name == "first_comment" and options is not None and options.content_type == "story":
        return f"{p.display} stories take no first comment; it is not sent there."
    return f"{p.display} takes no {label}; it is not sent there."


def _check_options(p: Platform, options: Specifics, specific: Mapping[str, Any], kinds: list[str],
                   error: Callable[[str], None], warning: Callable[[str], None]) -> None:
    """Values that the platform would refuse, or that do not fit it."""
    if p.name == "reddit" and options.subreddit is not None and not _SUBREDDIT.fullmatch(options.subreddit):
        error(f"“r/{options.subreddit}” is not a subreddit name (letters, digits and _, 3 to 21 of them).")
    if p.name in specifics.LINK_PLATFORMS and options.link is not None:
        why = urls.problem(options.link, "The link")
        if why:
            error(why)
    comment = specific.get("firstComment")
    limit = _FIRST_COMMENT_LIMITS.get(p.name)
    if isinstance(comment, str) and limit is not None and len(comment) > limit:
        error(f"The first comment is {len(comment)} characters; {p.display} allows {limit}.")
    moving = kinds.count("video")
    if options.content_type == "story" and p.name in specifics.TYPE_PLATFORMS and not kinds:
        error(f"{p.display} stories need an image or a video.")
    if options.content_type == "reel" and p.name in specifics.TYPE_PLATFORMS and moving != 1:
        error(f"A reel on {p.display} is one video: add exactly one.")
    privacy = options.privacy
    if p.name == "tiktok":
        if privacy is None:
            warning("TikTok asks who may see the post: add `privacy public` (or friends, followers, private), "
                    "else TikTok's default for the account applies.")
        elif privacy not in specifics.TIKTOK_PRIVACY:
            error(f"TikTok has no “{privacy}” privacy; it takes public, friends, followers or private.")
    if p.name == "youtube" and privacy is not None and privacy not in specifics.YOUTUBE_VISIBILITY:
        error(f"YouTube has no “{privacy}” visibility; it takes public, unlisted or private.")


def _check_media(p: Platform, kinds: list[str], error: Callable[[str], None]) -> None:
    # Thread media needs no rule: `PostDraft.late_body` always attaches it to the first item,
    # the only one Late takes media on.
    documents = kinds.count("document")
    moving = kinds.count("video") + kinds.count("gif")
    if p.needs_media and not kinds:
        what = "a video" if p.name in ("youtube", "tiktok") else "an image or a video"
        error(f"{p.display} needs {what}: add one with `with <url>`.")
    if p.name == "youtube" and kinds and kinds != ["video"]:
        error("YouTube takes exactly one video and nothing else.")
    if p.name == "linkedin":
        if documents > 1:
            error("LinkedIn takes at most one document per post.")
        if documents and len(kinds) > documents:
            error("LinkedIn cannot combine a document with images or videos in one post.")
    elif documents:
        error(f"{p.display} does not take documents (PDF); only LinkedIn does.")
    if p.max_media is not None and len(kinds) > p.max_media:
        error(f"{p.display} takes at most {p.max_media} media items; this post has {len(kinds)}.")
    if p.single_video and moving and len(kinds) > 1:
        error(f"{p.display} takes one video or GIF on its own, or up to {p.max_media} images.")
    if p.name == "pinterest" and moving > 1:
        error("Pinterest takes exactly one video per Pin.")
