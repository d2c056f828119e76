"""`latebot`: the outermost adapter, the one place that wires core, parser and chat adapters."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Literal, cast

from bot.clock import SystemClock
from bot.core import SANDBOX_BANNER, Core, open_core
from bot.errors import ConfigError, LateError
from bot.late.client import LateClient
from bot.logs import setup_logging
from bot.settings import Settings, load_settings
from commands.router import Router

log = logging.getLogger("latebot")
Tick = Callable[[], Awaitable[None]]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="latebot", description="Write, approve and publish social posts from chat.")
    p.add_argument("--log-format", choices=["plain", "json"], default="plain")
    p.add_argument("--log-level", default="WARNING", help="DEBUG, INFO, WARNING (default), ERROR")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("console", help="a local chat in the terminal (sandbox without LATE_API_KEY)")
    for name in ("slack", "discord", "run"):
        s = sub.add_parser(name, help=f"run the {name} bot" if name != "run" else "every configured adapter")
        s.add_argument("--sandbox", action="store_true", help="allow running on the sandbox (nothing published)")
        if name in ("slack", "run"):
            s.add_argument("--port", type=int, default=3000, help="HTTP port for Slack HTTP mode and webhooks")
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


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command in ("slack", "discord", "run") and settings.sandbox and not args.sandbox:
        raise ConfigError(
            "LATE_API_KEY is not set: refusing to start a chat bot on the sandbox (nothing would be "
            "published). Set LATE_API_KEY, or pass --sandbox to try it anyway."
        )
    async with late_port(settings) as (late, before_tick), open_core(
        settings, late=late, before_tick=before_tick
    ) as core:
        if args.command == "console":
            return await console(core)
        if args.command == "health":
            return await health(core)
        return await serve(core, args)


@contextlib.asynccontextmanager
async def late_port(settings: Settings) -> AsyncIterator[tuple[LateClient, Tick | None]]:
    """Late itself with LATE_API_KEY; otherwise the sandbox, on a database beside LATEBOT_DB."""
    if settings.LATE_API_KEY is not None:
        async with LateClient(settings.LATE_BASE_URL, settings.LATE_API_KEY) as late:
            yield late, None
        return
    from adapters.sandbox import open_sandbox, sandbox_path

    async with open_sandbox(sandbox_path(settings.LATEBOT_DB), SystemClock()) as sandbox:
        yield sandbox.client, sandbox.engine.tick


async def console(core: Core) -> int:
    from adapters.console.session import HELP, ConsoleSession

    router = Router(core)
    interactive = sys.stdin.isatty()
    session = ConsoleSession(router, after_line=None if interactive else core.scheduler.tick)
    label = SANDBOX_BANNER if core.sandbox else f"connected to Late at {core.settings.LATE_BASE_URL}"
    session.chat.print(f"latebot console — {label}. You are {session.user} in #{session.place.channel}.")
    session.chat.print(HELP)
    if interactive:
        core.start_background()
    else:
        await core.scheduler.reconcile()
    await session.run(sys.stdin, interactive=interactive)
    return 0


async def health(core: Core) -> int:
    try:
        report = await core.late.accounts_health()
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


async def serve(core: Core, args: argparse.Namespace) -> int:
    router = Router(core)
    settings = core.settings
    jobs = []
    if args.command in ("slack", "run") and settings.SLACK_BOT_TOKEN is not None:
        from adapters.slack.app import run_slack

        jobs.append(run_slack(settings, router, port=args.port))
    elif args.command == "slack":
        raise ConfigError("setting SLACK_BOT_TOKEN: required for `latebot slack`")
    if args.command in ("discord", "run") and settings.DISCORD_TOKEN is not None:
        from adapters.discord.client import run_discord

        jobs.append(run_discord(settings, router))
    elif args.command == "discord":
        raise ConfigError("setting DISCORD_TOKEN: required for `latebot discord`")
    if not jobs:
        raise ConfigError("no chat is configured: set SLACK_BOT_TOKEN or DISCORD_TOKEN")
    core.start_background()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.gather(*jobs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
