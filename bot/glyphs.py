"""Characters that do not show: which are dropped from a post, and which the card warns about.

Invisible characters are a known trick: a right-to-left override (U+202E) makes a link or a name
read differently from what is posted, and zero-width or tag characters hide text in plain sight.
Dropped, since they mean nothing in a post: zero-width spaces and joiners outside the sequences
that need them, word joiners, byte-order marks, invisible operators, deprecated format controls,
tag characters outside a flag, and direction marks in text with no right-to-left letters. Kept:
the ZWJ inside emoji and in scripts that shape with it, variation selectors, the tags of a
subdivision flag (🏴󠁧󠁢󠁳󠁣󠁴󠁿), ZWNJ (Persian and Indic spelling needs it), and the bidirectional
embedding, override and isolate controls, which may be meant; those are named on the card.
"""

from __future__ import annotations

import re
import unicodedata

ZWJ = "\u200d"
ZWNJ = "\u200c"
_ALWAYS_DROPPED = frozenset(
    "\u200b"  # zero width space
    "\u2060"  # word joiner
    "\ufeff"  # zero width no-break space (byte-order mark)
    "\u180e"  # Mongolian vowel separator (no longer a space)
    "\u2061\u2062\u2063\u2064"  # invisible function application, times, separator, plus
    "\u206a\u206b\u206c\u206d\u206e\u206f"  # deprecated format controls
)
_MARKS = frozenset("\u200e\u200f\u061c")  # LRM, RLM, ALM: meaningful only beside right-to-left text
# Embeddings, overrides and isolates: they reorder what is shown.
BIDI_CONTROLS: dict[str, str] = {
    "\u202a": "LEFT-TO-RIGHT EMBEDDING",
    "\u202b": "RIGHT-TO-LEFT EMBEDDING",
    "\u202c": "POP DIRECTIONAL FORMATTING",
    "\u202d": "LEFT-TO-RIGHT OVERRIDE",
    "\u202e": "RIGHT-TO-LEFT OVERRIDE",
    "\u2066": "LEFT-TO-RIGHT ISOLATE",
    "\u2067": "RIGHT-TO-LEFT ISOLATE",
    "\u2068": "FIRST STRONG ISOLATE",
    "\u2069": "POP DIRECTIONAL ISOLATE",
}
_BLACK_FLAG = "\U0001f3f4"
_CANCEL_TAG = "\U000e007f"
# A shortcode left as text (`:partyparrot:`): a chat's custom emoji with no Unicode form.
SHORTCODE = re.compile(r"(?<![\w:/]):([a-z0-9_+'-]*[a-z][a-z0-9_+'-]*):(?![\w/])", re.IGNORECASE)


def _is_tag(ch: str) -> bool:
    return 0xE0020 <= ord(ch) <= 0xE007F


def _rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def _joins(before: str, after: str) -> bool:
    """Whether a ZWJ between these two characters can mean something: both visible, neither ASCII
    nor a space (emoji sequences, and the scripts that shape with it: Devanagari, Malayalam, ...)."""
    def usable(ch: str) -> bool:
        return bool(ch) and ord(ch) > 0x7F and not ch.isspace() and ch not in _ALWAYS_DROPPED
    return usable(before) and usable(after)


def strip_invisible(text: str) -> str:
    """`text` without the invisible characters that carry no meaning (see the module's docstring)."""
    if text.isascii():
        return text
    rtl = _rtl(text)
    out: list[str] = []
    in_flag = False
    for i, ch in enumerate(text):
        if ch in _ALWAYS_DROPPED or (ch in _MARKS and not rtl):
            continue
        if _is_tag(ch):
            # Tags spell a subdivision flag after 🏴 and end with CANCEL TAG; anywhere else they
            # are a hidden message.
            if in_flag:
                out.append(ch)
                in_flag = ch != _CANCEL_TAG
            continue
        in_flag = ch == _BLACK_FLAG
        if ch == ZWJ:
            j = i + 1
            while j < len(text) and text[j] in _ALWAYS_DROPPED:
                j += 1
            if not _joins(out[-1] if out else "", text[j] if j < len(text) else ""):
                continue
        out.append(ch)
    return "".join(out)


def hazards(text: str) -> list[str]:
    """What the card should warn about in a post's text: direction controls, and shortcodes that
    will be posted as text."""
    out: list[str] = []
    found = [name for ch, name in BIDI_CONTROLS.items() if ch in text]
    if found:
        out.append("The text has invisible direction controls (" + ", ".join(found) + "): it may read "
                   "differently from what is posted, a known phishing trick. Retype it if you did not mean them.")
    codes = list(dict.fromkeys(m.group(0) for m in SHORTCODE.finditer(text)))
    if codes:
        shown = ", ".join(codes[:5]) + (" …" if len(codes) > 5 else "")
        out.append(f"{shown} {'is' if len(codes) == 1 else 'are'} posted as typed: a custom emoji has no "
                   "Unicode form outside its chat.")
    return out
