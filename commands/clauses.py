"""The options after a post's text: `to`, a time, `now`/`draft`, `tz`, `with`, and the per-platform
options (`title "…"`, `board …`, `link …`, `first comment "…"`, `subreddit …` or `r/…` among the
targets, `story`/`reel`, `privacy …`), in any order.

`read_clauses` checks only their shape; what they mean (a real zone, a time that has not passed)
is `commands.post`'s business. In lenient mode, used to find where unquoted text ends, only clauses
that could not be ordinary prose count (see `commands.post` for the rule).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot import platforms, urls
from bot.errors import ParseError
from bot.specifics import PRIVACIES
from commands.model import Mode
from commands.when import is_duration
from commands.words import (
    SUBREDDIT_WORD,
    TIME_WORDS,
    Word,
    is_target_word,
    read_quoted,
    starts_option,
    starts_quote,
    target_token,
)

MAX_LENIENT_PHRASE = 6  # words; "next monday at 9:30 am" is five
_PROSE = re.compile(r"[^\w\s:./,+-]")
OPTIONS = (
    "to <platforms>, a time (tomorrow 9am, at 17:00, in 2 hours), now or draft, tz <zone>, with <media url>, "
    'and for some platforms title "…", first comment "…", board <name>, link <url>, r/<subreddit>, '
    "story or reel, privacy <public|friends|followers|private|unlisted>"
)
# Option word -> the `bot.specifics.Specifics` field it sets.
SPECIFIC_FIELDS = {"title": "title", "board": "board", "link": "link", "first": "first_comment",
                   "subreddit": "subreddit", "privacy": "privacy", "visibility": "privacy"}


class NotOptions(ParseError):
    """What follows the text does not read as options at all (as opposed to an option that is wrong)."""


@dataclass
class Clauses:
    targets: list[str] = field(default_factory=list)
    phrase: str | None = None  # the time as typed; "in ..." keeps its "in"
    bare: bool = False  # the time came without at/on/in, so it may yet turn out to be prose
    mode: Mode | None = None  # an explicit now or draft
    zone: str | None = None
    media: list[str] = field(default_factory=list)
    specifics: dict[str, str] = field(default_factory=dict)  # `bot.specifics.Specifics` field -> value
    seen: set[str] = field(default_factory=set)


def _url(word: str) -> bool:
    return word.lower().startswith(("http://", "https://"))


def specific_value(name: str, value: str, example: str) -> str:
    """The value of the per-platform option `name` (a `bot.specifics.Specifics` field) as Late takes
    it; ParseError when it can't be one. Typed options and text are checked here alike."""
    if name == "content_type" and value.lower() not in ("story", "reel"):
        raise ParseError(f"“{value}” is not a type; it is story or reel.", example=example)
    if name == "privacy" and value.lower() not in PRIVACIES:
        raise ParseError(f"“{value}” is not a privacy; it is {', '.join(PRIVACIES)}.", example=example)
    if name == "link" and not _url(value):
        raise ParseError(f"“{value}” is not a link; it must start with https://.", example=example)
    if name == "subreddit":
        return value.removeprefix("/").removeprefix("r/")
    return value.lower() if name in ("content_type", "privacy") else value


class _Reader:
    def __init__(self, source: str, words: list[Word], lenient: bool, example: str) -> None:
        self.source, self.words, self.lenient, self.example = source, words, lenient, example
        self.c = Clauses()

    def fail(self, message: str) -> NotOptions:
        return NotOptions(message, example=self.example)

    def once(self, clause: str, message: str) -> None:
        # Repeated `to` and `with` add up; two times, zones or modes contradict each other.
        if clause in self.c.seen and (self.lenient or clause not in ("to", "with")):
            raise self.fail(message)
        self.c.seen.add(clause)

    def read(self, i: int) -> Clauses:
        words = self.words
        first = True
        while i < len(words):
            low = words[i].lower
            if self.lenient and first and low not in ("to", "tz", "with", *TIME_WORDS):
                raise self.fail(f"“{words[i].text}” does not start an option.")
            if low == "to":
                i = self.targets(i + 1)
            elif low in TIME_WORDS:
                i = self.time(i + 1, low, first)
            elif low in ("now", "draft"):
                self.once("mode", "Say `now` or `draft` once, not both.")
                self.c.mode = "now" if low == "now" else "draft"
                i += 1
            elif low == "tz":
                self.once("tz", "Give one time zone (`tz`), not two.")
                if i + 1 >= len(words) or starts_option(words, i + 1):
                    raise self.fail("`tz` needs a time zone, like `tz Europe/Berlin`.")
                self.c.zone = words[i + 1].text
                i += 2
            elif low == "with":
                i = self.media(i + 1)
            elif low in ("story", "reel"):
                self.once("type", "Say `story` or `reel` once.")
                self.c.specifics["content_type"] = low
                i += 1
            elif low in SPECIFIC_FIELDS and starts_option(words, i):
                i = self.specific(i)
            elif "time" not in self.c.seen:
                i = self.time(i, None, first)
            else:
                raise self.fail(f"I do not know what “{words[i].text}” means here. "
                                f"After the text come: {OPTIONS}.")
            first = False
        return self.c

    def targets(self, i: int) -> int:
        self.once("to", "Say `to` once, with every target: `to x,linkedin`.")
        words, more = self.words, True
        found: list[str] = []
        while i < len(words):
            raw, low = words[i].text, words[i].lower
            if starts_option(words, i):
                break
            if low in ("and", "&") and found:
                more, i = True, i + 1
                continue
            if not more and not raw.startswith(",") and not is_target_word(low):
                break
            pieces = low.split(",")
            for name in filter(None, pieces):
                if sub := SUBREDDIT_WORD.fullmatch(name):
                    self.subreddit(sub.group(1))
                    if "reddit" not in found:
                        found.append("reddit")
                    continue
                if not target_token(name) or (self.lenient and not is_target_word(name)):
                    raise self.fail(f"“{name}” is not a platform or an account handle.")
                found.append(name)
            more = pieces[-1] == ""
            i += 1
        if not found:
            raise self.fail("`to` needs a platform or an account, like `to x,linkedin` or `to @acme`.")
        self.c.targets += found
        return i

    def time(self, i: int, keyword: str | None, first: bool) -> int:
        self.once("time", "Give one time only.")
        words, start = self.words, i
        if i < len(words) and starts_quote(words[i]):
            try:
                phrase, i = read_quoted(self.source, words, i, self.example)
            except ParseError as exc:
                raise self.fail(exc.message) from None
        else:
            while i < len(words) and (words[i].lower in TIME_WORDS or not starts_option(words, i)):
                i += 1
            phrase = words_text(words[start:i])
        if not phrase.strip():
            raise self.fail(f"`{keyword}` needs a time, like `{keyword or 'at'} 9am`.")
        if keyword == "in":
            phrase = f"in {phrase}"
        if self.lenient:
            self.deliberate(phrase, keyword, first, i - start)
        self.c.phrase, self.c.bare = phrase, keyword is None
        return i

    def deliberate(self, phrase: str, keyword: str | None, first: bool, length: int) -> None:
        """In unquoted text a time must look deliberate: short, no sentence punctuation, and when it
        directly follows the text, a number in it ("at 5pm", not "at noon") or a duration after `in`."""
        if length > MAX_LENIENT_PHRASE or _PROSE.search(phrase):
            raise self.fail(f"“{phrase}” reads as prose, not as a time.")
        numeric = any(ch.isdigit() for ch in phrase)
        if first and (not numeric or (keyword == "in" and not is_duration(phrase))):
            raise self.fail(f"“{phrase}” may be part of the text rather than a time.")

    def media(self, i: int) -> int:
        self.once("with", "Say `with` once, with every media URL.")
        words = self.words
        found: list[str] = []
        while i < len(words) and not starts_option(words, i) and (not found or _url(words[i].text)):
            url = words[i].text.rstrip(",")
            if not _url(url):
                raise self.fail(f"“{url}” is not a media URL; it must start with https://.")
            if why := urls.problem(url):
                raise self.fail(why)
            if self.lenient and platforms.media_extension_type(url) is None:
                raise self.fail(f"“{url}” does not name an image, video or document file.")
            found.append(url)
            i += 1
        if not found:
            raise self.fail("`with` needs a media URL, like `with https://example.com/photo.jpg`.")
        self.c.media += found
        return i


    def subreddit(self, name: str) -> None:
        self.once("subreddit", "Name one subreddit.")
        self.c.specifics["subreddit"] = specific_value("subreddit", name, self.example)

    def specific(self, i: int) -> int:
        """`title "…"`, `board Recipes`, `link https://…`, `first comment "…"`, `subreddit python`,
        `privacy friends`: one quoted string or one word (in unquoted text, titles and comments
        must be quoted, so that prose is never read as one)."""
        words, low = self.words, self.words[i].lower
        name = SPECIFIC_FIELDS[low]
        label = "first comment" if low == "first" else low
        if name != "subreddit":  # `subreddit` checks itself: `r/…` among the targets names one too
            self.once(name, f"Give one {label}.")
        i += 2 if low == "first" else 1
        if i >= len(words) or (starts_option(words, i) and not starts_quote(words[i])):
            raise self.fail(f"`{label}` needs a value, like {_EXAMPLES[name]}.")
        if starts_quote(words[i]):
            try:
                value, i = read_quoted(self.source, words, i, self.example)
            except ParseError as exc:
                raise self.fail(exc.message) from None
        else:
            if self.lenient and name in ("title", "first_comment"):
                raise self.fail(f"Put the {label} in quotes, like {_EXAMPLES[name]}.")
            value, i = words[i].text, i + 1
        value = value.strip()
        if not value:
            raise self.fail(f"The {label} is empty.")
        if name == "subreddit":
            self.subreddit(value)
            return i
        try:
            self.c.specifics[name] = specific_value(name, value, self.example)
        except ParseError as exc:
            raise self.fail(exc.message) from None
        return i


_EXAMPLES = {"title": '`title "Our launch"`', "board": '`board "Recipes"`', "link": "`link https://example.com`",
             "first_comment": '`first comment "Link in bio"`', "subreddit": "`subreddit python` or `r/python`",
             "privacy": "`privacy friends`"}


def words_text(words: list[Word]) -> str:
    return " ".join(w.text for w in words)


def read_clauses(source: str, words: list[Word], i: int, *, lenient: bool, example: str) -> Clauses:
    """The clauses in `words[i:]` (all of them, to the end). Raises NotOptions when they do not read."""
    return _Reader(source, words, lenient, example).read(i)


__all__ = ["OPTIONS", "Clauses", "NotOptions", "read_clauses", "specific_value"]
