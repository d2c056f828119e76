"""Which transport under httpx: latebot's own AiohttpTransport (bot/late/transport.py), the
`httpx-aiohttp` package's AiohttpTransport, or httpx's default (httpcore) — for the same calls.

Speed: the same `httpx.AsyncClient` call (GET /v1/posts/{id}, JSON decoded) over each transport on
the fake Late in a process of its own, sequential and at concurrency 20, taking turns in each round.
Fidelity: one DELETE whose answer is lost after Late acted (the fake hangs up after processing it,
on a reused keep-alive connection): how many requests reached Late, and which httpx error came back.
latebot's retry rule reads that error to know whether Late may have acted (bot/late/session.py).
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import httpx_aiohttp

from benchmarks import subjects
from benchmarks.bench_client import CONCURRENCY, per_call
from benchmarks.config import Config
from benchmarks.procs import Child, child
from benchmarks.table import Row, Stat, equals

TRANSPORTS: dict[str, Callable[[], httpx.AsyncBaseTransport]] = {
    "latebot AiohttpTransport": lambda: subjects.AiohttpTransport(),
    "httpx-aiohttp": lambda: httpx_aiohttp.AiohttpTransport(),
    "httpx default": lambda: httpx.AsyncHTTPTransport(),
}


def client(name: str, url: str, key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {key}"},
                             transport=TRANSPORTS[name](), trust_env=False)


async def lost_delete(late: Child, name: str) -> tuple[int, str]:
    url, key = late.hello["late"], late.hello["key"]
    post_id = (await late.ask("late_post"))["post_id"]
    async with client(name, url, key) as http:
        (await http.get(f"/v1/posts/{post_id}")).raise_for_status()  # so that the DELETE reuses the connection
        await late.ask("late_setup", delay=0)
        await late.ask("late_drop_after", method="DELETE", path="/v1/posts/*")
        try:
            answer = await http.delete(f"/v1/posts/{post_id}")
            raised = f"none (HTTP {answer.status_code})"
        except httpx.HTTPError as exc:
            raised = type(exc).__name__
    counts = (await late.ask("late_counts"))["counts"]
    return int(counts.get(f"DELETE /v1/posts/{post_id}", 0)), raised


async def run(cfg: Config) -> list[Row]:
    calls = cfg.n(500, 40)
    rows: list[Row] = []
    async with child("fakes", "late", name="fake Late") as late:
        url, key = late.hello["late"], late.hello["key"]
        post_id = (await late.ask("late_post"))["post_id"]
        clients = {name: client(name, url, key) for name in TRANSPORTS}
        try:
            def getter(http: httpx.AsyncClient):  # type: ignore[no-untyped-def]
                async def get() -> object:
                    answer = await http.get(f"/v1/posts/{post_id}")
                    answer.raise_for_status()
                    return answer.json()
                return get

            calls_by = {name: getter(http) for name, http in clients.items()}
            for call in calls_by.values():
                await per_call(call, calls=20)
            names = list(TRANSPORTS)
            for concurrency, case in ((1, "sequential"), (CONCURRENCY, f"concurrency {CONCURRENCY}")):
                got: dict[str, list[float]] = {k: [] for k in names}
                for r in range(cfg.rounds):
                    for name in names[r % 3:] + names[: r % 3]:
                        got[name].append(await per_call(calls_by[name], calls=calls, concurrency=concurrency))
                n = cfg.rounds
                figure = f"{calls} GET /v1/posts/{{id}}, {case}, per call"
                ours = Stat.of(got["latebot AiohttpTransport"], rounds=n)
                rows.append(Row("Transport", f"latebot AiohttpTransport, {figure}", "ms", ours, "httpx-aiohttp",
                                Stat.of(got["httpx-aiohttp"], rounds=n)))
                rows.append(Row("Transport", f"latebot AiohttpTransport, {figure}", "ms", ours, "httpx default",
                                Stat.of(got["httpx default"], rounds=n)))
                rows.append(Row("Transport", f"httpx-aiohttp, {figure}", "ms", Stat.of(got["httpx-aiohttp"], rounds=n),
                                "httpx default", Stat.of(got["httpx default"], rounds=n)))
        finally:
            for http in clients.values():
                await http.aclose()
        for name in TRANSPORTS:
            reached, raised = await lost_delete(late, name)
            target = equals(1, "median", "== 1 (no silent resend)") if name.startswith("latebot") else None
            rows.append(Row("Transport", f"{name}: requests reaching Late for one DELETE whose answer was lost",
                            "count", Stat.of([float(reached)], rounds=1), target=target, note=f"raised {raised}"))
    return rows
