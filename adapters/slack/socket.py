"""Socket Mode: Slack's events over a websocket opened with the app-level token (no public URL).

Bolt's `AsyncSocketModeHandler` acks each envelope with what the listener's `ack()` returned;
the listeners are the same as in HTTP mode. `apps.connections.open` goes to `SLACK_API_URL`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from adapters.slack.port import web_client
from bot.errors import ConfigError


@contextlib.asynccontextmanager
async def socket_mode(app: AsyncApp, app_token: str, api_url: str,
                      session: aiohttp.ClientSession) -> AsyncIterator[AsyncSocketModeHandler]:
    handler = AsyncSocketModeHandler(app, app_token, web_client=web_client(None, api_url, session))
    try:
        try:
            await handler.connect_async()  # type: ignore[no-untyped-call]
        except SlackApiError as exc:
            error = exc.response.get("error")
            raise ConfigError(f"setting SLACK_APP_TOKEN: Slack refused it ({error})") from None
        yield handler
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
