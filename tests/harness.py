"""A real core (store, Late client, approvals, router) on a fake Late served on loopback.

Adapter tests use it as `async with core_harness(tmp_path) as h:` and drive `h.router`.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import tempfile
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from hypothesis.stateful import RuleBasedStateMachine

from adapters.console.session import ConsoleSession
from bot.clock import Clock, FixedClock, SequentialIds
from bot.core import Core, open_core
from bot.late.client import LateClient
from bot.messages import Actor, ButtonPress, Form, Invocation, Place, Reply
from bot.runtime import Service, run_services
from bot.settings import Settings
from commands.router import Router
from tests.fakes.late_server import FakeLate, Naps

API_KEY = "sk_test_harness_0123456789"
LATE_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "late"
START = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
GENERAL = Place(chat="console", team="console", channel="general")


@dataclass
class Harness:
    core: Core
    router: Router
    late: FakeLate
    settings: Settings
    clock: Clock
    tmp_path: Path
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def store(self):  # type: ignore[no-untyped-def]
        return self.core.store

    def console(self, user: str = "alice") -> ScriptedConsole:
        return ScriptedConsole(self.router, user=user)


class ScriptedConsole:
    """The scripted console, driven line by line in-process; `output` is everything it printed."""

    def __init__(self, router: Router, user: str = "alice") -> None:
        self.out = io.StringIO()
        self.session = ConsoleSession(router, out=self.out, user=user)
        self.pending: list[str] = []

    async def run(self, *lines: str) -> str:
        start = len(self.out.getvalue())
        self.pending = list(lines)

        def read_line() -> str | None:
            return self.pending.pop(0) if self.pending else None

        while self.pending:
            line = self.pending.pop(0)
            self.out.write(f"> {line}\n")
            await self.session.handle(line, read_line)
        return self.out.getvalue()[start:]

    @property
    def output(self) -> str:
        return self.out.getvalue()


def late_fixture(name: str) -> Any:
    """A payload Late sends, from tests/fixtures/late/ (`name` without `.json`); a fresh copy each call."""
    return json.loads((LATE_FIXTURES / f"{name}.json").read_text())


class Said:
    """A responder that keeps what the user was told (and forms opened)."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.forms: list[Form] = []

    async def reply(self, reply: Reply) -> None:
        self.replies.append(reply)

    async def open_form(self, form: Form) -> None:
        self.forms.append(form)

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.replies)

    @property
    def lines(self) -> list[str]:
        """Each reply's text, then `form <id>` for each form opened."""
        return [r.text for r in self.replies] + [f"form {f.id}" for f in self.forms]


def actor(ident: str, name: str | None = None, *, admin: bool = False, groups: tuple[str, ...] = ()) -> Actor:
    return Actor(id=ident, name=name or ident, is_admin=admin, groups=groups)


async def press(h: Harness, who: Actor, action: str, ref: str, place: Place = GENERAL) -> Said:
    said = Said()
    await h.router.press(ButtonPress(actor=who, place=place, action=action, ref=ref), said)
    return said


async def say(h: Harness, who: Actor, text: str, place: Place = GENERAL) -> Said:
    said = Said()
    await h.router.invoke(Invocation(actor=who, place=place, text=text.removeprefix("/late ").strip()), said)
    return said


def settings_for(tmp_path: Path, late_url: str | None, **extra: object) -> Settings:
    values: dict[str, object] = {"LATEBOT_DB": tmp_path / "latebot.db", "LATEBOT_TIMEZONE": "UTC", **extra}
    if late_url is not None:
        values |= {"LATE_API_KEY": API_KEY, "LATE_BASE_URL": late_url}
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@contextlib.asynccontextmanager
async def core_harness(
    tmp_path: Path,
    *,
    clock: Clock | None = None,
    ids: Callable[[], str] | None = None,
    late: FakeLate | None = None,
    client: dict[str, Any] | None = None,
    **settings: object,
) -> AsyncIterator[Harness]:
    """A core against a fake Late (started here unless given) seeded with the demo profile;
    `client` holds keywords for its `LateClient` (timeouts, an instant `sleep`...)."""
    clock = clock or FixedClock(START)
    async with contextlib.AsyncExitStack() as stack:
        if late is None:
            late = await stack.enter_async_context(FakeLate(api_key=API_KEY, clock=clock))
            await late.engine.seed_demo()
        s = settings_for(tmp_path, late.url, **settings)
        late_client = await stack.enter_async_context(LateClient(late.url, API_KEY, clock=clock, **(client or {})))
        core = await stack.enter_async_context(open_core(s, late_client, clock=clock, ids=ids or SequentialIds("r")))
        yield Harness(core=core, router=Router(core), late=late, settings=s, clock=clock, tmp_path=tmp_path)


@contextlib.asynccontextmanager
async def running(
    services: Sequence[Service], ready: Callable[[], bool], *, within: float = 15.0
) -> AsyncIterator[asyncio.Task[None]]:
    """`services` under the runtime, as `latebot` runs them; the block starts once `ready()` holds (with
    the runtime's own error if it ends before) and ends with a stop. Yields the runtime's task."""
    stop = asyncio.Event()
    task = asyncio.create_task(run_services(services, stop=stop))
    try:
        async with asyncio.timeout(within):
            while not ready():
                if task.done():
                    task.result()  # it failed to start: say why
                    raise AssertionError("the services ended before they were ready")
                await asyncio.sleep(0.01)
        yield task
    finally:
        stop.set()
        if not task.done():  # else the test has looked at how it ended
            await task


@dataclass
class Env:
    """A seeded fake Late at START with a LateClient (instant sleeps) and raw httpx, both on API_KEY."""

    late: FakeLate
    client: LateClient
    raw: httpx.AsyncClient
    clock: FixedClock
    ids: dict[str, str]  # platform -> account id

    async def create(self, body: dict[str, Any], key: str | None = None) -> httpx.Response:
        headers = {"Idempotency-Key": key} if key else {}
        return await self.raw.post("/v1/posts", json=body, headers=headers)

    def body(self, *platforms: str, text: str = "Hello", **extra: Any) -> dict[str, Any]:
        targets = [{"platform": p, "accountId": self.ids[p]} for p in platforms or ("twitter",)]
        return {"content": text, "platforms": targets, **extra}


@contextlib.asynccontextmanager
async def late_env(**fake: Any) -> AsyncIterator[Env]:
    """An `Env`; keywords go to `FakeLate` (ids=...)."""
    clock = FixedClock(START)
    async with FakeLate(api_key=API_KEY, clock=clock, **fake) as late:
        await late.engine.seed_demo()
        async with (
            late.client(sleep=Naps()) as client,
            httpx.AsyncClient(base_url=late.url, headers={"Authorization": f"Bearer {API_KEY}"}) as raw,
        ):
            yield Env(late, client, raw, clock, await late.engine.account_ids())


class CoreMachine(RuleBasedStateMachine):
    """A hypothesis state machine around a fresh core harness (per example) on a loop of its own;
    `run` awaits a coroutine on it. Keywords go to `core_harness`."""

    def __init__(self, **harness: Any) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.stack = contextlib.AsyncExitStack()
        self.tmp = tempfile.TemporaryDirectory()
        self.clock = FixedClock(START)
        self.h: Harness = self.run(
            self.stack.enter_async_context(core_harness(Path(self.tmp.name), clock=self.clock, **harness)))

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    def teardown(self) -> None:
        self.run(self.stack.aclose())
        self.loop.close()
        self.tmp.cleanup()
