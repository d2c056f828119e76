"""Media from chat (Slack files, Discord attachments) put on Late's own storage.

Chat links expire or need the bot's token (Slack's `url_private`, Discord's signed CDN links), but a
post may be approved or scheduled days later, so a file is uploaded to Late and the post uses Late's
URL. URLs the user typed are passed to Late as they are.

The upload is Late's presigned flow (`POST /v1/media/presign`, then a PUT of the bytes), streamed as
the adapter downloads the file: memory stays at a few chunks per file whatever its size. Bounded:
a file larger than Late takes for one upload (5 GB) is refused before anything is fetched, a file
whose size is not declared is held in memory only up to `BUFFER_BYTES`, and at most a few uploads
run at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator

from bot.errors import UserError
from bot.late.client import LateClient
from bot.messages import MediaUpload

MAX_UPLOAD_BYTES = 5 * 1024**3  # Late's limit for one presigned upload
BUFFER_BYTES = 32 * 1024**2  # what a file of unknown size may take in memory before it is refused
# Late's documented content types for media (the audio and subtitle ones are of no use to posts).
ALLOWED_TYPES = frozenset({
    "image/jpeg", "image/jpg", "image/png", "image/webp", "image/gif",
    "video/mp4", "video/mpeg", "video/quicktime", "video/avi", "video/x-msvideo", "video/webm", "video/x-m4v",
    "application/pdf",
})


def _mb(size: int) -> str:
    value, unit = (size / 1024**3, "GB") if size >= 1024**3 else (size / 1024**2, "MB")
    return f"{value:.1f}".rstrip("0").rstrip(".") + f" {unit}"


def too_large(name: str, size: int, limit: int = MAX_UPLOAD_BYTES) -> UserError:
    shown = _mb(size)
    return UserError(f"{name} is {shown if shown != _mb(limit) else 'larger'}, over the {_mb(limit)} "
                     "Late takes for one file.")


class Media:
    def __init__(self, late: LateClient, *, max_bytes: int = MAX_UPLOAD_BYTES, concurrency: int = 4) -> None:
        self.late = late
        self.max_bytes = max_bytes
        self._slots = asyncio.Semaphore(concurrency)

    async def upload(self, upload: MediaUpload) -> str:
        """The Late URL of `upload`; UserError when Late would not take it."""
        kind = upload.content_type.split(";", 1)[0].strip().lower()
        if kind not in ALLOWED_TYPES:
            raise UserError(
                f"{upload.filename} is {kind or 'of an unknown type'}; Late takes images (JPEG, PNG, WebP, GIF), "
                "videos (MP4, MOV, WebM, AVI, MPEG) and PDF documents."
            )
        size, chunks = upload.size, upload.chunks
        if size is None:
            data = await _buffer(upload.filename, chunks, min(BUFFER_BYTES, self.max_bytes))
            size, chunks = len(data), _once(data)
        if size > self.max_bytes:
            raise too_large(upload.filename, size, self.max_bytes)
        if size == 0:
            raise UserError(f"{upload.filename} is empty.")
        checked = _Exactly(upload.filename, size, chunks)
        async with self._slots:
            presign = await self.late.presign_media(upload.filename, kind, size)
            try:
                await self.late.put_media(presign, kind, size, checked)
            except Exception:
                # The transport may wrap an error raised while it read the body; ours says what happened.
                if checked.error is not None:
                    raise checked.error from None
                raise
        if checked.error is not None:
            raise checked.error
        return presign.public_url


async def _buffer(name: str, chunks: AsyncIterable[bytes], limit: int) -> bytes:
    data = bytearray()
    async for chunk in chunks:
        data += chunk
        if len(data) > limit:
            raise UserError(f"{name} did not say how large it is, and it is over {_mb(limit)}; "
                            "attach it again, or put it at a public https:// address.")
    return bytes(data)


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


class _Exactly:
    """The chunks, checked against the declared size: the storage was promised exactly `size` bytes."""

    def __init__(self, name: str, size: int, chunks: AsyncIterable[bytes]) -> None:
        self.name, self.size, self.chunks = name, size, chunks
        self.error: UserError | None = None

    async def __aiter__(self) -> AsyncIterator[bytes]:
        sent = 0
        async for chunk in self.chunks:
            sent += len(chunk)
            if sent > self.size:
                self.error = UserError(f"{self.name} is larger than the chat said ({self.size} bytes); "
                                       "it was not attached.")
                raise self.error
            yield chunk
        if sent != self.size:
            self.error = UserError(f"{self.name} ended after {sent} of {self.size} bytes; it was not attached.")
            raise self.error
