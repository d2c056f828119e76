"""Files of a shared message: `files.info`, downloaded with the bot token, uploaded to Late's media
through the driving port (`BotPort.upload_media`).

The shortcut's modal opens first (Slack's 3 seconds); the files are fetched meanwhile and the modal
is updated with their Late URLs. If the user submits before that, the submission waits for them.
Each file streams from Slack to Late as it downloads; one larger than the core takes is refused from
its `files.info` size, before any download. The bot token is only ever sent to Slack's own hosts (or
the configured `SLACK_API_URL` host).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.translate import SharedFile
from bot.errors import UserError, describe
from bot.media import too_large
from bot.messages import MediaUpload
from bot.ports import BotPort

log = logging.getLogger("latebot.slack.media")

KEEP = 3600.0


@dataclass(frozen=True)
class Attached:
    name: str
    url: str | None = None
    error: str | None = None


class Uploads:
    def __init__(self, client: AsyncWebClient, session: aiohttp.ClientSession, *, token: str, api_url: str,
                 bot: BotPort) -> None:
        self.client = client
        self.session = session
        self.token = token
        self.api_host = urlsplit(api_url).hostname or ""
        self.bot = bot
        self._ids = itertools.count(1)
        self._jobs: dict[str, tuple[float, asyncio.Task[list[Attached]]]] = {}

    def start(self, files: Sequence[SharedFile]) -> str:
        now = time.monotonic()
        for key, (at, task) in list(self._jobs.items()):
            if now - at > KEEP and task.done():
                del self._jobs[key]
        key = f"u{next(self._ids)}"
        self._jobs[key] = (now, asyncio.create_task(self._all(files), name=f"slack-upload-{key}"))
        return key

    async def result(self, key: str | None, within: float = 120.0) -> list[Attached] | None:
        """The finished uploads of `key`; None when unknown here (e.g. latebot restarted meanwhile)."""
        job = self._jobs.get(key or "")
        if job is None:
            return None
        try:
            return await asyncio.wait_for(asyncio.shield(job[1]), within)
        except TimeoutError:
            return [Attached(name="files", error="still uploading after two minutes")]

    async def _all(self, files: Sequence[SharedFile]) -> list[Attached]:
        return list(await asyncio.gather(*(self._one(f) for f in files)))

    async def _one(self, f: SharedFile) -> Attached:
        limit = self.bot.max_upload_bytes
        try:
            info = await self.client.files_info(file=f.id)
            file = info.get("file") or {}
            url = str(file.get("url_private_download") or file.get("url_private") or "")
            name = str(file.get("name") or f.name)
            size = int(file.get("size") or 0) or None
            if size is not None and size > limit:
                return Attached(name=name, error=too_large(name, size, limit).message)
            mimetype = str(file.get("mimetype") or f.mimetype or "application/octet-stream")
            return Attached(name=name, url=await self._move(url, name, mimetype, size))
        except SlackApiError as exc:
            return Attached(name=f.name, error=f"Slack refused files.info ({exc.response.get('error')})")
        except UserError as exc:  # an upload's failure too: the port redacts its text
            return Attached(name=f.name, error=exc.message)
        except Exception as exc:  # the download from Slack
            log.warning("could not move %s from Slack to Late: %r", f.id, exc)
            return Attached(name=f.name, error=describe(exc, logger=log))

    async def _move(self, url: str, name: str, mimetype: str, size: int | None) -> str:
        """Download from Slack and upload to Late at once, chunk by chunk (never the whole file)."""
        if not url or not self.trusted(url):
            raise UserError("Slack gave an address for the file that is not on Slack; it was not fetched.")
        headers = {"Authorization": f"Bearer {self.token}"}
        async with self.session.get(url, headers=headers) as resp:
            if resp.status != 200:
                raise UserError(f"Slack did not hand over the file (HTTP {resp.status}).")
            if resp.content_type == "text/html":
                raise UserError("Slack sent a web page, not the file: is the files:read scope granted?")
            size = size or resp.content_length
            upload = MediaUpload(filename=name, content_type=mimetype, size=size,
                                 chunks=resp.content.iter_chunked(1 << 16))
            return await self.bot.upload_media(upload)

    def trusted(self, url: str) -> bool:
        parts = urlsplit(url)
        host = parts.hostname or ""
        slack = parts.scheme == "https" and (host == "slack.com" or host.endswith(".slack.com"))
        return slack or (bool(host) and host == self.api_host)

    async def close(self) -> None:
        for _, task in self._jobs.values():
            task.cancel()
        for _, task in self._jobs.values():
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._jobs.clear()
