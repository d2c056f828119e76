"""The sandbox: an adapter of the Late port, Late's API in-process for running without `LATE_API_KEY`.

Nothing is published. The CLI chooses it; the core only ever sees a `LateClient`. Its state lives in a
database of its own (`sandbox_path(LATEBOT_DB)`), created by its own migrations.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from adapters.sandbox.engine import LateEngine
from adapters.sandbox.plan import Plan
from adapters.sandbox.tables import SANDBOX_MIGRATIONS, sandbox_path, sandbox_store
from bot.clock import Clock, IdGen
from bot.late.client import LateClient
from bot.store import Store

# Not a secret: it only opens the in-process engine, which is never on a network.
SANDBOX_KEY = "sk_sandbox_latebot"
SANDBOX_URL = "https://sandbox.latebot.invalid/api"

__all__ = [
    "SANDBOX_KEY",
    "SANDBOX_MIGRATIONS",
    "SANDBOX_URL",
    "LateEngine",
    "Plan",
    "Sandbox",
    "open_sandbox",
    "sandbox_client",
    "sandbox_path",
    "sandbox_store",
]


@dataclass(frozen=True)
class Sandbox:
    store: Store
    engine: LateEngine
    client: LateClient


def sandbox_client(engine: LateEngine) -> LateClient:
    """A `LateClient` wired to `engine` through `httpx.MockTransport`; no socket is opened."""
    transport = httpx.MockTransport(engine.handle)
    return LateClient(SANDBOX_URL, engine.api_key, transport=transport, clock=engine.clock)


@contextlib.asynccontextmanager
async def open_sandbox(
    path: Path | str, clock: Clock, *, ids: IdGen | None = None, seed: bool = True
) -> AsyncIterator[Sandbox]:
    """The sandbox's store on `path` (migrated), its engine (demo seeded) and a client; closed on exit."""
    store = await sandbox_store(path, clock).open()
    try:
        engine = LateEngine(store, clock=clock, api_key=SANDBOX_KEY, ids=ids)
        await engine.setup()
        if seed:
            await engine.seed_demo()
        async with sandbox_client(engine) as client:
            yield Sandbox(store=store, engine=engine, client=client)
    finally:
        await store.close()
