"""Target words ("x", "linkedin", "@acme", "x:@acme") -> the channel's Late accounts."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Protocol, TypeVar

from bot import platforms
from bot.errors import ParseError

EXAMPLE = '/late post "Launch day!" to {targets} tomorrow 9am'


class AccountLike(Protocol):
    """What targets need of a Late account (bot.late.models.Account has more)."""

    @property
    def id(self) -> str: ...

    @property
    def platform(self) -> str: ...

    @property
    def username(self) -> str | None: ...

    @property
    def display_name(self) -> str | None: ...


A = TypeVar("A", bound=AccountLike)


def handle(account: AccountLike) -> str:
    """The account's handle without "@" (Late sends "@acme" for some platforms, "acme" for others)."""
    return (account.username or account.display_name or account.id).lstrip("@")


def label(account: AccountLike) -> str:
    return f"{platforms.display_name(account.platform)} @{handle(account)}"


def _handle_names(account: AccountLike) -> set[str]:
    return {(account.username or "").lstrip("@").lower(), account.id.lower()} - {""}


def _names(account: AccountLike) -> set[str]:
    """Every word that names the account: its handle, its id, its display name (with or without spaces)."""
    shown = (account.display_name or "").lower()
    return (_handle_names(account) | {shown, shown.replace(" ", "")}) - {""}


def _word_for(account: AccountLike, accounts: Sequence[AccountLike]) -> str:
    """The shortest word that names exactly this account: its platform, its handle, or both."""
    if sum(a.platform == account.platform for a in accounts) == 1:
        return account.platform
    at = "@" + handle(account).lower()
    if sum(handle(a).lower() == at[1:] for a in accounts) == 1:
        return at
    return f"{account.platform}:{at}"


def _unknown(word: str, accounts: Sequence[AccountLike]) -> ParseError:
    present = {a.platform for a in accounts}
    candidates = [alias for alias, p in platforms.ALIASES.items() if p in present]
    candidates += ["@" + n for a in accounts for n in _names(a)]
    close = difflib.get_close_matches(word, candidates, n=3, cutoff=0.6)
    here = ", ".join(label(a) for a in accounts) or "none yet"
    guess = f" Did you mean {' or '.join(close)}?" if close else ""
    fixed = close[0] if close else (_word_for(accounts[0], accounts) if accounts else "x")
    return ParseError(f"No platform or account “{word}” here.{guess} Accounts here: {here}.",
                      example=EXAMPLE.format(targets=fixed))


def _ambiguous(what: str, found: Sequence[AccountLike], accounts: Sequence[AccountLike]) -> ParseError:
    words = [_word_for(a, accounts) for a in found]
    return ParseError(f"“{what}” matches {len(found)} accounts here ({', '.join(label(a) for a in found)}); "
                      f"say which: {' or '.join(words)}.", example=EXAMPLE.format(targets=words[0]))


def _missing(platform: str, accounts: Sequence[AccountLike]) -> ParseError:
    here = ", ".join(label(a) for a in accounts) or "none yet"
    fixed = _word_for(accounts[0], accounts) if accounts else "x"
    return ParseError(f"This channel's profile has no {platforms.display_name(platform)} account. "
                      f"Accounts here: {here}.", example=EXAMPLE.format(targets=fixed))


def _match(word: str, accounts: Sequence[A]) -> list[A]:
    platform_part, _, handle_part = word.rpartition(":")
    pool: Sequence[A] = accounts
    if platform_part:  # "x:@acme": a handle on one platform
        platform = platforms.canonical(platform_part)
        pool = [a for a in accounts if a.platform == platform]
    elif not word.startswith("@") and (platform := platforms.canonical(word)) is not None:
        return [a for a in accounts if a.platform == platform]
    name = handle_part.lstrip("@")
    # A handle (or an id, which forms send) wins over a display name that happens to be the same.
    return [a for a in pool if name in _handle_names(a)] or [a for a in pool if name in _names(a)]


def resolve_targets(words: Sequence[str], accounts: Sequence[A]) -> list[A]:
    """The accounts `words` name, in order, each once. ParseError for a word that names none, or
    several (two accounts on one platform: name the handle)."""
    out: list[A] = []
    for raw in words:
        word = raw.strip().strip(",").lower()
        if not word:
            continue
        found = _match(word, accounts)
        if not found:
            platform = platforms.canonical(word)
            raise _missing(platform, accounts) if platform else _unknown(word, accounts)
        if len(found) > 1:
            raise _ambiguous(raw, found, accounts)
        if all(a.id != found[0].id for a in out):
            out.append(found[0])
    return out


def target_choices(accounts: Sequence[AccountLike], prefix: str) -> list[tuple[str, str]]:
    """Autocomplete for a comma-separated `to`: (label, value) pairs completing the last word."""
    done, _, last = prefix.rpartition(",")
    chosen = [w.strip().lower() for w in done.split(",") if w.strip()]
    last = last.strip().lower().lstrip("@")
    out: list[tuple[str, str]] = []
    for account in accounts:
        word = _word_for(account, accounts)
        if word in chosen:
            continue
        names = {account.platform, *account_aliases(account.platform), *_names(account)}
        if last and not any(n.startswith(last) for n in names):
            continue
        value = ",".join([*chosen, word])
        out.append((f"{value} ({label(account)})", value))
    return out


def account_aliases(platform: str) -> list[str]:
    p = platforms.PLATFORMS.get(platform)
    return list(p.aliases) if p else []
