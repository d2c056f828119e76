"""Per-account platform settings: Pinterest boards and Reddit subreddits, each with a default."""

from __future__ import annotations

import json
from typing import Any

from adapters.sandbox.context import Context
from adapters.sandbox.inbound import Inbound, Refusal, Reply
from adapters.sandbox.tables import settings_of
from bot.store import Tx

DEMO_BOARDS = [{"id": "inspiration", "name": "Inspiration"}, {"id": "engineering", "name": "Engineering"}]
DEMO_SUBREDDITS = ["programming", "reactjs"]


def _account(tx: Tx, req: Inbound, platform: str) -> dict[str, Any]:
    row = tx.one("SELECT * FROM sandbox_accounts WHERE id = ?", [req.args["id"]])
    if row is None:
        raise Refusal(404, "Not found")
    if row["platform"] != platform:
        raise Refusal(400, f"Account {row['id']} is not a {platform} account")
    return row


def _save(tx: Tx, row: dict[str, Any], settings: dict[str, Any]) -> None:
    tx.execute("UPDATE sandbox_accounts SET settings = ? WHERE id = ?", [json.dumps(settings), row["id"]])


def handle_boards(ctx: Context, tx: Tx, req: Inbound) -> Reply:
    settings = settings_of(_account(tx, req, "pinterest"))
    return Reply(
        200, {"boards": settings.get("boards", DEMO_BOARDS), "defaultBoardId": settings.get("defaultBoardId")}
    )


def handle_set_board(ctx: Context, tx: Tx, req: Inbound) -> Reply:
    row = _account(tx, req, "pinterest")
    settings, body = settings_of(row), req.object()
    boards = settings.get("boards", DEMO_BOARDS)
    board = next((b for b in boards if b["id"] == body.get("defaultBoardId")), None)
    if board is None:
        raise Refusal(400, f"Board {body.get('defaultBoardId')} is not one of this account's boards")
    _save(tx, row, {**settings, "boards": boards, "defaultBoardId": board["id"]})
    return Reply(
        200,
        {
            "message": "Default board updated",
            "defaultBoardId": board["id"],
            "defaultBoardName": body.get("defaultBoardName") or board["name"],
        },
    )


def handle_subreddits(ctx: Context, tx: Tx, req: Inbound) -> Reply:
    settings = settings_of(_account(tx, req, "reddit"))
    names = settings.get("subreddits", DEMO_SUBREDDITS)
    subreddits = [{"name": n, "display_name_prefixed": f"r/{n}"} for n in names]
    return Reply(200, {"subreddits": subreddits, "defaultSubreddit": settings.get("defaultSubreddit")})


def handle_set_subreddit(ctx: Context, tx: Tx, req: Inbound) -> Reply:
    row = _account(tx, req, "reddit")
    name = str(req.object().get("defaultSubreddit") or "").removeprefix("r/").strip()
    if not name:
        raise Refusal(400, "defaultSubreddit is required")
    settings = settings_of(row)
    _save(tx, row, {**settings, "defaultSubreddit": name})
    return Reply(200, {"message": "Default subreddit updated", "defaultSubreddit": name})
