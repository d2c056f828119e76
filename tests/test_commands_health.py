"""The words of `/late connect <platform>` and `/late queue failed`, as text and as typed options."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.errors import ParseError
from commands import model
from commands.help import help_text
from commands.options import from_options
from commands.parser import ParseContext, parse, render

CTX = ParseContext(now=datetime(2026, 11, 22, 12, 0, tzinfo=UTC))


@pytest.mark.parametrize(("line", "command"), [
    ("connect linkedin", model.ConnectCommand(platform="linkedin")),
    ("connect X", model.ConnectCommand(platform="twitter")),
    ("/late connect ig", model.ConnectCommand(platform="instagram")),
    ("reconnect bsky", None),  # a synonym: "did you mean connect"
    ("queue", model.QueueCommand()),
    ("queue failed", model.QueueCommand(which="failed")),
    ("queue  FAILED", model.QueueCommand(which="failed")),
])
def test_the_words(line: str, command: model.Command | None) -> None:
    if command is None:
        with pytest.raises(ParseError, match="Did you mean connect"):
            parse(line, CTX)
        return
    assert parse(line, CTX) == command
    assert parse(render(command), CTX) == command


@pytest.mark.parametrize(("line", "words"), [
    ("connect", "needs the platform"),
    ("connect myspace", "is not a platform Late connects"),
    ("connect linkdin", "Did you mean linkedin?"),
    ("connect x linkedin", "takes one platform"),
    ("queue everything", "takes nothing after it (or `failed`)"),
])
def test_the_mistakes(line: str, words: str) -> None:
    with pytest.raises(ParseError, match=words.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")):
        parse(line, CTX)


def test_typed_options_read_the_same() -> None:
    assert from_options("connect", {"platform": "x"}, CTX) == model.ConnectCommand(platform="twitter")
    assert from_options("queue", {"which": "failed"}, CTX) == model.QueueCommand(which="failed")
    assert from_options("queue", {}, CTX) == model.QueueCommand()
    with pytest.raises(ParseError, match="takes nothing after it"):
        from_options("queue", {"which": "all"}, CTX)


def test_help_names_them() -> None:
    assert "/late connect <platform>" in help_text("connect") and "/late queue failed" in help_text("queue")
    assert "/late connect <platform> — A link to connect" in help_text()
