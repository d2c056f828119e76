"""Discord interactions -> neutral types: who acted, where, and what they asked for."""

from __future__ import annotations

from typing import Any

import discord

from bot.messages import Actor, ButtonPress, FormSubmission, Invocation, MessageRef, Place


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
