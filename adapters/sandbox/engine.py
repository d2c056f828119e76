"""`LateEngine`: the Late API's behaviour in-process, on SQLite.

Both the sandbox (behind `httpx.MockTransport`) and the test fake (behind aiohttp on loopback) answer
with it, so whatever latebot does against one it does against the other. Each request runs as one
store transaction: a refusal rolls everything back, and concurrent creates cannot both pass a check.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import httpx

from adapters.sandbox import demo, publisher, routes
from adapters.sandbox.dedup import REPLAY_WINDOW
from adapters.sandbox.inbound import Inbound, Refusal, Reply
from adapters.sandbox.limits import ApiLimit, Limits, api_limit_for
from adapters.sandbox.plan import Plan
from adapters.sandbox.tables import SANDBOX_MIGRATIONS, load_doc
from adapters.sandbox.weather import Weather
from bot.clock import Clock, IdGen, iso
from bot.store import Store, Tx

log = logging.getLogger("latebot.sandbox")
T = TypeVar("T")
ACCOUNT_COLUMNS = frozenset(
    {"username", "display_name", "is_active", "token_valid", "token_expires_at", "settings", "profile_id"}
)


def object_id() -> str:
    """Late's ids are Mongo ObjectIds: 24 hex digits."""
    return secrets.token_hex(12)


class LateEngine:
    def __init__(
        self,
        store: Store,
        *,
        clock: Clock,
        api_key: str,
        ids: IdGen | None = None,
        plan: Plan | None = None,
        cache_reads: bool = False,
    ) -> None:
        self.store = store
        self.clock = clock
        self.ids: IdGen = ids or object_id
        self.plan = plan or Plan()
        # Late's behaviour, all of it on by default except what makes it slow or random; see `realistic`.
        self.publish_delay = timedelta(0)
        self.dedup_before_idempotency = True
        self.content_dedup = True
        self.replay_window = REPLAY_WINDOW
        self.list_limit_max = 500
        self.limits = Limits()
        self.weather = Weather()
        self._api_limit = ApiLimit()
        self.api_key = api_key
        # Answers to reads that depend on stored state only, reused until the next write. Only for a
        # store that nothing but this engine writes to (the test fake's); see `_write`.
        self.cache_reads = cache_reads
        self._generation = 0
        self._cache: dict[tuple[str, str], tuple[int, int, bytes]] = {}
        self._ready = False
        self._setup_lock = asyncio.Lock()

    def realistic(self, *, seed: int | None = None) -> LateEngine:
        """As Late behaves on an ordinary day, for the interactive sandbox: due posts spend a few
        seconds `publishing`, a platform now and then throttles (Late retries it) or is down, and the
        per-key request limit applies."""
        self.publish_delay = timedelta(seconds=3)
        self.weather = Weather(throttle=0.05, outage=0.01, retry_after=timedelta(seconds=10), seed=seed)
        self.limits = Limits(api_per_minute=True)
        return self

    async def setup(self) -> None:
        """Record the signup date on first use; safe to call again. The tables are the store's migrations."""
        async with self._setup_lock:
            if self._ready:
                return
            if self.store.migrations != SANDBOX_MIGRATIONS:
                # Never latebot's own database: the sandbox's tables stay out of the product's schema.
                raise ValueError("LateEngine needs a store of its own: sandbox_store(path, clock)")
            await self._write(
                lambda tx: tx.insert(
                    "sandbox_meta", {"key": "signup", "value": iso(self.clock.now())}, or_ignore=True
                )
            )
            self._ready = True

    # --- HTTP --------------------------------------------------------------------------------

    async def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one Late API request, exactly as an `httpx.MockTransport` handler."""
        if not self._ready:
            await self.setup()
        await request.aread()
        inbound = Inbound.of(request)
        content = None
        try:
            route, inbound.args = routes.match(inbound.method, inbound.path)
            if not route.public:
                self._authorize(inbound)
                if self.limits.api_per_minute:
                    await self._within_api_limit()
            key = (inbound.path, request.url.query.decode())
            hit = self._cache.get(key) if route.cacheable else None
            if hit is not None and hit[0] == self._generation:
                reply, content = Reply(hit[1], None), hit[2]
            elif route.writes:
                reply = await self._write(lambda tx: route.handler(self, tx, inbound))
            else:
                generation = self._generation
                reply = await self.store.read(
                    lambda db: route.handler(self, Tx(db.conn, self.clock), inbound)
                )
                if route.cacheable and self.cache_reads and reply.status == 200:
                    content = reply.encoded()
                    if len(self._cache) > 1000:
                        self._cache.clear()
                    self._cache[key] = (generation, reply.status, content)
        except Refusal as refusal:
            reply = refusal.reply
        except Exception:
            log.exception("sandbox: %s %s failed", inbound.method, inbound.path)
            reply = Reply(500, {"error": "Internal server error"})
        response = reply.response(content)
        response.request = request
        return response

    async def _write(self, fn: Callable[[Tx], T]) -> T:
        """Every change goes through here, so that no cached read outlives it."""
        try:
            return await self.store.write(fn)
        finally:
            self._generation += 1

    async def _within_api_limit(self) -> None:
        row = await self.store.query_one("SELECT count(*) AS n FROM sandbox_accounts")
        self._api_limit.allow(self.clock.now(), api_limit_for(int(row["n"]) if row else 0))

    def _authorize(self, inbound: Inbound) -> None:
        scheme, _, token = inbound.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), self.api_key.encode()):
            raise Refusal(401, "Unauthorized")

    # --- time --------------------------------------------------------------------------------

    async def tick(self) -> int:
        """Publish the posts that are due by the clock; returns how many finished publishing."""
        if not self._ready:
            await self.setup()
        return await self._write(lambda tx: publisher.tick(tx, self.clock.now(), self.publish_delay, self.weather))

    async def run_publisher(self, interval: float = 1.0) -> None:
        """Tick forever (cancel to stop), as Late's own scheduler would."""
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("sandbox publisher tick failed")
            await asyncio.sleep(interval)

    # --- state, for seeding and for tests ----------------------------------------------------

    async def seed_demo(self) -> str:
        """The "Demo Brand" profile and its accounts; a second call changes nothing. Returns its id."""
        await self.setup()
        return await self._write(lambda tx: demo.seed(self, tx))

    async def add_profile(self, name: str) -> str:
        from adapters.sandbox.accounts import add_profile

        await self.setup()
        row = await self._write(lambda tx: add_profile(self, tx, name))
        return str(row["id"])

    async def add_account(self, profile_id: str, platform: str, username: str, **kw: Any) -> str:
        """An account on `profile_id`; keywords as `demo.add_account` (expires_in, is_active, ...)."""
        await self.setup()
        return await self._write(lambda tx: demo.add_account(self, tx, profile_id, platform, username, **kw))

    async def update_account(self, account_id: str, **columns: Any) -> None:
        """Change an account's stored state, e.g. `token_valid=False` or `token_expires_at=...`."""
        unknown = set(columns) - ACCOUNT_COLUMNS
        if unknown:
            raise ValueError(f"not an account column: {', '.join(sorted(unknown))}")
        sets = ", ".join(f"{c} = ?" for c in columns)
        values = [iso(v) if isinstance(v, datetime) else v for v in columns.values()]
        await self._write(
            lambda tx: tx.execute(f"UPDATE sandbox_accounts SET {sets} WHERE id = ?", [*values, account_id])
        )

    async def account_ids(self) -> dict[str, str]:
        """platform -> id of the first account on it, e.g. `(await engine.account_ids())["twitter"]`."""
        rows = await self.store.query(
            "SELECT id, platform FROM sandbox_accounts ORDER BY created_at DESC, rowid DESC"
        )
        return {r["platform"]: r["id"] for r in rows}

    async def posts(self) -> list[dict[str, Any]]:
        """Every post, oldest first, as `GET /v1/posts/{id}` would return it."""
        rows = await self.store.query("SELECT doc FROM sandbox_posts ORDER BY created_at, rowid")
        return [load_doc(r) for r in rows]

    async def post(self, post_id: str) -> dict[str, Any] | None:
        row = await self.store.query_one("SELECT doc FROM sandbox_posts WHERE id = ?", [post_id])
        return load_doc(row) if row else None

    async def post_count(self, status: str | None = None) -> int:
        row = await self.store.query_one(
            "SELECT count(*) AS n FROM sandbox_posts WHERE (:s IS NULL OR status = :s)", {"s": status}
        )
        return int(row["n"]) if row else 0
