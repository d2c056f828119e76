"""Properties of the parser: anything in, a command or a ParseError out; render reads back exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from bot.errors import ParseError
from bot.specifics import Specifics
from commands import model
from commands.options import from_options
from commands.parser import ParseContext, parse, render
from commands.text import clean, split_thread
from commands.when import canonical_time
from commands.words import KEYWORDS

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe",
         "America/St_Johns"]
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Words that steer the parser, so that random input reaches its corners.
VOCAB = [
    "post", "/late", "edit", "show", "config", "help", "bind", "queue", *sorted(KEYWORDS), "and", ",", "x",
    "twitter,linkedin", "ig", "@acme", "x:@acme", "tomorrow", "9am", "5pm", "at", "in", "2", "hours",
    "Dec", "1", "14:30", "yesterday", "noon", '"', "“", "”", "'", "‘", "’", "«", "»", "\\", '\\"', "---",
    "\n---\n", "\n", "\t", "🚀", "👨‍👩‍👧", "日本語", "America/New_York", "Mars/Base", "https://x.io/a.jpg",
    "https://x.io/page", "2026-12-01", "09:00", '"2026-12-01 09:00"', "2025-01-01", "now!", "\x00", "&amp;",
]
contexts = st.builds(ParseContext, now=st.just(NOW), timezone=st.sampled_from(ZONES))
prefixes = st.sampled_from(
    ["", "post ", "/late post ", 'post "', "edit r1 ", "show ", "config k ", "help ", "x "])
random_lines = st.one_of(
    st.builds(str.__add__, prefixes, st.text(max_size=300)),
    st.builds(str.__add__, prefixes, st.lists(
        st.tuples(st.sampled_from(VOCAB), st.sampled_from([" ", " ", " ", "", "\n"])), max_size=40,
    ).map(lambda pairs: "".join(w + sep for w, sep in pairs))),
    # Long input, up to 50,000 characters, built by repetition since Hypothesis draws little data.
    st.builds(lambda p, t, n: (p + t * n)[:50_000], prefixes, st.text(min_size=1, max_size=60),
              st.integers(1, 3000)),
    st.builds(lambda p, w, n: (p + " ".join(w) * n)[:50_000], prefixes, st.lists(st.sampled_from(VOCAB),
                                                                                   min_size=1, max_size=20),
              st.integers(1, 2000)),
)


@FAST
@given(random_lines, contexts)
def test_any_text_parses_to_a_command_or_a_parse_error(line: str, ctx: ParseContext) -> None:
    event("over 10,000 characters" if len(line) > 10_000 else "shorter")
    try:
        command = parse(line, ctx)
    except ParseError as exc:
        event("ParseError")
        assert exc.message and exc.example
        return
    event(command.kind if not isinstance(command, model.PostCommand) else f"post, {command.mode}")
    assert TypeAdapter(model.Command).validate_python(command.model_dump()) == command


option_values = st.one_of(st.text(max_size=60), st.sampled_from(VOCAB), st.sampled_from(
    ["tomorrow 9am", "now", "draft", "schedule", "x,linkedin", "https://x.io/a.jpg", "Europe/Berlin", ""]))


@FAST
@given(st.sampled_from([*model.NAMES, "nope"]),
       st.dictionaries(st.sampled_from(["text", "to", "when", "tz", "media", "mode", "id", "profile", "key",
                                        "value", "command"]), option_values, max_size=6),
       contexts)
def test_any_options_give_a_command_or_a_parse_error(name: str, options: dict[str, str],
                                                     ctx: ParseContext) -> None:
    try:
        from_options(name, options, ctx)
    except ParseError as exc:
        assert exc.message and exc.example


# --- parse(render(c)) == c ----------------------------------------------------------------------

_part = st.text(min_size=1, max_size=80).map(lambda t: clean(t).strip()).filter(bool)
texts = st.lists(_part, min_size=1, max_size=3).map("\n---\n".join).filter(
    lambda t: len(split_thread(t)) == 1 or all(split_thread(t)))
target_words = st.one_of(
    st.sampled_from(["x", "twitter", "linkedin", "li", "ig", "fb", "threads", "bsky", "yt", "gmb", "reddit"]),
    st.from_regex(r"@[a-z0-9_]{1,12}", fullmatch=True),
    st.from_regex(r"[a-z][a-z0-9_.-]{0,12}", fullmatch=True).filter(lambda w: w not in {*KEYWORDS, "and"}),
    st.from_regex(r"x:@[a-z0-9_]{1,8}", fullmatch=True),
)
media_urls = st.from_regex(r"https://[a-z]{1,8}\.(io|com)/[a-z0-9_,/-]{0,20}\.(jpg|png|mp4|gif|pdf)",
                           fullmatch=True)


@st.composite
def post_commands(draw: st.DrawFn) -> model.PostCommand:
    zone = draw(st.sampled_from(ZONES))
    mode = draw(st.sampled_from(["schedule", "now", "draft"]))
    when = phrase = None
    if mode == "schedule":
        # Any minute in the next three years, DST changes and repeated hours included.
        when = (NOW + timedelta(minutes=draw(st.integers(1, 3 * 366 * 24 * 60)))).astimezone(ZoneInfo(zone))
        phrase = canonical_time(when, zone)
    return model.PostCommand(
        text=draw(texts), targets=draw(st.lists(target_words, max_size=4)), mode=mode, scheduled_for=when,
        timezone=zone, time_phrase=phrase, media=draw(st.lists(media_urls, max_size=3)),
        options=draw(specifics),
    )


_value = st.text(min_size=1, max_size=40).map(lambda t: clean(t).strip()).filter(bool)
specifics = st.builds(
    Specifics,
    subreddit=st.none() | st.from_regex(r"[A-Za-z0-9_]{1,21}", fullmatch=True),
    title=st.none() | _value, board=st.none() | _value, first_comment=st.none() | _value,
    link=st.none() | st.from_regex(r"https://[a-z]{1,8}\.com/[a-z0-9/]{0,12}", fullmatch=True),
    content_type=st.none() | st.sampled_from(["story", "reel"]),
    privacy=st.none() | st.sampled_from(["public", "friends", "followers", "private", "unlisted"]),
)


@st.composite
def edit_commands(draw: st.DrawFn) -> model.EditCommand:
    post = draw(post_commands())
    text = draw(st.none() | st.just(post.text))
    targets = draw(st.none() | st.just(post.targets)) or None
    timed = draw(st.booleans())
    command = model.EditCommand(
        id="r1", text=text, targets=targets, mode=post.mode if timed else None,
        scheduled_for=post.scheduled_for if timed else None, timezone=post.timezone if timed else None,
        media=draw(st.none() | st.just(post.media)) or None,  # no words clear the media
        options=post.options,
    )
    if not command.changes_anything:
        command = command.model_copy(update={"text": post.text})
    return command


@FAST
@given(edit_commands(), contexts)
def test_render_then_parse_gives_the_same_edit(command: model.EditCommand, ctx: ParseContext) -> None:
    assert parse(render(command), ctx) == command


@FAST
@given(post_commands(), contexts)
def test_render_then_parse_gives_the_same_post(command: model.PostCommand, ctx: ParseContext) -> None:
    again = parse(render(command), ctx)
    assert again == command
    # Datetimes in one zone compare by wall clock, so check the instant too (the repeated hour).
    assert isinstance(again, model.PostCommand)
    if command.scheduled_for is not None:
        assert again.scheduled_for is not None
        assert again.scheduled_for.astimezone(UTC) == command.scheduled_for.astimezone(UTC)
