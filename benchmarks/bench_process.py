"""`latebot run` with Slack (HTTP mode) and Discord (the fake gateway) configured: time to ready, RSS idle.

The process is started as an operator starts it (the `latebot` script, settings from the
environment) against the fake Late, fake Slack Web API and fake Discord, each in a process of its
own. Ready is when both are up: `/healthz` answers on its port and the fake Discord has seen the
bot identify on the gateway (after it synced its commands). RSS is read after it idled a while.
The reference does the same with a bare slack-bolt app and a bare discord.py client in one process.
Each round is a fresh process and a fresh database; it is stopped with SIGINT, as Ctrl-C would.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import psutil

from benchmarks import subjects
from benchmarks.config import Config
from benchmarks.procs import ROOT, Child, child, die_with_parent, env
from benchmarks.table import Row, Stat, at_most
from tests.fakes.slack_api import SIGNING_SECRET, TOKEN


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _up(url: str, deadline: float) -> float:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=1)) as http:
        while time.monotonic() < deadline:
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with http.get(url) as resp:
                    if resp.status < 500:
                        return time.monotonic()
            await asyncio.sleep(0.005)
    raise TimeoutError(f"{url} did not answer")


async def _round(kind: str, late: Child, chat: Child, idle: float) -> tuple[float, float]:
    await chat.ask("discord_reset")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="latebot-bench-") as tmp:
        h = {**late.hello, **chat.hello}
        if kind == "latebot":
            argv = subjects.latebot_run_argv(port)
            extra = subjects.latebot_env(db=Path(tmp) / "latebot.db", late_url=h["late"], key=h["key"],
                                         slack_api=h["slack_api"], slack_token=TOKEN, slack_secret=SIGNING_SECRET,
                                         discord_api=h["discord_api"], discord_token=h["discord_token"])
            health = f"http://127.0.0.1:{port}/healthz"
        else:
            job = {"port": port, **{k: h[k] for k in ("slack_api", "discord_api", "discord_gateway", "discord_token")}}
            argv = [sys.executable, "-m", "benchmarks.bare_process", json.dumps(job)]
            extra, health = {}, f"http://127.0.0.1:{port}/slack/events"
        log = open(Path(tmp) / "stderr.log", "wb")  # noqa: ASYNC230 (a local file for the child's stderr)
        started = time.monotonic()
        proc = await asyncio.create_subprocess_exec(*argv, cwd=tmp if kind == "latebot" else ROOT,
                                                    env={**env(), **extra}, stdin=asyncio.subprocess.PIPE,
                                                    stderr=log, preexec_fn=die_with_parent)
        try:
            slack_up = await _up(health, started + 60)
            discord_up = (await chat.ask("discord_ready", timeout=60))["at"]
            ready = (max(slack_up, discord_up) - started) * 1000
            await asyncio.sleep(idle)
            rss = psutil.Process(proc.pid).memory_info().rss / 2**20
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(proc.wait(), 15)
            except TimeoutError:
                print(f"{kind} did not stop on SIGINT within 15 s; killing it", file=sys.stderr)
                proc.kill()
                await proc.wait()
            log.close()
            if proc.returncode not in (0, 130, -2):
                print(f"{kind} exited with {proc.returncode}:\n{(Path(tmp) / 'stderr.log').read_text()[-2000:]}",
                      file=sys.stderr)
    return ready, rss


async def run(cfg: Config) -> list[Row]:
    idle = cfg.seconds(3.0, 0.2)
    got: dict[str, list[tuple[float, float]]] = {"latebot": [], "bare": []}
    async with child("fakes", "late", name="fake Late") as late, \
            child("fakes", "slack", "discord", name="fake Slack and Discord") as chat:
        for r in range(cfg.rounds):
            for kind in ["latebot", "bare"][:: 1 if r % 2 == 0 else -1]:
                got[kind].append(await _round(kind, late, chat, idle))
    n = cfg.rounds
    ref = "bare Bolt + bare discord.py"
    ours, bare = got["latebot"], got["bare"]
    return [
        Row("Process", "latebot run (Slack HTTP + Discord): time to ready", "ms",
            Stat.of([r for r, _ in ours], rounds=n),
            ref, Stat.of([r for r, _ in bare], rounds=n), at_most(1500, "ms", "p99"),
            note="from spawning the process to both /healthz answering and the gateway IDENTIFY"),
        Row("Process", f"latebot run, RSS after {idle:g} s idle", "MB", Stat.of([m for _, m in ours], rounds=n),
            ref, Stat.of([m for _, m in bare], rounds=n), at_most(100, "MB", "p99")),
    ]
