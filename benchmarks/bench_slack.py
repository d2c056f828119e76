"""Slack: signed `/late post` slash commands at concurrency 50 against latebot's Slack app in HTTP mode.

Five processes: the fake Late (answering after 3 s), the fake Slack Web API, the server measured
(latebot's real Slack app, router and core; or the reference, a bare slack-bolt AsyncApp on its
aiohttp adapter whose listener only acks), and the aiohttp load generator. Each round starts a
fresh server on a fresh database (so every round meets Late cold), warms it with ten `help`
commands, then sends the N commands (`--quick`: one server per subject for all rounds, so only
its first round meets Late cold). Ack times come from the load generator; card times from the
fake Slack's record of `chat.postMessage`; CPU from the server process's own CPU time, from the
first command until the last card (the bare app: the last ack), divided by N.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from benchmarks.config import Config
from benchmarks.loadgen import SLACK_DEADLINE
from benchmarks.procs import Child, child
from benchmarks.table import Row, Stat, at_least, equals, ratio_at_most

CONCURRENCY = 50
WARMUP = 10
DRAIN = 30.0  # seconds without a new card before the missing ones are given up


async def _cards(slack: Child, tag: str, n: int) -> dict[str, float]:
    """Wait until all n cards are posted, or none came for DRAIN seconds."""
    last, count, cards = time.monotonic(), -1, {}
    while time.monotonic() - last < DRAIN:
        cards = (await slack.ask("slack_cards", tag=tag))["cards"]
        if len(cards) >= n:
            break
        if len(cards) != count:
            count, last = len(cards), time.monotonic()
        await asyncio.sleep(0.25)
    return cards


@contextlib.asynccontextmanager
async def _server(kind: str, env: dict[str, Any], gen: Child) -> AsyncIterator[Child]:
    """A fresh server on a fresh database, warmed with `help` commands (imports, connections)."""
    with tempfile.TemporaryDirectory(prefix="latebot-bench-") as tmp:
        server_env = json.dumps({**env, "db": str(Path(tmp) / "latebot.db")})
        async with child("serve", kind, server_env, name=kind) as server:
            await gen.ask("build", slack_port=env["slack_port"], n=WARMUP, tag="warm", help=True)
            await gen.ask("go", url=server.hello["url"], concurrency=CONCURRENCY)
            yield server


async def _round(kind: str, server: Child, env: dict[str, Any], slack: Child, gen: Child, n: int, tag: str
                 ) -> dict[str, Any]:
    await gen.ask("build", slack_port=env["slack_port"], n=n, tag=tag)
    await slack.ask("slack_clear")
    cpu = server.cpu_seconds()
    load = await gen.ask("go", url=server.hello["url"], concurrency=CONCURRENCY, timeout=600)
    cards = await _cards(slack, tag, n) if kind == "slack-latebot" else {}
    cpu = server.cpu_seconds() - cpu
    sent, acked, status = load["sent"], load["acked"], load["status"]
    acks = [(a - s) * 1000 for s, a in zip(sent, acked, strict=True)]
    failures = sum(1 for st, ms in zip(status, acks, strict=True) if st != 200 or ms > SLACK_DEADLINE * 1000)
    to_card = [(at - sent[int(i)]) * 1000 for i, at in cards.items()]
    return {"acks": acks, "failures": failures, "cpu_ms": cpu * 1000 / n, "cards": len(cards), "to_card": to_card}


async def run(cfg: Config) -> list[Row]:
    n = cfg.n(2000, 150)
    delay = cfg.seconds(3.0, 0.5)
    got: dict[str, list[dict[str, Any]]] = {"slack-latebot": [], "slack-bare": []}
    async with child("fakes", "late", name="fake Late") as late, child("fakes", "slack", name="fake Slack") as slack, \
            child("loadgen", name="load generator") as gen:
        env = {**late.hello, **slack.hello}
        await late.ask("late_setup", delay=delay)
        if cfg.quick:  # one server per subject for every round: only the first round meets Late cold
            for kind in got:
                async with _server(kind, env, gen) as server:
                    for r in range(cfg.rounds):
                        got[kind].append(await _round(kind, server, env, slack, gen, n, f"r{r}{kind[6]}"))
        else:
            for r in range(cfg.rounds):
                for kind in list(got)[:: 1 if r % 2 == 0 else -1]:
                    async with _server(kind, env, gen) as server:
                        got[kind].append(await _round(kind, server, env, slack, gen, n, f"r{r}{kind[6]}"))
    rounds = cfg.rounds
    ours, bare = got["slack-latebot"], got["slack-bare"]

    def pooled(rs: list[dict[str, Any]], key: str) -> Stat:
        return Stat.of([x for r in rs for x in r[key]], rounds=rounds)

    def per_round(rs: list[dict[str, Any]], key: str, better: str = "lower") -> Stat:
        return Stat.of([float(r[key]) for r in rs], rounds=rounds, better=better)  # type: ignore[arg-type]

    case = f"{n:,} signed /late post, c={CONCURRENCY}, Late {delay:g} s"
    ref = "bare Bolt AsyncApp"
    return [
        Row("Slack", f"ack latency, {case}", "ms", pooled(ours, "acks"), ref, pooled(bare, "acks"),
            ratio_at_most(1.5, "p99")),
        Row("Slack", "failures per round (non-200 or ack > 3 s)", "failures", per_round(ours, "failures"), ref,
            per_round(bare, "failures"), equals(0, "p99", "0 in every round")),
        Row("Slack", f"cards posted per round (of {n:,})", "cards", per_round(ours, "cards", "higher"),
            target=at_least(n, "", "p99")),
        Row("Slack", "server CPU per request", "ms", per_round(ours, "cpu_ms"), ref, per_round(bare, "cpu_ms"),
            note="server process CPU time from the first command to the last card (bare: last ack) / N"),
        Row("Slack", "time to card (command sent -> chat.postMessage)", "ms", pooled(ours, "to_card"),
            note="Slack's per-channel pacing is off (Pacer(rate=0)) so that this measures latebot"),
    ]
