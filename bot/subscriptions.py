"""Whether a Late webhook points at this latebot, and registering one (`/v1/webhooks/settings`)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.late.client import LateClient
from bot.late.webhook import EVENTS, Webhook

NAME = "latebot"


@dataclass(frozen=True)
class Found:
    webhook: Webhook
    missing: tuple[str, ...]  # events latebot handles that it is not subscribed to

    @property
    def complete(self) -> bool:
        return self.webhook.is_active and not self.missing


def found(webhook: Webhook) -> Found:
    return Found(webhook, tuple(e for e in EVENTS if e not in webhook.events))


async def pointing_at(late: LateClient, url: str | None) -> list[Found]:
    """Late's webhooks that point at `url`, or (without one) at any latebot (`.../late/webhooks`)."""
    hooks = await late.webhooks()
    if url is not None:
        return [found(w) for w in hooks if w.url.rstrip("/") == url.rstrip("/")]
    return [found(w) for w in hooks if w.url.rstrip("/").endswith("/late/webhooks")]


async def register(late: LateClient, url: str, secret: str) -> tuple[Found, bool]:
    """A webhook to `url` for every event latebot handles, signed with `secret`; True when it was new.
    One that exists is completed (events, active, secret) rather than duplicated."""
    existing = await pointing_at(late, url)
    if not existing:
        return found(await late.create_webhook(name=NAME, url=url, events=EVENTS, secret=secret)), True
    hook = existing[0].webhook
    events = sorted({*hook.events, *EVENTS})
    updated = await late.update_webhook(hook.id, {"events": events, "isActive": True, "secret": secret})
    return found(updated), False
