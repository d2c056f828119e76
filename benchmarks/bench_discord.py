"""Discord: the first answer (defer or reply) to `/late post`, one at a time and in a burst of 100.

Real discord.py in a process of its own connects to the fake Discord gateway and REST
(tests/fakes/discord_server.py, in another process beside the fake Late, which answers after 3 s).
latebot runs its real bot, router and core; the reference is a bare discord.py client whose
`/late post` defers at once. Latency is measured by the fake: from sending INTERACTION_CREATE to
the arrival of the interaction callback. Each round starts fresh processes (Late meets a cold
cache), sends one warm-up command, then the sequence and the burst, and waits until latebot has
answered every command (so that stopping it cancels nothing). `--quick` sends 10 commands one at a
time instead of 50, with Late answering after 0.5 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from benchmarks.config import Config
from benchmarks.procs import Child, child
from benchmarks.table import Row, Stat, at_most, ratio_at_most


@contextlib.asynccontextmanager
async def _bot(kind: str, env: dict[str, Any]) -> AsyncIterator[Child]:
    """A fake Discord and the bot connected to it (fresh database); yields the fake, warmed with one command."""
    async with child("fakes", "discord", name="fake Discord") as fake:
        env = {**env, **fake.hello}
        with tempfile.TemporaryDirectory(prefix="latebot-bench-") as tmp:
            async with child("serve", kind, json.dumps({**env, "db": str(Path(tmp) / "latebot.db")}), name=kind):
                await fake.ask("discord_ready")
                await fake.ask("discord_first_answers", n=1, burst=False, tag="warm")
                yield fake
                await asyncio.sleep(0.5)  # the last callbacks are recorded on arrival; let their answers go out
                if kind == "discord-latebot":  # let the work finish, so that stopping cancels nothing
                    await fake.ask("discord_wait_followups", within=30, timeout=60)


async def _round(fake: Child, one_by_one: int, burst: int, r: int) -> dict[str, Any]:
    seq = await fake.ask("discord_first_answers", n=one_by_one, burst=False, tag=f"s{r}")
    many = await fake.ask("discord_first_answers", n=burst, burst=True, tag=f"b{r}")
    return {"seq": [s * 1000 for s in seq["seconds"]], "burst": [s * 1000 for s in many["seconds"]],
            "kinds": {**seq["kinds"]}, "burst_kinds": many["kinds"]}


async def run(cfg: Config) -> list[Row]:
    one_by_one = cfg.n(50, 10)
    burst = 100
    delay = cfg.seconds(3.0, 0.5)
    got: dict[str, list[dict[str, Any]]] = {"discord-latebot": [], "discord-bare": []}
    async with child("fakes", "late", name="fake Late") as late:
        await late.ask("late_setup", delay=delay)
        if cfg.quick:  # one bot per subject for every round: only the first meets Late cold
            for kind in got:
                async with _bot(kind, late.hello) as fake:
                    for r in range(cfg.rounds):
                        got[kind].append(await _round(fake, one_by_one, burst, r))
        else:
            for r in range(cfg.rounds):
                for kind in list(got)[:: 1 if r % 2 == 0 else -1]:
                    async with _bot(kind, late.hello) as fake:
                        got[kind].append(await _round(fake, one_by_one, burst, r))
    rounds = cfg.rounds
    ours, bare = got["discord-latebot"], got["discord-bare"]

    def pooled(rs: list[dict[str, Any]], key: str) -> Stat:
        return Stat.of([x for r in rs for x in r[key]], rounds=rounds)

    def kinds(rs: list[dict[str, Any]], key: str) -> str:
        total: dict[str, int] = {}
        for r in rs:
            for k, v in r[key].items():
                total[k] = total.get(k, 0) + v
        names = {"4": "replies", "5": "defers"}
        return ", ".join(f"{v} {names.get(k, 'type ' + k)}" for k, v in sorted(total.items()))

    ref = "bare discord.py, defers at once"
    return [
        Row("Discord", f"first answer to /late post, one at a time ({one_by_one}/round), Late {delay:g} s", "ms",
            pooled(ours, "seq"), ref, pooled(bare, "seq"), at_most(20, "ms", "p99"),
            note=f"latebot answered with {kinds(ours, 'kinds')}"),
        Row("Discord", f"first answer, burst of {burst}", "ms", pooled(ours, "burst"), ref, pooled(bare, "burst"),
            ratio_at_most(1.5, "p99"), note=f"latebot answered with {kinds(ours, 'burst_kinds')}"),
    ]
