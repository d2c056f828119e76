"""commands.targets: target words -> the channel's accounts, and autocomplete."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.errors import ParseError
from commands.targets import resolve_targets, target_choices


@dataclass(frozen=True)
class Account:
    id: str
    platform: str
    username: str | None
    display_name: str | None = None


X = Account("a1", "twitter", "@acme", "Acme")
LI = Account("a2", "linkedin", "acme-inc", "Acme Inc")
IG = Account("a3", "instagram", "acme", None)
BSKY = Account("a4", "bluesky", "acme.bsky.social", "Acme")
ACCOUNTS = [X, LI, IG, BSKY]


def fails(words: list[str], accounts: list[Account] = ACCOUNTS) -> ParseError:
    with pytest.raises(ParseError) as caught:
        resolve_targets(words, accounts)
    assert caught.value.example
    return caught.value


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["twitter"], [X]), (["x"], [X]), (["X"], [X]), (["li", "linkedin"], [LI]), (["ig"], [IG]),
        (["bsky"], [BSKY]), (["x", "linkedin"], [X, LI]), (["linkedin", "x"], [LI, X]),
        (["@acme-inc"], [LI]), (["acme-inc"], [LI]), (["@ACME.BSKY.SOCIAL"], [BSKY]),
        (["acmeinc"], [LI]),  # a display name without its spaces
        (["x:@acme"], [X]), (["instagram:acme"], [IG]), (["a3"], [IG]),  # account ids, as forms send them
        (["x,"], [X]),
    ],
)
def test_resolve(words: list[str], expected: list[Account]) -> None:
    assert resolve_targets(words, ACCOUNTS) == expected


def test_unknown_words_suggest_close_ones_and_list_the_accounts() -> None:
    e = fails(["twiter"])
    assert "No platform or account “twiter” here. Did you mean twitter?" in e.message
    assert "X @acme, LinkedIn @acme-inc, Instagram @acme, Bluesky @acme.bsky.social" in e.message
    assert e.example == '/late post "Launch day!" to twitter tomorrow 9am'
    assert "Did you mean @acme-inc" in fails(["@acme-in"]).message


def test_a_platform_without_an_account_here() -> None:
    e = fails(["tiktok"])
    assert e.message.startswith("This channel's profile has no TikTok account.")


def test_a_word_matching_several_accounts_asks_for_the_handle() -> None:
    e = fails(["@acme"])  # on X and on Instagram
    assert "matches 2 accounts" in e.message and "say which: twitter or instagram" in e.message
    second_x = Account("a9", "twitter", "@acme_eu", "Acme EU")
    e = fails(["x"], [*ACCOUNTS, second_x])
    assert "“x” matches 2 accounts here (X @acme, X @acme_eu)" in e.message
    assert "@acme_eu" in e.message
    assert resolve_targets(["@acme_eu"], [*ACCOUNTS, second_x]) == [second_x]


def test_target_choices_complete_the_last_word() -> None:
    assert target_choices(ACCOUNTS, "") == [
        ("twitter (X @acme)", "twitter"), ("linkedin (LinkedIn @acme-inc)", "linkedin"),
        ("instagram (Instagram @acme)", "instagram"), ("bluesky (Bluesky @acme.bsky.social)", "bluesky")]
    assert target_choices(ACCOUNTS, "twitter,lin") == [
        ("twitter,linkedin (LinkedIn @acme-inc)", "twitter,linkedin")]
    assert [v for _, v in target_choices(ACCOUNTS, "b")] == ["bluesky"]
    every = ["twitter", "linkedin", "instagram", "bluesky"]
    assert [v for _, v in target_choices(ACCOUNTS, "@acme")] == every
    assert target_choices(ACCOUNTS, "zzz") == []
