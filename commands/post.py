"""`post`: where the text ends and the options begin, and the `PostCommand` they make.

Quoted text ends at the first closing quote after which the rest reads as options; so a quote
inside the text (`"She said "hi" to me" to x`) needs no escaping unless options follow it.

Unquoted text ends at the leftmost option word from which everything to the end reads as
options that could not be ordinary prose:
- the options start with `to`, `at`, `on`, `in`, `tz` or `with` (never `now`/`draft`, nor a bare
  time: "see you tomorrow" stays text);
- every target after `to` is a platform name or alias or an @handle ("to the store" stays text);
- a time right after the text has a digit in it, and after `in` is a duration ("at 5pm",
  "in 2 hours"; "at noon" and "in a minute" stay text); any time is short and has no ! or ?;
- a media URL after `with` names an image, video or document file;
- each option comes once, and the time resolves to the future ("we met at 5pm yesterday").
When nothing qualifies, all of it is the text. But when the text ends in `to <platform>`, `tz`
or `with <url>` and the options after it are wrong, that is an error, not a post.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from bot.errors import ParseError
from bot.specifics import Specifics
from commands.clauses import OPTIONS, Clauses, NotOptions, read_clauses
from commands.context import ParseContext
from commands.model import EditCommand, PostCommand
from commands.text import closers, split_thread, unescape
from commands.when import PastTime, example_time, resolve_when
from commands.words import Word, is_target_word, split_words, starts_option, starts_quote
from commands.zones import resolve_zone

C = TypeVar("C", PostCommand, EditCommand)
# (text, clauses) -> the command they make; raises ParseError (NotOptions: they were not options).
Build = Callable[[str, Clauses], C]

MAX_TAIL = 40  # words; more than any list of options, so text further back is never scanned
MAX_INPUT = 100_000  # characters; Facebook, the most generous, takes 63,206
_ANCHORS = ("to", "tz", "with")


def example(text: str = "Launch day!", targets: list[str] | None = None, when: str = "tomorrow 9am") -> str:
    """A corrected command in the user's own words, for `ParseError.example`."""
    short = " ".join(text[:200].split())
    short = short if len(short) <= 40 else short[:39] + "…"
    short = short.replace('"', "'") or "Launch day!"
    return f'/late post "{short}" to {",".join(targets or ["x"])} {when}'.rstrip()


def _when(text: str, c: Clauses, ctx: ParseContext) -> tuple[str, datetime | None, str | None]:
    """The zone and the time the options give (None: no time), and the wall time asked for when a DST
    gap skips it; ParseError when either is wrong."""
    zone = ctx.timezone
    if c.zone is not None:
        zone = resolve_zone(c.zone, example(text, c.targets, "tomorrow 9am tz {zone}"))
    when = skipped = None
    if c.phrase is not None:
        fixed = example(text, c.targets, f'at "{example_time(ctx.now, zone)}"')
        try:
            when, skipped = resolve_when(c.phrase, zone, ctx.now, example=fixed)
        except PastTime:
            raise
        except ParseError:
            if not c.bare:
                raise
            # Not a time after all, so it was never an option.
            raise NotOptions(f"I do not know what “{c.phrase}” means here. After the text come: {OPTIONS}.",
                             example=fixed) from None
        if c.mode is not None:
            raise ParseError(f"Say either a time or `{c.mode}`, not both.", example=example(text, c.targets))
    return zone, when, skipped


def _thread_checked(text: str) -> None:
    parts = split_thread(text)
    if len(parts) > 1 and "" in parts:
        raise ParseError(f"Part {parts.index('') + 1} of the thread is empty: a line of --- needs text on "
                         "both sides.", example='/late post "First part\n---\nSecond part" to x')


def build_post(text: str, c: Clauses, ctx: ParseContext) -> PostCommand:
    """The command the (clean) text and options describe; ParseError when they contradict or a
    time or zone is wrong. The options are checked first: they are short, the text may not be."""
    zone, when, skipped = _when(text, c, ctx)
    text = text.strip()
    if not text and not c.media:
        raise ParseError("The post has no text.", example=example(targets=c.targets))
    _thread_checked(text)
    return PostCommand(text=text, targets=c.targets, mode="schedule" if when else c.mode or "now",
                       scheduled_for=when, timezone=zone, time_phrase=c.phrase if when else None,
                       skipped_time=skipped, media=c.media, options=Specifics.model_validate(c.specifics))


def build_edit(ident: str, text: str | None, c: Clauses, ctx: ParseContext) -> EditCommand:
    """The changes an edit asks for: only what it names (the text when given, and each option)."""
    zone, when, skipped = _when(text or "", c, ctx)
    text = (text or "").strip() or None
    if text is not None:
        _thread_checked(text)
    command = EditCommand(
        id=ident, text=text, targets=c.targets if "to" in c.seen else None,
        mode="schedule" if when else c.mode, scheduled_for=when,
        timezone=zone if when is not None or c.zone is not None else None,
        skipped_time=skipped if when else None,
        media=c.media if "with" in c.seen else None,
        options=Specifics.model_validate(c.specifics),
    )
    if not command.changes_anything:
        raise ParseError("`edit` needs the new text, or what to change (targets, time, media, options).",
                         example=f'/late edit {ident} "The new text" to x at "Fri 9am"')
    return command


def _too_long(source: str) -> None:
    if len(source) > MAX_INPUT:
        raise ParseError(f"That is {len(source):,} characters; no platform takes more than 63,206.",
                         example=example())


def parse_post(source: str, ctx: ParseContext) -> PostCommand:
    """`source` is everything after the word `post`."""
    _too_long(source)
    words = split_words(source)
    if not words:
        raise ParseError("What should the post say?", example=example())
    return _parse(source, words, lambda text, c: build_post(text, c, ctx))


def parse_edit(ident: str, source: str, ctx: ParseContext) -> EditCommand:
    """`source` is everything after `edit <id>`: new text (quoted, or unquoted up to its options),
    or options alone (`to x at "Fri 9am"`)."""
    _too_long(source)
    words = split_words(source)
    if not words:
        raise ParseError("`edit` needs the new text after the id, or what to change.",
                         example=f'/late edit {ident} "The new text"')
    if starts_option(words, 0):
        try:
            return build_edit(ident, None, read_clauses(source, words, 0, lenient=False,
                                                        example=f"/late edit {ident} to x tomorrow 9am"), ctx)
        except ParseError:
            # "In the morning we launch" is new text, not a time; "to the store" is not targets.
            if words[0].lower not in ("at", "on", "in", "to"):
                raise
    return _parse(source, words, lambda text, c: build_edit(ident, text, c, ctx))


def _parse(source: str, words: list[Word], build: Build[C]) -> C:
    if starts_quote(words[0]):
        return _quoted(source, words, build)
    return _unquoted(source, words, build)


def _quoted(source: str, words: list[Word], build: Build[C]) -> C:
    start = words[0].start
    ends = closers(source, start)
    if not ends:
        raise ParseError(f"The text opens with {source[start]} but the closing quote is missing.",
                         example=example(source[start + 1 :]))
    first_error: ParseError | None = None
    starts = [w.start for w in words]
    # Options are a few words at the end: a closing quote further back cannot be the one.
    window = starts[-MAX_TAIL - 1] if len(words) > MAX_TAIL else -1
    if ends[0] < window:
        after = bisect.bisect_right(starts, ends[0])
        first_error = NotOptions(
            f"After the closing quote comes “{' '.join(w.text for w in words[after:after + 5])} …”, "
            "which is not options. Put all of the text inside the quotes.",
            example=example(source[start + 1 : ends[0]]))
    for end in ends[bisect.bisect_left(ends, window):]:
        after = bisect.bisect_right(starts, end)
        try:
            head = unescape(source[start + 1 : min(end, start + 201)])
            clauses = read_clauses(source, words, after, lenient=False, example=example(head))
            return build(unescape(source[start + 1 : end]), clauses)
        except NotOptions as exc:
            first_error = first_error or exc
    assert first_error is not None
    raise first_error


def _anchored(words: list[Word], i: int) -> bool:
    """Whether words[i:] begins with an option nobody writes as prose, so that a mistake in the
    options after it is an error rather than more text."""
    if i + 1 >= len(words) or words[i].lower not in _ANCHORS:
        return False
    nxt = words[i + 1].lower
    if words[i].lower == "to":
        return is_target_word(nxt.split(",")[0])
    return words[i].lower == "tz" or nxt.startswith(("http://", "https://"))


def _unquoted(source: str, words: list[Word], build: Build[C]) -> C:
    anchored: tuple[str, ParseError] | None = None
    for i in range(max(0, len(words) - MAX_TAIL), len(words)):
        if words[i].lower not in ("to", "at", "on", "in", "tz", "with"):
            continue
        text = source[: words[i].start]
        try:
            return build(text, read_clauses(source, words, i, lenient=True, example=example(text)))
        except ParseError as exc:
            if anchored is None and _anchored(words, i):
                anchored = (text, exc)
    if anchored is not None:
        before, error = anchored
        hint = " (To post all of it as text, put it in quotes.)" if before.strip() else ""
        raise ParseError(error.message + hint, example=error.example)
    return build(source, Clauses())
