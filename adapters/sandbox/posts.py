"""`/v1/posts`: create, list, get, update, delete, retry, unpublish."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.sandbox.context import Context
from adapters.sandbox.dedup import refuse_duplicate, remember, replay
from adapters.sandbox.health import health_of
from adapters.sandbox.inbound import Inbound, Refusal, Reply
from adapters.sandbox.lengths import display
from adapters.sandbox.limits import check_account, record_send
from adapters.sandbox.plan import check_upload
from adapters.sandbox.publisher import publish, publish_later, settle_saved, status_of
from adapters.sandbox.rules import Checked, check
from adapters.sandbox.tables import dump_doc, load_doc, post_row, ref_id
from bot.clock import iso, parse_iso
from bot.store import Tx

EDITABLE = ("draft", "scheduled", "failed", "partial", "cancelled")
_ENTRY_KEYS = ("customContent", "customMedia", "platformSpecificData", "scheduledFor")
# `GET /v1/posts` refuses any other parameter with a 400 naming it (NODE `listPosts`).
LIST_PARAMS = ("page", "limit", "offset", "cursor", "fields", "source", "status", "platform", "profileId",
               "createdBy", "fromDate", "toDate", "dateFrom", "dateTo", "includeHidden", "search", "tags",
               "sortBy", "accountId")
SORTS = {
    "scheduled-desc": ("sort_at DESC, rowid DESC"),
    "scheduled-asc": ("sort_at ASC, rowid ASC"),
    "created-desc": ("created_at DESC, rowid DESC"),
    "created-asc": ("created_at ASC, rowid ASC"),
    "status": ("status ASC, sort_at DESC"),
    "platform": ("sort_at DESC, rowid DESC"),
}


def idempotency_key(req: Inbound) -> str | None:
    return req.headers.get("idempotency-key") or req.headers.get("x-request-id") or None


def create(ctx: Context, tx: Tx, body: dict[str, Any], key: str | None) -> Reply:
    now = ctx.clock.now()
    if key and not ctx.dedup_before_idempotency and (done := replay(tx, key, now, ctx.replay_window)) is not None:
        return _replayed(done)
    checked = check(tx, body, now)
    if checked.mode != "draft":
        check_upload(ctx.plan, tx)
        if ctx.content_dedup:
            refuse_duplicate(tx, checked, now)
    if key and ctx.dedup_before_idempotency and (done := replay(tx, key, now, ctx.replay_window)) is not None:
        return _replayed(done)
    if checked.mode != "draft":
        sending(ctx, tx, checked, now)
    doc = _doc(ctx.ids(), checked, now)
    later = checked.mode == "now" and ctx.publish_delay > timedelta(0)
    due_at = publish_later(doc, now + ctx.publish_delay) if later else checked.due_at
    results = publish(tx, doc, now, weather=ctx.weather) if checked.mode == "now" and not later else None
    tx.insert(
        "sandbox_posts",
        {
            "id": doc["_id"],
            "status": doc["status"],
            "due_at": due_at,
            "sort_at": doc.get("scheduledFor") or doc["createdAt"],
            "published_at": doc.get("publishedAt"),
            "created_at": doc["createdAt"],
            "counted": int(checked.mode != "draft"),
            "doc": dump_doc(doc),
        },
    )
    if key:
        remember(tx, key, doc["_id"], now)
    if results is not None:
        if doc["status"] == "publishing":  # a throttled platform: Late tries it again by itself
            settle_saved(tx, doc, now, ctx.weather)
        return _published(doc, results, ok_status=201)
    if later:
        # As Late answers a publish that did not finish in the request: 207, read `post.status`.
        return Reply(207, {"message": "Post is already being processed", "post": doc})
    message = "Draft saved" if checked.mode == "draft" else "Post scheduled successfully"
    return Reply(201, {"message": message, "post": doc})


def sending(ctx: Context, tx: Tx, checked: Checked, now: datetime) -> None:
    """What Late checks of each account before it takes a post for it: connected, within its limits."""
    for t in checked.targets:
        a = t.account
        if not health_of(a, now).can_post:
            name = display(a["platform"])
            raise Refusal(
                403,
                f'Account {a["id"]} ({a["platform"]} "{a["display_name"]}") is disconnected and cannot be posted '
                f"to. {name} tokens expired. Please reconnect your {name} account. After reconnecting, refresh "
                "your account IDs from GET /v1/accounts.",
                code="ACCOUNT_DISCONNECTED",
            )
        check_account(ctx.limits, tx, a, now)
    for t in checked.targets:
        record_send(tx, t.account["id"], now)


def _replayed(doc: dict[str, Any]) -> Reply:
    # The only field Late documents for the replay: the original post, under `existingPost`.
    return Reply(200, {"existingPost": doc})


def _published(doc: dict[str, Any], results: list[dict[str, Any]], *, ok_status: int) -> Reply:
    done = sum(1 for r in results if r["status"] == "published")
    if doc["status"] == "published":
        return Reply(
            ok_status, {"message": "Post published successfully", "post": doc, "platformResults": results}
        )
    body: dict[str, Any] = {
        "message": f"Post published to {done} of {len(results)} platforms",
        "post": doc,
        "platformResults": results,
    }
    if doc["status"] == "failed":
        body["error"] = "Post failed to publish to every platform"
    return Reply(207, body)


def _doc(post_id: str, checked: Checked, now: datetime, *, created: str | None = None) -> dict[str, Any]:
    entries = []
    for t in checked.targets:
        a = t.account
        entry: dict[str, Any] = {
            "platform": a["platform"],
            # Populated, as Late returns it on reads.
            "accountId": {
                "_id": a["id"],
                "platform": a["platform"],
                "profileId": a["profile_id"],
                "username": a["username"],
                "displayName": a["display_name"],
                "isActive": bool(a["is_active"]),
            },
            "status": "pending",
        }
        entry.update({k: t.entry[k] for k in _ENTRY_KEYS if t.entry.get(k) is not None})
        entries.append(entry)
    when = now if checked.mode == "now" else checked.due
    doc: dict[str, Any] = {
        "_id": post_id,
        "content": checked.content,
        "mediaItems": checked.media,
        "platforms": entries,
        "scheduledFor": iso(when) if when else None,
        "timezone": checked.timezone,
        "status": "draft" if checked.mode == "draft" else "scheduled",
        **checked.extra,
        "createdAt": created or iso(now),
        "updatedAt": iso(now),
    }
    return {k: v for k, v in doc.items() if v is not None}


def handle_create(ctx: Context, tx: Tx, req: Inbound) -> Reply:
    return create(ctx, tx, req.object(), idempotency_key(req))


def handle_get(ctx: Context, tx: Tx, req: Inbound) -> Reply:
    return Reply(200, {"post": _load(tx, req.args["id"])})


def _load(tx: Tx, post_id: str) -> dict[str, Any]:
    row = post_row(tx, post_id)
    if row is None:
        raise Refusal(404, "Post not found")
    return load_doc(row)


def handle_list(ctx: Context, tx: Tx, req: Inbound) -> Reply:
    unknown = [name for name in req.params if name not in LIST_PARAMS]
    if unknown:
        # So that a misspelled filter never silently returns the unfiltered list.
        raise Refusal(400, f"Unknown query parameter '{unknown[0]}'. Accepted: {', '.join(LIST_PARAMS)}",
                      type="invalid_request_error", param=unknown[0])
    limit = _int(req, "limit", 10, 1, ctx.list_limit_max)
    page = _int(req, "page", 1, 1, 10**6)
    offset = _int(req, "offset", (page - 1) * limit, 0, 10**9)
    if "cursor" in req.params:
        raise Refusal(400, "Invalid cursor", type="invalid_request_error", param="cursor")
    sort = req.params.get("sortBy", "scheduled-desc")
    if sort not in SORTS:
        raise Refusal(400, f"sortBy must be one of {', '.join(SORTS)}", type="invalid_request_error", param="sortBy")
    status, platform, profile, account = (req.params.get(k) for k in ("status", "platform", "profileId", "accountId"))
    lo = _bound(req.params.get("fromDate") or req.params.get("dateFrom"), end=False)
    hi = _bound(req.params.get("toDate") or req.params.get("dateTo"), end=True)
    rows = tx.all(
        "SELECT doc FROM sandbox_posts WHERE (:s IS NULL OR status = :s) AND (:lo IS NULL OR sort_at >= :lo) "
        f"AND (:hi IS NULL OR sort_at <= :hi) ORDER BY {SORTS[sort]}",
        {"s": status, "lo": lo, "hi": hi},
    )
    docs = [load_doc(r) for r in rows]
    if platform:
        docs = [d for d in docs if any(e["platform"] == platform for e in d["platforms"])]
    if account:
        docs = [d for d in docs if any(ref_id(e.get("accountId")) == account for e in d["platforms"])]
    if profile and profile != "all":
        ids = {r["id"] for r in tx.all("SELECT id FROM sandbox_accounts WHERE profile_id = ?", [profile])}
        docs = [d for d in docs if any(ref_id(e.get("accountId")) in ids for e in d["platforms"])]
    if search := req.params.get("search"):
        docs = [d for d in docs if search.lower() in (d.get("content") or "").lower()]
    if tags := req.params.get("tags"):
        wanted = set(tags.split(","))
        docs = [d for d in docs if wanted <= set(d.get("tags") or [])]
    total = len(docs)
    pagination = {"page": page, "limit": limit, "total": total, "pages": -(-total // limit)}
    return Reply(200, {"posts": docs[offset : offset + limit], "pagination": pagination})


def _int(req: Inbound, name: str, default: int, lo: int, hi: int) -> int:
    """A whole number within [lo, hi]; anything else is a 400, never clamped (as Late does)."""
    try:
        value = int(req.params.get(name, default))
    except ValueError:
        raise Refusal(400, f"{name} must be a number", type="invalid_request_error", param=name) from None
    if not lo <= value <= hi:
        raise Refusal(400, f"{name} must be between {lo} and {hi}", type="invalid_request_error", param=name)
    return value


def _bound(value: str | None, *, end: bool) -> str | None:
    if not value:
        return None
    try:
        when = parse_iso(value)
    except ValueError:
        raise Refusal(400, f"Invalid date: {value}") from None
    if end and len(value) == 10:  # a bare date includes the whole day
        when += timedelta(days=1, seconds=-1)
    return iso(when.astimezone(UTC))


def handle_update(ctx: Context, tx: Tx, req: Inbound) -> Reply:
    now = ctx.clock.now()
    row = post_row(tx, req.args["id"])
    if row is None:
        raise Refusal(404, "Post not found")
    doc, changes = load_doc(row), req.object()
    if doc["status"] not in EDITABLE:
        raise Refusal(
            400, f"Cannot edit a {doc['status']} post; only {', '.join(EDITABLE)} posts can be edited"
        )
    merged = {
        k: doc.get(k)
        for k in (
            "content",
            "platforms",
            "mediaItems",
            "scheduledFor",
            "timezone",
            "tags",
            "metadata",
            "title",
        )
    }
    merged.update({k: v for k, v in changes.items() if k not in ("isDraft", "publishNow")})
    if changes.get("isDraft") is True or (doc["status"] == "draft" and "isDraft" not in changes):
        merged["isDraft"] = True
    elif changes.get("publishNow"):
        merged["publishNow"] = True
    checked = check(tx, merged, now)
    counted = bool(row["counted"])
    if checked.mode != "draft" and not counted:
        check_upload(ctx.plan, tx)
        sending(ctx, tx, checked, now)
        counted = True
    new = _doc(doc["_id"], checked, now, created=doc["createdAt"])
    results = publish(tx, new, now, weather=ctx.weather) if checked.mode == "now" else None
    tx.execute(
        "UPDATE sandbox_posts SET status = ?, due_at = ?, sort_at = ?, published_at = ?, counted = ?, "
        "doc = ? WHERE id = ?",
        [
            new["status"],
            checked.due_at,
            new.get("scheduledFor") or new["createdAt"],
            new.get("publishedAt"),
            int(counted),
            dump_doc(new),
            new["_id"],
        ],
    )
    if results is not None:
        if new["status"] == "publishing":
            settle_saved(tx, new, now, ctx.weather)
        return _published(new, results, ok_status=200)
    return Reply(200, {"message": "Post updated successfully", "post": new})


def handle_delete(ctx: Context, tx: Tx, req: Inbound) -> Reply:
    doc = _load(tx, req.args["id"])
    if doc["status"] == "published":
        raise Refusal(400, "Cannot delete published posts")
    tx.execute("DELETE FROM sandbox_posts WHERE id = ?", [doc["_id"]])
    return Reply(200, {"message": "Post deleted successfully"})


def handle_retry(ctx: Context, tx: Tx, req: Inbound) -> Reply:
    doc = _load(tx, req.args["id"])
    if doc["status"] == "publishing":
        raise Refusal(409, "Post is currently publishing")
    if doc["status"] != "failed":
        raise Refusal(400, f"Invalid state: only failed posts can be retried; this post is {doc['status']}")
    now = ctx.clock.now()
    publish(tx, doc, now, weather=ctx.weather, only_failed=True)
    settle_saved(tx, doc, now, ctx.weather)
    return Reply(200, {"message": "Post retried", "post": doc})


def handle_unpublish(ctx: Context, tx: Tx, req: Inbound) -> Reply:
    """`POST /v1/posts/{id}/unpublish {platform, accountId?}`: take it off that platform. A post with
    every entry removed is `cancelled`; one with published entries left is `partial`."""
    doc, body = _load(tx, req.args["id"]), req.object()
    platform, account = body.get("platform"), body.get("accountId")
    if not isinstance(platform, str):
        raise Refusal(400, "platform is required", type="invalid_request_error", param="platform")
    if doc["status"] not in ("published", "partial"):
        raise Refusal(400, f"Only published posts can be unpublished; this post is {doc['status']}")
    now = iso(ctx.clock.now())
    hit = [e for e in doc["platforms"] if e["platform"] == platform and e.get("status") == "published"
           and (account is None or ref_id(e.get("accountId")) == account)]
    if not hit:
        raise Refusal(400, f"This post is not published on {platform}")
    for entry in hit:
        entry.update(status="cancelled", removedFromPlatformAt=now)
    doc["status"] = status_of(doc["platforms"])
    doc["updatedAt"] = now
    tx.execute("UPDATE sandbox_posts SET status = ?, doc = ? WHERE id = ?", [doc["status"], dump_doc(doc), doc["_id"]])
    return Reply(200, {"message": f"Post unpublished from {platform}", "post": doc})
