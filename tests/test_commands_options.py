"""commands.options: Discord's typed options and modal fields -> the same commands as text."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.errors import ParseError
from commands import model
from commands.help import TOPICS, help_text
from commands.options import from_options
from commands.parser import ParseContext, parse

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
NY = ZoneInfo("America/New_York")
CTX = ParseContext(now=NOW, timezone="America/New_York")


def fails(name: str, options: dict[str, str]) -> ParseError:
    with pytest.raises(ParseError) as caught:
        from_options(name, options, CTX)
    assert caught.value.example
    return caught.value


@pytest.mark.parametrize(
    ("options", "line"),
    [
        ({"text": "Launch day! 🚀", "to": "twitter,linkedin", "when": "2026-12-01 09:00",
          "tz": "America/New_York"},
         'post "Launch day! 🚀" to twitter,linkedin at "2026-12-01 09:00" tz America/New_York'),
        ({"text": "Hello from the team", "to": "x", "when": "tomorrow 9am"},
         'post "Hello from the team" to x tomorrow 9am'),
        ({"text": "Now is the time", "to": "bluesky", "mode": "now"},
         'post "Now is the time" to bluesky now'),
        ({"text": "An idea for later", "to": "linkedin", "mode": "draft"},
         'post "An idea for later" to linkedin draft'),
        ({"text": "Soon", "to": "x", "when": "in 2 hours", "mode": "schedule"},
         'post "Soon" to x in 2 hours'),
        ({"text": "At", "to": "x", "when": "at 5pm"}, 'post "At" to x at 5pm'),
        ({"text": "No targets", "when": "now"}, 'post "No targets" now'),
        ({"text": 'Quotes "stay" as typed', "to": "x"}, r'post "Quotes \"stay\" as typed" to x'),
        ({"text": "Pics", "to": "ig", "media": "https://x.io/a.jpg\nhttps://x.io/b.png, https://x.io/c.mp4"},
         'post "Pics" to ig with https://x.io/a.jpg https://x.io/b.png https://x.io/c.mp4'),
        ({"text": "A\n---\nthread", "to": "x, bluesky", "mode": "now", "tz": "", "when": ""},
         'post "A\n---\nthread" to x,bluesky now'),
    ],
)
def test_post_options_mean_what_the_same_text_means(options: dict[str, str], line: str) -> None:
    assert from_options("post", options, CTX) == parse(line, CTX)


@pytest.mark.parametrize(
    ("options", "line"),
    [
        ({"text": "Hi", "to": "tiktok", "privacy": "everyone"}, 'post "Hi" to tiktok privacy everyone'),
        ({"text": "Hi", "to": "pinterest", "link": "example.com"}, 'post "Hi" to pinterest link example.com'),
    ],
)
def test_a_wrong_option_is_refused_in_the_same_words_typed_or_written(options: dict[str, str], line: str) -> None:
    with pytest.raises(ParseError) as written:
        parse(line, CTX)
    assert fails("post", options).message == written.value.message


def test_a_subreddit_reads_the_same_typed_or_written() -> None:
    for name in ("python", "r/python", "/r/python", "/python"):
        typed = from_options("post", {"text": "Hi", "to": "reddit", "subreddit": name}, CTX)
        assert typed == parse(f'post "Hi" to reddit subreddit {name}', CTX)
        assert isinstance(typed, model.PostCommand) and typed.options.subreddit == "python"


def test_the_hello_example_resolves_in_the_users_zone() -> None:
    c = from_options("post", {"text": "Hello from the team", "to": "x", "when": "tomorrow 9am"}, CTX)
    assert isinstance(c, model.PostCommand)
    assert (c.mode, c.scheduled_for, c.time_phrase) == ("schedule", datetime(2026, 11, 23, 9, tzinfo=NY),
                                                        "tomorrow 9am")


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"text": "Hi", "when": "2025-01-01 09:00"}, "in the past"),
        ({"text": "Hi", "when": "banana"}, "“banana”"),
        ({"text": "Hi", "when": "9am", "tz": "Mars/Base"}, "not an IANA time zone"),
        ({"text": "Hi", "mode": "schedule"}, "Say when"),
        ({"text": "Hi", "mode": "now", "when": "9am"}, "not both"),
        ({"text": "Hi", "mode": "later"}, "not a mode"),
        ({"text": "Hi", "to": "x tomorrow"}, "not among the targets"),
        ({"text": "Hi", "to": "x!"}, "not a platform"),
        ({"text": "Hi", "media": "photo.jpg"}, "not a media URL"),
        ({"text": "a\n---\n---\nb"}, "Part 2 of the thread is empty"),
        ({"to": "x"}, "What should the post say"),
        ({"text": "Hi", "colour": "blue"}, "no option colour"),
    ],
)
def test_post_option_errors(options: dict[str, str], words: str) -> None:
    assert words in fails("post", options).message


@pytest.mark.parametrize(
    ("name", "options", "command"),
    [
        ("queue", {}, model.QueueCommand()),
        ("show", {"id": "r1"}, model.ShowCommand(id="r1")),
        ("cancel", {"id": " r1 "}, model.CancelCommand(id="r1")),
        ("retry", {"id": "r1"}, model.RetryCommand(id="r1")),
        ("edit", {"id": "r1", "text": '"Keep the quotes"'},
         model.EditCommand(id="r1", text='"Keep the quotes"')),
        ("accounts", {}, model.AccountsCommand()),
        ("health", {}, model.HealthCommand()),
        ("usage", {}, model.UsageCommand()),
        ("profiles", {}, model.ProfilesCommand()),
        ("bind", {"profile": "My Brand"}, model.BindCommand(profile="My Brand")),
        ("config", {}, model.ConfigCommand()),
        ("config", {"key": "approvals", "value": "2"}, model.ConfigCommand(key="approvals", value="2")),
        ("help", {"command": "post"}, model.HelpCommand(topic="post")),
        ("HELP", {}, model.HelpCommand()),
    ],
)
def test_other_commands(name: str, options: dict[str, str], command: model.Command) -> None:
    assert from_options(name, options, CTX) == command


@pytest.mark.parametrize(
    ("name", "options", "words"),
    [("show", {}, "needs the id"), ("edit", {"id": "r1"}, "needs the new text"), ("bind", {}, "needs a Late"),
     ("config", {"value": "2"}, "which setting"), ("help", {"command": "frob"}, "no command"),
     ("pots", {}, "Did you mean post?"), ("queue", {"id": "r1"}, "no option id")],
)
def test_other_command_errors(name: str, options: dict[str, str], words: str) -> None:
    assert words in fails(name, options).message


def test_help_lists_every_command_with_examples() -> None:
    overview = help_text(None)
    for name in model.NAMES:
        assert f"/late {TOPICS[name][0]}" in overview
        one = help_text(name)
        assert one.startswith(f"/late {TOPICS[name][0]}") and "Examples:" in one
    assert "There is no command “frob”" in help_text("frob")
    assert "Did you mean post?" in help_text("pots")


def test_every_help_example_parses() -> None:
    for _usage, _what, examples in TOPICS.values():
        for line in examples:
            parse(line, CTX)
