"""The supervised runtime and the HTTP adapter: one TaskGroup, one shutdown path, /healthz and
/late/webhooks on every command that serves (`latebot discord` included), SIGTERM exits 0."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from adapters.http import HttpServer
from bot.errors import ConfigError
from bot.runtime import run_services
from tests.fakes.discord_server import FakeDiscord

ROOT = Path(__file__).resolve().parent.parent


class Worker:
    """A service with work in flight: on cancellation it lets that work finish for `grace` seconds."""

    def __init__(self, name: str, *, work: float = 0.0, grace: float = 2.0, fail: bool = False) -> None:
        self.name = name
        self.work = work
        self.grace = grace
        self.fail = fail
        self.started = asyncio.Event()
        self.finished_work = False
        self.stopped = False

    async def run(self) -> None:
        job = asyncio.create_task(self._job())
        self.started.set()
        try:
            if self.fail:
                raise ConfigError("setting X: broken")
            await asyncio.Event().wait()
        finally:
            await asyncio.wait({job}, timeout=self.grace)
            self.stopped = True

    async def _job(self) -> None:
        await asyncio.sleep(self.work)
        self.finished_work = True


async def test_a_stop_ends_every_service_and_lets_in_flight_work_finish() -> None:
    stop = asyncio.Event()
    a, b = Worker("a", work=0.2), Worker("b")
    runner = asyncio.create_task(run_services([a, b], stop=stop))
    await asyncio.gather(a.started.wait(), b.started.wait())
    stop.set()
    await asyncio.wait_for(runner, 5)
    assert a.stopped and b.stopped and a.finished_work


async def test_a_failing_service_stops_the_others_and_its_error_comes_out_alone() -> None:
    ok, bad = Worker("ok"), Worker("bad", fail=True)
    with pytest.raises(ConfigError, match="setting X"):
        await asyncio.wait_for(run_services([ok, bad]), 5)
    assert ok.stopped


async def test_sigterm_is_the_same_shutdown_path() -> None:
    w = Worker("w", work=0.1)
    runner = asyncio.create_task(run_services([w]))
    await w.started.wait()
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(runner, 5)
    assert w.stopped and w.finished_work


async def test_http_server_serves_healthz_mounts_routes_at_any_time_and_webhooks_say_501() -> None:
    http = HttpServer(host="127.0.0.1", port=0)
    async with http.serving() as url, aiohttp.ClientSession() as client:
        http.status["discord"] = "gateway"

        async def hello(_: object) -> aiohttp.web.Response:
            return aiohttp.web.json_response({"hello": True})

        http.mount("POST", "/slack/events", hello)  # after the start: looked up per request
        async with client.get(f"{url}/healthz") as resp:
            assert (resp.status, await resp.json()) == (200, {"ok": True, "discord": "gateway"})
        async with client.post(f"{url}/slack/events") as resp:
            assert await resp.json() == {"hello": True}
        async with client.post(f"{url}/late/webhooks", data=b"{}") as resp:
            assert resp.status == 501
            assert "webhooks" in (await resp.json())["error"]
        async with client.get(f"{url}/slack/events") as resp:
            assert resp.status == 405
        async with client.get(f"{url}/nope") as resp:
            assert resp.status == 404


async def test_a_port_in_use_is_a_one_line_config_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        http = HttpServer(host="127.0.0.1", port=taken.getsockname()[1])
        with pytest.raises(ConfigError, match="--port"):
            await http.start()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_latebot_discord_serves_http_and_exits_0_on_sigterm(tmp_path: Path) -> None:
    """`latebot discord` as a process: real discord.py on the fake gateway, /healthz on --port, and
    SIGTERM takes the one shutdown path to exit code 0."""
    async with FakeDiscord() as fake:
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("LATE", "SLACK", "DISCORD"))},
            "DISCORD_TOKEN": fake.token,
            "DISCORD_API_BASE": fake.api_base,
            "LATEBOT_DB": str(tmp_path / "latebot.db"),
        }
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "adapters.cli", "discord", "--sandbox", "--port", str(port),
            env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        try:
            health = None
            deadline = time.monotonic() + 30
            async with aiohttp.ClientSession() as client:
                while time.monotonic() < deadline and proc.returncode is None:
                    try:
                        async with client.get(f"http://127.0.0.1:{port}/healthz") as resp:
                            health = await resp.json()
                            if health.get("discord"):
                                break
                    except aiohttp.ClientError:
                        pass
                    await asyncio.sleep(0.1)
                assert health == {"ok": True, "discord": "gateway"}, await proc.stderr.read()  # type: ignore[union-attr]
                async with client.post(f"http://127.0.0.1:{port}/late/webhooks", data=b"{}") as resp:
                    assert resp.status == 501
            proc.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(proc.communicate(), 20)
            assert proc.returncode == 0, err.decode()
            assert b"Traceback" not in err
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
