"""Commands about the Late account: accounts, usage, profiles (health is in `commands.health`)."""

from __future__ import annotations

from bot.core import Core
from bot.late.models import UsageStats
from bot.messages import Actor, Place, Reply
from bot.platforms import account_label
from bot.ports import Responder
from commands import model


async def accounts(core: Core, command: model.AccountsCommand, actor: Actor, place: Place,
                   responder: Responder) -> None:
    config = await core.channels.get(place)
    profile, found = await core.directory.accounts_for(config)
    if not found:
        text = f"Profile {profile.name} has no connected accounts yet."
    else:
        lines = [f"Accounts of {profile.name}:"]
        for a in found:
            state = "active" if a.is_active is not False else "inactive"
            lines.append(f"- {account_label(a.platform, a.username)} ({state})")
        text = "\n".join(lines)
    await responder.reply(Reply(text=text))


def usage_text(usage: UsageStats) -> str:
    plan = usage.plan_name or "?"
    limit, used = usage.limits.uploads, usage.usage.uploads
    posts = "unlimited" if limit == -1 else f"{used} of {limit}"
    return (f"Late plan {plan}: posts this period {posts}; "
            f"profiles {usage.usage.profiles} of {usage.limits.profiles}.")


async def usage(core: Core, command: model.UsageCommand, actor: Actor, place: Place, responder: Responder) -> None:
    await responder.reply(Reply(text=usage_text(await core.directory.usage())))


async def profiles(core: Core, command: model.ProfilesCommand, actor: Actor, place: Place,
                   responder: Responder) -> None:
    config = await core.channels.get(place)
    found = await core.directory.profiles()
    lines = ["Late profiles:"] + [
        f"- {p.name} ({p.id})" + ("  ← this channel" if p.id == config.profile_id else "") for p in found
    ]
    if not config.profile_id:
        lines.append("This channel is not bound yet: /late bind <profile>.")
    await responder.reply(Reply(text="\n".join(lines)))
