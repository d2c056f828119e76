"""Commands and buttons about account health: `/late health`, `/late connect <platform>`, and an
alert's `Mute 24h` and `Show posts at risk`."""

from __future__ import annotations

from datetime import timedelta

from bot import platforms
from bot.alert import MUTE_HOURS
from bot.brands import qualified, workspace
from bot.card import snippet, when_text
from bot.clock import describe_time
from bot.core import Core
from bot.messages import Actor, Button, ButtonPress, Card, Place, Reply
from bot.platforms import account_label
from bot.ports import Responder
from commands import model

ALERT_HINT = "/late config alert_channel #ops"


async def health(core: Core, command: model.HealthCommand, actor: Actor, place: Place,
                 responder: Responder) -> None:
    config = await core.channels.get(place)
    profile = await core.directory.profile_for(config)
    rows = await core.checkup.rows(profile.id)
    lines = [f"Account health for {profile.name}:"]
    buttons = []
    for row in rows:
        extra = f" ({row.issues})" if row.issues else ""
        lines.append(f"- {row.label}: {row.status}{extra}")
        if row.link:
            buttons.append(Button(label=f"Reconnect {row.label}"[:75], url=row.link))
    if not rows:
        lines.append("No accounts are connected yet: /late connect <platform>.")
    brand = await core.brands.get(profile.id)
    here = brand.alert_channels.get(workspace(place.chat, place.team))
    if here:
        label = brand.labels.get(qualified(place.chat, place.team, here), here)
        lines.append(f"Alerts for {profile.name} go to #{label}.")
    else:
        lines.append(f"No alert channel is set for {profile.name} here, so nobody hears when an account "
                     f"breaks: an admin can set one with {ALERT_HINT}.")
    card = Card(title="Reconnect", buttons=buttons, tone="warning") if buttons else None
    await responder.reply(Reply(text="\n".join(lines), card=card))


async def connect(core: Core, command: model.ConnectCommand, actor: Actor, place: Place,
                  responder: Responder) -> None:
    config = await core.channels.get(place)
    profile = await core.directory.profile_for(config)
    found = await core.checkup.connect_url(command.platform, profile.id)
    name = platforms.display_name(command.platform)
    text = f"Connect a {name} account to {profile.name} (only you see this link):\n{found}"
    card = Card(title=f"Connect {name}", buttons=[Button(label=f"Connect {name}", url=found)])
    await responder.reply(Reply(text=text, card=card))


# --- buttons on alerts ------------------------------------------------------------------------------


async def mute(core: Core, press: ButtonPress, responder: Responder) -> None:
    account_id = press.ref
    state = await core.health_book.state(account_id)
    label = account_label(state.platform, state.username) if state else account_id
    until = core.clock.now() + timedelta(hours=MUTE_HOURS)
    await core.health_book.mute(account_id, until, press.actor)
    await responder.reply(Reply(text=f"{press.actor.name} muted the alerts for {label} until "
                                     f"{describe_time(until, 'UTC')}.", ephemeral=False))


async def at_risk(core: Core, press: ButtonPress, responder: Responder) -> None:
    account_id = press.ref
    state = await core.health_book.state(account_id)
    label = account_label(state.platform, state.username) if state else account_id
    found = await core.risks.of_account(account_id)
    if not found:
        await responder.reply(Reply(text=f"No post from latebot is waiting to use {label}."))
        return
    lines = [f"Posts from latebot that use {label}:"]
    for r in found:
        lines.append(f"- {r.id} [{r.state}] {when_text(r.draft)}: {snippet(r.draft.text, 60)}")
    await responder.reply(Reply(text="\n".join(lines)))
