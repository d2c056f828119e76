"""Discord interactions -> neutral types: who acted, where, and what they asked for.

Discord writes mentions as `<@id>` (`<@!id>` for a nickname), `<@&id>` a role and `<#id>` a channel;
`labelled` adds the name each has in the server, into latebot's neutral form (`commands.text.MENTION`),
so that a post shows `@Bob` rather than `@1180000000000000402` and settings still get the id. A
custom emoji (`<:party:123>`) becomes its `:party:` shortcode: it has no Unicode form, and the card
says it is posted as typed.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import discord

from bot.messages import Actor, ButtonPress, FormSubmission, Invocation, MessageRef, Place

log = logging.getLogger("latebot.discord.translate")

_MENTION = re.compile(r"<(@!?|@&|#)(\d{1,20})>")
_CUSTOM_EMOJI = re.compile(r"<a?:(\w{1,32}):\d{1,20}>")
MAX_LOOKUPS = 10  # members fetched for one text; more mentions than that keep their ids


async def _member_name(guild: discord.Guild, user_id: int) -> str | None:
    try:  # no members intent: members are fetched one by one (GET /guilds/{id}/members/{id})
        member = await guild.fetch_member(user_id)
    except discord.HTTPException as exc:
        log.info("member %s not found for a mention: %s", user_id, exc)
        return None
    return member.display_name


async def labelled(guild: discord.Guild | None, text: str, *, within: float | None = None) -> str:
    """`text` with each Discord mention in the neutral form, named as the server names it. Members
    not in the cache are fetched all at once (up to MAX_LOOKUPS); one not found within `within`
    seconds keeps its id."""
    text = _CUSTOM_EMOJI.sub(lambda m: f":{m.group(1)}:", text)
    if guild is None or "<" not in text:
        return text
    names: dict[tuple[str, int], str | None] = {}
    fetches: dict[tuple[str, int], asyncio.Task[str | None]] = {}
    for kind, raw in dict.fromkeys(_MENTION.findall(text)):
        ident = int(raw)
        if kind == "@&":
            role = guild.get_role(ident)
            names[kind, ident] = role.name if role is not None else None
        elif kind == "#":
            channel = guild.get_channel_or_thread(ident)
            names[kind, ident] = channel.name if channel is not None else None
        elif (member := guild.get_member(ident)) is not None:
            names[kind, ident] = member.display_name
        elif len(fetches) < MAX_LOOKUPS:
            fetches[kind, ident] = asyncio.create_task(_member_name(guild, ident))
    if fetches:
        try:
            await asyncio.wait(fetches.values(), timeout=within)
        finally:
            for task in fetches.values():
                task.cancel()  # the ones still waiting
        names |= {key: task.result() for key, task in fetches.items() if task.done()}

    def one(m: re.Match[str]) -> str:
        kind, ident = m.group(1), m.group(2)
        name = names.get((kind, int(ident)))
        neutral = "@" if kind.startswith("@") and kind != "@&" else kind
        return f"<{neutral}{ident}|{name}>" if name else f"<{neutral}{ident}>"

    return _MENTION.sub(one, text)


async def labelled_options(interaction: discord.Interaction[Any], options: dict[str, str]) -> dict[str, str]:
    return {k: await labelled(interaction.guild, v) for k, v in options.items()}


def actor_of(interaction: discord.Interaction[Any]) -> Actor:
    """Groups are the member's role ids; an admin is whoever may manage the server."""
    user = interaction.user
    groups: tuple[str, ...] = ()
    is_admin = False
    if isinstance(user, discord.Member):
        groups = tuple(str(r.id) for r in user.roles if not r.is_default())
        perms = interaction.permissions
        is_admin = perms.manage_guild or perms.administrator
    name = user.display_name if user is not None else "unknown"
    return Actor(id=str(user.id), name=name, groups=groups, is_admin=is_admin)


def place_of(interaction: discord.Interaction[Any]) -> Place:
    """The channel (a thread is a channel of its own on Discord) in its server."""
    channel_id = interaction.channel_id
    if channel_id is None and interaction.channel is not None:
        channel_id = interaction.channel.id
    return Place(chat="discord", team=str(interaction.guild_id or ""), channel=str(channel_id or ""))


def message_ref(interaction: discord.Interaction[Any]) -> MessageRef | None:
    message = interaction.message
    if message is None:
        return None
    place = place_of(interaction)
    return MessageRef(
        chat="discord", team=place.team, channel=str(message.channel.id), message_id=str(message.id)
    )


def invocation(interaction: discord.Interaction[Any], command: str, options: dict[str, str]) -> Invocation:
    return Invocation(
        actor=actor_of(interaction),
        place=place_of(interaction),
        command=command,
        options=options,
        delivery_id=f"discord:{interaction.id}",
    )


def press(interaction: discord.Interaction[Any], action: str, ref: str) -> ButtonPress:
    return ButtonPress(
        actor=actor_of(interaction),
        place=place_of(interaction),
        action=action,
        ref=ref,
        message=message_ref(interaction),
        delivery_id=f"discord:{interaction.id}",
    )


def submission(
    interaction: discord.Interaction[Any], form_id: str, values: dict[str, str | list[str]]
) -> FormSubmission:
    return FormSubmission(
        actor=actor_of(interaction),
        place=place_of(interaction),
        form_id=form_id,
        values=values,
        delivery_id=f"discord:{interaction.id}",
    )


def options_of(namespace: discord.app_commands.Namespace, names: tuple[str, ...]) -> dict[str, str]:
    """The typed options given so far (for autocomplete), as strings."""
    out: dict[str, str] = {}
    for name in names:
        value = getattr(namespace, name, None)
        if value is None or value == "":
            continue
        out[name] = getattr(value, "url", None) or str(value)
    return out
