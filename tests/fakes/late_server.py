"""`FakeLate`: the Late engine served over real HTTP on 127.0.0.1, with a request log and faults.

async with FakeLate(api_key=KEY, clock=clock) as late:
    await late.engine.seed_demo()
    client = LateClient(late.url, KEY)            # late.url is http://127.0.0.1:PORT
    late.fail("GET", "/v1/posts/*", 500)           # next matching request answers 500
    late.fail("POST", "/v1/posts", 500, after_processing=True)  # the post is made, then a 500
    late.stall_after("POST", "/v1/posts", 2.0)     # the post is made, the answer comes 2 s late
    late.drop("GET", "/v1/accounts")               # connection closed without an answer
    late.script("GET", "/v1/accounts/health", [report1, report2])  # canned answers, in order
    late.engine.weather.force("linkedin")          # Late's next attempt on LinkedIn is throttled
    late.rate_limit = RateLimitPolicy(remaining=0, reset_at=time.time() + 2)
    [call] = late.calls("POST", "/v1/posts"); call.json, call.headers["idempotency-key"]

It is no kinder than Late: the engine's rules (REFERENCE.md) all apply, and `GET /v1/posts` takes
at most `limit=100` (Late's older cap; its current one is 500), so latebot's calls are valid under both.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from aiohttp import web

from adapters.sandbox.engine import LateEngine
from adapters.sandbox.plan import Plan
from adapters.sandbox.tables import sandbox_store
from bot.clock import Clock, FixedClock, IdGen, SystemClock
from bot.late.client import LateClient


class Naps:
    """An injected `sleep` that records each wait and returns at once (advancing a FixedClock, if given)."""

    def __init__(self, clock: FixedClock | None = None) -> None:
        self.clock = clock
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        if self.clock is not None:
            self.clock.advance(timedelta(seconds=seconds))
        await asyncio.sleep(0)

    @property
    def total(self) -> float:
        return sum(self.calls)


# Headers aiohttp sets itself when it frames the answer.
_FRAMING = frozenset({"content-length", "transfer-encoding", "connection", "date", "server"})


@dataclass
class Recorded:
    method: str
    path: str  # percent-decoded
    raw_path: str  # as sent, without the query
    query: dict[str, str]
    headers: dict[str, str]  # names in lower case
    body: bytes
    json: Any
    at: float  # time.monotonic() on arrival


@dataclass
class Fault:
    """What to do to the next `times` requests matching `method` and `path` (an fnmatch pattern)."""

    method: str
    path: str
    status: int | None = None  # answer this instead of asking the engine
    # ... or after the engine acted (a 5xx to a create Late did perform)
    status_after: bool = False
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # before the engine sees the request
    delay_after: float = 0.0  # after the engine acted: the change is made, the answer is late
    drop: bool = False  # close the connection without an answer
    drop_after: bool = False  # ... after the engine acted
    times: int = 1

    def matches(self, method: str, path: str) -> bool:
        return self.method in (method, "*") and fnmatch.fnmatchcase(path, self.path)


@dataclass
class RateLimitPolicy:
    """`X-RateLimit-*` on every answer; with `enforce`, a 429 once `remaining` is used up before the reset."""

    limit: int = 60
    remaining: int = 60
    reset_at: float | None = None  # epoch seconds; None: a minute after each answer
    decrement: bool = False
    enforce: bool = False

    def headers(self, now: float) -> dict[str, str]:
        reset = self.reset_at if self.reset_at is not None else now + 60
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(0, self.remaining)),
            "X-RateLimit-Reset": str(math.ceil(reset)),
        }


class FakeLate:
    def __init__(
        self,
        *,
        api_key: str = "sk_test_fake_late",
        clock: Clock | None = None,
        ids: IdGen | None = None,
        plan: Plan | None = None,
        store_path: str = ":memory:",
    ) -> None:
        self.api_key = api_key
        self.clock = clock or SystemClock()
        self.store = sandbox_store(store_path, self.clock)
        # Nothing else writes to the fake's store, so its answers to reads may be reused until a write.
        self.engine = LateEngine(
            self.store, clock=self.clock, api_key=api_key, ids=ids, plan=plan, cache_reads=True
        )
        self.engine.list_limit_max = 100
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        # Asked for a fault for each request no queued fault matches (random faults, for chaos tests).
        self.chaos: Callable[[str, str], Fault | None] | None = None
        self.delay = 0.0  # before every answer
        self.rate_limit: RateLimitPolicy | None = None
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def __aenter__(self) -> FakeLate:
        await self.store.open()
        await self.engine.setup()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._serve)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._closing.set()  # ends every pending delay at once
        if self._runner is not None:
            await self._runner.cleanup()
        await self.store.close()

    def client(self, **kw: Any) -> LateClient:
        """A `LateClient` for this fake (the caller closes it); keywords go to `LateClient`."""
        return LateClient(self.url, self.api_key, **kw)

    # --- faults ------------------------------------------------------------------------------

    def fault(self, method: str, path: str, **kw: Any) -> Fault:
        fault = Fault(method.upper(), path, **kw)
        self.faults.append(fault)
        return fault

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        *,
        headers: dict[str, str] | None = None,
        body: Any = None,
        times: int = 1,
        after_processing: bool = False,
    ) -> Fault:
        return self.fault(method, path, status=status, headers=headers or {}, body=body, times=times,
                          status_after=after_processing)

    def stall(self, method: str, path: str, seconds: float, *, times: int = 1) -> Fault:
        return self.fault(method, path, delay=seconds, times=times)

    def stall_after(self, method: str, path: str, seconds: float, *, times: int = 1) -> Fault:
        return self.fault(method, path, delay_after=seconds, times=times)

    def drop(self, method: str, path: str, *, after_processing: bool = False, times: int = 1) -> Fault:
        return self.fault(method, path, drop=not after_processing, drop_after=after_processing, times=times)

    def script(self, method: str, path: str, bodies: list[Any], *, status: int = 200) -> list[Fault]:
        """Answer the next matching requests with `bodies`, one each, in order (e.g. a sequence of
        `GET /v1/accounts/health` reports); after the last, the engine answers again."""
        return [self.fault(method, path, status=status, body=body) for body in bodies]

    def calls(self, method: str | None = None, path: str | None = None) -> list[Recorded]:
        return [
            r
            for r in self.requests
            if (method is None or r.method == method.upper())
            and (path is None or fnmatch.fnmatchcase(r.path, path))
        ]

    def _take(self, method: str, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.times > 0 and fault.matches(method, path):
                fault.times -= 1
                return fault
        return self.chaos(method, path) if self.chaos is not None else None

    # --- serving -----------------------------------------------------------------------------

    async def _pause(self, seconds: float) -> None:
        if seconds > 0:
            try:
                await asyncio.wait_for(self._closing.wait(), timeout=seconds)
            except TimeoutError:
                pass

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.requests.append(_record(request, body))
        fault = self._take(request.method, request.path)
        await self._pause(self.delay + (fault.delay if fault else 0.0))
        if fault is not None and fault.drop:
            return _hang_up(request)
        if fault is not None and fault.status is not None and not fault.status_after:
            answer = _json_response(
                fault.status, fault.body or {"error": f"injected {fault.status}"}, fault.headers
            )
        else:
            answer = self._limited() or await self._engine(request, body)
            if fault is not None and fault.status is not None:
                answer = _json_response(
                    fault.status, fault.body or {"error": f"injected {fault.status}"}, fault.headers
                )
        if fault is not None:
            await self._pause(fault.delay_after)
            if fault.drop_after:
                return _hang_up(request)
        if self.rate_limit is not None:
            answer.headers.update(self.rate_limit.headers(time.time()))
        return answer

    def _limited(self) -> web.Response | None:
        policy = self.rate_limit
        if policy is None:
            return None
        now = time.time()
        if policy.reset_at is not None and now >= policy.reset_at:
            policy.remaining, policy.reset_at = policy.limit, None
        if policy.enforce and policy.remaining <= 0:
            wait = max(1, math.ceil((policy.reset_at or now) - now))
            return _json_response(429, {"error": "Too many requests"}, {"Retry-After": str(wait)})
        if policy.decrement:
            policy.remaining -= 1
        return None

    async def _engine(self, request: web.Request, body: bytes) -> web.Response:
        outgoing = httpx.Request(
            request.method, str(request.url), headers=list(request.headers.items()), content=body
        )
        answer = await self.engine.handle(outgoing)
        headers = {k: v for k, v in answer.headers.items() if k.lower() not in _FRAMING}
        return web.Response(status=answer.status_code, body=answer.content, headers=headers)


def _record(request: web.Request, body: bytes) -> Recorded:
    parsed: Any = None
    if body and request.content_type == "application/json":
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
    return Recorded(
        method=request.method,
        path=request.path,
        raw_path=request.raw_path.partition("?")[0],
        query=dict(request.query),
        headers={k.lower(): v for k, v in request.headers.items()},
        body=body,
        json=parsed,
        at=time.monotonic(),
    )


def _json_response(status: int, body: Any, headers: dict[str, str]) -> web.Response:
    return web.Response(
        status=status, body=json.dumps(body).encode(), content_type="application/json", headers=headers
    )


def _hang_up(request: web.Request) -> web.Response:
    """Close the connection with no answer; the response returned is never written."""
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=499)
