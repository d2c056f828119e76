"""The one module that talks to SQLite (through sqlite-utils).

Every call runs on a single worker thread that owns the connection, so the event loop never
blocks on a lock held by another process. Writes run inside `BEGIN IMMEDIATE`, which takes the
write lock up front: two writers queue on `busy_timeout` instead of failing half-way, and a
"database is locked" that outlives it is retried here, never shown to a user.

Inside `write()` use `Tx.execute`/`Tx.insert` only: sqlite-utils' own insert/update helpers wrap
themselves in `with conn:`, which would commit our transaction half-way.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

from bot.clock import Clock, SystemClock, iso

log = logging.getLogger("latebot.store")
T = TypeVar("T")

BUSY_TIMEOUT_MS = 5_000
LOCK_RETRIES = 20


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


@dataclass(frozen=True)
class AuditRow:
    """One line of the append-only audit table."""

    actor: str  # a display name, or "latebot"
    action: str
    request_id: str | None = None
    from_state: str | None = None
    to_state: str | None = None
    content_hash: str | None = None
    idempotency_key: str | None = None
    late_post_id: str | None = None
    detail: Mapping[str, Any] | None = None
    actor_id: str | None = None  # the platform's stable user id of whoever acted


class Tx:
    """The handle a write function gets: raw SQL inside the open transaction."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock) -> None:
        self.conn = conn
        self.clock = clock

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def insert(self, table: str, row: Mapping[str, Any], *, or_ignore: bool = False, or_replace: bool = False) -> int:
        cols = list(row)
        verb = "INSERT OR IGNORE" if or_ignore else "INSERT OR REPLACE" if or_replace else "INSERT"
        sql = (
            f"{verb} INTO [{table}] ({', '.join(f'[{c}]' for c in cols)}) "
            f"VALUES ({', '.join('?' for _ in cols)})"
        )
        cur = self.conn.execute(sql, [_cell(row[c]) for c in cols])
        return cur.rowcount

    def one(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> dict[str, Any] | None:
        cur = self.conn.execute(sql, params)
        row = cur.fetchone()
        if row is None:
            return None
        return {d[0]: v for d, v in zip(cur.description, row, strict=True)}

    def all(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[dict[str, Any]]:
        cur = self.conn.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def audit(self, row: AuditRow) -> None:
        self.insert(
            "audit",
            {
                "at": iso(self.clock.now()),
                "actor": row.actor,
                "actor_id": row.actor_id,
                "action": row.action,
                "request_id": row.request_id,
                "from_state": row.from_state,
                "to_state": row.to_state,
                "content_hash": row.content_hash,
                "idempotency_key": row.idempotency_key,
                "late_post_id": row.late_post_id,
                "detail": json.dumps(dict(row.detail)) if row.detail else None,
            },
        )

    def compare_and_set(
        self,
        table: str,
        key: str,
        from_states: str | Iterable[str],
        changes: Mapping[str, Any],
        audit: AuditRow | None = None,
        *,
        expect: Mapping[str, Any] | None = None,
    ) -> bool:
        """`UPDATE ... WHERE id=? AND state IN (...)` (and each `expect` column still as it was read);
        True only when exactly one row changed.

        The audit row is written in the same transaction, and only on success.
        """
        states = [from_states] if isinstance(from_states, str) else list(from_states)
        sets = ", ".join(f"[{c}] = ?" for c in changes)
        marks = ", ".join("?" for _ in states)
        also = "".join(f" AND [{c}] = ?" for c in expect or {})
        cur = self.conn.execute(
            f"UPDATE [{table}] SET {sets} WHERE id = ? AND state IN ({marks}){also}",
            [*(_cell(v) for v in changes.values()), key, *states, *(expect or {}).values()],
        )
        if cur.rowcount != 1:
            return False
        if audit is not None:
            self.audit(audit)
        return True


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


class Store:
    def __init__(
        self,
        path: Path | str,
        *,
        migrations: Sequence[Migration],
        clock: Clock | None = None,
    ) -> None:
        self.path = str(path)
        self.clock = clock or SystemClock()
        # Passed in, never imported: the product's schema (bot.schema) and the sandbox's are separate.
        self.migrations = list(migrations)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="latebot-store")
        self._conn: sqlite3.Connection | None = None
        self._db: sqlite_utils.Database | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    async def open(self) -> Store:
        await self._call(self._open)
        return self

    def _open(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if self.path != ":memory:":
            self._retry_locked(lambda: conn.execute("PRAGMA journal_mode = WAL"))
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        self._conn = conn
        self._db = sqlite_utils.Database(conn)
        self._migrate()

    async def close(self) -> None:
        if self._conn is not None:
            await self._call(self._conn.close)
            self._conn = None
        self._pool.shutdown(wait=True)

    # --- schema ------------------------------------------------------------------------------

    def _migrate(self) -> None:
        def step(tx: Tx) -> None:
            tx.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = tx.one("SELECT max(version) AS v FROM schema_version")
            current = (row or {}).get("v") or 0
            for m in self.migrations:
                if m.version > current:
                    log.info("migrating database to version %d (%s)", m.version, m.name)
                    for statement in _statements(m.sql):
                        tx.execute(statement)
                    tx.execute("INSERT INTO schema_version (version) VALUES (?)", [m.version])

        self._transaction(step)

    async def version(self) -> int:
        row = await self.read(lambda db: db.execute("SELECT max(version) FROM schema_version").fetchone())
        return int(row[0] or 0)

    # --- access ------------------------------------------------------------------------------

    async def read(self, fn: Callable[[sqlite_utils.Database], T]) -> T:
        """Run `fn` with the sqlite-utils Database on the store thread (reads only)."""
        return await self._call(lambda: fn(self._need_db()))

    async def look(self, fn: Callable[[Tx], T]) -> T:
        """Run `fn` with a `Tx` handle on the store thread, outside a transaction (reads only): several
        reads in one trip to the store's thread, which is what a read costs most."""
        return await self._call(lambda: fn(Tx(self._need_db().conn, self.clock)))

    async def write(self, fn: Callable[[Tx], T]) -> T:
        """Run `fn` inside one `BEGIN IMMEDIATE` transaction; commit if it returns, roll back if it raises."""
        return await self._call(lambda: self._transaction(fn))

    async def query(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[dict[str, Any]]:
        return await self.read(lambda db: list(db.query(sql, params if isinstance(params, dict) else list(params))))

    async def query_one(
        self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
    ) -> dict[str, Any] | None:
        rows = await self.query(sql, params)
        return rows[0] if rows else None

    def _need_db(self) -> sqlite_utils.Database:
        if self._db is None:
            raise RuntimeError("Store.open() was not awaited")
        return self._db

    def _transaction(self, fn: Callable[[Tx], T]) -> T:
        self._need_db()
        assert self._conn is not None
        conn = self._conn

        def attempt() -> T:
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = fn(Tx(conn, self.clock))
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return result

        return self._retry_locked(attempt)

    @staticmethod
    def _retry_locked(fn: Callable[[], T]) -> T:
        for n in range(LOCK_RETRIES):
            try:
                return fn()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                log.warning("database busy, retrying (%d)", n + 1)
                time.sleep(min(0.5, 0.01 * 2**n) * (0.5 + random.random()))
        return fn()

    async def _call(self, fn: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, fn)


def _statements(sql: str) -> list[str]:
    """Split a migration script; trigger bodies keep their inner semicolons."""
    out: list[str] = []
    buf = ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out
