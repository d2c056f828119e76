"""The references: the SDKs latebot is built on, doing the least the same job needs.

- `bare_bolt`: a slack-bolt AsyncApp on its own aiohttp adapter whose `/late` listener only acks.
- `bare_discord`: a discord.py client with the same `/late post` command that defers at once.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import discord
import yarl
from aiohttp import web
from discord import app_commands
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


@contextlib.asynccontextmanager
async def bare_bolt(*, token: str, secret: str, api_url: str, port: int = 0) -> AsyncIterator[str]:
    """Yields the base URL; requests go to `/slack/events` as latebot's do."""
    app = AsyncApp(
        token=token, signing_secret=secret,
        client=AsyncWebClient(token=token, base_url=api_url),
    )

    @app.command("/late")
    async def late(ack: Any) -> None:
        await ack()

    runner = web.AppRunner(app.web_app(path="/slack/events"), access_log=None, handle_signals=False)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", port).start()
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


class _Bare(discord.Client):
    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)
        group = app_commands.Group(name="late", description="latebot")

        @group.command(name="post", description="Post")
        async def post(interaction: discord.Interaction[Any], text: str, to: str | None = None,
                       when: str | None = None, tz: str | None = None, mode: str | None = None) -> None:
            await interaction.response.defer(ephemeral=True)

        self.tree.add_command(group)

    async def setup_hook(self) -> None:
        await self.tree.sync()


@contextlib.asynccontextmanager
async def bare_discord(*, token: str, api_base: str, gateway: str) -> AsyncIterator[discord.Client]:
    import asyncio

    discord.http.Route.BASE = api_base.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    bot = _Bare()
    task = asyncio.create_task(bot.start(token))
    try:
        await asyncio.wait_for(bot.wait_until_ready(), 30)
        yield bot
    finally:
        await bot.close()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
