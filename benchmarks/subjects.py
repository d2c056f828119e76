"""Every way the benchmarks start or call latebot, in this one module.

The core is being restructured; when `open_core`, `Router`, `running_slack`, `running_bot`, the
parser, the card or the targets move, only this file changes. Nothing else in benchmarks/ imports
bot/, commands/ or adapters/ (the fakes in tests/fakes/ are imported where they are served).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from adapters.cli import Prepared
from adapters.discord.service import running_bot
from adapters.slack.app import running_slack
from adapters.slack.blocks import card_message
from adapters.slack.context import Opened
from adapters.slack.port import Pacer as SlackPacer
from bot.card import build_card
from bot.core import Core, open_core
from bot.late.client import LateClient
from bot.late.transport import AiohttpTransport
from bot.messages import Actor, ButtonPress, Card, ChatKind, Form, Invocation, MessageRef, Place, Reply
from bot.request import PostDraft, Request, Target
from bot.settings import Settings
from commands.context import ParseContext
from commands.parser import parse
from commands.router import Router

__all__ = ["AiohttpTransport", "LateClient"]

TEAM = "T0LATEBOT"  # tests/fakes/slack_api.py's team
CHANNEL = "C0GENERAL"


# --- settings ------------------------------------------------------------------------------------

def settings(db: Path, *, late_url: str, key: str, **extra: Any) -> Settings:
    values: dict[str, Any] = {"LATEBOT_DB": db, "LATEBOT_TIMEZONE": "UTC", "LATE_API_KEY": SecretStr(key),
                              "LATE_BASE_URL": late_url, **extra}
    return Settings(_env_file=None, **values)


def slack_settings(db: Path, *, late_url: str, key: str, slack_api: str, token: str, secret: str) -> Settings:
    return settings(db, late_url=late_url, key=key, SLACK_BOT_TOKEN=SecretStr(token),
                    SLACK_SIGNING_SECRET=SecretStr(secret), SLACK_APP_TOKEN=None, SLACK_API_URL=slack_api)


def discord_settings(db: Path, *, late_url: str, key: str, api_base: str, token: str) -> Settings:
    return settings(db, late_url=late_url, key=key, DISCORD_TOKEN=SecretStr(token), DISCORD_API_BASE=api_base)


# --- starting latebot ----------------------------------------------------------------------------

@contextlib.asynccontextmanager
async def core_and_router(s: Settings) -> AsyncIterator[tuple[Core, Router]]:
    """The core and the router adapters call, with the services `latebot run` runs beside the
    adapters: the scheduler, and the router's one-time costs paid in a thread (`Prepared`).

    Yields once those are paid (~0.3 s after start): the benchmarks that use it measure a running
    bot, not its first second (the process benchmark measures `latebot run` starting)."""
    assert s.LATE_API_KEY is not None
    async with LateClient(s.LATE_BASE_URL, s.LATE_API_KEY) as late, open_core(s, late) as core:
        router = Router(core)
        services = [asyncio.create_task(service.run(), name=f"bench-{service.name}")
                    for service in (core.scheduler, Prepared(router))]
        try:
            await router.prepare()
            yield core, router
        finally:
            for task in services:
                task.cancel()
            await asyncio.gather(*services, return_exceptions=True)


@contextlib.asynccontextmanager
async def slack_http_app(s: Settings) -> AsyncIterator[str]:
    """latebot's Slack app in HTTP mode on 127.0.0.1 (real router and core); yields its base URL.

    Slack's own pace for one channel (about one message a second) is switched off (`Pacer(rate=0)`,
    as the flow tests do), so that time-to-card measures latebot and not the pacing."""
    async with core_and_router(s) as (_core, router):
        async with running_slack(s, router, host="127.0.0.1", port=0, pacer=SlackPacer(rate=0)) as (_bot, url):
            yield url


@contextlib.asynccontextmanager
async def discord_bot(s: Settings) -> AsyncIterator[object]:
    """latebot's Discord bot (real discord.py, real router and core), once ready (the fake Discord sets
    no per-channel bucket, so the cards after a burst go out at once; what is measured is the first answer)."""
    async with core_and_router(s) as (_core, router):
        async with running_bot(s, router, guild_ready_timeout=0.05) as bot:
            yield bot


def latebot_run_argv(port: int) -> list[str]:
    """`latebot run` (every configured adapter), as an operator starts it."""
    script = Path(sys.executable).parent / "latebot"
    head = [str(script)] if script.exists() else [sys.executable, "-m", "adapters.cli"]
    return [*head, "run", "--port", str(port)]


def latebot_env(*, db: Path, late_url: str, key: str, slack_api: str, slack_token: str, slack_secret: str,
                discord_api: str, discord_token: str) -> dict[str, str]:
    """The environment `latebot run` reads (bot/settings.py) for Slack HTTP mode plus Discord."""
    return {
        "LATEBOT_DB": str(db), "LATE_API_KEY": key, "LATE_BASE_URL": late_url,
        "SLACK_BOT_TOKEN": slack_token, "SLACK_SIGNING_SECRET": slack_secret, "SLACK_API_URL": slack_api,
        "DISCORD_TOKEN": discord_token, "DISCORD_API_BASE": discord_api,
    }


def first_command_code(text: str) -> str:
    """Python source for a fresh process: import latebot's parser and parse one command."""
    return (
        "from datetime import datetime, timezone\n"
        "from commands.context import ParseContext\n"
        "from commands.parser import parse\n"
        f"parse({text!r}, ParseContext(now=datetime.now(timezone.utc), timezone='Europe/Berlin'))\n"
    )


# --- per-request functions ---------------------------------------------------------------------

def post_parser(zone: str = "Europe/Berlin", minute: int = 0) -> Callable[[str], object]:
    """The parser as the router calls it, `minute` minutes after a fixed now."""
    ctx = ParseContext(now=datetime(2026, 11, 22, 12, 0, tzinfo=UTC) + timedelta(minutes=minute), timezone=zone)
    return lambda text: parse(text, ctx)


PLATFORMS = ("twitter", "linkedin", "instagram", "bluesky", "threads", "facebook")


def _request(text: str) -> Request:
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    draft = PostDraft(thread=[text], targets=[Target(account_id="acc00000", platform="twitter", username="bench")],
                      mode="schedule", scheduled_for=now + timedelta(days=1), timezone="Europe/Berlin")
    return Request(
        id="r1", state="pending", chat="slack", team=TEAM, channel=CHANNEL, requester_id="U0ALICE",
        requester_name="Alice", profile_id="p1", revision=1, draft=draft, content_hash=draft.content_hash(),
        idempotency_key="latebot-r1-r1", late_post_id=None, outcome=None, approvals_required=1,
        allow_self_approval=False, created_at=now, updated_at=now, expires_at=now + timedelta(hours=72),
        decided_by=None, decided_by_id=None, decided_at=None, reason=None, card=None,
    )


def approval_card(text: str) -> Callable[[], object]:
    """Build the approval card of a pending X post of `text` and render it as Slack posts it."""
    request = _request(text)
    return lambda: card_message(build_card(request))


def slack_first_time(remembered: int) -> Callable[[str], bool]:
    """The Slack adapter's dedupe of the forms it opens, with `remembered` keys already seen."""
    opened = Opened()
    for i in range(remembered):
        opened.first_time(f"seen-{i}")
    return opened.first_time


# --- driving the router directly ---------------------------------------------------------------

def actor(name: str) -> Actor:
    return Actor(id=f"U0{name.upper()}", name=name.title(), timezone="Europe/Berlin")


def place(chat: ChatKind = "slack") -> Place:
    return Place(chat=chat, team=TEAM, channel=CHANNEL)


def invocation(text: str, who: str = "alice", delivery: str | None = None) -> Invocation:
    return Invocation(actor=actor(who), place=place(), text=text, delivery_id=delivery)


def press(action: str, request_id: str, who: str, delivery: str | None = None) -> ButtonPress:
    return ButtonPress(actor=actor(who), place=place(), action=action, ref=f"{request_id}:1", delivery_id=delivery)


class Told:
    """A Responder that keeps what the user was told (the benchmarks check no error was)."""

    def __init__(self) -> None:
        self.replies: list[str] = []

    async def reply(self, reply: Reply) -> None:
        self.replies.append(reply.text)

    async def open_form(self, form: Form) -> None:
        self.replies.append(f"form {form.id}")


class Cards:
    """A ChatPort that keeps cards in memory: the chat side costs nothing in router-level benchmarks."""

    chat: ChatKind = "slack"

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self.posted = 0
        self.updated = 0
        self.sent = 0

    async def post_card(self, where: Place, card: Card) -> MessageRef:
        self.posted += 1
        return MessageRef(chat=where.chat, team=where.team, channel=where.channel, message_id=str(next(self._ids)))

    async def update_card(self, ref: MessageRef, card: Card) -> None:
        self.updated += 1

    async def send(self, where: Place, reply: Reply) -> None:
        self.sent += 1

    async def check_channel(self, where: Place) -> str:
        return where.channel


def register(router: Router, port: Cards) -> None:
    router.register(port)


async def request_states(core: Core) -> dict[str, str]:
    rows = await core.store.query("SELECT id, state FROM requests")
    return {r["id"]: r["state"] for r in rows}


async def pending_ids(core: Core) -> list[str]:
    rows = await core.store.query("SELECT id FROM requests WHERE state = 'pending' ORDER BY created_at, id")
    return [r["id"] for r in rows]


async def autocomplete(router: Router, option: str, value: str, who: str = "alice") -> list[tuple[str, str]]:
    """What Discord's autocomplete asks the router for while `/late post` is being typed."""
    inv = Invocation(actor=actor(who), place=place("discord"), command="post", options={option: value})
    return await router.autocomplete(inv, option, value)


async def warm_directory(router: Router) -> int:
    """Fill the core's short cache of Late profiles and accounts; returns how many accounts."""
    config = await router.core.channels.get(place("discord"))
    return len((await router.core.directory.accounts_for(config))[1])
