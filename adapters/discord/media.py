"""Discord attachments -> media that lasts: copied to Late's media when the core can take uploads.

Discord's CDN links are signed and expire (about a day), but a post may be approved or scheduled
later than that. When the router offers `upload_media` (as for Slack files), an attachment's bytes
are downloaded (no token is sent: the links are public) and uploaded to Late, and the Late URL
replaces the Discord one. Otherwise, or when the copy fails, the Discord URL is kept as it is.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
from typing import Protocol, runtime_checkable
from urllib.parse import unquote, urlsplit

import aiohttp

log = logging.getLogger("latebot.discord.media")

CDN_HOSTS = frozenset({"cdn.discordapp.com", "media.discordapp.net"})
MAX_BYTES = 100 * 1024 * 1024


@runtime_checkable
class MediaSink(Protocol):
    """Where downloaded files go (the core's Late media upload); returns the media URL."""

    async def upload_media(self, filename: str, content_type: str, data: bytes) -> str: ...


class Attachments:
    def __init__(self, sink: object, *, api_base: str, max_bytes: int = MAX_BYTES) -> None:
        self.sink = sink if isinstance(sink, MediaSink) else None
        self.api_host = urlsplit(api_base).netloc
        self.max_bytes = max_bytes
        self._session: aiohttp.ClientSession | None = None

    def is_discord(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme == "https" and parts.hostname in CDN_HOSTS:
            return True
        return bool(parts.netloc) and parts.netloc == self.api_host and "/attachments/" in parts.path

    async def durable(self, text: str) -> str:
        """`text` (URLs separated by spaces or lines) with each Discord attachment copied to Late."""
        words = text.split()
        if self.sink is None or not any(self.is_discord(w) for w in words):
            return text
        copied = await asyncio.gather(*(self._copy(w) if self.is_discord(w) else _same(w) for w in words))
        return "\n".join(copied) if "\n" in text else " ".join(copied)

    async def _copy(self, url: str) -> str:
        assert self.sink is not None
        name = unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or "attachment"
        try:
            data, content_type = await self._download(url)
            content_type = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
            return await self.sink.upload_media(name, content_type, data)
        except Exception as exc:
            log.warning("could not copy the attachment %s to Late (%r); its Discord link is used", name, exc)
            return url

    async def _download(self, url: str) -> tuple[bytes, str | None]:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120))
        async with self._session.get(url) as resp:
            if resp.status != 200:
                raise ValueError(f"download failed ({resp.status})")
            if (resp.content_length or 0) > self.max_bytes:
                raise ValueError("the file is too large")
            data = bytearray()
            async for chunk in resp.content.iter_chunked(1 << 16):
                data += chunk
                if len(data) > self.max_bytes:
                    raise ValueError("the file is too large")
            return bytes(data), resp.content_type if resp.content_type != "application/octet-stream" else None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


async def _same(word: str) -> str:
    return word
