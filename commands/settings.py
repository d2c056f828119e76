"""Commands about the channel's settings: bind (the Late profile it posts to) and config."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.channels import KEYS, ChannelConfig
from bot.core import Core
from bot.errors import NotAllowed, UserError
from bot.messages import Actor, Place, Reply
from bot.ports import Responder
from commands import model


async def bind(core: Core, command: model.BindCommand, actor: Actor, place: Place, responder: Responder) -> None:
    if not actor.is_admin:
        raise NotAllowed("Only an admin can bind this channel to a Late profile.")
    profile = await core.directory.find_profile(command.profile)
    await core.channels.update(place, actor, profile_id=profile.id)
    await responder.reply(Reply(text=f"This channel now posts to the Late profile {profile.name}.", ephemeral=False))


async def config(core: Core, command: model.ConfigCommand, actor: Actor, place: Place, responder: Responder) -> None:
    await responder.reply(Reply(text=await configure(core, command, actor, place)))


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


async def configure(core: Core, command: model.ConfigCommand, actor: Actor, place: Place) -> str:
    if command.key is None:
        return describe_config(await core.channels.get(place))
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
    updated = await core.channels.update(place, actor, **changes)
    return "Saved.\n" + describe_config(updated)


def parse_flag(value: str) -> bool:
    v = value.strip().lower()
    if v in {"on", "yes", "true", "1", "allow"}:
        return True
    if v in {"off", "no", "false", "0", "deny"}:
        return False
    raise UserError(f"'{value}' is not on or off.", example="/late config self_approval off")


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
