"""Commands about settings: bind (the Late profile a channel posts to) and config.

`/late config <key> <value>` sets a rule of the brand (the Late profile bound to this channel, or the
only one), which applies to its posts wherever they are requested; approvers and the approval and
alert channels are per workspace. `/late config channel <key> <value>` sets this channel's own rule,
which can only tighten the brand's. People, groups and channels are named by mention and kept by
id. A change that would leave nobody able to approve is refused.
"""

from __future__ import annotations

from typing import Any

from bot.brands import BrandRules, qualified, workspace
from bot.channels import CHANNEL_KEYS, KEYS, ChannelConfig
from bot.core import Core
from bot.errors import NotAllowed, UserError
from bot.late.models import Profile
from bot.messages import Actor, Place, Reply
from bot.policy import Policy, who_may_approve
from bot.ports import Responder
from commands import model
from commands.text import MENTION, Mention, mention_of
from commands.zones import resolve_zone

RESET_BRAND = ("anyone", "none", "default")
RESET_CHANNEL = ("brand", "none", "default", "off")


async def bind(core: Core, command: model.BindCommand, actor: Actor, place: Place, responder: Responder) -> None:
    if not actor.is_admin:
        raise NotAllowed("Only an admin can bind this channel to a Late profile.")
    profile = await core.directory.find_profile(command.profile)
    await core.channels.update(place, actor, profile_id=profile.id)
    await responder.reply(Reply(text=f"This channel now posts to the Late profile {profile.name}.", ephemeral=False))


async def config(core: Core, command: model.ConfigCommand, actor: Actor, place: Place, responder: Responder) -> None:
    await responder.reply(Reply(text=await configure(core, command, actor, place)))


def _key(word: str) -> str:
    return word.lower().replace("-", "_")


async def configure(core: Core, command: model.ConfigCommand, actor: Actor, place: Place) -> str:
    if command.key is None:
        return await describe(core, place)
    key, value, keys = _key(command.key), command.value, KEYS
    if key == "channel":
        keys = CHANNEL_KEYS
        word, _, rest = (value or "").partition(" ")
        if not word:
            return "This channel's own rules (they only tighten the brand's):\n" + "\n".join(
                f"- {k}: {v}" for k, v in CHANNEL_KEYS.items())
        key, value = _key(word), rest.strip() or None
    if key not in keys:
        raise UserError(f"There is no setting '{key}'. Settings: {', '.join(keys)}.",
                        example="/late config channel approvals 2" if keys is CHANNEL_KEYS
                        else "/late config approvals 2")
    if value is None:
        return f"{key}: {keys[key]}"
    if not actor.is_admin:
        raise NotAllowed("Only an admin can change these settings.")
    if key == "timezone":
        return await _timezone(core, place, actor, value.strip())
    channel = await core.channels.get(place)
    profile = await core.directory.profile_for(channel)
    brand = await core.brands.get(profile.id)
    if keys is CHANNEL_KEYS:
        changes = await _channel_change(core, channel, key, value.strip())
        channel = channel.model_copy(update=changes)
        _possible(Policy(place=place, brand=brand, channel=channel))
        await core.channels.update(place, actor, **changes)
    else:
        brand, change = await _brand_change(core, brand, place, key, value.strip())
        _possible(Policy(place=place, brand=brand, channel=channel))
        await core.brands.save(brand, actor, change)
    await core.approvals.reevaluate(profile.id)
    return "Saved.\n" + _rules_text(place, profile, brand, channel)


async def _timezone(core: Core, place: Place, actor: Actor, value: str) -> str:
    # The zone every command of the channel is then read in: checked as those commands check it.
    zone = resolve_zone(value, "/late config timezone {zone}")
    return "Saved.\n" + await describe(core, place, await core.channels.update(place, actor, timezone=zone))


# --- values -----------------------------------------------------------------------------------


def _number(key: str, value: str, top: int) -> int:
    if not value.isdigit() or not 1 <= int(value) <= top:
        raise UserError(f"'{value}' is not a valid number for {key} (1 to {top}).", example=f"/late config {key} 2")
    return int(value)


def parse_flag(value: str) -> bool:
    v = value.strip().lower()
    if v in {"on", "yes", "true", "1", "allow"}:
        return True
    if v in {"off", "no", "false", "0", "deny"}:
        return False
    raise UserError(f"'{value}' is not on or off.", example="/late config self_approval off")


def mentions(value: str, key: str) -> list[Mention]:
    """Every mention in `value`; anything else in it is refused, since a name is not an identity."""
    found = [mention_of(m) for m in MENTION.finditer(value)]
    rest = MENTION.sub(" ", value).replace(",", " ").split()
    if rest:
        raise UserError(
            f"I can't tell who or what “{rest[0]}” is: mention them, so the chat gives latebot the id "
            "(type @ and pick the person or group, or # and pick the channel).",
            example=f"/late config {key} @alice @bob" if key == "approvers" else f"/late config {key} #social",
        )
    return found


def _people(value: str) -> tuple[list[str], list[str], dict[str, str]]:
    found = mentions(value, "approvers")
    if not found:
        raise UserError("Name the approvers by mention, or say `anyone`.", example="/late config approvers @alice @bob")
    if any(m.kind == "channel" for m in found):
        raise UserError("Approvers are people or groups, not channels.", example="/late config approvers @alice @bob")
    users = list(dict.fromkeys(m.id for m in found if m.kind == "user"))
    groups = list(dict.fromkeys(m.id for m in found if m.kind == "group"))
    labels = {m.id: m.label.lstrip("@") for m in found if m.label}
    return users, groups, labels


async def _channel_id(core: Core, place: Place, value: str, key: str) -> tuple[str, str]:
    """The mentioned channel's id and name, once the chat says latebot can post there."""
    found = mentions(value, key)
    if len(found) != 1 or found[0].kind != "channel":
        raise UserError(f"Name one channel for {key}, by mention.", example=f"/late config {key} #social-approvals")
    target = Place(chat=place.chat, team=place.team, channel=found[0].id)
    return found[0].id, await core.chats.check_channel(target)


async def _brand_change(core: Core, brand: BrandRules, place: Place, key: str,
                        value: str) -> tuple[BrandRules, dict[str, Any]]:
    here = workspace(place.chat, place.team)
    reset = value.lower() in RESET_BRAND
    if key == "approvers":
        users, groups, labels = ([], [], {}) if reset else _people(value)
        rules = brand.with_approvers(place.chat, place.team, users, groups)
        named = {qualified(place.chat, place.team, i): label for i, label in labels.items()}
        return rules.model_copy(update={"labels": {**rules.labels, **named}}), {"approvers": users, "groups": groups}
    if key == "approvals":
        return brand.model_copy(update={"approvals_required": _number(key, value, 20)}), {key: value}
    if key == "expiry":
        return brand.model_copy(update={"expiry_hours": _number(key, value, 24 * 30)}), {key: value}
    if key == "self_approval":
        return brand.model_copy(update={"allow_self_approval": parse_flag(value)}), {key: value}
    field = "approval_channels" if key == "approval_channel" else "alert_channels"
    channels = dict(getattr(brand, field))
    labels = dict(brand.labels)
    if reset or value.lower() in ("here", "this"):
        channels.pop(here, None)
    else:
        channels[here], name = await _channel_id(core, place, value, key)
        labels[qualified(place.chat, place.team, channels[here])] = name
    return brand.model_copy(update={field: channels, "labels": labels}), {key: channels.get(here)}


async def _channel_change(core: Core, channel: ChannelConfig, key: str, value: str) -> dict[str, Any]:
    reset = value.lower() in RESET_CHANNEL
    known = channel.labels or {}
    if key == "approvers":
        if reset:
            return {"approvers": None, "approver_groups": None}
        users, groups, labels = _people(value)
        return {"approvers": users or None, "approver_groups": groups or None, "labels": {**known, **labels}}
    if key == "approvals":
        return {"approvals_required": None if reset else _number(key, value, 20)}
    if key == "expiry":
        return {"expiry_hours": None if reset else _number(key, value, 24 * 30)}
    if key == "self_approval":
        if reset or parse_flag(value):
            return {"allow_self_approval": None}  # "on" cannot loosen the brand's rule
        return {"allow_self_approval": False}
    if reset:
        return {"approval_channel": None}
    found, name = await _channel_id(core, channel.place, value, key)
    return {"approval_channel": found, "labels": {**known, found: name}}


def _possible(policy: Policy) -> None:
    """Refuse rules under which no request here could ever be approved."""
    if policy.nobody_here:
        return  # approvers elsewhere only: posts from here are refused at once, with the reason
    count = policy.countable_approvers()
    if count == 0:
        raise UserError("With that, nobody would be allowed to approve here: the channel's approvers must also "
                        "be approvers of the brand.", example="/late config channel approvers brand")
    if count is not None and count < policy.approvals_required:
        raise UserError(f"That would need {policy.approvals_required} approvals from only {count} approver"
                        f"{'s' if count != 1 else ''}. Name more approvers, or ask for fewer approvals.",
                        example=f"/late config approvals {count}")


# --- showing ------------------------------------------------------------------------------------


async def describe(core: Core, place: Place, channel: ChannelConfig | None = None) -> str:
    """The rules that apply here (`channel`: this channel's config, when already read)."""
    channel = channel or await core.channels.get(place)
    try:
        profile = await core.directory.profile_for(channel)
    except UserError as exc:
        return f"This channel has no brand yet: {exc.message}"
    return _rules_text(place, profile, await core.brands.get(profile.id), channel)


def _rules_text(place: Place, profile: Profile, brand: BrandRules, channel: ChannelConfig) -> str:
    policy = Policy(place=place, brand=brand, channel=channel)
    brand_only = Policy(place=place, brand=brand, channel=ChannelConfig(chat=place.chat, team=place.team,
                                                                        channel=place.channel))
    here = workspace(place.chat, place.team)
    labels = {**{k.removeprefix(qualified(place.chat, place.team, "")): v for k, v in brand.labels.items()},
              **(channel.labels or {})}

    def shown(channel_id: str | None) -> str:
        return f"#{labels.get(channel_id, channel_id)}" if channel_id else "the channel where it is asked"

    def tighter(value: object, unit: str = "") -> str:
        return f"{value}{unit}" if value is not None else "as the brand"

    lines = [
        f"Brand {profile.name}, in this workspace:",
        f"- approvers: {who_may_approve(brand_only)}",
        f"- approvals: {brand.approvals_required}",
        f"- self_approval: {'on' if brand.allow_self_approval else 'off'}",
        f"- expiry: {brand.expiry_hours} hours",
        f"- approval_channel: {shown(brand.approval_channels.get(here))}",
        f"- alert_channel: {shown(brand.alert_channels[here]) if here in brand.alert_channels else 'none'}",
        "This channel's own rules (only ever stricter):",
        f"- approvers: {'as the brand' if not channel.has_approvers else 'only some (below)'}",
        f"- approvals: {tighter(channel.approvals_required)}",
        f"- self_approval: {'off' if channel.allow_self_approval is False else 'as the brand'}",
        f"- expiry: {tighter(channel.expiry_hours, ' hours')}",
        f"- approval_channel: {shown(channel.approval_channel) if channel.approval_channel else 'as the brand'}",
        f"- timezone: {channel.timezone or 'the user’s or the default'}",
        f"So a post requested here needs {policy.approvals_required} approval"
        f"{'s' if policy.approvals_required != 1 else ''} from {who_may_approve(policy)}; its card goes to "
        f"{shown(policy.approval_place.channel)}; undecided, it expires after {policy.expiry_hours} hours.",
        "Change a brand rule with /late config <key> <value>, this channel's with /late config channel <key> <value>.",
    ]
    return "\n".join(lines)
