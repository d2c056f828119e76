"""commands.when and commands.zones: time phrases, their description, zone checks and suggestions."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.errors import ParseError
from commands import when
from commands.when import PastTime, canonical_time, describe_time, resolve_time, suggest_zones
from commands.zones import resolve_zone

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
NY = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("tomorrow 9am", datetime(2026, 11, 23, 9, 0, tzinfo=NY)),
        ("in 2 hours", datetime(2026, 11, 22, 9, 0, tzinfo=NY)),
        ("in 2 hours and 15 minutes", datetime(2026, 11, 22, 9, 15, tzinfo=NY)),
        ("in an hour", datetime(2026, 11, 22, 8, 0, tzinfo=NY)),
        ("in 3 days", datetime(2026, 11, 25, 7, 0, tzinfo=NY)),
        ("Dec 1 14:30", datetime(2026, 12, 1, 14, 30, tzinfo=NY)),
        ("dec 1 2:30pm", datetime(2026, 12, 1, 14, 30, tzinfo=NY)),
        ("2026-12-01 09:00", datetime(2026, 12, 1, 9, 0, tzinfo=NY)),
        ("2026-12-01 09:00 +01:00", datetime(2026, 12, 1, 8, 0, tzinfo=UTC)),
        ("5pm", datetime(2026, 11, 22, 17, 0, tzinfo=NY)),
        ("noon", datetime(2026, 11, 22, 12, 0, tzinfo=NY)),
        ("6:30am", datetime(2026, 11, 23, 6, 30, tzinfo=NY)),  # passed today: tomorrow
        ("monday 10am", datetime(2026, 11, 23, 10, 0, tzinfo=NY)),
        # A day without a time of day means 09:00 there (dateparser gives midnight or this minute).
        ("next week", datetime(2026, 11, 29, 9, 0, tzinfo=NY)),
        ("monday", datetime(2026, 11, 23, 9, 0, tzinfo=NY)),
        ("on monday", datetime(2026, 11, 23, 9, 0, tzinfo=NY)),
        ("tomorrow", datetime(2026, 11, 23, 9, 0, tzinfo=NY)),
        ("Dec 1", datetime(2026, 12, 1, 9, 0, tzinfo=NY)),
        ("2026-12-01", datetime(2026, 12, 1, 9, 0, tzinfo=NY)),
    ],
)
def test_resolve_time(phrase: str, expected: datetime) -> None:
    got = resolve_time(phrase, "America/New_York", NOW)
    assert got == expected
    assert got.tzinfo == NY and got.second == 0 and got.microsecond == 0


def test_the_clock_is_injected_not_read() -> None:
    later = datetime(2027, 3, 1, 20, 0, tzinfo=UTC)
    assert resolve_time("tomorrow 9am", "UTC", later) == datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
    # Interleaved calls with other zones and bases do not leak into each other.
    assert resolve_time("tomorrow 9am", "Asia/Tokyo", NOW) == datetime(2026, 11, 23, 9, 0,
                                                                       tzinfo=ZoneInfo("Asia/Tokyo"))
    assert resolve_time("tomorrow 9am", "America/New_York", NOW) == datetime(2026, 11, 23, 9, 0, tzinfo=NY)


def test_one_parser_is_reused() -> None:
    parser, _ = when._parser()
    resolve_time("tomorrow 9am", "Europe/Berlin", NOW)
    resolve_time("Dec 1", "UTC", NOW)
    assert when._parser()[0] is parser
    assert parser.languages == ["en"]


def test_durations_keep_elapsed_hours_across_dst_and_wall_clock_days() -> None:
    before_fall_back = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT, the first of two
    # Compared in UTC: datetimes in a repeated hour never equal one in another zone (PEP 495).
    an_hour = resolve_time("in 1 hour", "America/New_York", before_fall_back)
    assert an_hour.astimezone(UTC) == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 EST
    assert (an_hour.hour, an_hour.fold) == (1, 1)
    assert resolve_time("in 1 day", "America/New_York", before_fall_back) == datetime(
        2026, 11, 2, 1, 30, tzinfo=NY)


def test_a_wall_time_in_the_spring_gap_becomes_a_real_time() -> None:
    got = resolve_time("2026-03-08 02:30", "America/New_York", datetime(2026, 1, 1, tzinfo=UTC))
    assert got == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    assert canonical_time(got, "America/New_York") == "2026-03-08 03:30"


def test_past_times_raise_past_time_with_the_resolved_time() -> None:
    with pytest.raises(PastTime) as caught:
        resolve_time("yesterday 9am", "America/New_York", NOW)
    assert "Sat 21 Nov 2026 09:00 America/New_York" in caught.value.message
    assert "it is now Sun 22 Nov 2026 07:00 America/New_York" in caught.value.message
    assert caught.value.example == '/late post "Hello" to x at "2026-11-23 09:00" tz America/New_York'


@pytest.mark.parametrize(
    ("phrase", "words"),
    [("banana", "not a time"), ("", "Say when"), ("at 5", "ambiguous"), ("in 7", "ambiguous"),
     ("2026-13-40 09:00", "not a valid date"), ("x" * 200, "too long"), ("9999-12-31 23:59 -14:00", "valid")],
)
def test_unreadable_times(phrase: str, words: str) -> None:
    with pytest.raises(ParseError) as caught:
        resolve_time(phrase, "America/New_York", NOW)
    assert words in caught.value.message
    assert caught.value.example


def test_describe_and_canonical_time() -> None:
    dt = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
    assert describe_time(dt, "America/New_York") == "Tue 1 Dec 2026 09:00 America/New_York"
    assert canonical_time(dt, "America/New_York") == "2026-12-01 09:00"
    first = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    assert canonical_time(first, "America/New_York") == "2026-11-01 01:30 -04:00"
    assert canonical_time(first.replace(hour=6), "America/New_York") == "2026-11-01 01:30 -05:00"


def test_zones() -> None:
    assert resolve_zone("europe/berlin", "{zone}") == "Europe/Berlin"
    with pytest.raises(ParseError) as caught:
        resolve_zone("Europe/Berln", "/late config timezone {zone}")
    assert "Did you mean Europe/Berlin" in caught.value.message
    assert caught.value.example == "/late config timezone Europe/Berlin"


def test_suggest_zones() -> None:
    assert suggest_zones("")[:2] == ["UTC", "America/New_York"]
    assert suggest_zones("Europe/Ber")[0] == "Europe/Berlin"
    assert suggest_zones("new y")[0] == "America/New_York"
    assert suggest_zones("tokyo") == ["Asia/Tokyo"]
    assert suggest_zones("pst")[0] == "America/Los_Angeles"
    assert suggest_zones("zzzz") == []


def test_a_phrase_read_again_within_the_minute_reads_as_it_would_fresh() -> None:
    """Readings are remembered per phrase, zone and minute; seconds never change what a phrase means."""
    at = datetime(2026, 11, 22, 12, 0, 40, tzinfo=UTC)
    for phrase in ("tomorrow 9am", "friday at noon", "next monday 10:00", "5pm", "Dec 1 14:30"):
        first = resolve_time(phrase, "Europe/Berlin", at)
        again = resolve_time(phrase, "Europe/Berlin", at.replace(second=5))
        fresh = when._read(phrase, ZoneInfo("Europe/Berlin"), at.replace(second=5)).replace(second=0)
        assert first == again
        assert again == fresh or (phrase == "5pm" and fresh < at)  # a clock time that passed means tomorrow
    # A phrase in seconds means a different minute at another second of the same minute.
    assert resolve_time("in 30 seconds", "UTC", at) == datetime(2026, 11, 22, 12, 1, tzinfo=UTC)
    with pytest.raises(PastTime):
        resolve_time("in 30 seconds", "UTC", at.replace(second=10))
    # Another zone or another minute is another reading.
    assert resolve_time("tomorrow 9am", "Asia/Tokyo", at).tzinfo == ZoneInfo("Asia/Tokyo")
    # A day alone means 09:00 that day, whatever minute it is read in.
    assert resolve_time("tomorrow", "UTC", at) == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert resolve_time("tomorrow", "UTC", at.replace(minute=1)) == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_a_clock_time_on_a_months_last_evening_is_today_or_tomorrow() -> None:
    # dateparser alone dates "5pm" the 1st of the month when read on the month's last evening.
    at = datetime(2026, 11, 30, 15, 30, tzinfo=UTC)  # 16:30 in Berlin
    assert resolve_time("5pm", "Europe/Berlin", at) == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert resolve_time("at 4pm", "Europe/Berlin", at) == datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    assert resolve_time("17:00", "Europe/Berlin", at) == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
