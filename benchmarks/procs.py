"""Processes the benchmarks start, and the line protocol they speak.

Every helper process (`python -m benchmarks.<module> ...`) prints one JSON line when it is ready,
then answers one JSON line per JSON line it reads on stdin, and exits when stdin closes. So a
benchmark that dies (or is interrupted) closes the pipes and leaves nothing running; `Child.stop`
closes stdin, waits, and only then terminates or kills.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
STOP_WAIT = 15.0


class ChildFailed(RuntimeError):
    pass


class Child:
    def __init__(self, proc: asyncio.subprocess.Process, name: str) -> None:
        self.proc = proc
        self.name = name
        self.hello: dict[str, Any] = {}
        self._lock = asyncio.Lock()

    @property
    def pid(self) -> int:
        return self.proc.pid

    async def _line(self, timeout: float) -> dict[str, Any]:  # noqa: ASYNC109 (a deadline per line)
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        if not line:
            raise ChildFailed(f"{self.name} exited (status {await self.proc.wait()}) before answering")
        return dict(json.loads(line))

    async def ask(self, op: str, timeout: float = 120.0, **args: Any) -> dict[str, Any]:  # noqa: ASYNC109
        """Send one command, return its answer (an answer with "error" raises)."""
        assert self.proc.stdin is not None
        async with self._lock:
            self.proc.stdin.write((json.dumps({"op": op, **args}) + "\n").encode())
            await self.proc.stdin.drain()
            answer = await self._line(timeout)
        if "error" in answer:
            raise ChildFailed(f"{self.name} {op}: {answer['error']}")
        return answer

    def cpu_seconds(self) -> float:
        t = psutil.Process(self.pid).cpu_times()
        return float(t.user + t.system)

    async def stop(self) -> int:
        proc = self.proc
        if proc.returncode is None and proc.stdin is not None and not proc.stdin.is_closing():
            proc.stdin.close()
        try:
            return await asyncio.wait_for(proc.wait(), STOP_WAIT)
        except TimeoutError:
            print(f"{self.name} did not stop within {STOP_WAIT:g} s; terminating it", file=sys.stderr)
        with contextlib.suppress(ProcessLookupError):
            proc.terminate()
        try:
            return await asyncio.wait_for(proc.wait(), 5)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            return await proc.wait()


def die_with_parent() -> None:
    """For `preexec_fn`: on Linux the child gets SIGTERM when the benchmark process dies, however it dies."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, 15)  # PR_SET_PDEATHSIG, SIGTERM


def env() -> dict[str, str]:
    """The environment of a helper: this checkout first on the path, no .env or proxy surprises."""
    out = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    out["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    out["PYTHONUNBUFFERED"] = "1"
    return out


@contextlib.asynccontextmanager
async def child(module: str, *args: str, ready_timeout: float = 60.0, name: str | None = None
                ) -> AsyncIterator[Child]:
    """`python -m benchmarks.<module> args...`, once it printed its ready line."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", f"benchmarks.{module}", *args,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=ROOT, env=env(),
        limit=64 * 2**20, preexec_fn=die_with_parent,
    )
    c = Child(proc, name or module)
    try:
        c.hello = await c._line(ready_timeout)
        yield c
    finally:
        status = await c.stop()
        if status not in (0, -2, -15):
            print(f"{c.name} exited with status {status}", file=sys.stderr)


# --- the child side ------------------------------------------------------------------------------

Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


def say(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()


async def serve_commands(handlers: dict[str, Handler]) -> None:
    """Read one JSON command per stdin line until EOF; answer each on stdout."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=64 * 2**20)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := await reader.readline():
        command = json.loads(line)
        handler = handlers.get(command.pop("op"))
        try:
            answer = await handler(command) if handler else {"error": "unknown op"}
        except Exception as exc:  # reported to the parent, which raises it
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        say(answer)


def leftovers() -> list[str]:
    """Every process this one started that is still alive."""
    return [f"{p.pid} {' '.join(p.cmdline()[:4])}" for p in psutil.Process().children(recursive=True)
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
