"""Replies and cards -> outgoing Discord messages: content in pieces of 2,000, and who may be pinged.

Nothing echoed ever pings: every message carries `allowed_mentions` with `parse: []`, and only a
reply's explicit `mention` is allowed as a user mention.
"""

from __future__ import annotations

from dataclasses import dataclass

import discord

from adapters.discord.render import ELLIPSIS, card_embed, card_view, clip
from bot.messages import Card, Reply

CONTENT = 2000
MAX_CHUNKS = 5


def mentions(reply: Reply | None = None) -> discord.AllowedMentions:
    """Nothing echoed ever pings; only the reply's explicit mention, when it has one."""
    users: bool | list[discord.Object] = False
    if reply is not None and reply.mention and reply.mention.isdigit():
        users = [discord.Object(id=int(reply.mention))]
    return discord.AllowedMentions(everyone=False, users=users, roles=False, replied_user=False)


def content_chunks(text: str, *, limit: int = CONTENT, max_chunks: int = MAX_CHUNKS) -> list[str]:
    """`text` split at line breaks into messages of at most `limit` characters."""
    chunks: list[str] = []
    rest = text
    while rest and len(chunks) < max_chunks:
        if len(rest) <= limit:
            chunks.append(rest)
            rest = ""
            break
        cut = rest.rfind("\n", 0, limit)
        if cut <= limit // 2:
            cut = rest.rfind(" ", 0, limit)
        if cut <= limit // 2:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n")
    if rest:
        chunks[-1] = clip(chunks[-1], limit - 20).rstrip(ELLIPSIS) + "… (truncated)"
    return chunks or [""]


@dataclass
class Message:
    """One outgoing message: content, embeds, buttons and who it may ping."""

    content: str | None
    embeds: list[discord.Embed]
    view: discord.ui.View | None
    allowed_mentions: discord.AllowedMentions


def reply_messages(reply: Reply) -> list[Message]:
    """A reply as one or more messages; a card shown with it goes with the last one."""
    text = reply.text
    if reply.mention and reply.mention.isdigit():
        text = f"<@{reply.mention}> {text}"
    chunks = content_chunks(text) if text else [""]
    allowed = mentions(reply)
    out = [Message(content=c or None, embeds=[], view=None, allowed_mentions=allowed) for c in chunks]
    if reply.card is not None:
        out[-1].embeds = [card_embed(reply.card)]
        out[-1].view = card_view(reply.card.buttons)
    if out[-1].content is None and not out[-1].embeds:
        out[-1].content = "\u200b"
    return out


def card_message(card: Card) -> Message:
    return Message(
        content=None, embeds=[card_embed(card)], view=card_view(card.buttons), allowed_mentions=mentions()
    )
