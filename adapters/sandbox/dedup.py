"""The two ways Late refuses to make a post twice: idempotency keys and duplicate content.

A repeated `x-request-id` is answered with the original post for about 5 minutes only (the
`Idempotency-Key` contract for posts is unconfirmed, so it gets no longer); duplicate content is
refused for 24 hours.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from adapters.sandbox.inbound import Refusal
from adapters.sandbox.rules import Checked
from adapters.sandbox.tables import load_doc, post_row, ref_id
from bot.clock import iso
from bot.store import Tx

WINDOW = timedelta(hours=24)  # duplicate content
REPLAY_WINDOW = timedelta(minutes=5)  # a repeated key
DUPLICATE = (
    "This exact content is already scheduled, publishing, or was posted to this account "
    "within the last 24 hours."
)


def replay(tx: Tx, key: str, now: datetime, window: timedelta = REPLAY_WINDOW) -> dict[str, Any] | None:
    """The post an earlier request with this key made, while the key is fresh and the post exists."""
    row = tx.one(
        "SELECT post_id FROM sandbox_idempotency WHERE key = ? AND at >= ?", [key, iso(now - window)]
    )
    if row is None:
        return None
    post = post_row(tx, row["post_id"])
    return load_doc(post) if post else None


def remember(tx: Tx, key: str, post_id: str, now: datetime) -> None:
    tx.execute(
        "INSERT OR REPLACE INTO sandbox_idempotency (key, post_id, at) VALUES (?, ?, ?)",
        [key, post_id, iso(now)],
    )


def content_key(text: str, media: list[dict[str, Any]] | None) -> str:
    urls = "\n".join(str(m.get("url")) for m in media or [])
    return hashlib.sha256(f"{text.strip()}\n{urls}".encode()).hexdigest()


def refuse_duplicate(tx: Tx, checked: Checked, now: datetime) -> None:
    """409 when an account would get content it already has scheduled, publishing, or published in 24 h."""
    wanted = {
        (
            t.account["id"],
            content_key(
                t.entry.get("customContent") or checked.content, t.entry.get("customMedia") or checked.media
            ),
        ): t
        for t in checked.targets
    }
    rows = tx.all(
        "SELECT doc FROM sandbox_posts WHERE status IN ('scheduled', 'publishing') "
        "OR (status IN ('published', 'partial') AND published_at >= ?)",
        [iso(now - WINDOW)],
    )
    for row in rows:
        doc = load_doc(row)
        for entry in doc["platforms"]:
            if entry.get("status") == "failed":
                continue
            key = (
                ref_id(entry.get("accountId")),
                content_key(
                    entry.get("customContent") or doc.get("content") or "",
                    entry.get("customMedia") or doc.get("mediaItems"),
                ),
            )
            if key in wanted:
                raise Refusal(
                    409,
                    DUPLICATE,
                    details={
                        "accountId": key[0],
                        "platform": entry["platform"],
                        "existingPostId": doc["_id"],
                    },
                )
