"""Target words ("x", "linkedin", "@acme", "x:@acme") -> the channel's Late accounts."""

from __future__ import annotations

import difflib
from collections import Counter
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


def _words(accounts: Sequence[AccountLike]) -> list[str]:
    """For each account, the shortest word that names exactly it: its platform, its handle, or both.

    One pass to count platforms and handles, one to choose: linear in the accounts."""
    on_platform = Counter(a.platform for a in accounts)
    handles = [handle(a).lower() for a in accounts]
    with_handle = Counter(handles)
    out: list[str] = []
    for account, name in zip(accounts, handles, strict=True):
        if on_platform[account.platform] == 1:
            out.append(account.platform)
        elif with_handle[name] == 1:
            out.append(f"@{name}")
        else:
            out.append(f"{account.platform}:@{name}")
    return out


def _word_for(account: AccountLike, accounts: Sequence[AccountLike]) -> str:
    return _words([account, *(a for a in accounts if a is not account)])[0]


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
    word_of = {id(a): w for a, w in zip(accounts, _words(accounts), strict=True)}
    words = [word_of[id(a)] for a in found]
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


def target_choices(accounts: Sequence[AccountLike], prefix: str, limit: int | None = None) -> list[tuple[str, str]]:
    """Autocomplete for a comma-separated `to`: (label, value) pairs completing the last word, the
    first `limit` of them."""
    done, _, last = prefix.rpartition(",")
    chosen = [w.strip().lower() for w in done.split(",") if w.strip()]
    taken = set(chosen)
    head = ",".join(chosen)
    last = last.strip().lower().lstrip("@")
    out: list[tuple[str, str]] = []
    for account, word in zip(accounts, _words(accounts), strict=True):
        if word in taken or (last and not _named_from(account, last)):
            continue
        value = f"{head},{word}" if head else word
        out.append((f"{value} ({label(account)})", value))
        if limit is not None and len(out) >= limit:
            break
    return out


def _named_from(account: AccountLike, start: str) -> bool:
    """Whether a word that names the account (its platform, an alias of it, a name) starts with `start`."""
    if account.platform.startswith(start) or any(a.startswith(start) for a in account_aliases(account.platform)):
        return True
    return any(n.startswith(start) for n in _names(account))


def account_aliases(platform: str) -> list[str]:
    p = platforms.PLATFORMS.get(platform)
    return list(p.aliases) if p else []
