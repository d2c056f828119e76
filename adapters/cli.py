"""`latebot`: the outermost adapter, the one place that wires core, parser and chat adapters.

Wiring is explicit: the Late client (Late, or the sandbox without LATE_API_KEY), the core around it,
the router (the driving port every chat adapter calls), and the services each command runs under
the supervised runtime (`bot.runtime.run_services`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import socket
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

import aiohttp

from adapters.http import HttpServer
from bot.clock import Clock, SystemClock
from bot.core import SANDBOX_BANNER, Core, open_core
from bot.errors import ConfigError, LateError
from bot.late.client import LateClient
from bot.logs import setup_logging
from bot.runtime import Service, run_services
from bot.settings import Settings, load_settings
from commands.router import Router

if TYPE_CHECKING:
    from adapters.sandbox import LateEngine

log = logging.getLogger("latebot")

CHAT_COMMANDS = ("slack", "discord", "run")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="latebot", description="Write, approve and publish social posts from chat.")
    p.add_argument("--log-format", choices=["plain", "json"], default="plain")
    p.add_argument("--log-level", default="WARNING", help="DEBUG, INFO, WARNING (default), ERROR")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("console", help="a local chat in the terminal (sandbox without LATE_API_KEY)")
    for name in CHAT_COMMANDS:
        s = sub.add_parser(name, help=f"run the {name} bot" if name != "run" else "every configured adapter")
        s.add_argument("--sandbox", action="store_true", help="allow running on the sandbox (nothing published)")
        s.add_argument("--port", type=int, default=3000,
                       help="HTTP port: /healthz, /late/webhooks and (Slack HTTP mode) /slack/events")
    sub.add_parser("health", help="check every account once; exit 1 when any needs action")
    hooks = sub.add_parser("webhooks", help="whether a Late webhook points at this latebot; --register adds one")
    hooks.add_argument("--url", help="this latebot's public URL for Late, e.g. https://bot.example.com/late/webhooks")
    hooks.add_argument("--register", action="store_true", help="create (or complete) the webhook for --url")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"latebot: {exc}", file=sys.stderr)
        return 2
    fmt = cast(Literal["plain", "json"], args.log_format)
    setup_logging(level=args.log_level.upper(), fmt=fmt, secrets=settings.secrets())
    try:
        return asyncio.run(_run(args, settings))
    except KeyboardInterrupt:
        return 130
    except ConfigError as exc:
        print(f"latebot: {exc}", file=sys.stderr)
        return 2


class _Ticker:
    """The sandbox's stand-in for Late's own scheduler: publishes what is due, every second."""

    name = "sandbox"

    def __init__(self, engine: LateEngine) -> None:
        self.engine = engine

    async def run(self) -> None:
        await self.engine.run_publisher(1.0)


@contextlib.asynccontextmanager
async def late_for(settings: Settings, clock: Clock) -> AsyncIterator[tuple[LateClient, LateEngine | None]]:
    """The Late client this process talks to, and the sandbox engine when it is the sandbox."""
    if not settings.sandbox:
        assert settings.LATE_API_KEY is not None
        async with LateClient(settings.LATE_BASE_URL, settings.LATE_API_KEY, clock=clock) as late:
            yield late, None
        return
    from adapters.sandbox import open_sandbox, sandbox_path  # only the sandbox pays for its import (~0.3 s)

    async with open_sandbox(sandbox_path(settings.LATEBOT_DB), clock) as sandbox:
        yield sandbox.client, sandbox.engine


def realistic_sandbox(command: str, *, interactive: bool) -> bool:
    """The sandbox behaves like Late on an ordinary day (posts take a while to publish, a platform now
    and then throttles or is down, the request limit applies), except under a scripted console, which
    stays exact so that a script (the README's demo) always reads the same."""
    return command != "console" or interactive


def check_db(path: Path) -> None:
    """A database latebot can't open or write is one line naming LATEBOT_DB, never a traceback."""
    if str(path) == ":memory:":
        return
    folder = path.resolve().parent
    if not folder.is_dir():
        what = "is not a directory" if folder.exists() else "does not exist"
        raise ConfigError(f"setting LATEBOT_DB: {path}: the directory {folder} {what}")
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.R_OK | os.W_OK)):
        raise ConfigError(f"setting LATEBOT_DB: {path}: latebot may not write there")


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command in CHAT_COMMANDS and settings.sandbox and not args.sandbox:
        raise ConfigError(
            "LATE_API_KEY is not set: refusing to start a chat bot on the sandbox (nothing would be "
            "published). Set LATE_API_KEY, or pass --sandbox to try it anyway."
        )
    check_db(settings.LATEBOT_DB)
    clock = SystemClock()
    async with contextlib.AsyncExitStack() as stack:
        try:
            late, engine = await stack.enter_async_context(late_for(settings, clock))
            core = await stack.enter_async_context(open_core(
                settings, late, sandbox=engine is not None, clock=clock, scheduler_interval=1.0 if engine else 30.0
            ))
        except sqlite3.Error as exc:
            raise ConfigError(f"setting LATEBOT_DB: {settings.LATEBOT_DB}: {exc}") from None
        if engine is not None and realistic_sandbox(args.command, interactive=sys.stdin.isatty()):
            engine.realistic()
        if args.command == "console":
            return await console(core, engine)
        if args.command == "health":
            return await health(core)
        if args.command == "webhooks":
            return await webhooks(core, args.url, register=args.register)
        return await serve(core, args, engine)


async def console(core: Core, engine: LateEngine | None) -> int:
    from adapters.console.session import HELP, ConsoleSession

    router = Router(core)
    interactive = sys.stdin.isatty()

    async def after_line() -> None:
        # Scripted: everything a line causes (publishing included) happens before the next line.
        if engine is not None:
            await engine.tick()
        await core.scheduler.tick()
        await core.alerts.flush()

    session = ConsoleSession(router, after_line=None if interactive else after_line)
    label = SANDBOX_BANNER if core.sandbox else f"connected to Late at {core.settings.LATE_BASE_URL}"
    session.chat.print(f"latebot console — {label}. You are {session.user} in #{session.place.channel}.")
    session.chat.print(HELP)
    if not interactive:
        await core.scheduler.reconcile()
        await session.run(sys.stdin, interactive=False)
        return 0
    background = [asyncio.create_task(service.run(), name=f"latebot-{service.name}")
                  for service in (core.scheduler, core.monitor, core.alerts)]
    if engine is not None:
        background.append(asyncio.create_task(_Ticker(engine).run(), name="latebot-sandbox"))
    try:
        await session.run(sys.stdin, interactive=True)
    finally:
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
    return 0


async def health(core: Core) -> int:
    """The table of `/late health` for every profile, with where to reconnect; 1 when any needs action."""
    try:
        rows = await core.checkup.rows()
    except LateError as exc:
        print(f"latebot: could not check health: {exc.message}", file=sys.stderr)
        return 2
    table = [("platform", "account", "status", "issues")]
    table += [(r.entry.platform or "", f"@{(r.entry.username or '').lstrip('@')}", r.status, r.issues or "-")
              for r in rows]
    widths = [max(len(r[i]) for r in table) for i in range(4)]
    for line in table:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
    for r in rows:
        if r.link:
            print(f"reconnect {r.label}: {r.link}")
    return 1 if any(r.needs_action for r in rows) else 0


async def webhooks(core: Core, url: str | None, *, register: bool) -> int:
    """0 when a complete webhook points at `url` (or at any latebot), 1 when none does, 2 on errors."""
    from bot.subscriptions import pointing_at
    from bot.subscriptions import register as subscribe

    secret = core.settings.LATE_WEBHOOK_SECRET
    if secret is None or not secret.get_secret_value():
        print("LATE_WEBHOOK_SECRET is not set: this latebot answers Late's webhooks with 501.")
        if register:
            print("latebot: set LATE_WEBHOOK_SECRET (any long random string) before registering", file=sys.stderr)
            return 2
    try:
        if register:
            if not url:
                print("latebot: --register needs --url", file=sys.stderr)
                return 2
            found, new = await subscribe(core.late, url, secret.get_secret_value() if secret else "")
            print(f"{'Registered' if new else 'Updated'} the Late webhook {found.webhook.id} -> {found.webhook.url}")
            return 0
        hooks = await pointing_at(core.late, url)
    except LateError as exc:
        print(f"latebot: Late refused: {exc.message}", file=sys.stderr)
        return 2
    if not hooks:
        where = url or "a latebot (…/late/webhooks)"
        print(f"No Late webhook points at {where}. Register one: latebot webhooks --url <public url> --register")
        return 1
    for f in hooks:
        state = "active" if f.webhook.is_active else "inactive"
        missing = f"; missing events: {', '.join(f.missing)}" if f.missing else ""
        print(f"Late webhook {f.webhook.id} -> {f.webhook.url} ({state}, {f.webhook.failure_count} failures{missing})")
    return 0 if any(f.complete for f in hooks) else 1


class Reaching:
    """A chat adapter that says which service it could not reach, in one line, instead of a traceback."""

    def __init__(self, service: Service, what: str, url: str) -> None:
        self.service = service
        self.what = what
        self.url = url

    @property
    def name(self) -> str:
        return self.service.name

    async def run(self) -> None:
        try:
            await self.service.run()
        except (aiohttp.ClientConnectionError, socket.gaierror, TimeoutError) as exc:
            raise ConfigError(f"could not reach {self.what} at {self.url}: {_reason(exc)}") from None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, aiohttp.ClientConnectorDNSError | socket.gaierror):
        return "the name does not resolve (no network, or DNS is down)"
    if isinstance(exc, TimeoutError):
        return "it did not answer in time"
    return str(exc) or type(exc).__name__


def chat_services(core: Core, router: Router, command: str, http: HttpServer) -> list[Service]:
    """The chat adapters `command` runs: `slack`, `discord`, or every configured one for `run`."""
    settings = core.settings
    services: list[Service] = []
    if command in ("slack", "run") and settings.SLACK_BOT_TOKEN is not None:
        from adapters.slack.app import SlackService

        services.append(Reaching(SlackService(settings, router, http), "Slack", settings.SLACK_API_URL))
    elif command == "slack":
        raise ConfigError("setting SLACK_BOT_TOKEN: required for `latebot slack`")
    if command in ("discord", "run") and settings.DISCORD_TOKEN is not None:
        from adapters.discord.service import DiscordService

        services.append(Reaching(DiscordService(settings, router, status=http.status), "Discord",
                                 settings.DISCORD_API_BASE))
    elif command == "discord":
        raise ConfigError("setting DISCORD_TOKEN: required for `latebot discord`")
    if not services:
        raise ConfigError("no chat is configured: set SLACK_BOT_TOKEN or DISCORD_TOKEN")
    return services


class Prepared:
    """The router's one-time costs (`Router.prepare`) paid in a thread while the adapters connect,
    so that the first command does not stop the event loop for them."""

    name = "prepare"

    def __init__(self, router: Router) -> None:
        self.router = router

    async def run(self) -> None:
        await self.router.prepare()
        await asyncio.Event().wait()


def services(core: Core, command: str, port: int, engine: LateEngine | None, *, host: str = "0.0.0.0"
             ) -> list[Service]:
    """What `latebot slack|discord|run` runs: HTTP (with Late's webhooks), the chat adapters, the
    scheduler (follow-ups), the health monitor and the delivery of alerts."""
    router = Router(core)
    http = HttpServer(host=host, port=port, webhooks=core.webhooks.handle)
    found: list[Service] = [
        Prepared(router), http, *chat_services(core, router, command, http), core.scheduler, core.monitor,
        core.alerts,
    ]
    if engine is not None:
        found.append(_Ticker(engine))
    return found


async def serve(core: Core, args: argparse.Namespace, engine: LateEngine | None) -> int:
    await run_services(services(core, args.command, args.port, engine))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
