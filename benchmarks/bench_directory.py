"""A burst of 500 `/late post` commands with Late slow: how often latebot asks Late the same question.

The commands go through the real router and core (in this process) to the fake Late in a process of
its own, answering after 3 s; cards go to an in-memory chat port. Each round is a fresh core with a
cold cache; the fake counts `GET /v1/profiles` and `GET /v1/accounts`. One of each would do.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from benchmarks import subjects
from benchmarks.config import Config
from benchmarks.procs import child
from benchmarks.table import Row, Stat, at_least, at_most

HANDFUL = 5


async def run(cfg: Config) -> list[Row]:
    n = cfg.n(500, 100)
    delay = cfg.seconds(3.0, 0.2)
    profiles, accounts, done = [], [], []
    async with child("fakes", "late", name="fake Late") as late:
        for r in range(cfg.rounds):
            await late.ask("late_setup", delay=delay)
            with tempfile.TemporaryDirectory(prefix="latebot-bench-") as tmp:
                s = subjects.settings(Path(tmp) / "latebot.db", late_url=late.hello["late"], key=late.hello["key"])
                async with subjects.core_and_router(s) as (_core, router):
                    cards = subjects.Cards()
                    subjects.register(router, cards)
                    told = [subjects.Told() for _ in range(n)]
                    await asyncio.gather(*(router.invoke(
                        subjects.invocation(f'post "Bench d{r} {i}" to x tomorrow 9am', delivery=f"d{r}-{i}"), t)
                        for i, t in enumerate(told)))
                    done.append(float(sum(1 for t in told if t.replies and "Sent for approval" in t.replies[0])))
            counts = (await late.ask("late_counts"))["counts"]
            profiles.append(float(counts.get("GET /v1/profiles", 0)))
            accounts.append(float(counts.get("GET /v1/accounts", 0)))
    r = cfg.rounds
    one = Stat.of([1.0] * r, rounds=r)
    case = f"burst of {n} /late post, Late {delay:g} s"
    return [
        Row("Late calls", f"GET /v1/profiles, {case}", "calls", Stat.of(profiles, rounds=r), "one would do", one,
            at_most(HANDFUL, "", "p99")),
        Row("Late calls", f"GET /v1/accounts, {case}", "calls", Stat.of(accounts, rounds=r), "one would do", one,
            at_most(HANDFUL, "", "p99")),
        Row("Late calls", f"commands sent for approval (of {n})", "count", Stat.of(done, rounds=r, better="higher"),
            target=at_least(n, "", "p99")),
    ]
