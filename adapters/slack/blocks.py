"""Cards and replies as Block Kit messages, within Slack's limits whatever the content.

Pure functions. Every text that came from a user is escaped (`text.fit`), so echoed text can't
ping anyone. Limits (https://docs.slack.dev/reference/block-kit/blocks): 50 blocks a message,
3,000 characters a section text, 2,000 a field, 150 a header, 75 a button label, 2,000 a button
value, 255 an action_id, 10 fields a section, 25 elements an actions block, 10 a context block.
Long posts and many accounts are cut (with a note saying so), never sent for Slack to refuse.
"""

from __future__ import annotations

import logging
from typing import Any

from adapters.slack.text import cut, fit, mention, slack_len
from bot.messages import Card, CardField, Reply, Section
from bot.refs import BUTTON_PREFIX

log = logging.getLogger("latebot.slack.blocks")

Block = dict[str, Any]

MAX_BLOCKS = 50
SECTION_TEXT = 3000
FIELD_TEXT = 2000
HEADER_TEXT = 150
CONTEXT_TEXT = 2000
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
ACTION_ID = 255
MAX_FIELDS = 10
MAX_BUTTONS = 25
FALLBACK_TEXT = 3000

TONE_EMOJI = {
    "pending": ":hourglass_flowing_sand:",
    "success": ":white_check_mark:",
    "warning": ":warning:",
    "danger": ":x:",
    "neutral": ":white_circle:",
}


def mrkdwn(text: str) -> Block:
    """A mrkdwn text object that Slack does not re-parse (no auto-linked channels or mentions)."""
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def section(text: str) -> Block:
    return {"type": "section", "text": mrkdwn(text if text.strip() else "\u200b")}


def context(text: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(text if text.strip() else "\u200b")]}


# --- cards -------------------------------------------------------------------------------------


def header(card: Card) -> Block:
    title = fit(f"{TONE_EMOJI.get(card.tone, '')} {card.title}".strip(), HEADER_TEXT)
    return {"type": "header", "text": {"type": "plain_text", "text": title.strip() or "-", "emoji": True}}


def section_title(p: Section) -> str:
    title = fit(p.title, 600)
    return f":warning: *{title}*" if p.alert else f"*{title}*"


def verbatim(text: str) -> Block:
    """User text shown exactly as it will be posted: plain text, so `*this*` is not bold and
    `:this:` not an emoji (mrkdwn would show either differently from what Late receives)."""
    shown = fit(text, SECTION_TEXT)
    return {"type": "section", "text": {"type": "plain_text", "text": shown if shown.strip() else "\u200b",
                                        "emoji": False}}


def section_blocks(p: Section, *, merged: bool) -> list[Block]:
    """One section: its title, its own text, and its parts verbatim (one block per part, or all in
    one when `merged`)."""
    title = section_title(p) if p.title else ""
    if p.text:
        title = f"{title}\n{fit(p.text, SECTION_TEXT)}" if title else fit(p.text, SECTION_TEXT)
    n = len(p.parts)
    numbered = [(f"{i}/{n} " if n > 1 else "", part) for i, part in enumerate(p.parts, 1)]
    if not numbered:
        return [section(_fit_escaped(title, SECTION_TEXT))]
    if merged:
        # One block for the section: the title loses its bold, the text stays exact.
        heading = "\n".join(t for t in (("⚠ " if p.alert else "") + p.title, p.text) if t)
        return [verbatim("\n".join([heading, *(prefix + part for prefix, part in numbered)]).strip("\n"))]
    blocks = [context(_fit_escaped(title, CONTEXT_TEXT))] if title else []
    blocks += [verbatim(prefix + part) for prefix, part in numbered]
    return blocks


def _fit_escaped(text: str, limit: int) -> str:
    return text if slack_len(text) <= limit else _cut_escaped(text, limit)


def _cut_escaped(text: str, limit: int) -> str:
    """Cut already-escaped text without splitting an entity (`&amp;`, `&lt;`, `&gt;`)."""
    out = cut(text, limit)
    body = out[:-1]
    amp = body.rfind("&")
    if amp != -1 and ";" not in body[amp:]:
        body = body[:amp]
    return body + "…"


def fit_join(title: str, body: str, limit: int) -> str:
    return _fit_escaped(f"{title}\n{body}", limit)


def field_blocks(fields: list[CardField]) -> list[Block]:
    """Inline fields side by side (at most 10 a section), the others as sections of their own."""
    blocks: list[Block] = []
    row: list[Block] = []
    for f in fields:
        if f.inline:
            row.append(mrkdwn(_field_text(f, FIELD_TEXT)))
            if len(row) == MAX_FIELDS:
                blocks.append({"type": "section", "fields": row})
                row = []
            continue
        if row:
            blocks.append({"type": "section", "fields": row})
            row = []
        blocks.append(section(_field_text(f, SECTION_TEXT)))
    if row:
        blocks.append({"type": "section", "fields": row})
    return blocks


def _field_text(f: CardField, limit: int) -> str:
    return fit_join(f"*{fit(f.title, 300)}*", fit(f.value, limit) or "-", limit)


def warning_block(title: str, notes: list[str]) -> Block:
    lines = "\n".join(f"• {fit(w, SECTION_TEXT)}" for w in notes)
    return section(fit_join(f":warning: *{fit(title, 200)}*", lines, SECTION_TEXT))


LINK_ACTION = f"{BUTTON_PREFIX}:link"
BUTTON_URL = 3000


def link_fits(url: str) -> bool:
    return url.startswith(("https://", "http://")) and len(url) <= BUTTON_URL


def button_elements(card: Card) -> list[Block]:
    elements: list[Block] = []
    seen: set[str] = set()
    for i, b in enumerate(card.buttons):
        label = {"type": "plain_text", "text": fit(b.label, BUTTON_TEXT).strip() or "-", "emoji": True}
        if b.url is not None:
            # Slack still sends an interaction for a link button: it is acked and ignored (LINK_ACTION).
            if not link_fits(b.url):
                log.warning("link button %r: Slack takes only http(s) urls of up to 3,000 characters", b.label)
                continue
            elements.append({"type": "button", "action_id": f"{LINK_ACTION}:{i}", "text": label, "url": b.url})
            continue
        action_id = b.custom_id if len(b.custom_id) <= ACTION_ID else f"{BUTTON_PREFIX}:{b.action}"
        if len(action_id) > ACTION_ID or len(b.ref) > BUTTON_VALUE or action_id in seen:
            log.warning("button %r of %r does not fit in a Slack button", b.action, b.ref[:40])
            continue
        seen.add(action_id)
        element: Block = {"type": "button", "action_id": action_id, "text": label, "value": b.ref}
        if b.style in ("primary", "danger"):
            element["style"] = b.style
        elements.append(element)
    return elements[:MAX_BUTTONS]


def card_blocks(card: Card, *, max_blocks: int = MAX_BLOCKS) -> list[Block]:
    """The card in at most `max_blocks` blocks: previews and fields give way (merged, cut) first."""
    head = [header(card)]
    if card.text:
        head.append(section(fit(card.text, SECTION_TEXT)))
    tail: list[Block] = []
    if card.notes:
        tail.append(warning_block(card.notes_title, card.notes))
    buttons = button_elements(card)
    if buttons:
        tail.append({"type": "actions", "elements": buttons})
    if card.footer:
        tail.append(context(fit(card.footer, CONTEXT_TEXT)))
    budget = max_blocks - len(head) - len(tail)
    fields = field_blocks(card.fields)
    previews = _sections_within(card.sections, budget - min(len(fields), budget // 3))
    rest = budget - len(previews)
    if len(fields) > rest:
        dropped = len(fields) - (rest - 1)
        fields = [*fields[: rest - 1], context(f"…and {dropped} more details not shown here.")]
    return [*head, *previews, *fields, *tail]


def _sections_within(sections: list[Section], budget: int) -> list[Block]:
    full = [b for p in sections for b in section_blocks(p, merged=False)]
    if len(full) <= budget:
        return full
    merged = [section_blocks(p, merged=True)[0] for p in sections]
    if len(merged) <= budget:
        return merged
    keep = max(budget - 1, 0)
    note = context(f"…and {len(sections) - keep} more sections not shown here.")
    return [*merged[:keep], note] if budget > 0 else []


def card_text(card: Card) -> str:
    """The message's `text`: what notifications and screen readers show."""
    return fit(f"{card.title}: {card.text}" if card.text else card.title, FALLBACK_TEXT)


def card_message(card: Card) -> dict[str, Any]:
    return {"text": card_text(card), "blocks": card_blocks(card)}


# --- replies -----------------------------------------------------------------------------------


def reply_message(reply: Reply) -> dict[str, Any]:
    """A reply as a message: its text (split into sections when long), then its card if any."""
    prefix = f"{mention(reply.mention)} " if reply.mention else ""
    chunks = _chunks(reply.text, SECTION_TEXT - len(prefix)) if reply.text else []
    chunks = _at_most(chunks, 5 if reply.card is not None else MAX_BLOCKS)
    if chunks:
        chunks[0] = prefix + chunks[0]
    elif prefix:
        chunks = [prefix]
    card = card_blocks(reply.card, max_blocks=MAX_BLOCKS - len(chunks)) if reply.card is not None else []
    fallback = prefix + fit(reply.text, FALLBACK_TEXT - len(prefix))
    if reply.card is not None and not reply.text:
        fallback = prefix + card_text(reply.card)
    return {"text": fallback if fallback.strip() else "…", "blocks": [*(section(c) for c in chunks), *card]}


def _at_most(chunks: list[str], n: int) -> list[str]:
    if len(chunks) <= n:
        return chunks
    return [*chunks[: n - 1], f"…({len(chunks) - n + 1} more parts not shown)"]


def _chunks(text: str, limit: int) -> list[str]:
    """Escaped `text` in pieces of at most `limit` characters, split at line ends where possible."""
    pieces: list[str] = []
    current = ""
    for line in text.splitlines() or [""]:
        escaped = fit(line, limit)
        candidate = f"{current}\n{escaped}" if current else escaped
        if slack_len(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        current = escaped
    pieces.append(current)
    return [p if p.strip() else "\u200b" for p in pieces]
