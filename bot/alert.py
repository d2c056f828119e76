"""One alert for an alert channel: what it says and which buttons it offers, as a neutral `Card`.

Producers (the health monitor, the follow-ups) describe an alert in plain words; `card_of` turns it
into a card with the `Reconnect` link (Late's connect URL, fetched fresh for each alert, see
`bot.alerts`), `Mute 24h`, `Show posts at risk` and `Retry` buttons as the alert asks. Recoveries
are short messages (`plain`), not cards.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from bot.messages import Button, Card, CardField, Reply, Tone

AlertKind = Literal["account", "recovered", "check_failing", "check_ok", "post_failed", "post_late"]
MUTE_HOURS = 24


class Alert(BaseModel):
    kind: AlertKind
    key: str  # one alert per key, ever: the outbox refuses a second one
    title: str
    text: str = ""
    fields: list[tuple[str, str]] = Field(default_factory=list)
    tone: Tone = "warning"
    profile_id: str | None = None  # whose alert channels hear it; None: every alert channel
    account_id: str | None = None  # muting holds it
    request_id: str | None = None
    reconnect: str | None = None  # the platform to offer a Reconnect link for
    mute: bool = False
    at_risk: bool = False
    retry: bool = False
    plain: bool = False  # a short message rather than a card


def card_of(alert: Alert, *, link: str | None, link_problem: str | None = None, footer: str = "") -> Card:
    """`link` is Late's connect URL for `alert.reconnect`; without one the card says where to go."""
    fields = [CardField(title=title, value=value) for title, value in alert.fields]
    buttons: list[Button] = []
    if alert.reconnect:
        if link:
            buttons.append(Button(label="Reconnect", url=link, style="primary"))
        else:
            why = f" (latebot could not get a link from Late: {link_problem})" if link_problem else ""
            fields.append(CardField(title="Reconnect", value=f"In Late's dashboard{why}."))
    ref = alert.account_id or ""
    if alert.mute and ref:
        buttons.append(Button(label=f"Mute {MUTE_HOURS}h", action="mute", ref=ref))
    if alert.at_risk and ref:
        buttons.append(Button(label="Show posts at risk", action="at_risk", ref=ref))
    if alert.retry and alert.request_id:
        buttons.append(Button(label="Retry", action="retry", ref=alert.request_id, style="primary"))
    return Card(title=alert.title, text=alert.text, fields=fields, buttons=buttons, footer=footer,
                tone=alert.tone)


def reply_of(alert: Alert) -> Reply:
    return Reply(text=alert.text or alert.title, ephemeral=False)
