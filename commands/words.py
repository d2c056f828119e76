"""The words of a command line, with where each one starts and ends in the source."""

from __future__ import annotations

import re
from typing import NamedTuple

from bot import platforms
from bot.errors import ParseError
from commands.text import QUOTES, closers, unescape

_WORD = re.compile(r"\S+")
# Words that start an option of `post`.
TIME_WORDS = frozenset({"at", "on", "in"})
# The per-platform options (`bot.specifics`): `first` only as in `first comment "…"`.
SPECIFIC_WORDS = frozenset({"title", "board", "link", "first", "subreddit", "story", "reel", "privacy",
                            "visibility"})
KEYWORDS = frozenset({"to", "tz", "with", "now", "draft"}) | TIME_WORDS | SPECIFIC_WORDS
_TARGET = re.compile(r"@?[\w.-]+(?::@?[\w.-]+)?")
# `r/python` among the targets: Reddit, with that subreddit.
SUBREDDIT_WORD = re.compile(r"/?r/([\w]+)", re.IGNORECASE)


class Word(NamedTuple):
    """A tuple rather than a frozen dataclass: a burst splits every command into its words, and a
    frozen dataclass is built through object.__setattr__, 1.8x slower to make."""

    start: int
    end: int
    text: str

    @property
    def lower(self) -> str:
        return self.text.lower()


def starts_option(words: list[Word], i: int) -> bool:
    """Whether words[i] begins an option (`first` only when `comment` follows)."""
    low = words[i].lower
    if low == "first":
        return i + 1 < len(words) and words[i + 1].lower == "comment"
    return low in KEYWORDS


def split_words(source: str, start: int = 0) -> list[Word]:
    return [Word(m.start(), m.end(), m.group()) for m in _WORD.finditer(source, start)]


def is_target_word(word: str) -> bool:
    """A word that can only be meant as a target: a platform name or alias, an @handle, or `r/name`."""
    word = word.strip(",").lower()
    return bool(word) and (platforms.canonical(word) is not None or (word.startswith("@") and len(word) > 1)
                           or bool(SUBREDDIT_WORD.fullmatch(word)))


def target_token(word: str) -> bool:
    """Whether `word` (without commas) is shaped like a target at all."""
    return bool(_TARGET.fullmatch(word))


def read_quoted(source: str, words: list[Word], i: int, example: str) -> tuple[str, int]:
    """The quoted string that starts at word `i` (its first closing quote), and the index of the
    word after it."""
    start = words[i].start
    ends = closers(source, start)
    if not ends:
        raise ParseError(f"The quote {source[start]} at “{words[i].text[:20]}” is never closed.",
                         example=example)
    end = ends[0] + 1
    j = i
    while j < len(words) and words[j].end < end:
        j += 1
    return unescape(source[start + 1 : end - 1]), j + 1


def starts_quote(word: Word) -> bool:
    return word.text[0] in QUOTES
