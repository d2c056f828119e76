"""Invisible characters and media URLs (issue 12): what is dropped, what the card warns about, and
which URLs are refused before Late sees them. Units, then through the console on the real core."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import glyphs, urls
from commands.text import clean
from tests.harness import core_harness

FAMILY = "👨\u200d👩\u200d👧"
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"


@pytest.mark.parametrize(("typed", "posted"), [
    ("zero\u200bwidth", "zerowidth"),
    ("word\u2060joiner\ufeff", "wordjoiner"),
    (f"a family {FAMILY} stays", f"a family {FAMILY} stays"),
    ("❤\ufe0f\u200d🔥 and ☺\ufe0f keep their selectors", "❤\ufe0f\u200d🔥 and ☺\ufe0f keep their selectors"),
    (f"flag {SCOTLAND}", f"flag {SCOTLAND}"),
    ("hidden\U000e0041\U000e0042 tags", "hidden tags"),  # ASCII smuggled in tag characters
    ("a\u200d b", "a b"),  # a joiner between nothing that joins
    ("क्\u200dष", "क्\u200dष"),  # Devanagari shapes with it
    ("LTR text\u200e only", "LTR text only"),
    ("עברית\u200f mark", "עברית\u200f mark"),  # beside right-to-left letters a mark means something
    ("click \u202egnp.exe", "click \u202egnp.exe"),  # kept, and warned about
])
def test_invisible_characters_that_mean_nothing_are_dropped(typed: str, posted: str) -> None:
    assert clean(typed) == posted


def test_direction_controls_and_shortcodes_are_warnings() -> None:
    [bidi] = glyphs.hazards("click \u202egnp.exe")
    assert "RIGHT-TO-LEFT OVERRIDE" in bidi and "phishing" in bidi
    [code] = glyphs.hazards("Party :partyparrot: at 10:30:00, see https://x.io/a:b:")
    assert code.startswith(":partyparrot: is posted as typed")
    assert glyphs.hazards("Plain text, 10:30:45 and a ratio 3:1") == []


@pytest.mark.parametrize(("url", "why"), [
    ("http://example.com/a.jpg", "must start with https://"),
    ("https://localhost/a.jpg", "names a host on a local network"),
    ("https://printer.local/a.jpg", "names a host on a local network"),
    ("https://127.0.0.1/a.jpg", "a loopback address"),
    ("https://127.1/a.jpg", "a loopback address"),
    ("https://2130706433/a.jpg", "a loopback address"),
    ("https://0x7f.0.0.1/a.jpg", "a loopback address"),
    ("https://[::1]/a.jpg", "a loopback address"),
    ("https://[::ffff:10.0.0.1]/a.jpg", "a private network address"),
    ("https://10.1.2.3/a.jpg", "a private network address"),
    ("https://192.168.0.10/a.jpg", "a private network address"),
    ("https://169.254.169.254/latest/meta-data", "a link-local address"),
    ("https://[fe80::1]/a.jpg", "a link-local address"),
    ("https://0.0.0.0/a.jpg", "not a public address"),
    ("https://user@127.0.0.1/a.jpg", "a loopback address"),
])
def test_media_urls_late_could_not_fetch_are_refused_with_the_reason(url: str, why: str) -> None:
    problem = urls.problem(url)
    assert problem is not None and why in problem


def test_public_https_urls_pass() -> None:
    for url in ("https://example.com/a.jpg", "https://8.8.8.8/a.png", "https://media.zernio.com/temp/x.mp4",
                "https://[2606:4700::1111]/a.jpg"):
        assert urls.problem(url) is None, url


async def test_the_console_shows_the_warning_and_refuses_private_media(tmp_path: Path) -> None:
    async with core_harness(tmp_path) as h:
        console = h.console("alice")
        out = await console.run('/late post "Open inv\u200boice\u202efdp.exe" to x now')
        assert "⚠ The text has invisible direction controls (RIGHT-TO-LEFT OVERRIDE)" in out
        request = await h.core.approvals.get("r1")
        assert request.draft.text == "Open invoice\u202efdp.exe"  # the zero-width space is gone
        out = await console.run('/late post "Photo" to x with http://example.com/a.jpg now')
        assert "must start with https://" in out
        out = await console.run('/late post "Photo" to x with https://192.168.1.20/a.jpg now')
        assert "points to a private network address; Late can only fetch from a public address." in out
        out = await console.run('/late edit r1 with https://localhost/a.jpg')
        assert "names a host on a local network" in out
        assert h.late.calls("POST", "/v1/posts") == []
