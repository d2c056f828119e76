"""HTTP mode on aiohttp: `POST /slack/events`, `GET /healthz` and `POST /late/webhooks` on one port.

`/slack/events` hands the raw request to Bolt, which verifies the signature (401 when it is
missing, wrong or older than 5 minutes) before any listener runs.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

log = logging.getLogger("latebot.slack.server")

# Gets the raw body and headers of a Late webhook; returns the HTTP status to answer with.
WebhookHandler = Callable[[bytes, Mapping[str, str]], Awaitable[int]]
MAX_BODY = 1024 * 1024


def web_app(app: AsyncApp | None, *, webhooks: WebhookHandler | None = None,
            mode: str = "http") -> web.Application:
    server = web.Application(client_max_size=MAX_BODY)

    async def events(request: web.Request) -> web.Response:
        assert app is not None
        bolt_response = await app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"ok": True, "slack": mode})

    async def late_webhooks(request: web.Request) -> web.Response:
        if webhooks is None:
            log.warning("a Late webhook arrived but no handler is configured")
            return web.json_response({"ok": False, "error": "webhooks are not handled here"}, status=503)
        status = await webhooks(await request.read(), dict(request.headers))
        return web.Response(status=status)

    if app is not None:
        server.router.add_post("/slack/events", events)
    server.router.add_get("/healthz", healthz)
    server.router.add_post("/late/webhooks", late_webhooks)
    return server


@contextlib.asynccontextmanager
async def serving(app: AsyncApp | None, *, host: str = "0.0.0.0", port: int = 3000,
                  webhooks: WebhookHandler | None = None, mode: str = "http") -> AsyncIterator[str]:
    """Serve until the block ends; yields the base URL (port 0 picks a free port)."""
    runner = web.AppRunner(web_app(app, webhooks=webhooks, mode=mode), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = runner.addresses[0]
        url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{bound[1]}"
        log.info("HTTP server listening on %s:%s", host, bound[1])
        yield url
    finally:
        await runner.cleanup()
