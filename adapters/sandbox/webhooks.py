"""`/v1/webhooks/settings`: the webhook subscriptions, as Late keeps them (up to 50; the secret is
kept but never answered back). The sandbox delivers no events; it only remembers the subscriptions."""

from __future__ import annotations

import json
from typing import Any

from adapters.sandbox.context import Context
from adapters.sandbox.inbound import Inbound, Refusal, Reply
from bot.store import Tx

MAX = 50
_KEY = "webhooks"
_FIELDS = ("name", "url", "events", "secret", "isActive", "customHeaders")


def _load(tx: Tx) -> list[dict[str, Any]]:
    row = tx.one("SELECT value FROM sandbox_meta WHERE key = ?", [_KEY])
    hooks = json.loads(row["value"]) if row else []
    return hooks if isinstance(hooks, list) else []


def _save(tx: Tx, hooks: list[dict[str, Any]]) -> None:
    tx.execute("INSERT OR REPLACE INTO sandbox_meta (key, value) VALUES (?, ?)", [_KEY, json.dumps(hooks)])


def _public(hook: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in hook.items() if k != "secret"}


def _checked(body: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    fields = {k: body[k] for k in _FIELDS if k in body}
    if not partial or "name" in fields:
        name = fields.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 50:
            raise Refusal(400, "name is required (1 to 50 characters)")
    if not partial or "url" in fields:
        url = fields.get("url")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise Refusal(400, "url must be an http(s) URL")
    if not partial or "events" in fields:
        events = fields.get("events")
        if not isinstance(events, list) or not events or not all(isinstance(e, str) for e in events):
            raise Refusal(400, "events must list at least one event")
    return fields


def handle_list(ctx: Context, tx: Tx, req: Inbound) -> Reply:
    return Reply(200, {"webhooks": [_public(h) for h in _load(tx)]})


def handle_create(ctx: Context, tx: Tx, req: Inbound) -> Reply:
    hooks = _load(tx)
    if len(hooks) >= MAX:
        raise Refusal(400, f"At most {MAX} webhooks")
    hook = {"_id": ctx.ids(), "isActive": True, "failureCount": 0, **_checked(req.object(), partial=False)}
    _save(tx, [*hooks, hook])
    return Reply(200, {"success": True, "webhook": _public(hook)})


def handle_update(ctx: Context, tx: Tx, req: Inbound) -> Reply:
    body = req.object()
    wanted = body.get("webhookId") or body.get("_id")
    hooks = _load(tx)
    for hook in hooks:
        if hook["_id"] == wanted:
            hook.update(_checked(body, partial=True))
            _save(tx, hooks)
            return Reply(200, {"success": True, "webhook": _public(hook)})
    raise Refusal(404, "Webhook not found")


def handle_delete(ctx: Context, tx: Tx, req: Inbound) -> Reply:
    wanted = req.params.get("webhookId") or req.params.get("id")
    hooks = _load(tx)
    kept = [h for h in hooks if h["_id"] != wanted]
    if len(kept) == len(hooks):
        raise Refusal(404, "Webhook not found")
    _save(tx, kept)
    return Reply(200, {"success": True})
