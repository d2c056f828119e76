"""Per-account platform settings: Pinterest boards and Reddit subreddits, each with a default.

Read only, as latebot only reads them; tests set a default with `LateEngine.update_account(settings=...)`.
"""

from __future__ import annotations

from typing import Any

from adapters.sandbox.context import Context
from adapters.sandbox.inbound import Inbound, Refusal, Reply
from adapters.sandbox.tables import account_row, settings_of
from bot.store import Tx

DEMO_BOARDS = [{"id": "inspiration", "name": "Inspiration"}, {"id": "engineering", "name": "Engineering"}]
DEMO_SUBREDDITS = ["programming", "reactjs"]


def _account(tx: Tx, req: Inbound, platform: str) -> dict[str, Any]:
    row = account_row(tx, req.args["id"])
    if row is None:
        raise Refusal(404, "Not found")
    if row["platform"] != platform:
        raise Refusal(400, f"Account {row['id']} is not a {platform} account")
    return row


def handle_boards(ctx: Context, tx: Tx, req: Inbound) -> Reply:
    settings = settings_of(_account(tx, req, "pinterest"))
    return Reply(
        200, {"boards": settings.get("boards", DEMO_BOARDS), "defaultBoardId": settings.get("defaultBoardId")}
    )


def handle_subreddits(ctx: Context, tx: Tx, req: Inbound) -> Reply:
    settings = settings_of(_account(tx, req, "reddit"))
    names = settings.get("subreddits", DEMO_SUBREDDITS)
    subreddits = [{"name": n, "display_name_prefixed": f"r/{n}"} for n in names]
    return Reply(200, {"subreddits": subreddits, "defaultSubreddit": settings.get("defaultSubreddit")})

