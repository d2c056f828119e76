"""bot.platforms: names, counting, media types and what Late would refuse."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import platforms
from bot.platforms import Problem, count, guess_media_type, validate
from bot.specifics import Specifics


@dataclass
class M:
    url: str
    type: str


IMG = M("https://example.com/a.jpg", "image")
IMG2 = M("https://example.com/b.png", "image")
VID = M("https://example.com/v.mp4", "video")
GIF = M("https://example.com/g.gif", "gif")
PDF = M("https://example.com/deck.pdf", "document")


def levels(problems: list[Problem]) -> list[str]:
    return [p.level for p in problems]


def errors(problems: list[Problem]) -> list[str]:
    return [p.message for p in problems if p.level == "error"]


# --- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "name"),
    [("x", "twitter"), ("Twitter", "twitter"), ("li", "linkedin"), ("ig", "instagram"), ("fb", "facebook"),
     ("bsky", "bluesky"), ("yt", "youtube"), ("gmb", "googlebusiness"), ("threads", "threads"),
     ("tiktok", "tiktok"), ("pinterest", "pinterest"), ("reddit", "reddit"), ("telegram", "telegram"),
     ("snapchat", "snapchat"), ("myspace", None), ("@x", None)],
)
def test_canonical_names_and_aliases(word: str, name: str | None) -> None:
    assert platforms.canonical(word) == name


def test_display_names_and_limits() -> None:
    assert platforms.display_name("twitter") == "X"
    assert platforms.display_name("googlebusiness") == "Google Business"
    assert platforms.display_name("mastodon") == "mastodon"
    assert {p: platforms.text_limit(p) for p in ("twitter", "threads", "bluesky", "linkedin", "instagram",
                                                 "facebook", "tiktok", "youtube", "pinterest")} == {
        "twitter": 280, "threads": 500, "bluesky": 300, "linkedin": 3000, "instagram": 2200,
        "facebook": 63206, "tiktok": 2200, "youtube": 5000, "pinterest": 500}
    assert platforms.text_limit("mastodon") is None
    threads = [p for p in platforms.PLATFORMS if platforms.supports_threads(p)]
    assert threads == ["twitter", "threads", "bluesky"]


# --- counting ---------------------------------------------------------------------------------


def test_x_counts_urls_as_23_and_cjk_and_emoji_as_2() -> None:
    assert count("hello", "twitter") == 5
    assert count("see https://example.com/a/very/long/path?with=query&and=more", "twitter") == 4 + 23
    assert count("example.com", "twitter") == 23
    assert count("日本語", "twitter") == 6
    assert count("🚀", "twitter") == 2
    assert count("👨‍👩‍👧", "twitter") == 2  # a ZWJ family is one emoji
    assert count("👍🏽", "twitter") == 2
    assert count("🇺🇸", "twitter") == 2
    assert count("1️⃣", "twitter") == 2
    assert count("café", "twitter") == 4
    assert count("cafe\u0301", "twitter") == 4  # NFC first
    assert count("“quotes” – dash", "twitter") == 15  # general punctuation weighs 1


def test_bluesky_counts_graphemes_and_others_code_points() -> None:
    assert count("👨‍👩‍👧 hi", "bluesky") == 4
    assert count("🇺🇸🇫🇷", "bluesky") == 2
    assert count("e\u0301", "bluesky") == 1
    assert count("👨‍👩‍👧", "linkedin") == 5
    assert count("https://example.com/long", "linkedin") == 24


def test_an_x_post_at_exactly_280_passes_and_281_fails() -> None:
    assert validate(["a" * 280], [], "twitter", None) == []
    assert errors(validate(["a" * 281], [], "twitter", None)) == ["The text is 281 characters; X allows 280."]
    assert errors(validate(["界" * 141], [], "twitter", None)) == [
        "The text is 282 characters; X allows 280."]


@pytest.mark.parametrize(
    ("url", "kind"),
    [("https://x.io/a.JPG", "image"), ("https://x.io/a.png?w=10", "image"),
     ("https://x.io/clip.mp4", "video"),
     ("https://cdn.discordapp.com/attachments/1/2/clip.MOV?ex=abc&is=def", "video"),
     ("https://x.io/fun.gif", "gif"), ("https://x.io/deck.pdf", "document"), ("https://x.io/photo", "image"),
     ("https://x.io/", "image"), ("not a url", "image")],
)
def test_guess_media_type(url: str, kind: str) -> None:
    assert guess_media_type(url) == kind


# --- validation -------------------------------------------------------------------------------


def test_a_thread_to_a_platform_without_threads_is_a_warning() -> None:
    problems = validate(["one", "two"], [], "linkedin", None)
    message = "LinkedIn has no threads: only the first of the 2 parts is posted."
    assert problems == [Problem("warning", "linkedin", message)]
    assert validate(["one", "two"], [], "twitter", None) == []


def test_each_part_of_a_thread_is_counted() -> None:
    assert errors(validate(["ok", "b" * 301], [], "bluesky", None)) == [
        "Part 2 of the thread is 301 characters; Bluesky allows 300."]
    # On a platform without threads only the first part counts.
    assert levels(validate(["ok", "b" * 4000], [], "linkedin", None)) == ["warning"]


def test_empty_posts_and_empty_thread_parts() -> None:
    assert errors(validate([""], [], "linkedin", None)) == ["The post has neither text nor media."]
    assert validate([""], [IMG], "linkedin", None) == []
    assert errors(validate(["one", " "], [], "threads", None)) == ["Part 2 of the thread is empty."]


@pytest.mark.parametrize("platform", ["instagram", "tiktok", "snapchat", "youtube", "pinterest"])
def test_platforms_that_need_media(platform: str) -> None:
    problems = validate(["hi"], [], platform, {"boardId": "b1"})
    assert any("needs" in m for m in errors(problems)), problems


def test_youtube_takes_exactly_one_video() -> None:
    assert validate(["A video"], [VID], "youtube", None) == []
    assert errors(validate(["A video"], [VID, VID], "youtube", None)) == [
        "YouTube takes exactly one video and nothing else."]
    assert errors(validate(["A video"], [IMG], "youtube", None)) == [
        "YouTube takes exactly one video and nothing else."]


def test_youtube_and_reddit_titles_are_cut_with_a_warning() -> None:
    long_line = "t" * 101
    assert levels(validate([long_line], [VID], "youtube", None)) == ["warning"]
    assert validate([long_line], [VID], "youtube", {"title": "Short"}) == []
    assert levels(validate(["r" * 301 + "\nbody"], [], "reddit", {"subreddit": "python"})) == ["warning"]


def test_pinterest_needs_a_board_and_reddit_a_subreddit() -> None:
    assert errors(validate(["pin"], [IMG], "pinterest", None)) == [
        'Pinterest needs a board: name one with `board "<name>"`.']
    assert validate(["pin"], [IMG], "pinterest", {"boardId": "123"}) == []
    assert validate(["pin"], [IMG], "pinterest", None, has_default=True) == []
    assert errors(validate(["pin"], [VID, VID], "pinterest", {"boardId": "1"})) == [
        "Pinterest takes exactly one video per Pin."]
    assert errors(validate(["hi"], [], "reddit", None)) == [
        "Reddit needs a subreddit: add `r/<name>` (or set a default subreddit for the account in Late)."]
    assert validate(["hi"], [], "reddit", {"subreddit": "python"}) == []
    assert validate(["hi"], [], "reddit", {}, has_default=True) == []


def test_per_post_options_are_checked_for_each_platform() -> None:
    def problems(platform: str, media: list[Any], **options: Any) -> list[tuple[str, str]]:
        found = validate(["A post"], media, platform, None, options=Specifics(**options), account_id="a1")
        return [(p.level, p.message) for p in found]

    assert problems("reddit", [], subreddit="python", title="Hello") == []
    assert problems("reddit", [], subreddit="no spaces!") == [
        ("error", "“r/no spaces!” is not a subreddit name (letters, digits and _, 3 to 21 of them).")]
    assert problems("reddit", [], subreddit="python", title="t" * 301) == [
        ("error", "The title is 301 characters; Reddit allows 300.")]
    assert problems("youtube", [VID], title="t" * 101) == [
        ("error", "The title is 101 characters; YouTube allows 100.")]
    assert problems("pinterest", [IMG], board_ids={"a1": "b1"}, link="http://example.com") == [
        ("error", "The link must start with https://, and “http://example.com” does not (Late takes only https).")]
    assert problems("threads", [], first_comment="c" * 501) == [
        ("error", "The first comment is 501 characters; Threads allows 500.")]
    assert problems("twitter", [], first_comment="Link in bio") == [
        ("warning", "X takes no first comment; it is not sent there.")]
    assert problems("instagram", [IMG], content_type="story", first_comment="hi") == [
        ("warning", "Instagram stories take no first comment; it is not sent there.")]
    assert problems("instagram", [IMG], content_type="reel") == [
        ("error", "A reel on Instagram is one video: add exactly one.")]
    assert problems("instagram", [VID], content_type="reel") == []
    assert problems("tiktok", [VID], privacy="unlisted") == [
        ("error", "TikTok has no “unlisted” privacy; it takes public, friends, followers or private.")]
    assert problems("tiktok", [VID], privacy="friends") == []
    assert [lvl for lvl, _ in problems("tiktok", [VID])] == ["warning"]
    assert problems("youtube", [VID], privacy="friends") == [
        ("error", "YouTube has no “friends” visibility; it takes public, unlisted or private.")]


def test_options_map_to_the_fields_late_names() -> None:
    o = Specifics(subreddit="python", title="T", link="https://example.com", board="Recipes",
                  board_ids={"p1": "b9"}, first_comment="C", content_type="story", privacy="private")
    assert o.for_platform("reddit") == ({"subreddit": "python", "title": "T", "url": "https://example.com"},
                                         ["board", "first_comment", "content_type", "privacy"])
    assert o.for_platform("pinterest", "p1")[0] == {"boardId": "b9", "title": "T", "link": "https://example.com"}
    assert o.for_platform("youtube")[0] == {"title": "T", "visibility": "private", "firstComment": "C"}
    assert o.for_platform("tiktok")[0] == {"privacyLevel": "SELF_ONLY"}
    assert o.for_platform("instagram")[0] == {"contentType": "story"}  # no first comment on stories
    assert o.for_platform("facebook")[0] == {"contentType": "story"}
    assert o.for_platform("linkedin")[0] == {"firstComment": "C"}
    assert o.for_platform("twitter")[0] == {}


def test_linkedin_documents() -> None:
    assert validate(["deck"], [PDF], "linkedin", None) == []
    assert errors(validate(["deck"], [PDF, PDF], "linkedin", None)) == [
        "LinkedIn takes at most one document per post."]
    assert errors(validate(["deck"], [PDF, IMG], "linkedin", None)) == [
        "LinkedIn cannot combine a document with images or videos in one post."]
    assert errors(validate(["deck"], [PDF], "twitter", None)) == [
        "X does not take documents (PDF); only LinkedIn does."]


def test_x_and_bluesky_media_mixes() -> None:
    assert validate(["four"], [IMG] * 4, "twitter", None) == []
    assert errors(validate(["five"], [IMG] * 5, "twitter", None)) == [
        "X takes at most 4 media items; this post has 5."]
    assert errors(validate(["mix"], [VID, IMG], "bluesky", None)) == [
        "Bluesky takes one video or GIF on its own, or up to 4 images."]
    assert errors(validate(["two gifs"], [GIF, GIF], "twitter", None)) == [
        "X takes one video or GIF on its own, or up to 4 images."]
    assert errors(validate(["eleven"], [IMG, IMG2] * 5 + [IMG], "instagram", None)) == [
        "Instagram takes at most 10 media items; this post has 11."]


def test_thread_media_goes_on_the_first_item_without_a_problem() -> None:
    assert validate(["one", "two", "three"], [IMG], "twitter", None) == []


def test_an_unknown_platform_is_only_a_warning() -> None:
    assert levels(validate(["hi"], [], "mastodon", None)) == ["warning"]


# --- counting agrees with the rule it was written from ----------------------------------------


def _slow_graphemes(text: str) -> list[str]:
    """The per-character rule `bot.platforms` counted with before it used regular expressions."""

    def extends(ch: str) -> bool:
        cp = ord(ch)
        return (unicodedata.category(ch) in ("Mn", "Me", "Mc") or ch == "\u200d" or 0xFE00 <= cp <= 0xFE0F
                or 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F)

    def regional(ch: str) -> bool:
        return 0x1F1E6 <= ord(ch) <= 0x1F1FF

    out: list[str] = []
    cluster = ""
    for ch in text:
        if cluster and (extends(ch) or cluster[-1] == "\u200d"
                        or (regional(ch) and len(cluster) == 1 and regional(cluster))
                        or (cluster == "\r" and ch == "\n")):
            cluster += ch
        else:
            if cluster:
                out.append(cluster)
            cluster = ch
    return [*out, cluster] if cluster else out


def _slow_count(text: str, platform: str) -> int:
    light = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
    pictographic = ((0x1F000, 0x1FAFF), (0x2300, 0x23FF), (0x2600, 0x27BF), (0x2B00, 0x2BFF))

    def within(cp: int, ranges: tuple[tuple[int, int], ...]) -> bool:
        return any(lo <= cp <= hi for lo, hi in ranges)

    def weight(part: str) -> int:
        total = 0
        for c in _slow_graphemes(part):
            if len(c) > 1 and any(within(ord(ch), pictographic) or ch in ("\ufe0f", "\u20e3") for ch in c):
                total += 2
            else:
                total += sum(1 if within(ord(ch), light) else 2 for ch in c)
        return total

    text = unicodedata.normalize("NFC", text)
    if platform == "bluesky":
        return len(_slow_graphemes(text))
    if platform != "twitter":
        return len(text)
    total, last = 0, 0
    for match in platforms._URL.finditer(text):
        total += weight(text[last:match.start()]) + 23
        last = match.end()
    return total + weight(text[last:])


# Text that exercises every joining rule: marks, ZWJ, flags, skin tones, keycaps, tags, CR LF, CJK, URLs.
_PIECES = st.sampled_from(["a", "é", "e\u0301", "\u0301", "\u200d", "\u200d\u200d", "👨", "🇺", "🇸", "🏽", "\ufe0f",
                           "\u20e3", "1", "\r", "\n", "\r\n", "日", "界", "“", " ", "https://example.com/x",
                           "example.org", "🏴\U000e0067\U000e0062\U000e007f", "\u0915\u094d\u0937", "ﷺ", "\U0001f600"])


@settings(max_examples=400, deadline=None)
# Assigned characters only: `regex` may know marks newer than this Python's unicodedata.
@given(st.lists(_PIECES, max_size=30).map("".join),
       st.text(st.characters(exclude_categories=("Cn", "Cs")), max_size=20))
def test_counting_matches_the_per_character_rule(pieces: str, noise: str) -> None:
    for text in (pieces, noise, pieces + noise):
        assert list(platforms.graphemes(text)) == _slow_graphemes(text)
        for platform in ("twitter", "bluesky", "linkedin"):
            assert count(text, platform) == _slow_count(text, platform), (text, platform)
