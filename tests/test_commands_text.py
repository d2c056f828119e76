"""commands.text: Slack's escaping undone, plain text cleaned, quoting that reads back exactly."""

from __future__ import annotations

import pytest

from adapters.slack.text import command_text
from commands.text import clean, closers, plain, quote, readable, split_thread, unescape


@pytest.mark.parametrize(
    ("slack", "text"),
    [
        ("Tom &amp; Jerry &lt;3 &gt;", "Tom & Jerry <3 >"),
        ("&amp;lt;b&amp;gt; stays literal", "&lt;b&gt; stays literal"),
        ("thanks <@U123>", "thanks @U123"),
        ("thanks <@U123|alice>", "thanks @alice"),
        ("see <#C123|general>", "see #general"),
        ("see <#C123>", "see #C123"),
        ("read <https://x.io|x.io>", "read https://x.io"),
        ("read <https://x.io/a?b=1&amp;c=2>", "read https://x.io/a?b=1&c=2"),
        ("<!here> <!channel> <!everyone>", "@here @channel @everyone"),
        ("ping <!subteam^S1|@devs>", "ping @devs"),
        ("at <!date^1392734382^{date}|Feb 18, 2014>", "at Feb 18, 2014"),
        ("mail <mailto:a@b.co|a@b.co>", "mail a@b.co"),
        ("Launch day! 🚀 👨‍👩‍👧", "Launch day! 🚀 👨‍👩‍👧"),
        ("“curly” ‘quotes’ «kept»", "“curly” ‘quotes’ «kept»"),
    ],
)
def test_slack_markup_reads_as_posted_text(slack: str, text: str) -> None:
    # The Slack adapter keeps mentions as neutral tokens (with their ids); post text shows the names.
    assert readable(command_text(slack)) == text


def test_mentions_keep_their_ids_for_settings() -> None:
    assert command_text("config approvers <@U1|bob> <!subteam^S9|@devs>") == "config approvers <@U1|bob> <@&S9|@devs>"
    text = "config approval_channel <#C0APPROVE|approvals>"
    assert command_text(text) == text


def test_plain_text_is_not_unescaped() -> None:
    assert plain("Tom &amp; <@U1> <https://x.io>") == "Tom &amp; <@U1> <https://x.io>"


def test_clean_strips_control_characters_keeps_newline_tab_and_emoji_joiners() -> None:
    assert clean("a\x00b\x1bc\x7fd\te\r\nf\rg") == "abcd\te\nf\ng"
    assert clean("🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f") == (
        "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f")  # Scotland's flag: tags stay
    assert clean("\u200fשלום") == "\u200fשלום"  # direction marks stay
    assert clean("cafe\u0301") == "café"
    assert clean("lone \ud800 surrogate") == "lone  surrogate"


def test_split_thread() -> None:
    assert split_thread("one") == ["one"]
    assert split_thread("one\n---\ntwo\n\t---\t\nthree") == ["one", "two", "three"]
    assert split_thread("a --- b") == ["a --- b"]
    assert split_thread("a\n---") == ["a", ""]


@pytest.mark.parametrize(
    "text",
    ['plain', 'a "quoted" word', "“curly” and ‘single’ «guillemets»", "¯\\_(ツ)_/¯", "ends with \\",
     'backslash before quote \\"', "\\\\ two", "", "multi\nline\n---\nthread"],
)
def test_quote_reads_back_exactly(text: str) -> None:
    quoted = quote(text)
    assert closers(quoted, 0)[0] == len(quoted) - 1  # the first closing quote is the last character
    assert unescape(quoted[1:-1]) == text


def test_closers_are_followed_by_whitespace_or_the_end() -> None:
    source = '"a"b c" d"'
    assert closers(source, 0) == [6, 9]
