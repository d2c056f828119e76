"""Media from chat (Slack files, Discord attachments) put on Late's own storage.

Chat links expire or need the bot's token (Slack's `url_private`, Discord's signed CDN links), but a
post may be approved or scheduled days later, so a file is uploaded to Late (`POST /v1/media`) and
the post uses Late's URL. URLs the user typed are passed to Late as they are.

Bounded: one multipart upload takes about 4 MB (Late's docs: larger files need another flow), so a
larger file is refused with a clear message before anything is downloaded, and at most a few
uploads run at once, so a burst of attachments cannot hold many files in memory together.
"""

from __future__ import annotations

import asyncio

from bot.errors import UserError
from bot.late.client import LateClient
from bot.late.models import MediaFile
from bot.messages import MediaUpload

MAX_UPLOAD_BYTES = 4 * 1024 * 1024
# Late's docs list these as the content types /v1/media takes.
ALLOWED_TYPES = frozenset({
    "image/jpeg", "image/jpg", "image/png", "image/webp", "image/gif",
    "video/mp4", "video/mpeg", "video/quicktime", "video/avi", "video/x-msvideo", "video/webm", "video/x-m4v",
    "application/pdf",
})


def too_large(name: str, size: int, limit: int = MAX_UPLOAD_BYTES) -> UserError:
    return UserError(
        f"{name} is {size / 1_048_576:.1f} MB; latebot can upload files of up to {limit / 1_048_576:.0f} MB "
        "to Late. Put a larger file at a public https:// address and add it as a media URL."
    )


class Media:
    def __init__(self, late: LateClient, *, max_bytes: int = MAX_UPLOAD_BYTES, concurrency: int = 4) -> None:
        self.late = late
        self.max_bytes = max_bytes
        self._slots = asyncio.Semaphore(concurrency)

    async def upload(self, upload: MediaUpload) -> str:
        """The Late URL of `upload`; UserError when Late would not take it."""
        size = len(upload.data)
        if size > self.max_bytes:
            raise too_large(upload.filename, size, self.max_bytes)
        kind = upload.content_type.split(";", 1)[0].strip().lower()
        if kind not in ALLOWED_TYPES:
            raise UserError(
                f"{upload.filename} is {kind or 'of an unknown type'}; Late takes images (JPEG, PNG, WebP, GIF), "
                "videos (MP4, MOV, WebM, AVI, MPEG) and PDF documents."
            )
        async with self._slots:
            [uploaded] = await self.late.upload_media([MediaFile(upload.filename, upload.data, kind)])
        return uploaded.url
