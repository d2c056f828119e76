"""Media: `POST /v1/media/presign` and the PUT of the bytes to the URL it hands out (Late's current
flow), and the older multipart `POST /v1/media` for small files. The sandbox keeps no bytes: it checks
what Late's storage would (declared type and size, expiry) and says where the file would be."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from adapters.sandbox import multipart
from adapters.sandbox.context import Context
from adapters.sandbox.inbound import Inbound, Refusal, Reply
from bot.clock import iso
from bot.store import Tx

ALLOWED = {
    "image/jpeg": "image",
    "image/jpg": "image",
    "image/png": "image",
    "image/webp": "image",
    "image/gif": "image",
    "video/mp4": "video",
    "video/mpeg": "video",
    "video/quicktime": "video",
    "video/avi": "video",
    "video/x-msvideo": "video",
    "video/webm": "video",
    "video/x-m4v": "video",
    "application/pdf": "document",
}
# Above this a direct upload hits the platform's body-size limit; Late says to use the client-upload flow.
MAX_DIRECT = 4_500_000
MAX_PRESIGNED = 5 * 1024**3
PRESIGN_TTL = timedelta(hours=1)
MEDIA_HOST = "https://media.sandbox.latebot.invalid"


def handle_upload(ctx: Context, tx: Tx, req: Inbound) -> Reply:
    parts = [
        p
        for p in multipart.parse(req.headers.get("content-type", ""), req.body)
        if p.name in ("files", "file")
    ]
    if not parts:
        raise Refusal(400, "No files uploaded; send them in the multipart field 'files'")
    files = []
    for part in parts:
        name = part.filename or "upload"
        kind = ALLOWED.get(part.content_type.lower())
        if kind is None:
            raise Refusal(400, f"Content type not allowed: {part.content_type}")
        if len(part.content) > MAX_DIRECT:
            raise Refusal(
                413,
                f'File "{name}" is too large for a direct upload; use the client-upload flow',
                maxSize="4MB",
            )
        files.append(
            {
                "type": kind,
                "url": f"{MEDIA_HOST}/{ctx.ids()}/{quote(name)}",
                "filename": name,
                "size": len(part.content),
                "mimeType": part.content_type,
            }
        )
    return Reply(200, {"files": files})


def handle_presign(ctx: Context, tx: Tx, req: Inbound) -> Reply:
    body = req.object()
    name, kind, size = body.get("filename"), body.get("contentType"), body.get("size")
    if not isinstance(name, str) or not name.strip():
        raise Refusal(400, "filename is required", param="filename")
    if not isinstance(kind, str) or kind.lower() not in ALLOWED:
        raise Refusal(400, f"Content type not allowed: {kind}", param="contentType")
    if size is not None and (not isinstance(size, int) or not 0 < size <= MAX_PRESIGNED):
        raise Refusal(400, "size must be between 1 byte and 5GB", param="size")
    upload = ctx.ids()
    key = f"temp/{upload}_{quote(name.strip())}"
    now = ctx.clock.now()
    tx.execute(
        "INSERT INTO sandbox_uploads (key, content_type, size, expires_at) VALUES (?, ?, ?, ?)",
        [upload, kind.lower(), size, iso(now + PRESIGN_TTL)],
    )
    return Reply(200, {
        "uploadUrl": f"{req.origin}/v1/media/uploads/{upload}?signature={ctx.ids()}",
        "publicUrl": f"{MEDIA_HOST}/{key}",
        "key": key,
        "expiresIn": int(PRESIGN_TTL.total_seconds()),
    })


def handle_put(ctx: Context, tx: Tx, req: Inbound) -> Reply:
    """The storage side of a presigned URL: the bytes must match what was presigned."""
    row = tx.one("SELECT * FROM sandbox_uploads WHERE key = ?", [req.args["key"]])
    if row is None or row["expires_at"] < iso(ctx.clock.now()):
        raise Refusal(403, "Request has expired or the signature does not match")
    declared = req.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if declared != row["content_type"]:
        raise Refusal(403, f"Content-Type {declared or 'missing'} does not match the signed {row['content_type']}")
    if row["size"] is not None and len(req.body) != row["size"]:
        raise Refusal(400, f"Body is {len(req.body)} bytes; {row['size']} were signed")
    tx.execute("UPDATE sandbox_uploads SET uploaded_at = ? WHERE key = ?", [iso(ctx.clock.now()), row["key"]])
    return Reply(200, {})
