"""Running the Discord bot in the bot's event loop.

`run_discord(settings, router)` runs it until cancelled; `running_bot(...)` starts it, waits until
it is ready, and stops it cleanly (for tests and for `latebot run`). REST goes to
`DISCORD_API_BASE` (discord.py's `Route.BASE`, one value per process) and the gateway to
`DISCORD_GATEWAY_URL`, so that both can be proxies or fakes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import discord

from adapters.discord.app import LateBot
from bot.errors import ConfigError
from bot.settings import Settings

if TYPE_CHECKING:
    from commands.router import Router

log = logging.getLogger("latebot.discord")

__all__ = ["LateBot", "run_discord", "running_bot"]


def _token(settings: Settings) -> str:
    if settings.DISCORD_TOKEN is None or not settings.DISCORD_TOKEN.get_secret_value():
        raise ConfigError("setting DISCORD_TOKEN: required for the Discord bot")
    return settings.DISCORD_TOKEN.get_secret_value()


@contextlib.asynccontextmanager
async def running_bot(
    settings: Settings, router: Router, *, ready_timeout: float = 30.0, **options: Any
) -> AsyncIterator[LateBot]:
    """Start the bot against the configured API and gateway, yield it once ready, close it cleanly."""
    token = _token(settings)
    previous = discord.http.Route.BASE
    discord.http.Route.BASE = settings.DISCORD_API_BASE.rstrip("/")
    bot = LateBot(settings, router, **options)
    task = asyncio.create_task(bot.start(token), name="latebot-discord")
    try:
        ready = asyncio.create_task(bot.wait_until_ready())
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
        yield bot
    finally:
        await bot.close()
        if not task.done() or (not task.cancelled() and task.exception() is None):
            try:
                await task
            except asyncio.CancelledError:
                pass
            except Exception:
                log.exception("the Discord bot stopped with an error")
        discord.http.Route.BASE = previous


async def run_discord(settings: Settings, router: Router) -> None:
    """Run the Discord bot until it is closed or cancelled."""
    token = _token(settings)
    discord.http.Route.BASE = settings.DISCORD_API_BASE.rstrip("/")
    async with LateBot(settings, router) as bot:
        await bot.start(token)
