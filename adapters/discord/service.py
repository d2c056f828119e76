"""Running the Discord bot in the process's event loop.

`running_bot(...)` starts it, waits until it is ready, and stops it cleanly; `DiscordService` runs
it under the runtime (`latebot discord`, `latebot run`). REST goes to
`DISCORD_API_BASE` (discord.py's `Route.BASE`, one value per process) and the gateway to
`DISCORD_GATEWAY_URL`, so that both can be proxies or fakes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import discord

from adapters.discord.client import LateBot
from adapters.lane import keep_what_started
from bot.errors import ConfigError
from bot.ports import BotPort
from bot.settings import Settings

log = logging.getLogger("latebot.discord")

__all__ = ["DiscordService", "LateBot", "running_bot"]


def _token(settings: Settings) -> str:
    if settings.DISCORD_TOKEN is None or not settings.DISCORD_TOKEN.get_secret_value():
        raise ConfigError("setting DISCORD_TOKEN: required for the Discord bot")
    return settings.DISCORD_TOKEN.get_secret_value()


@contextlib.asynccontextmanager
async def running_bot(
    settings: Settings, bot: BotPort, *, ready_timeout: float = 30.0, **options: Any
) -> AsyncIterator[LateBot]:
    """Start the bot against the configured API and gateway, yield it once ready, close it cleanly."""
    token = _token(settings)
    previous = discord.http.Route.BASE
    discord.http.Route.BASE = settings.DISCORD_API_BASE.rstrip("/")
    client = LateBot(settings, bot, **options)
    task = asyncio.create_task(client.start(token), name="latebot-discord")
    try:
        ready = asyncio.create_task(client.wait_until_ready())
        done, _ = await asyncio.wait(
            {ready, task}, timeout=ready_timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if ready not in done:
            ready.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ready
            if task.done():
                task.result()  # the start failed: raise why
            raise TimeoutError(f"the Discord bot was not ready within {ready_timeout} s")
        client.runner = task
        keep_what_started()
        yield client
    finally:
        await client.close()
        if not task.done() or (not task.cancelled() and task.exception() is None):
            try:
                await task
            except asyncio.CancelledError:
                pass
            except Exception:
                log.exception("the Discord bot stopped with an error")
        discord.http.Route.BASE = previous


class DiscordService:
    """The Discord bot as a service of the runtime."""

    name = "discord"

    def __init__(self, settings: Settings, bot: BotPort, *, status: dict[str, str] | None = None) -> None:
        self.settings = settings
        self.bot = bot
        self.status = status if status is not None else {}

    async def run(self) -> None:
        async with running_bot(self.settings, self.bot) as client:
            self.status["discord"] = "gateway"
            try:
                # Until cancelled, or until discord.py gives up on the gateway for good: then its
                # error (a revoked token, a privileged intent) ends the service, and the runtime stops.
                assert client.runner is not None
                await asyncio.wait({client.runner})
                client.runner.result()
            finally:
                self.status.pop("discord", None)
