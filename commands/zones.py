"""IANA time zones: checking a name the user typed, and suggesting names as they type."""

from __future__ import annotations

import difflib
import functools
import zoneinfo

from bot.errors import ParseError

# Abbreviations people type for a zone; only ever offered as suggestions, never accepted silently,
# since "CST" alone means three different places.
_ABBREVIATIONS = {
    "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles", "pt": "America/Los_Angeles",
    "mst": "America/Denver", "mdt": "America/Denver", "cst": "America/Chicago", "cdt": "America/Chicago",
    "est": "America/New_York", "edt": "America/New_York", "et": "America/New_York",
    "bst": "Europe/London", "cet": "Europe/Berlin", "cest": "Europe/Berlin", "ist": "Asia/Kolkata",
    "jst": "Asia/Tokyo", "aest": "Australia/Sydney", "aedt": "Australia/Sydney",
}
COMMON = (
    "UTC", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
    "America/Sao_Paulo", "Europe/London", "Europe/Paris", "Europe/Berlin", "Asia/Kolkata",
    "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney",
)
EXAMPLE_ZONE = "America/New_York"


@functools.cache
def _zones() -> dict[str, str]:
    """Lowercase name -> IANA name; read once, since listing the tz database walks the disk."""
    names = zoneinfo.available_timezones()
    return {name.lower(): name for name in sorted(names) if name != "localtime"}


def close_zones(name: str, n: int = 3) -> list[str]:
    key = name.strip().lower().replace(" ", "_")
    found = [_ABBREVIATIONS[key]] if key in _ABBREVIATIONS else []
    found += [_zones()[z] for z in difflib.get_close_matches(key, list(_zones()), n=n, cutoff=0.6)]
    found += suggest_zones(name)[:n]
    return list(dict.fromkeys(found))[:n]


def resolve_zone(name: str, example: str) -> str:
    """The IANA name for `name` (any case); else a ParseError that names it and suggests some.

    `example` is a command with `{zone}` where the corrected zone goes.
    """
    zone = _zones().get(name.strip().lower())
    if zone is not None:
        return zone
    close = close_zones(name)
    hint = f" Did you mean {' or '.join(close)}?" if close else " Zones look like Europe/Berlin."
    raise ParseError(
        f"“{name}” is not an IANA time zone.{hint}",
        example=example.format(zone=close[0] if close else EXAMPLE_ZONE),
    )


def suggest_zones(prefix: str) -> list[str]:
    """Zones for autocomplete: names starting with `prefix`, then names with a part (a city) that
    starts with it, then names containing it; spaces match underscores ("new york")."""
    key = prefix.strip().lower().replace(" ", "_")
    if not key:
        return list(COMMON)
    zones = _zones()
    starts = [z for k, z in zones.items() if k.startswith(key)]
    parts = [z for k, z in zones.items() if any(p.startswith(key) for p in k.split("/")[1:])]
    inside = [z for k, z in zones.items() if key in k]
    abbreviation = [_ABBREVIATIONS[key]] if key in _ABBREVIATIONS else []
    return list(dict.fromkeys(abbreviation + starts + parts + inside))
