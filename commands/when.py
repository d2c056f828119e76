"""Times as people type them ("tomorrow 9am", "in 2 hours", "Dec 1 14:30") resolved in a zone.

One dateparser parser, English only, serves every call: left to detect the language, dateparser
takes ~20 ms for a phrase it cannot read instead of ~0.3 ms. It takes settings only when built,
but RELATIVE_BASE (the injected now) and TIMEZONE differ per call, so each call swaps in its own
settings under a lock, as dateparser's own `search_dates` does. Canonical times and durations
("in 2 hours") never reach dateparser: they are exact, and elapsed time must not follow DST.

dateparser is imported and built on first use (a command without a time never pays for it), and
what it read is remembered per phrase, zone and minute: the same phrase read again within the
minute (a burst, the parser trying phrases, autocomplete as it is typed) costs a lookup.
"""

from __future__ import annotations

import functools
import re
import threading
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.clock import describe_time
from bot.errors import ParseError
from commands.zones import resolve_zone, suggest_zones

if TYPE_CHECKING:
    from dateparser.conf import Settings
    from dateparser.date import DateDataParser

__all__ = ["PastTime", "canonical_time", "describe_time", "example_time", "resolve_time", "resolve_when",
           "suggest_zones"]

# Longer than any time anyone types ("the day after tomorrow at 3pm" is six words). A long miss
# costs dateparser tens of milliseconds, and the parser may try a few dozen phrases for one line.
MAX_PHRASE = 80
MAX_PHRASE_WORDS = 8

_LOCK = threading.Lock()
_BUILD = threading.Lock()
READINGS = 4096  # phrases remembered (per zone and minute)

_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*(Z|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE,
)
_UNITS = {"m": "minutes", "min": "minutes", "mins": "minutes", "minute": "minutes", "minutes": "minutes",
          "h": "hours", "hr": "hours", "hrs": "hours", "hour": "hours", "hours": "hours",
          "d": "days", "day": "days", "days": "days", "w": "weeks", "wk": "weeks", "week": "weeks",
          "weeks": "weeks"}
_UNIT = "|".join(sorted(_UNITS, key=len, reverse=True))
_AMOUNT = rf"(?:(?<!\d)(\d{{1,5}})\s*|(?<![a-z])(an?|one)\s+)({_UNIT})(?![a-z])"
_DURATION = re.compile(rf"in\s+((?:{_AMOUNT}(?:\s*,?\s*(?:and\s+)?)?)+)", re.IGNORECASE)
_PART = re.compile(_AMOUNT, re.IGNORECASE)
# A time of day with no date: when it has passed today, it means tomorrow.
_CLOCK = re.compile(r"(?:at\s+)?(?:\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\d{1,2}:\d{2}|noon|midnight)",
                    re.IGNORECASE)
_BARE_NUMBER = re.compile(r"(?:at\s+|in\s+)?\d{1,2}")
# Anything that says a time of day; without one, a day ("on monday", "tomorrow", "Dec 1") means DEFAULT_HOUR.
_TIME_OF_DAY = re.compile(
    r"\d:\d|\d\s*(?:am|pm|a\.m|p\.m|h\b)|\b(?:noon|midday|midnight|morning|afternoon|evening|tonight|night|"
    r"o'?clock|now|hours?|hrs?|minutes?|mins?|seconds?|secs?)\b",
    re.IGNORECASE,
)
DEFAULT_HOUR = 9


class PastTime(ParseError):
    """The phrase is a time, but one that has passed."""


def is_duration(phrase: str) -> bool:
    return bool(_DURATION.fullmatch(phrase.strip()))


def canonical_time(dt: datetime, zone: str) -> str:
    """"YYYY-MM-DD HH:MM" in `zone`, with the UTC offset only when the wall time is ambiguous
    (the hour repeated when clocks go back), so that it reads back as the same instant."""
    local = dt.astimezone(ZoneInfo(zone))
    text = f"{local:%Y-%m-%d %H:%M}"
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        offset = local.utcoffset() or timedelta(0)
        sign, minutes = ("-" if offset < timedelta(0) else "+"), abs(int(offset.total_seconds())) // 60
        text += f" {sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return text


def example_time(now: datetime, zone: str) -> str:
    """Tomorrow 09:00 in `zone`, canonically: a time that is always valid in an example."""
    local = now.astimezone(ZoneInfo(zone))
    return canonical_time((local + timedelta(days=1)).replace(hour=9, minute=0), zone)


def _example(now: datetime, zone: str) -> str:
    return f'/late post "Hello" to x at "{example_time(now, zone)}" tz {zone}'


def _in_zone(dt: datetime, tz: ZoneInfo) -> datetime:
    # Through UTC, so that a wall time in a DST gap comes out as a real time.
    aware = dt if dt.tzinfo is not None else dt.replace(tzinfo=tz)
    return aware.astimezone(UTC).astimezone(tz)


def _iso(match: re.Match[str], tz: ZoneInfo) -> datetime:
    y, mo, d, h, mi, s, off = match.groups()
    naive = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
    if off is None:
        return _in_zone(naive, tz)
    if off.upper() == "Z":
        return naive.replace(tzinfo=UTC).astimezone(tz)
    digits = off[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return (naive - delta if off[0] == "+" else naive + delta).replace(tzinfo=UTC).astimezone(tz)


def _duration(phrase: str, now: datetime, tz: ZoneInfo) -> datetime:
    amounts = {"minutes": 0, "hours": 0, "days": 0, "weeks": 0}
    for digits, _word, unit in _PART.findall(phrase):
        amounts[_UNITS[unit.lower()]] += int(digits) if digits else 1
    # Days and weeks keep the wall clock across DST ("in 2 days" is the same time of day);
    # hours and minutes are elapsed time.
    local = now.astimezone(tz).replace(tzinfo=None)
    shifted = _in_zone(local + timedelta(days=amounts["days"], weeks=amounts["weeks"]), tz)
    # In UTC: arithmetic on a zoned datetime moves the wall clock, not elapsed time.
    elapsed = timedelta(hours=amounts["hours"], minutes=amounts["minutes"])
    return (shifted.astimezone(UTC) + elapsed).astimezone(tz)


def _at_default_hour(dt: datetime, tz: ZoneInfo) -> datetime:
    """The same day at DEFAULT_HOUR:00 in `tz`, the time a day named without a time means."""
    local = dt.astimezone(tz).replace(tzinfo=None)
    return _in_zone(local.replace(hour=DEFAULT_HOUR, minute=0, second=0, microsecond=0), tz)


def _parser() -> tuple[DateDataParser, Settings]:
    """The one parser (English only) and its base settings, built on first use (by `prepare`, in a
    thread of its own at start-up, or by whichever reading comes first)."""
    with _BUILD:
        return _build()


@functools.cache
def _build() -> tuple[DateDataParser, Settings]:
    from dateparser.conf import Settings
    from dateparser.date import DateDataParser

    base = Settings().replace(
        PREFER_DATES_FROM="future",
        RETURN_AS_TIMEZONE_AWARE=True,
        # No timestamp parsers: a bare number is a typo, never seconds since 1970.
        PARSERS=["relative-time", "absolute-time"],
    )
    return DateDataParser(languages=["en"], settings=base), base


def prepare() -> None:
    """Pay dateparser's first reading now (~0.25 s: its imports, locale tables, time zone patterns)
    rather than in the middle of the first command, where it would stop the event loop."""
    _read("tomorrow 9am", ZoneInfo("UTC"), datetime.now(UTC))


def _read(phrase: str, tz: ZoneInfo, now: datetime) -> datetime | None:
    parser, base = _parser()
    settings = base.replace(TIMEZONE=tz.key, RELATIVE_BASE=now.astimezone(tz).replace(tzinfo=None))
    with _LOCK:
        parser._settings = settings
        found: datetime | None = parser.get_date_data(phrase).date_obj
    # As dateparser reads it: a wall time in a DST gap is still the wall time (see `resolve_when`).
    return found


@functools.lru_cache(maxsize=READINGS)
def _read_at_minute(phrase: str, zone: str, minute: datetime) -> tuple[datetime | None, bool]:
    """What `phrase` reads as at `minute` (now without its seconds), and whether that holds for
    every now within the minute: true unless the reading has seconds of its own, which only a
    phrase that counts in seconds ("in 30 seconds") gives; that one is read at its own now."""
    found = _read(phrase, ZoneInfo(zone), minute)
    return found, found is None or (found.second == 0 and found.microsecond == 0)


def _dateparser(phrase: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    minute = now.astimezone(UTC).replace(second=0, microsecond=0)
    found, every_second = _read_at_minute(phrase, tz.key, minute)
    return found if every_second else _read(phrase, tz, now)


def resolve_time(phrase: str, zone: str, now: datetime, *, example: str | None = None) -> datetime:
    """The aware time `phrase` means in `zone` (an IANA name) at `now`, to the minute.

    Raises ParseError when the phrase is not a time or the time has passed.
    """
    return resolve_when(phrase, zone, now, example=example)[0]


def _wall(dt: datetime, tz: ZoneInfo) -> datetime | None:
    """`dt` as a wall time in `tz`, when it is one (naive, or carrying tz's own offset for it)."""
    if dt.tzinfo is None:
        return dt
    naive = dt.replace(tzinfo=None)
    return naive if dt.utcoffset() == naive.replace(tzinfo=tz).utcoffset() else None


def resolve_when(
    phrase: str, zone: str, now: datetime, *, example: str | None = None
) -> tuple[datetime, str | None]:
    """`resolve_time`, and the wall time asked for ("YYYY-MM-DD HH:MM") when `zone` skips it (a DST
    gap): the time returned is then the one it becomes, and the card says so."""
    zone = resolve_zone(zone, '/late post "Hello" to x tomorrow 9am tz {zone}')
    tz = ZoneInfo(zone)
    example = example or _example(now, zone)
    text = " ".join(phrase.split())
    if not text:
        raise ParseError("Say when to publish it.", example=example)
    if len(text) > MAX_PHRASE or text.count(" ") >= MAX_PHRASE_WORDS:
        raise ParseError(f"“{text[:40]}…” is too long to be a time.", example=example)
    if _BARE_NUMBER.fullmatch(text):
        number = text.split()[-1]
        raise ParseError(f"“{text}” is ambiguous: say {number}am, {number}pm, or in {number} hours.",
                         example=example)
    wall: datetime | None = None
    try:
        if iso := _ISO.fullmatch(text):
            when = _iso(iso, tz)
            if iso.group(4) is None:  # a date alone
                when = _at_default_hour(when, tz)
            elif iso.group(7) is None:
                y, mo, d, h, mi, sec = (int(g or 0) for g in iso.groups()[:6])
                wall = datetime(y, mo, d, h, mi, sec)
        elif _DURATION.fullmatch(text):
            when = _duration(text, now, tz)
        else:
            found = _dateparser(text, now, tz)
            if found is None:
                raise ParseError(f"“{text}” is not a time latebot understands.", example=example)
            when, wall = _in_zone(found, tz), _wall(found, tz)
            if not _TIME_OF_DAY.search(text):
                # dateparser gives a day alone midnight ("monday") or this very minute ("tomorrow").
                when, wall = _at_default_hour(when, tz), None
            if _CLOCK.fullmatch(text):
                # A clock time alone is today's, or tomorrow's once it has passed. Only its hour and
                # minute are dateparser's: on a month's last evening it dates "5pm" the 1st of the month.
                today = now.astimezone(tz).replace(tzinfo=None)
                local = (wall or when.replace(tzinfo=None)).replace(year=today.year, month=today.month,
                                                                    day=today.day)
                if _in_zone(local, tz) <= now:
                    local += timedelta(days=1)
                when, wall = _in_zone(local, tz), local
    except (ValueError, OverflowError):
        raise ParseError(f"“{text}” is not a valid date or time.", example=example) from None
    when = when.replace(second=0, microsecond=0)
    skipped = None
    if wall is not None:
        wall = wall.replace(second=0, microsecond=0)
        if _in_zone(wall, tz).replace(tzinfo=None) != wall:
            skipped = f"{wall:%Y-%m-%d %H:%M}"
    if when <= now:
        raise PastTime(
            f"“{text}” is in the past: it means {describe_time(when, zone)}, "
            f"and it is now {describe_time(now, zone)}.",
            example=example,
        )
    return when, skipped
