"""Commands about the Late account and the channel: accounts, health, usage, profiles, bind, config."""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot import platforms
from bot.errors import NotAllowed, UserError
from bot.messages import Actor, Place, Reply
from bot.policy import KEYS, ChannelConfig, parse_flag
from bot.ports import Responder
from commands import model

if TYPE_CHECKING:
    from commands.router import Router


async def run(router: Router, command: model.Command, actor: Actor, place: Place, responder: Responder) -> None:
    core = router.core
    if isinstance(command, model.AccountsCommand):
        config = await core.policies.get(place)
        profile = await core.directory.profile_for(config)
        accounts = await core.directory.accounts(profile.id)
        if not accounts:
            text = f"Profile {profile.name} has no connected accounts yet."
        else:
            lines = [f"Accounts of {profile.name}:"]
            for a in accounts:
                state = "active" if a.is_active is not False else "inactive"
                lines.append(f"- {platforms.display_name(a.platform)} @{(a.username or '').lstrip('@')} ({state})")
            text = "\n".join(lines)
        await responder.reply(Reply(text=text))
    elif isinstance(command, model.HealthCommand):
        await responder.reply(Reply(text=await health_text(router, place)))
    elif isinstance(command, model.UsageCommand):
        usage = await core.late.usage_stats()
        await responder.reply(Reply(text=usage_text(usage)))
    elif isinstance(command, model.ProfilesCommand):
        config = await core.policies.get(place)
        profiles = await core.directory.profiles()
        lines = ["Late profiles:"] + [
            f"- {p.name} ({p.id})" + ("  ← this channel" if p.id == config.profile_id else "") for p in profiles
        ]
        if not config.profile_id:
            lines.append("This channel is not bound yet: /late bind <profile>.")
        await responder.reply(Reply(text="\n".join(lines)))
    elif isinstance(command, model.BindCommand):
        if not actor.is_admin:
            raise NotAllowed("Only an admin can bind this channel to a Late profile.")
        profile = await core.directory.find_profile(command.profile)
        await core.policies.update(place, actor, profile_id=profile.id)
        await responder.reply(Reply(text=f"This channel now posts to the Late profile {profile.name}.",
                                    ephemeral=False))
    elif isinstance(command, model.ConfigCommand):
        await responder.reply(Reply(text=await configure(router, command, actor, place)))
    else:
        raise UserError("latebot does not know that command. Try /late help.")


async def health_text(router: Router, place: Place) -> str:
    core = router.core
    config = await core.policies.get(place)
    profile = await core.directory.profile_for(config)
    report = await core.late.accounts_health(profile_id=profile.id)
    lines = [f"Account health for {profile.name}:"]
    for a in report.accounts:
        mark = {"healthy": "ok", "warning": "warning", "error": "needs action"}.get(a.status or "", a.status or "?")
        issues = "; ".join(a.issues or [])
        extra = " — reconnect it in Late" if a.needs_reconnect else ""
        lines.append(f"- {platforms.display_name(a.platform or '?')} @{(a.username or '').lstrip('@')}: {mark}"
                     + (f" ({issues})" if issues else "") + extra)
    return "\n".join(lines)


def usage_text(usage: object) -> str:
    plan = getattr(usage, "plan_name", None) or "?"
    limits = getattr(usage, "limits", None)
    used = getattr(usage, "usage", None)
    uploads_limit = getattr(limits, "uploads", None)
    uploads = getattr(used, "uploads", None)
    profiles_limit = getattr(limits, "profiles", None)
    profiles = getattr(used, "profiles", None)
    posts = "unlimited" if uploads_limit == -1 else f"{uploads} of {uploads_limit}"
    return f"Late plan {plan}: posts this period {posts}; profiles {profiles} of {profiles_limit}."


def describe_config(config: ChannelConfig) -> str:
    approvers = ", ".join([*config.approvers, *config.approver_groups]) or "anyone but the requester"
    return "\n".join([
        "Settings of this channel:",
        f"- profile: {config.profile_id or 'not bound'}",
        f"- approvers: {approvers}",
        f"- approvals: {config.approvals_required}",
        f"- self_approval: {'on' if config.allow_self_approval else 'off'}",
        f"- expiry: {config.expiry_hours} hours",
        f"- approval_channel: {config.approval_channel or 'this channel'}",
        f"- alert_channel: {config.alert_channel or 'none'}",
        f"- timezone: {config.timezone or 'the user’s or the default'}",
        "Change one with /late config <key> <value>.",
    ])


async def configure(router: Router, command: model.ConfigCommand, actor: Actor, place: Place) -> str:
    policies = router.core.policies
    if command.key is None:
        return describe_config(await policies.get(place))
    key = command.key.lower().replace("-", "_")
    if key not in KEYS:
        raise UserError(f"There is no setting '{command.key}'. Settings: {', '.join(KEYS)}.",
                        example="/late config approvals 2")
    if command.value is None:
        return f"{key}: {KEYS[key]}"
    value = command.value.strip()
    changes: dict[str, object]
    if key == "approvers":
        changes = _approvers(value)
    elif key in ("approvals", "expiry"):
        if not value.isdigit() or not 1 <= int(value) <= (20 if key == "approvals" else 24 * 30):
            raise UserError(f"'{value}' is not a valid number for {key}.", example=f"/late config {key} 2")
        changes = {"approvals_required" if key == "approvals" else "expiry_hours": int(value)}
    elif key == "self_approval":
        changes = {"allow_self_approval": parse_flag(value)}
    elif key == "timezone":
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise UserError(
                f"'{value}' is not an IANA time zone.", example="/late config timezone Europe/Berlin"
            ) from None
        changes = {"timezone": value}
    else:
        changes = {key: _channel(value)}
    updated = await policies.update(place, actor, **changes)
    return "Saved.\n" + describe_config(updated)


def _channel(value: str) -> str | None:
    v = value.strip()
    if v.lower() in ("none", "off", "here", "this"):
        return None
    return v.lstrip("#")


def _approvers(value: str) -> dict[str, object]:
    if value.lower() in ("anyone", "none", "default"):
        return {"approvers": [], "approver_groups": []}
    users: list[str] = []
    groups: list[str] = []
    for word in value.replace(",", " ").split():
        if word.startswith(("<@&", "<!subteam^", "&", "group:", "role:")):
            # Discord role <@&123>, Slack user group <!subteam^S123|@team>, or a plain group:/role: name.
            inner = word.strip("<>")
            for prefix in ("@&", "!subteam^", "&", "group:", "role:"):
                inner = inner.removeprefix(prefix)
            groups.append(inner.split("|")[0])
        else:
            users.append(word.strip("<>").lstrip("@").split("|")[0])
    return {"approvers": users, "approver_groups": groups}
