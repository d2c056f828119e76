"""`POST /late/webhooks`: Late's events, verified, each handled once, fed to the same paths as polling.

The signature is `X-Zernio-Signature` (or the older `X-Late-Signature`): the lowercase hex
HMAC-SHA256 of the raw body keyed with `LATE_WEBHOOK_SECRET`, compared in constant time. A missing
or wrong one gets 401 and changes nothing; without the setting the route answers 501. Events about
posts go to `FollowUps.settle_post` (the settle path, which updates the card once however often
the news comes), events about accounts to `HealthMonitor.observe` (the account alert at once,
without waiting for the next poll). Unknown events and posts latebot did not make get 200.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from typing import Any

from pydantic import SecretStr, ValidationError

from bot.clock import Clock
from bot.followup import FINAL, FollowUps
from bot.health import HealthMonitor
from bot.healthbook import AccountState
from bot.late.webhook import EVENTS, EventAccount, WebhookEvent
from bot.webhookevents import WebhookEvents

log = logging.getLogger("latebot.webhooks")

Answer = tuple[int, dict[str, object]]
NO_SECRET = ("Late webhooks are not set up here: set LATE_WEBHOOK_SECRET to the webhook's secret "
             "(`latebot webhooks --url <public url>` registers one).")


def signature(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verified(body: bytes, given: str | None, secret: str) -> bool:
    # As bytes: compare_digest refuses non-ASCII text, and a header may carry anything.
    sent = (given or "").strip().lower().encode("utf-8", "replace")
    return bool(sent) and hmac.compare_digest(signature(body, secret).encode(), sent)


def account_state(account: EventAccount, *, connected: bool, at: Any) -> AccountState:
    if connected:
        return AccountState(account_id=account.account_id, profile_id=account.profile_id,
                            platform=account.platform or "?", username=account.username or "", seen_at=at)
    why = account.reason or "Disconnected"
    if account.disconnection_type == "intentional":
        why += " (disconnected on purpose in Late)"
    return AccountState(account_id=account.account_id, profile_id=account.profile_id, platform=account.platform or "?",
                        username=account.username or "", status="error", can_post=False, needs_reconnect=True,
                        issues=[why], seen_at=at)


class Webhooks:
    def __init__(self, *, secret: SecretStr | None, events: WebhookEvents, followups: FollowUps,
                 monitor: HealthMonitor, clock: Clock) -> None:
        self.secret = secret.get_secret_value() if secret is not None and secret.get_secret_value() else None
        self.events = events
        self.followups = followups
        self.monitor = monitor
        self.clock = clock

    async def handle(self, body: bytes, headers: Mapping[str, str]) -> Answer:
        if self.secret is None:
            return 501, {"ok": False, "error": NO_SECRET}
        lower = {k.lower(): v for k, v in headers.items()}
        given = lower.get("x-zernio-signature") or lower.get("x-late-signature")
        if not verified(body, given, self.secret):
            return 401, {"ok": False, "error": "missing or wrong signature"}
        try:
            raw = json.loads(body)
        except ValueError:
            return 400, {"ok": False, "error": "the body is not JSON"}
        name = raw.get("event") if isinstance(raw, dict) else None
        if name not in EVENTS:
            return 200, {"ok": True, "ignored": str(name)}
        try:
            event = WebhookEvent.model_validate(raw)
        except ValidationError as exc:
            log.warning("a %s webhook in an unexpected shape: %s", name, exc.errors()[0]["msg"])
            return 400, {"ok": False, "error": "unexpected shape"}
        if not await self.events.claim(event.id, event.event):
            return 200, {"ok": True, "duplicate": True}
        try:
            done = await self._dispatch(event)
        except Exception:
            await self.events.release(event.id)
            log.exception("webhook %s (%s) failed; Late will deliver it again", event.id, event.event)
            return 500, {"ok": False, "error": "latebot could not handle it now"}
        return 200, {"ok": True, **done}

    async def _dispatch(self, event: WebhookEvent) -> dict[str, object]:
        if event.account is not None and event.event.startswith("account."):
            state = account_state(event.account, connected=event.event == "account.connected", at=self.clock.now())
            await self.monitor.observe(state, keep_expiry=event.event != "account.connected")
            return {"account": event.account.account_id}
        if event.post is None:
            return {"ours": False}
        if event.post.status not in FINAL:
            # A platform finished while others are still going: the post's own event comes when all are.
            return {"final": False}
        request = await self.followups.request_for(event.post.id, event.post.metadata)
        if request is None:
            return {"ours": False}
        post, retries = await self.followups.view(request, known=event.post.as_post())
        final = await self.followups.settle_post(request, post, retries, source=f"webhook {event.event}")
        return {"ours": True, "request": request.id, "final": final}
