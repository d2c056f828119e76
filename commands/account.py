"""Commands about the Late account: accounts, health, usage, profiles."""

from __future__ import annotations

from bot import platforms
from bot.core import Core
from bot.late.models import UsageStats
from bot.messages import Actor, Place, Reply
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
            lines.append(f"- {platforms.display_name(a.platform)} @{(a.username or '').lstrip('@')} ({state})")
        text = "\n".join(lines)
    await responder.reply(Reply(text=text))


async def health(core: Core, command: model.HealthCommand, actor: Actor, place: Place,
                 responder: Responder) -> None:
    config = await core.channels.get(place)
    profile = await core.directory.profile_for(config)
    report = await core.directory.health(profile.id)
    lines = [f"Account health for {profile.name}:"]
    for a in report.accounts:
        mark = {"healthy": "ok", "warning": "warning", "error": "needs action"}.get(a.status or "", a.status or "?")
        issues = "; ".join(a.issues or [])
        extra = " — reconnect it in Late" if a.needs_reconnect else ""
        lines.append(f"- {platforms.display_name(a.platform or '?')} @{(a.username or '').lstrip('@')}: {mark}"
                     + (f" ({issues})" if issues else "") + extra)
    await responder.reply(Reply(text="\n".join(lines)))


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
