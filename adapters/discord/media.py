"""Discord attachments -> media that lasts: copied to Late's media storage through the driving port.

Discord's CDN links are signed and expire (about a day), but a post may be approved or scheduled
later than that. So an attachment's bytes are downloaded (no token is sent: the links are public)
and streamed to Late as they arrive (`BotPort.upload_media`, which also bounds how many run at once),
and the Late URL replaces the Discord one. A file larger than the core takes is refused from its
declared length before anything is read. When a copy fails the command fails with the reason and
nothing is submitted: a post never goes out with a link that will expire.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
from urllib.parse import unquote, urlsplit

import aiohttp

from bot.errors import UploadFailed, UserError, describe
from bot.media import too_large
from bot.messages import MediaUpload
from bot.ports import BotPort

log = logging.getLogger("latebot.discord.media")

CDN_HOSTS = frozenset({"cdn.discordapp.com", "media.discordapp.net"})


class Attachments:
    def __init__(self, bot: BotPort, *, api_base: str) -> None:
        self.bot = bot
        self.api_host = urlsplit(api_base).netloc
        self._session: aiohttp.ClientSession | None = None

    def is_discord(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme == "https" and parts.hostname in CDN_HOSTS:
            return True
        return bool(parts.netloc) and parts.netloc == self.api_host and "/attachments/" in parts.path

    async def durable(self, text: str) -> str:
        """`text` (URLs separated by spaces or lines) with each Discord attachment copied to Late."""
        words = text.split()
        if not any(self.is_discord(w) for w in words):
            return text
        copied = await asyncio.gather(*(self._copy(w) if self.is_discord(w) else _same(w) for w in words))
        return "\n".join(copied) if "\n" in text else " ".join(copied)

    async def _copy(self, url: str) -> str:
        name = unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or "attachment"
        try:
            return await self._move(url, name)
        except UploadFailed as exc:  # described (and redacted) by the port
            reason = exc.message
        except UserError as exc:
            raise UserError(f"{exc.message} Nothing was submitted.") from None
        except Exception as exc:  # the download from Discord
            reason = describe(exc, logger=log)
        raise UserError(f"{name} could not be copied to Late, so nothing was submitted; please try again. ({reason})")

    async def _move(self, url: str, name: str) -> str:
        """Download from Discord and upload to Late at once, chunk by chunk (never the whole file)."""
        limit = self.bot.max_upload_bytes
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None, sock_read=60))
        async with self._session.get(url) as resp:
            if resp.status != 200:
                raise UserError(f"Discord did not hand over {name} (HTTP {resp.status}); it may have been deleted.")
            if (resp.content_length or 0) > limit:
                raise too_large(name, resp.content_length or 0, limit)
            declared = resp.content_type if resp.content_type != "application/octet-stream" else None
            content_type = declared or mimetypes.guess_type(name)[0] or "application/octet-stream"
            upload = MediaUpload(filename=name, content_type=content_type, size=resp.content_length,
                                 chunks=resp.content.iter_chunked(1 << 16))
            return await self.bot.upload_media(upload)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


async def _same(word: str) -> str:
    return word
