"""Our LateClient against the official SDK (PyPI late-sdk, its async API) on the same FakeLate, over loopback.

FakeLate runs in a process of its own (benchmarks.fake_process), as a real server would, so each side
is charged only for its own work. The SDK opens a new httpx.AsyncClient (a new TLS context and a new
TCP connection) for every call; ours keeps one pooled keep-alive client. Both parse every answer into
their pydantic models. The SDK runs with its defaults: its rate limiter only records headers (it never
waits) and its retries only follow failed calls, of which there are none here, so neither distorts it.

Each figure is the best of ROUNDS rounds, ours and the SDK's taking turns, so that a burst of other work
on the machine (a test run beside it) slows one round of each rather than deciding the result.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable

from benchmarks.table import Row
from bot.late.client import LateClient

KEY = "sk_bench_0123456789"
CALLS = 500
CONCURRENCY = 20
ROUNDS = 3
TARGETS = {1: 20.0, CONCURRENCY: 8.0}

Call = Callable[[], Awaitable[object]]


async def rate(call: Call, *, calls: int = CALLS, concurrency: int = 1) -> float:
    """Requests per second for `calls` calls made by `concurrency` workers."""
    left = calls

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await call()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return calls / (time.perf_counter() - started)


async def run() -> list[Row]:
    from late import Late  # the official SDK; needs email-validator, which late-sdk does not declare

    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.fake_process",
        KEY,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        started = json.loads(await server.stdout.readline())
        url, post_id = started["url"], started["post_id"]
        sdk = Late(api_key=KEY, base_url=url)
        async with LateClient(url, KEY) as ours:

            async def ours_get() -> object:
                return await ours.get_post(post_id)

            async def sdk_get() -> object:
                return await sdk.posts.aget(post_id)

            for call in (ours_get, sdk_get):  # warm up: imports, the first connection, caches
                await rate(call, calls=20)
            rows = []
            for concurrency, case in ((1, "sequential"), (CONCURRENCY, f"concurrency {CONCURRENCY}")):
                ours_rps = sdk_rps = 0.0
                for _ in range(ROUNDS):
                    ours_rps = max(ours_rps, await rate(ours_get, concurrency=concurrency))
                    sdk_rps = max(sdk_rps, await rate(sdk_get, concurrency=concurrency))
                name = f"{CALLS} GET /v1/posts/{{id}}, {case}"
                rows.append(Row("LateClient vs late-sdk", name, ours_rps, sdk_rps, TARGETS[concurrency]))
            return rows
    finally:
        server.stdin.close()
        await server.wait()
