"""Neutral cards -> a Discord embed and buttons; pure functions.

Discord's limits are enforced here for any content: 6,000 characters over a message's embeds,
25 fields (name 256, value 1,024), 4,096 for a description, 5 rows of 5 buttons, custom_ids of
at most 100 characters. Long text is truncated with a visible marker; many accounts are
summarised in a last field.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import discord
from discord.utils import escape_markdown

from adapters.discord.buttons import LateButton
from bot.messages import Button, Card, Section

log = logging.getLogger("latebot.discord.render")

EMBED_TOTAL = 6000
TITLE = 256
DESCRIPTION = 4096
FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
ROWS = 5
PER_ROW = 5
LABEL = 80
CUSTOM_ID = 100
URL = 512
ELLIPSIS = "…"
PREVIEW = "Preview · "  # the field of sections that show user text as it will be posted

COLOURS = {
    "pending": 0x5865F2,
    "success": 0x57F287,
    "warning": 0xFEE75C,
    "danger": 0xED4245,
    "neutral": 0x99AAB5,
}
STYLES = {
    "primary": discord.ButtonStyle.success,
    "danger": discord.ButtonStyle.danger,
    "default": discord.ButtonStyle.secondary,
}


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, ending with an ellipsis when it was cut."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return text[:limit]
    cut = text[: limit - 1]
    if cut.endswith("\\") and not cut.endswith("\\\\"):
        cut = cut[:-1]  # never leave half of an escape behind
    return cut + ELLIPSIS


def _escape(text: str) -> str:
    return escape_markdown(text, ignore_links=True)


@dataclass
class _Field:
    name: str
    value: str
    inline: bool = False


@dataclass
class _EmbedDraft:
    title: str
    description: str
    fields: list[_Field] = field(default_factory=list)
    footer: str = ""

    def size(self) -> int:
        return (
            len(self.title)
            + len(self.description)
            + len(self.footer)
            + sum(len(f.name) + len(f.value) for f in self.fields)
        )


def _parts_text(parts: list[str]) -> str:
    if len(parts) > 1:
        return "\n\n".join(f"**{n}/{len(parts)}** {_escape(part)}" for n, part in enumerate(parts, 1))
    return _escape(parts[0]) if parts and parts[0] else ""


def _section_title(section: Section) -> str:
    return ("⚠ " if section.alert else "") + section.title


def _section_fields(sections: list[Section]) -> list[_Field]:
    """One field per section, in the card's order; sections with the same parts and no text of their
    own (accounts that get the same post) share one field, where the first of them stands."""
    out: list[_Field] = []
    shared: dict[tuple[str, ...], tuple[_Field, list[str]]] = {}
    for s in sections:
        if s.parts and not s.text:
            key = tuple(s.parts)
            if key in shared:
                f, names = shared[key]
                names.append(_section_title(s))
                f.name = PREVIEW + ", ".join(names)
                continue
            f = _Field(name=PREVIEW + _section_title(s), value=_parts_text(s.parts) or "*(no text)*")
            shared[key] = (f, [_section_title(s)])
            out.append(f)
            continue
        body = "\n\n".join(t for t in (_escape(s.text), _parts_text(s.parts)) if t)
        out.append(_Field(name=_section_title(s) or "\u200b", value=body or "\u200b"))
    return out


def _limit_fields(fields: list[_Field]) -> list[_Field]:
    if len(fields) <= FIELDS:
        return fields
    kept, rest = fields[: FIELDS - 1], fields[FIELDS - 1 :]
    summary = ", ".join(f.name.removeprefix(PREVIEW) for f in rest)
    kept.append(_Field(name=f"…and {len(rest)} more", value=summary))
    return kept


def _fit(draft: _EmbedDraft, budget: int) -> None:
    """Shrink the longest texts until the embed fits `budget` characters."""
    draft.title = clip(draft.title, TITLE) or "\u200b"
    draft.description = clip(draft.description, DESCRIPTION)
    draft.footer = clip(draft.footer, FOOTER)
    for f in draft.fields:
        f.name = clip(f.name, FIELD_NAME) or "\u200b"
        f.value = clip(f.value, FIELD_VALUE) or "\u200b"
    while draft.size() > budget:
        excess = draft.size() - budget
        # Every text that may shrink, as (owner, attribute); the longest gives way first.
        texts: list[tuple[object, str]] = [(draft, "description")]
        texts += [(f, attr) for f in draft.fields for attr in ("value", "name")]
        owner, attr = max(texts, key=lambda t: len(getattr(t[0], t[1])))
        length = len(getattr(owner, attr))
        if length <= 24:
            if len(draft.fields) <= 1:
                draft.fields.clear()
                break
            draft.fields.pop(-2)  # keep the last field: it may be the "…and N more" summary
            continue
        shrunk = clip(getattr(owner, attr), max(24, length - excess))
        setattr(owner, attr, shrunk or "\u200b")


def card_embed(card: Card, *, budget: int = EMBED_TOTAL) -> discord.Embed:
    """The card as one embed of at most `budget` characters and 25 fields."""
    fields = _section_fields(card.sections)
    fields += [_Field(name=f.title, value=_escape(f.value), inline=f.inline) for f in card.fields]
    if card.notes:
        fields.append(_Field(name=f"⚠ {card.notes_title}", value="\n".join(f"• {_escape(w)}" for w in card.notes)))
    draft = _EmbedDraft(
        title=card.title, description=_escape(card.text), fields=_limit_fields(fields), footer=card.footer
    )
    _fit(draft, budget)
    embed = discord.Embed(
        title=draft.title,
        description=draft.description or None,
        colour=COLOURS.get(card.tone, COLOURS["neutral"]),
    )
    for f in draft.fields:
        embed.add_field(name=f.name, value=f.value, inline=f.inline)
    if draft.footer:
        embed.set_footer(text=draft.footer)
    return embed


def card_view(buttons: list[Button]) -> discord.ui.View | None:
    """The buttons in rows of five (at most five rows); None when there are none."""
    usable = []
    for b in buttons:
        if b.url is not None and len(b.url) > URL:
            log.warning("link button %s dropped: url longer than %d", b.label, URL)
            continue
        if b.url is None and len(b.custom_id) > CUSTOM_ID:
            log.warning("button %s for %s dropped: custom_id longer than 100", b.action, b.ref)
            continue
        usable.append(b)
    if len(usable) > ROWS * PER_ROW:
        log.warning("%d buttons on one card; only the first 25 are shown", len(usable))
    usable = usable[: ROWS * PER_ROW]
    if not usable:
        return None
    view = discord.ui.View(timeout=None)
    for i, b in enumerate(usable):
        if b.url is not None:
            view.add_item(discord.ui.Button(
                label=clip(b.label, LABEL), style=discord.ButtonStyle.link, url=b.url, row=i // PER_ROW))
            continue
        item: discord.ui.Button[discord.ui.View] = discord.ui.Button(
            label=clip(b.label, LABEL), style=STYLES[b.style], custom_id=b.custom_id, row=i // PER_ROW
        )
        view.add_item(LateButton(item))
    return view
