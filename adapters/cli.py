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
import sys
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Literal, cast

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


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command in CHAT_COMMANDS and settings.sandbox and not args.sandbox:
        raise ConfigError(
            "LATE_API_KEY is not set: refusing to start a chat bot on the sandbox (nothing would be "
            "published). Set LATE_API_KEY, or pass --sandbox to try it anyway."
        )
    clock = SystemClock()
    async with late_for(settings, clock) as (late, engine), open_core(
        settings, late, sandbox=engine is not None, clock=clock, scheduler_interval=1.0 if engine else 30.0
    ) as core:
        if args.command == "console":
            return await console(core, engine)
        if args.command == "health":
            return await health(core)
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

    session = ConsoleSession(router, after_line=None if interactive else after_line)
    label = SANDBOX_BANNER if core.sandbox else f"connected to Late at {core.settings.LATE_BASE_URL}"
    session.chat.print(f"latebot console — {label}. You are {session.user} in #{session.place.channel}.")
    session.chat.print(HELP)
    if not interactive:
        await core.scheduler.reconcile()
        await session.run(sys.stdin, interactive=False)
        return 0
    background = [asyncio.create_task(core.scheduler.run(), name="latebot-scheduler")]
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
    try:
        report = await core.directory.health()
    except LateError as exc:
        print(f"latebot: could not check health: {exc.message}", file=sys.stderr)
        return 2
    rows = [("platform", "account", "status", "issues")]
    bad = 0
    for a in report.accounts:
        if a.status == "error" or a.needs_reconnect:
            bad += 1
        rows.append((a.platform or "", f"@{(a.username or '').lstrip('@')}", a.status or "?",
                     "; ".join(a.issues or []) or "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)).rstrip())
    return 1 if bad else 0


def chat_services(core: Core, router: Router, command: str, http: HttpServer) -> list[Service]:
    """The chat adapters `command` runs: `slack`, `discord`, or every configured one for `run`."""
    settings = core.settings
    services: list[Service] = []
    if command in ("slack", "run") and settings.SLACK_BOT_TOKEN is not None:
        from adapters.slack.app import SlackService

        services.append(SlackService(settings, router, http))
    elif command == "slack":
        raise ConfigError("setting SLACK_BOT_TOKEN: required for `latebot slack`")
    if command in ("discord", "run") and settings.DISCORD_TOKEN is not None:
        from adapters.discord.service import DiscordService

        services.append(DiscordService(settings, router, status=http.status))
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


async def serve(core: Core, args: argparse.Namespace, engine: LateEngine | None) -> int:
    router = Router(core)
    http = HttpServer(port=args.port)
    services: list[Service] = [Prepared(router), http, *chat_services(core, router, args.command, http),
                               core.scheduler]
    if engine is not None:
        services.append(_Ticker(engine))
    await run_services(services)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
