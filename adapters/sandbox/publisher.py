"""Publishing a post: per platform, published with a permalink, or failed because of the account."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from adapters.sandbox.health import failure_reason
from adapters.sandbox.permalinks import permalink, platform_post_id
from adapters.sandbox.tables import dump_doc, load_doc, ref_id, settings_of
from bot.clock import iso
from bot.store import Tx


def publish(tx: Tx, doc: dict[str, Any], now: datetime, *, only_failed: bool = False) -> list[dict[str, Any]]:
    """Publish every entry (or only the failed ones, for a retry); returns `platformResults`."""
    results = []
    for entry in doc["platforms"]:
        if only_failed and entry.get("status") != "failed":
            continue
        account_id = ref_id(entry.get("accountId"))
        row = tx.one("SELECT * FROM sandbox_accounts WHERE id = ?", [account_id])
        reason = failure_reason(row, now)
        for key in ("errorMessage", "errorCategory", "errorSource"):
            entry.pop(key, None)
        if reason is not None or row is None:
            entry.update(
                status="failed", errorMessage=reason, errorCategory="auth_expired", errorSource="user"
            )
            results.append(
                {"platform": entry["platform"], "accountId": account_id, "status": "failed", "error": reason}
            )
            continue
        native = platform_post_id(doc["_id"], f"{entry['platform']}:{account_id}")
        subreddit = (entry.get("platformSpecificData") or {}).get("subreddit") or settings_of(row).get(
            "defaultSubreddit"
        )
        entry.update(
            status="published",
            platformPostId=native,
            platformPostUrl=permalink(entry["platform"], row["username"], native, subreddit=subreddit),
            publishedAt=iso(now),
        )
        results.append(
            {"platform": entry["platform"], "accountId": account_id, "status": "published", "error": None}
        )
    statuses = [e.get("status") for e in doc["platforms"]]
    if all(s == "published" for s in statuses):
        doc["status"] = "published"
    elif any(s == "published" for s in statuses):
        doc["status"] = "partial"
    else:
        doc["status"] = "failed"
    if any(s == "published" for s in statuses):
        doc.setdefault("publishedAt", iso(now))
    doc["updatedAt"] = iso(now)
    return results


def save(tx: Tx, doc: dict[str, Any], *, due_at: str | None = None) -> None:
    tx.execute(
        "UPDATE sandbox_posts SET status = ?, due_at = ?, published_at = ?, doc = ? WHERE id = ?",
        [doc["status"], due_at, doc.get("publishedAt"), dump_doc(doc), doc["_id"]],
    )


def tick(tx: Tx, now: datetime, publish_delay: timedelta) -> int:
    """Move due posts on: scheduled -> publishing -> published/partial/failed. Returns how many finished."""
    stamp = iso(now)
    finished = 0
    for row in tx.all("SELECT * FROM sandbox_posts WHERE status = 'publishing' AND due_at <= ?", [stamp]):
        doc = load_doc(row)
        publish(tx, doc, now)
        save(tx, doc)
        finished += 1
    for row in tx.all("SELECT * FROM sandbox_posts WHERE status = 'scheduled' AND due_at <= ?", [stamp]):
        doc = load_doc(row)
        if publish_delay > timedelta(0):
            doc["status"] = "publishing"
            for entry in doc["platforms"]:
                entry["status"] = "processing"
            save(tx, doc, due_at=iso(now + publish_delay))
            continue
        publish(tx, doc, now)
        save(tx, doc)
        finished += 1
    return finished
