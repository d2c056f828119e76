"""Our LateClient against the official SDK (PyPI late-sdk, its async API) and against the limit: a bare
pooled `httpx.AsyncClient` making the same call and decoding the JSON, on the same fake Late.

The fake Late runs in a process of its own, so each side is charged only for its own work. The SDK
opens a new httpx.AsyncClient (a new TCP connection) for every call; ours keeps one pooled keep-alive
client and parses every answer into its pydantic model. The SDK runs with its defaults: its rate
limiter only records headers and its retries follow failed calls only, of which there are none.
Sides take turns within each round; the figure is the time per call (wall time / calls).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import httpx

from benchmarks import subjects
from benchmarks.config import Config
from benchmarks.procs import child
from benchmarks.table import Row, Stat, ratio_at_most

CONCURRENCY = 20
SDK_TARGETS = {1: 20.0, CONCURRENCY: 8.0}  # the SDK's time per call over ours, at least

Call = Callable[[], Awaitable[object]]


async def per_call(call: Call, *, calls: int, concurrency: int = 1) -> float:
    """Milliseconds per call for `calls` calls made by `concurrency` workers."""
    left = calls

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await call()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return (time.perf_counter() - started) * 1000 / calls


async def run(cfg: Config) -> list[Row]:
    from late import Late  # the official SDK; needs email-validator, which late-sdk does not declare

    calls = cfg.n(500, 40)
    sdk_calls = cfg.n(100, 5)  # the SDK is ~20x slower: fewer calls give the same precision
    async with child("fakes", "late", name="fake Late") as late:
        url, key = late.hello["late"], late.hello["key"]
        post_id = (await late.ask("late_post"))["post_id"]
        sdk = Late(api_key=key, base_url=url)
        auth = {"Authorization": f"Bearer {key}"}
        bare = httpx.AsyncClient(base_url=url, headers=auth)
        same = httpx.AsyncClient(base_url=url, headers=auth, transport=subjects.AiohttpTransport(), trust_env=False)
        async with subjects.LateClient(url, key) as ours, bare, same:
            async def ours_get() -> object:
                return await ours.get_post(post_id)

            async def sdk_get() -> object:
                return await sdk.posts.aget(post_id)

            async def bare_get() -> object:
                answer = await bare.get(f"/v1/posts/{post_id}")
                answer.raise_for_status()
                return answer.json()

            async def same_get() -> object:
                answer = await same.get(f"/v1/posts/{post_id}")
                answer.raise_for_status()
                return answer.json()

            sides = {"ours": ours_get, "sdk": sdk_get, "bare": bare_get, "same": same_get}
            counts = {"ours": calls, "sdk": sdk_calls, "bare": calls, "same": calls}
            for call in sides.values():  # warm up: imports, the first connection, caches
                await per_call(call, calls=10)
            rows = []
            for concurrency, case in ((1, "sequential"), (CONCURRENCY, f"concurrency {CONCURRENCY}")):
                got: dict[str, list[float]] = {k: [] for k in sides}
                for r in range(cfg.rounds):
                    for name in list(sides)[r % 4:] + list(sides)[: r % 4]:
                        got[name].append(await per_call(sides[name], calls=counts[name], concurrency=concurrency))
                n = cfg.rounds
                figure = f"GET /v1/posts/{{id}}, {case}, per call"
                rows.append(Row("Late client", figure, "ms", Stat.of(got["ours"], rounds=n), "late-sdk (official)",
                                Stat.of(got["sdk"], rounds=n), ratio_at_most(round(1 / SDK_TARGETS[concurrency], 3),
                                                                             "median"),
                                note=f"{calls} calls a round ({sdk_calls} for the SDK); target: the SDK at least "
                                f"{SDK_TARGETS[concurrency]:g}x slower"))
                rows.append(Row("Late client", figure, "ms", Stat.of(got["ours"], rounds=n), "bare pooled httpx",
                                Stat.of(got["bare"], rounds=n), ratio_at_most(1.3, "median")))
                rows.append(Row("Late client", figure, "ms", Stat.of(got["ours"], rounds=n),
                                "bare httpx on our transport", Stat.of(got["same"], rounds=n),
                                note="LateClient's own cost (session, rate-limit gate, pydantic), transport aside"))
            return rows
