"""`POST /v1/posts/bulk-upload`: a CSV of posts, checked row by row, created unless `dryRun=true`."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from adapters.sandbox import multipart
from adapters.sandbox.context import Context
from adapters.sandbox.inbound import Inbound, Refusal, Reply
from adapters.sandbox.posts import create
from bot.store import Tx

_SPLIT = re.compile(r"[,;\s]+")
_YES = ("1", "true", "yes")


def handle_bulk(ctx: Context, tx: Tx, req: Inbound) -> Reply:
    parts = multipart.parse(req.headers.get("content-type", ""), req.body)
    upload = next((p for p in parts if p.name == "file"), None)
    if upload is None:
        raise Refusal(400, "Send the CSV in the multipart field 'file'")
    rows = list(csv.DictReader(io.StringIO(upload.content.decode("utf-8-sig"))))
    if not rows:
        raise Refusal(400, "The CSV has no rows")
    dry_run = req.flag("dryRun")
    results = [_row(ctx, tx, i, row, dry_run) for i, row in enumerate(rows, start=1)]
    valid = sum(1 for r in results if r["ok"])
    body: dict[str, Any] = {
        "total": len(rows),
        "valid": valid,
        "invalid": len(rows) - valid,
        "results": results,
        "warnings": [],
    }
    if valid == 0:
        return Reply(400, {"error": "No row of the CSV is valid", **body})
    return Reply(200 if valid == len(rows) else 207, body)


def _row(ctx: Context, tx: Tx, index: int, row: dict[str, str], dry_run: bool) -> dict[str, Any]:
    body, errors = _body(tx, row)
    if errors:
        return {"rowIndex": index, "ok": False, "errors": errors}
    # Each row in a savepoint: a refused row leaves the others alone, and a dry run undoes every row.
    tx.execute("SAVEPOINT bulk_row")
    try:
        reply = create(ctx, tx, body, None)
    except Refusal as refusal:
        tx.execute("ROLLBACK TO bulk_row")
        tx.execute("RELEASE bulk_row")
        return {"rowIndex": index, "ok": False, "errors": [refusal.reply.body["error"]]}
    tx.execute("ROLLBACK TO bulk_row" if dry_run else "RELEASE bulk_row")
    if dry_run:
        tx.execute("RELEASE bulk_row")
        return {"rowIndex": index, "ok": True}
    return {"rowIndex": index, "ok": True, "createdPostId": reply.body["post"]["_id"]}


def _body(tx: Tx, row: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    def cell(name: str) -> str:
        return (row.get(name) or "").strip()

    errors: list[str] = []
    profiles = [_profile(tx, p.strip()) for p in re.split(r"[,;]", cell("profiles")) if p.strip()]
    if not profiles:
        errors.append("profiles_missing")
    elif None in profiles:
        errors.append("profile_not_found")
    platforms = [p.lower() for p in _SPLIT.split(cell("platforms")) if p]
    if not platforms:
        errors.append("platforms_missing")
    targets = []
    for profile in (p for p in profiles if p):
        for platform in platforms:
            account = tx.one(
                "SELECT id FROM sandbox_accounts WHERE profile_id = ? AND platform = ?", [profile, platform]
            )
            if account is None:
                errors.append(f"account_not_found:{platform}")
            else:
                targets.append({"platform": platform, "accountId": account["id"]})
    content = cell("post_content") or cell("title")
    if not content:
        errors.append("content_missing")
    urls = [u for u in _SPLIT.split(cell("media_urls")) if u]
    if any(not u.startswith(("http://", "https://")) for u in urls):
        errors.append("media_url_invalid")
    body: dict[str, Any] = {"content": content, "platforms": targets}
    if urls:
        body["mediaItems"] = [{"url": u} for u in urls]
    if cell("title"):
        body["title"] = cell("title")
    if cell("is_draft").lower() in _YES:
        body["isDraft"] = True
    elif cell("publish_now").lower() in _YES:
        body["publishNow"] = True
    elif cell("schedule_time"):
        body["scheduledFor"], body["timezone"] = cell("schedule_time"), cell("tz") or "UTC"
    else:
        errors.append("schedule_missing")
    return body, errors


def _profile(tx: Tx, key: str) -> str | None:
    row = tx.one("SELECT id FROM sandbox_profiles WHERE id = ? OR name = ?", [key, key])
    return str(row["id"]) if row else None
