"""`GET /v1/reddit/feed`: a made-up but stable feed, paged with Reddit's `after` tokens."""

from __future__ import annotations

import hashlib

from adapters.sandbox.context import Context
from adapters.sandbox.inbound import Inbound, Refusal, Reply
from bot.store import Tx

SORTS = ("hot", "new", "top", "rising")
FEED_SIZE = 60


def handle_feed(ctx: Context, tx: Tx, req: Inbound) -> Reply:
    p = req.params
    account = tx.one("SELECT * FROM sandbox_accounts WHERE id = ?", [p.get("accountId", "")])
    if account is None or account["platform"] != "reddit":
        raise Refusal(400, "accountId must name a connected Reddit account")
    sort = p.get("sort", "hot")
    if sort not in SORTS:
        raise Refusal(400, f"sort must be one of {', '.join(SORTS)}")
    try:
        limit = int(p.get("limit", "25"))
        start = int(p["after"].removeprefix("t3_s")) if p.get("after") else 0
    except ValueError:
        raise Refusal(400, "limit must be 1-100 and after a token from an earlier page") from None
    if not 1 <= limit <= 100:
        raise Refusal(400, "limit must be between 1 and 100")
    subreddit = (p.get("subreddit") or "popular").removeprefix("r/")
    items = []
    for n in range(start, min(start + limit, FEED_SIZE)):
        code = hashlib.sha256(f"{subreddit}:{sort}:{n}".encode()).hexdigest()[:6]
        items.append(
            {
                "id": code,
                "fullname": f"t3_{code}",
                "title": f"{sort.title()} post {n + 1} in r/{subreddit}",
                "author": f"user{n % 7}",
                "subreddit": subreddit,
                "url": f"https://www.reddit.com/r/{subreddit}/",
                "permalink": f"https://www.reddit.com/r/{subreddit}/comments/{code}/post_{n + 1}/",
                "selftext": "",
                "createdUtc": 1_700_000_000 + n * 60,
                "score": 1000 - n * 7,
                "numComments": n * 3 % 50,
                "over18": False,
                "stickied": n == 0,
                "flairText": None,
            }
        )
    end = start + len(items)
    return Reply(
        200,
        {
            "items": items,
            "after": f"t3_s{end}" if end < FEED_SIZE else None,
            "before": f"t3_s{start}" if start else None,
        },
    )
