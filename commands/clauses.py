"""The options after a post's text: `to`, a time, `now`/`draft`, `tz`, `with`, in any order.

`read_clauses` checks only their shape; what they mean (a real zone, a time that has not passed)
is `commands.post`'s business. In lenient mode, used to find where unquoted text ends, only clauses
that could not be ordinary prose count (see `commands.post` for the rule).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot import platforms
from bot.errors import ParseError
from commands.model import Mode
from commands.when import is_duration
from commands.words import (
    KEYWORDS,
    PHRASE_STOPS,
    TIME_WORDS,
    Word,
    is_target_word,
    read_quoted,
    starts_quote,
    target_token,
)

MAX_LENIENT_PHRASE = 6  # words; "next monday at 9:30 am" is five
_PROSE = re.compile(r"[^\w\s:./,+-]")
OPTIONS = (
    "to <platforms>, a time (tomorrow 9am, at 17:00, in 2 hours), now or draft, tz <zone>, with <media url>"
)


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
    seen: set[str] = field(default_factory=set)


def _url(word: str) -> bool:
    return word.lower().startswith(("http://", "https://"))


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
                if i + 1 >= len(words) or words[i + 1].lower in KEYWORDS:
                    raise self.fail("`tz` needs a time zone, like `tz Europe/Berlin`.")
                self.c.zone = words[i + 1].text
                i += 2
            elif low == "with":
                i = self.media(i + 1)
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
            if low in KEYWORDS:
                break
            if low in ("and", "&") and found:
                more, i = True, i + 1
                continue
            if not more and not raw.startswith(",") and not is_target_word(low):
                break
            pieces = low.split(",")
            for name in filter(None, pieces):
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
            while i < len(words) and words[i].lower not in PHRASE_STOPS:
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
        while i < len(words) and words[i].lower not in KEYWORDS and (not found or _url(words[i].text)):
            url = words[i].text.rstrip(",")
            if not _url(url):
                raise self.fail(f"“{url}” is not a media URL; it must start with https://.")
            if self.lenient and platforms.media_extension_type(url) is None:
                raise self.fail(f"“{url}” does not name an image, video or document file.")
            found.append(url)
            i += 1
        if not found:
            raise self.fail("`with` needs a media URL, like `with https://example.com/photo.jpg`.")
        self.c.media += found
        return i


def words_text(words: list[Word]) -> str:
    return " ".join(w.text for w in words)


def read_clauses(source: str, words: list[Word], i: int, *, lenient: bool, example: str) -> Clauses:
    """The clauses in `words[i:]` (all of them, to the end). Raises NotOptions when they do not read."""
    return _Reader(source, words, lenient, example).read(i)


__all__ = ["OPTIONS", "Clauses", "NotOptions", "read_clauses"]
