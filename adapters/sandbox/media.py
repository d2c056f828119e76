"""`POST /v1/media`: small files by multipart; the sandbox stores nothing and returns where they would be."""

from __future__ import annotations

from urllib.parse import quote

from adapters.sandbox import multipart
from adapters.sandbox.context import Context
from adapters.sandbox.inbound import Inbound, Refusal, Reply
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
