"""Media: files uploaded to Late, and the upload request."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from urllib.parse import urlsplit

from pydantic import Field

from bot.late.base import LateModel
from bot.late.post import MediaItem

# Late's types by extension, for media that stays at its own URL.
_TYPES = {
    ".jpg": "image",
    ".jpeg": "image",
    ".png": "image",
    ".webp": "image",
    ".gif": "gif",
    ".mp4": "video",
    ".mov": "video",
    ".m4v": "video",
    ".webm": "video",
    ".mpeg": "video",
    ".avi": "video",
    ".pdf": "document",
}


class UploadedFile(LateModel):
    type: str | None = None
    url: str
    filename: str | None = None
    size: int | None = None
    mime_type: str | None = None

    def as_media_item(self) -> MediaItem:
        return MediaItem(
            type=self.type, url=self.url, filename=self.filename, size=self.size, mime_type=self.mime_type
        )


class MediaPresign(LateModel):
    """The answer to `POST /v1/media/presign`: where to PUT the bytes, and the URL posts then use."""

    upload_url: str
    public_url: str
    key: str | None = None
    expires_in: int | None = None


class MediaUpload(LateModel):
    """The answer to `POST /v1/media` (the older multipart upload of small files)."""

    files: list[UploadedFile] = Field(default_factory=list)


@dataclass(frozen=True)
class MediaFile:
    """A small file to upload with `POST /v1/media` (multipart field `files`)."""

    filename: str
    content: bytes
    mime_type: str | None = None

    @property
    def content_type(self) -> str:
        return self.mime_type or mimetypes.guess_type(self.filename)[0] or "application/octet-stream"


def media_from_url(url: str, *, type: str | None = None, filename: str | None = None) -> MediaItem:
    """A media item for a public https URL, passed to Late as it is (no upload)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"media must be an http(s) URL, not {url!r}")
    path = parts.path.lower()
    guessed = next((t for ext, t in _TYPES.items() if path.endswith(ext)), None)
    return MediaItem(type=type or guessed or "image", url=url, filename=filename)
