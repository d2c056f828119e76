"""The sandbox: Late's API in-process, for `latebot console` without `LATE_API_KEY`. Nothing is published."""

from __future__ import annotations

import httpx

from bot.clock import Clock, IdGen
from bot.late.client import LateClient
from bot.sandbox.engine import LateEngine
from bot.sandbox.plan import Plan
from bot.store import Store

# Not a secret: it only opens the in-process engine, which is never on a network.
SANDBOX_KEY = "sk_sandbox_latebot"
SANDBOX_URL = "https://sandbox.latebot.invalid/api"

__all__ = ["SANDBOX_KEY", "SANDBOX_URL", "LateEngine", "Plan", "open_sandbox", "sandbox_client"]


def sandbox_client(store: Store, clock: Clock, *, engine: LateEngine | None = None) -> LateClient:
    """A `LateClient` wired to an engine on `store` through `httpx.MockTransport`; no socket is opened."""
    engine = engine or LateEngine(store, clock=clock, api_key=SANDBOX_KEY)
    return LateClient(SANDBOX_URL, SANDBOX_KEY, transport=httpx.MockTransport(engine.handle), clock=clock)


async def open_sandbox(
    store: Store, clock: Clock, *, ids: IdGen | None = None, seed: bool = True
) -> tuple[LateEngine, LateClient]:
    """The engine (set up, demo seeded) and a client for it."""
    engine = LateEngine(store, clock=clock, api_key=SANDBOX_KEY, ids=ids)
    await engine.setup()
    if seed:
        await engine.seed_demo()
    return engine, sandbox_client(store, clock, engine=engine)
