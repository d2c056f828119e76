"""commands.parser: `/late ...` text -> typed commands, and every error with its example."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.errors import ParseError
from commands import model
from commands.parser import ParseContext, parse, render

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)  # 07:00 in New York
NY = ZoneInfo("America/New_York")
CTX = ParseContext(now=NOW, timezone="America/New_York")


def post(text: str, ctx: ParseContext = CTX) -> model.PostCommand:
    command = parse(text, ctx)
    assert isinstance(command, model.PostCommand)
    return command


def error(text: str, ctx: ParseContext = CTX) -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse(text, ctx)
    assert caught.value.example, "every ParseError carries a corrected example"
    return caught.value


# --- the four examples of the product brief, exactly -------------------------------------------


def test_launch_day_with_an_explicit_zone() -> None:
    berlin = ParseContext(now=NOW, timezone="Europe/Berlin")  # the explicit tz wins over the user's
    line = '/late post "Launch day! 🚀" to twitter,linkedin at "2026-12-01 09:00" tz America/New_York'
    c = post(line, berlin)
    assert c == model.PostCommand(
        text="Launch day! 🚀", thread=["Launch day! 🚀"], targets=["twitter", "linkedin"], mode="schedule",
        scheduled_for=datetime(2026, 12, 1, 9, 0, tzinfo=NY), timezone="America/New_York",
        time_phrase="2026-12-01 09:00", media=[],
    )
    assert c.scheduled_for is not None and c.scheduled_for.tzinfo == NY
    assert c.scheduled_for.astimezone(UTC) == datetime(2026, 12, 1, 14, 0, tzinfo=UTC)


def test_hello_from_the_team_tomorrow_9am_in_the_users_zone() -> None:
    c = post('/late post "Hello from the team" to x tomorrow 9am')
    assert c == model.PostCommand(
        text="Hello from the team", thread=["Hello from the team"], targets=["x"], mode="schedule",
        scheduled_for=datetime(2026, 11, 23, 9, 0, tzinfo=NY), timezone="America/New_York",
        time_phrase="tomorrow 9am", media=[],
    )
    assert c.scheduled_for is not None and c.scheduled_for.tzinfo == NY


def test_now_is_the_time() -> None:
    assert post('/late post "Now is the time" to bluesky now') == model.PostCommand(
        text="Now is the time", thread=["Now is the time"], targets=["bluesky"], mode="now",
        scheduled_for=None, timezone="America/New_York", time_phrase=None, media=[],
    )


def test_an_idea_for_later_is_a_draft() -> None:
    assert post('/late post "An idea for later" to linkedin draft') == model.PostCommand(
        text="An idea for later", thread=["An idea for later"], targets=["linkedin"], mode="draft",
        scheduled_for=None, timezone="America/New_York", time_phrase=None, media=[],
    )


def test_the_examples_parse_without_the_late_prefix_too() -> None:
    assert post('post "Hello from the team" to x tomorrow 9am') == post(
        '/late post "Hello from the team" to x tomorrow 9am')
    assert post('/LATE   post "Hi" to x') == post('post "Hi" to x')


# --- times ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "when", "phrase"),
    [
        ("in 2 hours", datetime(2026, 11, 22, 9, 0, tzinfo=NY), "in 2 hours"),
        ("on Dec 1 14:30", datetime(2026, 12, 1, 14, 30, tzinfo=NY), "Dec 1 14:30"),
        ("at 5pm", datetime(2026, 11, 22, 17, 0, tzinfo=NY), "5pm"),
        ("Dec 1 14:30", datetime(2026, 12, 1, 14, 30, tzinfo=NY), "Dec 1 14:30"),
        ("at 6am", datetime(2026, 11, 23, 6, 0, tzinfo=NY), "6am"),  # 6am today has passed: tomorrow
        ("tomorrow at 9am", datetime(2026, 11, 23, 9, 0, tzinfo=NY), "tomorrow at 9am"),
        ("next friday 10am", datetime(2026, 11, 27, 10, 0, tzinfo=NY), "next friday 10am"),
        ("in 1h30m", datetime(2026, 11, 22, 8, 30, tzinfo=NY), "in 1h30m"),
        ('at "2026-12-01T09:00Z"', datetime(2026, 12, 1, 9, 0, tzinfo=UTC), "2026-12-01T09:00Z"),
    ],
)
def test_time_phrases(options: str, when: datetime, phrase: str) -> None:
    c = post(f'post "Hi" to x {options}')
    assert (c.mode, c.scheduled_for, c.time_phrase) == ("schedule", when, phrase)


def test_times_are_read_in_the_tz_given_after_them() -> None:
    c = post('post "Hi" to x tomorrow 9am tz Asia/Tokyo')
    assert c.scheduled_for == datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert c.timezone == "Asia/Tokyo"
    assert post('post "Hi" to x tz asia/tokyo').timezone == "Asia/Tokyo"  # any case, canonical name


def test_options_come_in_any_order() -> None:
    a = post('post "Hi" to x,linkedin tomorrow 9am tz UTC with https://x.io/a.png')
    b = post('post "Hi" with https://x.io/a.png tz UTC tomorrow 9am to x,linkedin')
    assert a == b


def test_a_time_in_the_past_says_so_and_shows_what_it_resolved_to() -> None:
    e = error('post "Hi" to x at "2025-01-01 09:00"')
    assert "in the past" in e.message
    assert "Wed 1 Jan 2025 09:00 America/New_York" in e.message
    assert e.example == '/late post "Hi" to x at "2026-11-23 09:00"'


def test_an_unknown_time_names_the_phrase() -> None:
    e = error('post "Hi" to x at 25pm')
    assert "“25pm”" in e.message
    e = error('post "Hi" to x tomorow 9am')
    assert "“tomorow 9am”" in e.message


def test_an_hour_without_am_or_pm_is_ambiguous() -> None:
    assert "ambiguous" in error('post "Hi" to x at 5').message


def test_a_bad_zone_is_named_with_suggestions() -> None:
    e = error('post "Hi" to x tomorrow 9am tz America/New_Yrok')
    assert "“America/New_Yrok” is not an IANA time zone" in e.message
    assert "Did you mean America/New_York" in e.message
    assert e.example == '/late post "Hi" to x tomorrow 9am tz America/New_York'
    assert "Did you mean America/Los_Angeles" in error('post "Hi" to x tz PST').message


def test_a_time_and_now_contradict() -> None:
    assert "not both" in error('post "Hi" to x now tomorrow 9am').message
    assert "not both" in error('post "Hi" to x draft at 5pm').message
    assert "once" in error('post "Hi" to x now draft').message
    assert "one time" in error('post "Hi" at 5pm to x at 6pm').message
    assert "“5pm at 6pm”" in error('post "Hi" to x at 5pm at 6pm').message  # a time may contain "at"


# --- text, quotes, threads --------------------------------------------------------------------


@pytest.mark.parametrize(
    "quoted",
    ['"Hello"', "“Hello”", "“Hello“", "”Hello”", "„Hello“", "«Hello»", "‘Hello’", "'Hello'", "“Hello\""],
)
def test_straight_and_curly_quotes(quoted: str) -> None:
    assert post(f"post {quoted} to x").text == "Hello"


def test_quotes_inside_quoted_text_need_no_escaping() -> None:
    assert post('post "She said "hi" to me" to x').text == 'She said "hi" to me'
    assert post('post “She said "hi"” to x').text == 'She said "hi"'
    assert post(r'post "A \"quoted\" word" now').text == 'A "quoted" word'
    assert post('post "¯\\_(ツ)_/¯" to x').text == "¯\\_(ツ)_/¯"


def test_emoji_and_unicode_survive() -> None:
    c = post('post "Launch 🚀👨‍👩‍👧 日本語 café" to x')
    assert c.text == "Launch 🚀👨‍👩‍👧 日本語 café"
    assert post('post "cafe\u0301" to x').text == "café"  # NFC


def test_control_characters_are_stripped_but_newlines_and_tabs_kept() -> None:
    assert post('post "a\x00b\x07c\td\r\ne" to x').text == "abc\td\ne"


def test_a_line_of_three_dashes_splits_a_thread() -> None:
    c = post('post "First\n---\nSecond\n  ---  \nThird" to x,threads')
    assert c.thread == ["First", "Second", "Third"]
    assert c.main_text == "First"
    assert c.text == "First\n---\nSecond\n  ---  \nThird"
    assert post('post "No --- split and\n----\nnot this" to x').thread == ["No --- split and\n----\nnot this"]


def test_an_empty_thread_part_is_an_error() -> None:
    assert "Part 2 of the thread is empty" in error('post "a\n---\n---\nb" to x').message


def test_quoted_text_errors() -> None:
    assert "closing quote is missing" in error('post "Hello to x').message
    e = error('post "Best day ever" said our CEO to x')
    assert "“said our CEO”" in e.message
    assert e.example.startswith('/late post "Best day ever" to x')
    assert "no text" in error('post "" to x').message
    assert "What should the post say" in error("post").message


def test_media_urls() -> None:
    c = post('post "Look" to ig with https://x.io/a.jpg, https://x.io/b.mp4 https://img.io/w_10,h_10/c.png')
    assert c.media == ["https://x.io/a.jpg", "https://x.io/b.mp4", "https://img.io/w_10,h_10/c.png"]
    assert post('post "" to ig with https://x.io/a.jpg').text == ""  # media without a caption
    assert "not a media URL" in error('post "Look" to ig with photo.jpg').message
    assert "needs a media URL" in error('post "Look" to ig with').message


def test_targets_are_lowercased_words_and_may_be_handles() -> None:
    assert post('post "Hi" to X, LinkedIn').targets == ["x", "linkedin"]
    assert post('post "Hi" to x bluesky and @Acme_Handle').targets == ["x", "bluesky", "@acme_handle"]
    assert post('post "Hi" to acme.bsky.social').targets == ["acme.bsky.social"]
    assert post('post "Hi" to x:@acme').targets == ["x:@acme"]
    assert post('post "Hi" to x to linkedin').targets == ["x", "linkedin"]  # repeated `to` adds up
    assert "needs a platform" in error('post "Hi" to').message
    assert "needs a platform" in error('post "Hi" to now').message
    assert "not a platform" in error('post "Hi" to x!').message


# --- unquoted text ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "text", "targets", "mode"),
    [
        ("post Hello from the team to x tomorrow 9am", "Hello from the team", ["x"], "schedule"),
        ("post Big news to x in 2 hours", "Big news", ["x"], "schedule"),
        ("post Big news to x, linkedin now", "Big news", ["x", "linkedin"], "now"),
        ("post Big news to @acme draft", "Big news", ["@acme"], "draft"),
        # Option words that are prose stay in the text.
        ("post I went to the store", "I went to the store", [], "now"),
        ("post Lunch at noon to x", "Lunch at noon", ["x"], "now"),
        ("post Coffee with friends to x", "Coffee with friends", ["x"], "now"),
        ("post We met at 5pm yesterday to x", "We met at 5pm yesterday", ["x"], "now"),
        ("post Launching in 2 hours! to x", "Launching in 2 hours!", ["x"], "now"),
        ("post I'll be there in a minute", "I'll be there in a minute", [], "now"),
        ("post See you on monday to x", "See you on monday", ["x"], "now"),
        ("post we are live now", "we are live now", [], "now"),
        ("post see you tomorrow", "see you tomorrow", [], "now"),
        ("post Come to reddit to x", "Come to reddit", ["x"], "now"),  # each option once: the last `to`
        ("post Read the blog with https://example.com/post to x", "Read the blog with https://example.com/post",
         ["x"], "now"),
        ("post Born in 1990 and moved to x", "Born in 1990 and moved", ["x"], "now"),
    ],
)
def test_unquoted_text_ends_where_options_begin(line: str, text: str, targets: list[str], mode: str) -> None:
    c = post(line)
    assert (c.text, c.targets, c.mode) == (text, targets, mode)


def test_unquoted_options_that_cannot_be_prose_are_options() -> None:
    c = post("post New photo with https://x.io/p.jpg to ig")
    assert (c.text, c.media, c.targets) == ("New photo", ["https://x.io/p.jpg"], ["ig"])
    c = post("post Our meetup on Dec 1 14:30")
    assert (c.text, c.scheduled_for) == ("Our meetup", datetime(2026, 12, 1, 14, 30, tzinfo=NY))
    c = post("post Multi\nline\n---\nthread to x")
    assert c.thread == ["Multi\nline", "thread"]


def test_unquoted_text_ending_in_a_broken_option_is_an_error_not_a_post() -> None:
    e = error("post Big news to x at 25pm")
    assert "“25pm”" in e.message and "put it in quotes" in e.message
    e = error("post Big news to x tz Mars/Olympus")
    assert "Mars/Olympus" in e.message
    assert "no text" in error("post to x now").message


# --- the other commands -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("queue", model.QueueCommand()),
        ("Queue", model.QueueCommand()),
        ("show 8kq3m2xd", model.ShowCommand(id="8kq3m2xd")),
        ("show `r1`", model.ShowCommand(id="r1")),
        ("cancel r1", model.CancelCommand(id="r1")),
        ("retry 64e1f0a9", model.RetryCommand(id="64e1f0a9")),
        ('edit r1 "New text"', model.EditCommand(id="r1", text="New text")),
        ("edit r1 New text, unquoted", model.EditCommand(id="r1", text="New text, unquoted")),
        ("edit r1\nline one\n---\nline two", model.EditCommand(id="r1", text="line one\n---\nline two")),
        ("accounts", model.AccountsCommand()),
        ("health", model.HealthCommand()),
        ("usage", model.UsageCommand()),
        ("profiles", model.ProfilesCommand()),
        ("bind Acme", model.BindCommand(profile="Acme")),
        ('bind "My Brand"', model.BindCommand(profile="My Brand")),
        ("bind My Brand", model.BindCommand(profile="My Brand")),
        ("config", model.ConfigCommand()),
        ("config approvals", model.ConfigCommand(key="approvals")),
        ("config approvals 2", model.ConfigCommand(key="approvals", value="2")),
        ("config approvers @alice @bob", model.ConfigCommand(key="approvers", value="@alice @bob")),
        ("help", model.HelpCommand()),
        ("help POST", model.HelpCommand(topic="post")),
        ("", model.HelpCommand()),
        ("/late", model.HelpCommand()),
    ],
)
def test_commands(line: str, command: model.Command) -> None:
    assert parse(line, CTX) == command
    assert parse(render(command), CTX) == command


@pytest.mark.parametrize(
    ("line", "words", "example"),
    [
        ("pots", "Did you mean post?", "/late post"),
        ("list", "Did you mean queue?", "/late queue"),
        ("frobnicate", "/late help lists them all", "/late help"),
        ("show", "needs the id", "/late show 8kq3m2xd"),
        ("show a b", "one id", "/late show 8kq3m2xd"),
        ("cancel <oops>", "not a request or post id", "/late cancel 8kq3m2xd"),
        ("edit r1", "needs the new text", '/late edit r1 "The new text"'),
        ("queue everything", "takes nothing after it", "/late queue"),
        ("bind", "needs a Late profile", "/late bind Acme"),
        ("help frob", "no command “frob”", "/late help"),
    ],
)
def test_command_errors(line: str, words: str, example: str) -> None:
    e = error(line)
    assert words in e.message
    assert e.example == example
    assert str(e) == f"{e.message}\nFor example: {example}"


def test_render_writes_the_time_absolutely() -> None:
    c = post('post "Hello from the team" to x tomorrow 9am')
    text = render(c)
    assert text == 'post "Hello from the team" to x at "2026-11-23 09:00" tz America/New_York'
    again = parse(text, ParseContext(now=NOW, timezone="Asia/Tokyo"))
    assert again == c.model_copy(update={"time_phrase": "2026-11-23 09:00"})


def test_render_keeps_an_ambiguous_wall_time_exact() -> None:
    before = ParseContext(now=datetime(2026, 10, 1, tzinfo=UTC), timezone="America/New_York")
    second = post('post "x" at "2026-11-01 01:30 -05:00" tz America/New_York', before)  # the repeated hour
    assert render(second) == 'post "x" at "2026-11-01 01:30 -05:00" tz America/New_York'
    assert parse(render(second), before) == second
