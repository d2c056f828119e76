"""Publishing a post, per platform entry: published with a permalink, failed (the account is broken,
the text is too long, the platform is down), or throttled, which Late retries by itself later (the
entry stays `processing`, the post `publishing`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from adapters.sandbox import lengths
from adapters.sandbox.health import failure_reason
from adapters.sandbox.permalinks import permalink, platform_post_id
from adapters.sandbox.tables import account_row, dump_doc, load_doc, ref_id, settings_of
from adapters.sandbox.weather import MAX_THROTTLES, Weather
from bot.clock import iso
from bot.store import Tx

OPEN = ("pending", "processing")  # entries still to be published
_ERRORS = ("errorMessage", "errorCategory", "errorSource")


def too_long(entry: dict[str, Any], content: str) -> str | None:
    """Late's publish-time length check: a part over the platform's limit fails the entry."""
    platform = entry["platform"]
    limit = lengths.LIMITS.get(platform)
    if limit is None:
        return None
    items = (entry.get("platformSpecificData") or {}).get("threadItems")
    parts = [str(i.get("content") or "") for i in items] if platform in lengths.THREADED and items else [
        entry.get("customContent") or content]
    longest = max(lengths.length(p, platform) for p in parts)
    if longest <= limit:
        return None
    return f"Text is too long for {lengths.display(platform)}: {longest} characters, the limit is {limit}"


def _fail(entry: dict[str, Any], why: str | None, category: str, source: str) -> None:
    entry.update(status="failed", errorMessage=why, errorCategory=category, errorSource=source)


def publish(
    tx: Tx, doc: dict[str, Any], now: datetime, *, weather: Weather | None = None, only_failed: bool = False
) -> list[dict[str, Any]]:
    """Try every open entry (or only the failed ones, for a retry); returns `platformResults`."""
    results = []
    for entry in doc["platforms"]:
        if entry.get("status") not in (("failed",) if only_failed else OPEN):
            continue
        account_id = ref_id(entry.get("accountId"))
        row = account_row(tx, account_id)
        for key in _ERRORS:
            entry.pop(key, None)
        reason = failure_reason(row, now)
        trouble = weather.trouble(entry["platform"]) if weather is not None else None
        long = too_long(entry, doc.get("content") or "")
        display = lengths.display(entry["platform"])
        if reason is not None or row is None:
            _fail(entry, reason, "auth_expired", "user")
        elif long is not None:
            _fail(entry, long, "user_content", "user")
        elif trouble == "platform_error":
            _fail(entry, f"{display} answered 503 (maintenance); try again later", "platform_error", "platform")
        elif trouble == "platform_rate_limit" and entry.get("publishRetries", 0) < MAX_THROTTLES:
            entry["publishRetries"] = entry.get("publishRetries", 0) + 1
            entry.update(status="processing", errorMessage=f"{display} is throttling requests; Late retries shortly",
                         errorCategory="platform_rate_limit", errorSource="platform")
        elif trouble == "platform_rate_limit":
            _fail(entry, f"{display} kept throttling requests", "platform_rate_limit", "platform")
        else:
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
        results.append({"platform": entry["platform"], "accountId": account_id, "status": entry["status"],
                        "error": entry.get("errorMessage")})
    doc["status"] = status_of(doc["platforms"])
    if doc["status"] in ("published", "partial"):
        doc.setdefault("publishedAt", iso(now))
    doc["updatedAt"] = iso(now)
    return results


def publish_later(doc: dict[str, Any], due: datetime) -> str:
    """A post that takes a while (`publish_delay`): `publishing` until the tick at `due`; returns it."""
    doc["status"] = "publishing"
    for entry in doc["platforms"]:
        entry["status"] = "processing"
    return iso(due)


def status_of(entries: list[dict[str, Any]]) -> str:
    statuses = [e.get("status") for e in entries]
    if any(s in OPEN for s in statuses):
        return "publishing"
    if statuses and all(s == "published" for s in statuses):
        return "published"
    if any(s == "published" for s in statuses):
        return "partial"
    if statuses and all(s in ("cancelled", "failed") for s in statuses) and "cancelled" in statuses:
        return "cancelled"
    return "failed"


def save(tx: Tx, doc: dict[str, Any], *, due_at: str | None = None) -> None:
    tx.execute(
        "UPDATE sandbox_posts SET status = ?, due_at = ?, published_at = ?, doc = ? WHERE id = ?",
        [doc["status"], due_at, doc.get("publishedAt"), dump_doc(doc), doc["_id"]],
    )


def settle_saved(tx: Tx, doc: dict[str, Any], now: datetime, weather: Weather) -> None:
    """Save `doc` after an attempt; still `publishing` (a throttled entry) means Late tries again later."""
    save(tx, doc, due_at=iso(now + weather.retry_after) if doc["status"] == "publishing" else None)


def tick(tx: Tx, now: datetime, publish_delay: timedelta, weather: Weather | None = None) -> int:
    """Move due posts on: scheduled -> publishing -> published/partial/failed. Returns how many finished."""
    weather = weather or Weather()
    stamp = iso(now)
    finished = 0
    for row in tx.all("SELECT * FROM sandbox_posts WHERE status = 'publishing' AND due_at <= ?", [stamp]):
        doc = load_doc(row)
        publish(tx, doc, now, weather=weather)
        settle_saved(tx, doc, now, weather)
        finished += doc["status"] != "publishing"
    for row in tx.all("SELECT * FROM sandbox_posts WHERE status = 'scheduled' AND due_at <= ?", [stamp]):
        doc = load_doc(row)
        if publish_delay > timedelta(0):
            save(tx, doc, due_at=publish_later(doc, now + publish_delay))
            continue
        publish(tx, doc, now, weather=weather)
        settle_saved(tx, doc, now, weather)
        finished += doc["status"] != "publishing"
    return finished
