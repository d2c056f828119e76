"""The store: migrations, compare-and-set, the append-only audit, and two processes racing."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import textwrap
from asyncio.subprocess import PIPE
from pathlib import Path

import pytest

from bot.schema import MIGRATIONS
from bot.store import AuditRow, Migration, Store, Tx


async def test_migrates_an_empty_database(tmp_path: Path) -> None:
    store = await Store(tmp_path / "a.db", migrations=MIGRATIONS).open()
    try:
        assert await store.version() == MIGRATIONS[-1].version
        tables = {r["name"] for r in await store.query("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"requests", "revisions", "approvals", "audit", "channels", "deliveries"} <= tables
        pragmas = await store.read(lambda db: (db.execute("PRAGMA journal_mode").fetchone()[0],
                                               db.execute("PRAGMA foreign_keys").fetchone()[0],
                                               db.execute("PRAGMA busy_timeout").fetchone()[0]))
        assert pragmas[0] == "wal" and pragmas[1] == 1 and pragmas[2] >= 1000
    finally:
        await store.close()


@pytest.mark.parametrize("start", range(len(MIGRATIONS) + 1))
async def test_migrates_from_every_older_version(tmp_path: Path, start: int) -> None:
    path = tmp_path / "old.db"
    old = await Store(path, migrations=MIGRATIONS[:start]).open()
    await old.close()
    store = await Store(path, migrations=MIGRATIONS).open()
    try:
        assert await store.version() == MIGRATIONS[-1].version
        # Reopening applies nothing twice.
        await store.close()
        store = await Store(path, migrations=MIGRATIONS).open()
        rows = await store.query("SELECT version FROM schema_version ORDER BY version")
        assert [r["version"] for r in rows] == [m.version for m in MIGRATIONS]
    finally:
        await store.close()


async def test_a_failing_migration_leaves_the_old_version(tmp_path: Path) -> None:
    path = tmp_path / "b.db"
    broken = [*MIGRATIONS, Migration(99, "broken", "CREATE TABLE x (a INTEGER);\nTHIS IS NOT SQL;")]
    with pytest.raises(sqlite3.OperationalError):
        await Store(path, migrations=broken).open()
    store = await Store(path, migrations=MIGRATIONS).open()
    try:
        assert await store.version() == MIGRATIONS[-1].version
        assert not await store.query("SELECT name FROM sqlite_master WHERE name = 'x'")
    finally:
        await store.close()


async def _seed(store: Store, key: str, state: str = "pending") -> None:
    def write(tx: Tx) -> None:
        tx.insert("requests", {
            "id": key, "state": state, "chat": "console", "channel": "c", "requester_id": "u",
            "requester_name": "u", "draft": "{}", "content_hash": "h", "idempotency_key": f"k-{key}",
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
        })

    await store.write(write)


async def test_compare_and_set_acts_once_and_audits_in_the_same_transaction(tmp_path: Path) -> None:
    store = await Store(tmp_path / "c.db", migrations=MIGRATIONS).open()
    try:
        await _seed(store, "r1")
        audit = AuditRow(actor="bob", action="approve", request_id="r1", from_state="pending", to_state="done")
        first = await store.write(lambda tx: tx.compare_and_set("requests", "r1", "pending", {"state": "done"}, audit))
        second = await store.write(lambda tx: tx.compare_and_set("requests", "r1", "pending", {"state": "done"}, audit))
        assert (first, second) == (True, False)
        rows = await store.query("SELECT actor, action FROM audit")
        assert rows == [{"actor": "bob", "action": "approve"}]

        def fails_after_cas(tx: Tx) -> None:
            tx.compare_and_set("requests", "r1", "done", {"state": "other"}, audit)
            raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            await store.write(fails_after_cas)
        state = await store.query_one("SELECT state FROM requests WHERE id='r1'")
        assert state == {"state": "done"}
        assert len(await store.query("SELECT * FROM audit")) == 1
    finally:
        await store.close()


async def test_audit_is_append_only(tmp_path: Path) -> None:
    store = await Store(tmp_path / "d.db", migrations=MIGRATIONS).open()
    try:
        await store.write(lambda tx: tx.audit(AuditRow(actor="a", action="x")))
        for sql in ("UPDATE audit SET actor='b'", "DELETE FROM audit"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                await store.write(lambda tx, sql=sql: tx.execute(sql))
        assert len(await store.query("SELECT * FROM audit")) == 1
    finally:
        await store.close()


RACER = textwrap.dedent(
    """
    import asyncio, sys
    from bot.schema import MIGRATIONS
    from bot.store import AuditRow, Store

    async def main(path, who, n):
        store = await Store(path, migrations=MIGRATIONS).open()
        wins = 0
        async def one(i):
            nonlocal wins
            audit = AuditRow(actor=who, action="claim", request_id=f"r{i}")
            won = await store.write(
                lambda tx: tx.compare_and_set("requests", f"r{i}", "pending", {"state": who}, audit))
            wins += won
        for _ in range(3):
            await asyncio.gather(*(one(i) for i in range(n)))
        await store.close()
        print(wins)

    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
    """
)


async def test_two_processes_claiming_the_same_rows_exactly_one_wins_each(tmp_path: Path) -> None:
    path = tmp_path / "race.db"
    store = await Store(path, migrations=MIGRATIONS).open()
    n = 60
    for i in range(n):
        await _seed(store, f"r{i}")
    await store.close()
    procs = [
        await asyncio.create_subprocess_exec(sys.executable, "-c", RACER, str(path), who, str(n),
                                             stdout=PIPE, stderr=PIPE)
        for who in ("p1", "p2")
    ]
    outs = [await asyncio.wait_for(p.communicate(), 120) for p in procs]
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
        assert b"locked" not in err
    assert sum(int(out.strip()) for out, _ in outs) == n
    store = await Store(path, migrations=MIGRATIONS).open()
    try:
        assert len(await store.query("SELECT * FROM audit WHERE action='claim'")) == n
        assert not await store.query("SELECT * FROM requests WHERE state = 'pending'")
    finally:
        await store.close()
