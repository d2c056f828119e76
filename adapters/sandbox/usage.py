"""`GET /v1/usage-stats` and `GET /v1/connect/{platform}`."""

from __future__ import annotations

from urllib.parse import urlencode

from adapters.sandbox.context import Context
from adapters.sandbox.inbound import Inbound, Refusal, Reply
from adapters.sandbox.plan import usage_doc
from bot.clock import iso
from bot.store import Tx

PLATFORMS = (
    "twitter",
    "threads",
    "instagram",
    "youtube",
    "facebook",
    "linkedin",
    "pinterest",
    "reddit",
    "tiktok",
    "bluesky",
    "googlebusiness",
    "telegram",
    "snapchat",
)
CONNECT_HOST = "https://connect.sandbox.latebot.invalid"


def signup(ctx: Context, tx: Tx) -> str:
    row = tx.one("SELECT value FROM sandbox_meta WHERE key = 'signup'")
    return str(row["value"]) if row else iso(ctx.clock.now())


def handle_usage(ctx: Context, tx: Tx, req: Inbound) -> Reply:
    return Reply(200, usage_doc(ctx.plan, tx, signup(ctx, tx)))


def handle_connect(ctx: Context, tx: Tx, req: Inbound) -> Reply:
    platform = req.args["platform"]
    if platform not in PLATFORMS:
        raise Refusal(400, f"Unsupported platform: {platform}")
    profile_id = req.params.get("profileId")
    if not profile_id:
        raise Refusal(400, "profileId is required")
    if tx.one("SELECT id FROM sandbox_profiles WHERE id = ?", [profile_id]) is None:
        raise Refusal(404, "Profile not found")
    state = ctx.ids()
    query = {"profileId": profile_id, "state": state}
    if req.params.get("redirect_url"):
        query["redirect_url"] = req.params["redirect_url"]
    return Reply(200, {"authUrl": f"{CONNECT_HOST}/{platform}?{urlencode(query)}", "state": state})
