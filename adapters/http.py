"""latebot's HTTP side: one aiohttp app on `--port` for every command that serves.

`GET /healthz` says which adapters run; `POST /late/webhooks` takes Late's webhooks (answered 501
until a handler is wired in); other adapters mount their routes (Slack's `POST /slack/events` in
HTTP mode). Routes can be mounted before or after the server starts: one catch-all aiohttp route
looks them up per request, so services may start in any order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping

from aiohttp import web

from bot.errors import ConfigError

log = logging.getLogger("latebot.http")

Route = Callable[[web.Request], Awaitable[web.StreamResponse]]
# The raw body and headers of a Late webhook -> the HTTP status and JSON body to answer with.
WebhookHandler = Callable[[bytes, Mapping[str, str]], Awaitable[tuple[int, dict[str, object]]]]
MAX_BODY = 1024 * 1024


class HttpServer:
    """A service (see `bot.runtime`): serves until cancelled."""

    name = "http"

    def __init__(self, *, host: str = "0.0.0.0", port: int = 3000, webhooks: WebhookHandler | None = None) -> None:
        self.host = host
        self.port = port
        self.webhooks = webhooks
        self.status: dict[str, str] = {}  # adapter -> how it runs, for /healthz
        self.url = ""
        self._routes: dict[tuple[str, str], Route] = {
            ("GET", "/healthz"): self._healthz,
            ("POST", "/late/webhooks"): self._late_webhooks,
        }
        self._runner: web.AppRunner | None = None

    def mount(self, method: str, path: str, route: Route) -> None:
        self._routes[(method.upper(), path)] = route

    def unmount(self, method: str, path: str) -> None:
        self._routes.pop((method.upper(), path), None)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        route = self._routes.get((request.method, request.path))
        if route is not None:
            return await route(request)
        if any(path == request.path for _, path in self._routes):
            return web.json_response({"ok": False, "error": "method not allowed"}, status=405)
        return web.json_response({"ok": False, "error": "not found"}, status=404)

    async def _healthz(self, _: web.Request) -> web.StreamResponse:
        return web.json_response({"ok": True, **self.status})

    async def _late_webhooks(self, request: web.Request) -> web.StreamResponse:
        if self.webhooks is None:
            return web.json_response(
                {"ok": False, "error": "this latebot does not handle Late webhooks yet"}, status=501
            )
        status, body = await self.webhooks(await request.read(), dict(request.headers))
        return web.json_response(body, status=status)

    async def start(self) -> str:
        """Start serving; returns the base URL (port 0 picks a free port)."""
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, self.host, self.port).start()
        except OSError as exc:
            await self._runner.cleanup()
            self._runner = None
            raise ConfigError(f"option --port: can't listen on {self.host}:{self.port} ({exc.strerror})") from None
        bound = self._runner.addresses[0][1]
        self.url = f"http://{'127.0.0.1' if self.host in ('0.0.0.0', '') else self.host}:{bound}"
        log.info("HTTP server listening on %s:%s", self.host, bound)
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @contextlib.asynccontextmanager
    async def serving(self) -> AsyncIterator[str]:
        url = await self.start()
        try:
            yield url
        finally:
            await self.stop()

    async def run(self) -> None:
        async with self.serving():
            await asyncio.Event().wait()
