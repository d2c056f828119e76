"""Approvals: 200 presses of Approve on 50 pending requests (four approvers each, all at once),
against a bare compare-and-set + Late POST loop doing the same decisions in the same run.

latebot: the real router and core in this process (store, policies, approvals, the Late client),
cards to an in-memory chat port, the fake Late in a process of its own answering at once. The
figure is the time from the first press until every press is answered (50 win, 150 are told it is
already decided). The reference: 200 tasks on the same fake Late and the same SQLite settings
(WAL, one writer thread), each `UPDATE ... WHERE id=? AND state='pending'` with its audit row in one
transaction; the 50 that win POST /v1/posts (the same body, with an Idempotency-Key) over one pooled
httpx.AsyncClient on latebot's own transport, and record the outcome in a second transaction.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from benchmarks import subjects
from benchmarks.config import Config
from benchmarks.procs import Child, child
from benchmarks.table import Row, Stat, ratio_at_most

REQUESTS = 50
APPROVERS = ("bob", "carol", "dana", "erin")


async def _latebot(late: Child, r: int) -> float:
    with tempfile.TemporaryDirectory(prefix="latebot-bench-") as tmp:
        s = subjects.settings(Path(tmp) / "latebot.db", late_url=late.hello["late"], key=late.hello["key"])
        async with subjects.core_and_router(s) as (core, router):
            subjects.register(router, subjects.Cards())
            told = [subjects.Told() for _ in range(REQUESTS)]
            await asyncio.gather(*(router.invoke(subjects.invocation(f'post "Bench a{r} {i}" to x tomorrow 9am'), t)
                                   for i, t in enumerate(told)))
            ids = await subjects.pending_ids(core)
            assert len(ids) == REQUESTS, [t.replies for t in told][:3]
            presses = [(rid, who) for rid in ids for who in APPROVERS]
            random.Random(r).shuffle(presses)
            started = time.perf_counter()
            await asyncio.gather(*(router.press(subjects.press("approve", rid, who), subjects.Told())
                                   for rid, who in presses))
            took = time.perf_counter() - started
            states = await subjects.request_states(core)
            assert sorted(set(states.values())) == ["scheduled"], states
            return took * 1000


SCHEMA = """
CREATE TABLE requests (id TEXT PRIMARY KEY, state TEXT NOT NULL, decided_by TEXT, late_post_id TEXT);
CREATE TABLE audit (id INTEGER PRIMARY KEY, request_id TEXT, actor TEXT, from_state TEXT, to_state TEXT, at TEXT);
"""


async def _bare(late: Child, r: int, account: str) -> float:
    with tempfile.TemporaryDirectory(prefix="latebot-bench-") as tmp:
        pool = ThreadPoolExecutor(max_workers=1)
        loop = asyncio.get_running_loop()
        conn = await loop.run_in_executor(pool, lambda: sqlite3.connect(Path(tmp) / "bare.db", isolation_level=None,
                                                                          check_same_thread=False))

        def setup() -> None:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.executescript(SCHEMA)
            conn.executemany("INSERT INTO requests (id, state) VALUES (?, 'pending')",
                             [(f"b{r}-{i}",) for i in range(REQUESTS)])

        def claim(rid: str, who: str) -> bool:
            conn.execute("BEGIN IMMEDIATE")
            won = conn.execute("UPDATE requests SET state = 'publishing', decided_by = ? WHERE id = ? AND "
                               "state = 'pending'", [who, rid]).rowcount == 1
            if won:
                conn.execute("INSERT INTO audit (request_id, actor, from_state, to_state, at) VALUES (?, ?, ?, ?, ?)",
                             [rid, who, "pending", "publishing", datetime.now(UTC).isoformat()])
            conn.execute("COMMIT")
            return won

        def settle(rid: str, post_id: str) -> None:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE requests SET state = 'scheduled', late_post_id = ? WHERE id = ? AND state = "
                         "'publishing'", [post_id, rid])
            conn.execute("INSERT INTO audit (request_id, actor, from_state, to_state, at) VALUES (?, ?, ?, ?, ?)",
                         [rid, "bare", "publishing", "scheduled", datetime.now(UTC).isoformat()])
            conn.execute("COMMIT")

        await loop.run_in_executor(pool, setup)
        when = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT09:00:00")
        headers = {"Authorization": f"Bearer {late.hello['key']}"}
        # The transport latebot's LateClient uses (bot/late/transport.py): the loop differs from
        # latebot in what it does, not in how its requests travel.
        async with httpx.AsyncClient(base_url=late.hello["late"], headers=headers,
                                     transport=subjects.AiohttpTransport(), trust_env=False) as http:
            async def decide(rid: str, who: str) -> None:
                if not await loop.run_in_executor(pool, claim, rid, who):
                    return
                body: dict[str, Any] = {"content": f"Bench {rid}", "scheduledFor": when, "timezone": "Europe/Berlin",
                                        "platforms": [{"platform": "twitter", "accountId": account}],
                                        "metadata": {"latebotRequestId": rid}}
                answer = await http.post("/v1/posts", json=body, headers={"Idempotency-Key": f"bare-{rid}"})
                answer.raise_for_status()
                await loop.run_in_executor(pool, settle, rid, answer.json()["post"]["_id"])

            presses = [(f"b{r}-{i}", who) for i in range(REQUESTS) for who in APPROVERS]
            random.Random(r).shuffle(presses)
            started = time.perf_counter()
            await asyncio.gather(*(decide(rid, who) for rid, who in presses))
            took = time.perf_counter() - started
        distinct = "SELECT DISTINCT state FROM requests"
        states = await loop.run_in_executor(pool, lambda: conn.execute(distinct).fetchall())
        await loop.run_in_executor(pool, conn.close)
        pool.shutdown()
        assert states == [("scheduled",)], states
        return took * 1000


async def run(cfg: Config) -> list[Row]:
    ours, bare = [], []
    async with child("fakes", "late", name="fake Late") as late:
        await late.ask("late_setup", delay=0)
        async with httpx.AsyncClient(base_url=late.hello["late"],
                                     headers={"Authorization": f"Bearer {late.hello['key']}"}) as http:
            accounts = (await http.get("/v1/accounts")).json()["accounts"]
        account = next(a["_id"] for a in accounts if a["platform"] == "twitter")
        for r in range(cfg.rounds):
            if r % 2 == 0:
                ours.append(await _latebot(late, r))
                bare.append(await _bare(late, r, account))
            else:
                bare.append(await _bare(late, r, account))
                ours.append(await _latebot(late, r))
    n = cfg.rounds
    return [Row("Approvals", f"200 presses on {REQUESTS} requests, all decided", "ms", Stat.of(ours, rounds=n),
                "bare CAS + Late POST", Stat.of(bare, rounds=n), ratio_at_most(2.0, "median"))]
