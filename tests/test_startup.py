"""Starting and stopping `latebot` as a process: a bad LATEBOT_DB or an unreachable chat is one line
(never a traceback), and SIGTERM lets an approval in flight finish or leaves it safely `publishing`."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
import time
from asyncio.subprocess import PIPE
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.fakes.discord_server import FakeDiscord
from tests.fakes.late_server import FakeLate
from tests.fakes.slack_api import GENERAL, SIGNING_SECRET, TOKEN, FakeSlack, signed_form
from tests.harness import API_KEY
from tests.test_discord_e2e import card_posted, field
from tests.test_runtime import free_port


def env_for(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LATE", "SLACK", "DISCORD"))}
    return {**env, "LATEBOT_DB": str(tmp_path / "latebot.db"), **values}


async def latebot(tmp_path: Path, *args: str, stdin: bytes = b"", **env: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "adapters.cli", *args, stdin=PIPE, stdout=PIPE, stderr=PIPE,
        env=env_for(tmp_path, **env), cwd=tmp_path,
    )
    _, err = await asyncio.wait_for(proc.communicate(stdin), 60)
    assert proc.returncode is not None
    return proc.returncode, err.decode()


def ours(err: str) -> list[str]:
    """latebot's own lines on stderr (without the libraries' warnings about voice support and such)."""
    return [line for line in err.splitlines() if line.startswith("latebot:") or "Traceback" in line]


@pytest.mark.parametrize(("where", "said"), [
    ("missing/latebot.db", "the directory {tmp}/missing does not exist"),
    ("a-file/latebot.db", "the directory {tmp}/a-file is not a directory"),
    ("a-dir", "unable to open database file"),
])
async def test_a_database_latebot_cannot_open_is_one_line_naming_latebot_db(tmp_path: Path, where: str,
                                                                             said: str) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    (tmp_path / "a-dir").mkdir()
    code, err = await latebot(tmp_path, "console", LATEBOT_DB=str(tmp_path / where))
    assert code == 2 and ours(err) == [f"latebot: setting LATEBOT_DB: {tmp_path / where}: "
                                      f"{said.format(tmp=tmp_path)}"], err


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
async def test_an_unwritable_database_directory_is_one_line(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    code, err = await latebot(tmp_path, "console", LATEBOT_DB=str(locked / "latebot.db"))
    assert code == 2 and ours(err) == [f"latebot: setting LATEBOT_DB: {locked / 'latebot.db'}: latebot may not "
                                      "write there"]


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "latebot-nowhere.invalid"])
async def test_a_chat_latebot_cannot_reach_is_one_line_naming_it(tmp_path: Path, host: str) -> None:
    url = "http://" + host.format(port=free_port())
    code, err = await latebot(tmp_path, "slack", "--sandbox", "--port", str(free_port()),
                              SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=f"{url}/api/")
    [line] = ours(err)
    assert code == 2 and line.startswith(f"latebot: could not reach Slack at {url}/api/: "), err
    code, err = await latebot(tmp_path, "discord", "--sandbox", "--port", str(free_port()),
                              DISCORD_TOKEN="MTIz.abc.def", DISCORD_API_BASE=f"{url}/api/v10")
    [line] = ours(err)
    assert code == 2 and line.startswith(f"latebot: could not reach Discord at {url}/api/v10: "), err


# --- SIGTERM ---------------------------------------------------------------------------------------


async def ready(port: int, adapter: str) -> None:
    """Until latebot's /healthz on `port` says `adapter` runs."""
    deadline = time.monotonic() + 30
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                    if (await resp.json()).get(adapter):
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"latebot's {adapter} adapter did not start")


class Served:
    """`latebot slack` in HTTP mode as a process, against the fake Slack and the fake Late."""

    def __init__(self, tmp_path: Path, fake: FakeSlack, late: FakeLate) -> None:
        self.tmp_path, self.fake, self.late = tmp_path, fake, late
        self.port = free_port()
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        env = env_for(self.tmp_path, LATE_API_KEY=API_KEY, LATE_BASE_URL=self.late.url, SLACK_BOT_TOKEN=TOKEN,
                      SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=self.fake.api_url)
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "adapters.cli", "slack", "--port", str(self.port), stdout=PIPE, stderr=PIPE,
            env=env, cwd=self.tmp_path,
        )
        await ready(self.port, "slack")

    async def send(self, body: str) -> int:
        headers = signed_form(body)
        async with aiohttp.ClientSession() as http, http.post(
            f"http://127.0.0.1:{self.port}/slack/events", data=body.encode(), headers=headers
        ) as resp:
            return resp.status

    def card(self) -> dict[str, Any]:
        return next(m for m in self.fake.messages.get(GENERAL, []) if m.get("blocks") and not m.get("thread_ts"))

    async def until(self, check: Any, within: float = 15.0) -> None:
        deadline = time.monotonic() + within
        while not check():
            assert time.monotonic() < deadline, "timed out"
            await asyncio.sleep(0.05)

    async def stop(self) -> tuple[int, float, str]:
        assert self.proc is not None
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(self.proc.communicate(), 30)
        assert self.proc.returncode is not None
        return self.proc.returncode, time.monotonic() - started, err.decode()


def rows(db: Path) -> list[tuple[str, str | None]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute("SELECT state, late_post_id FROM requests"))


@pytest.mark.parametrize("late_takes", [1.5, 30.0])
async def test_sigterm_lets_an_approval_in_flight_finish_or_leaves_it_publishing(tmp_path: Path,
                                                                               late_takes: float) -> None:
    async with FakeSlack() as fake, FakeLate(api_key=API_KEY) as late:
        await late.engine.seed_demo()
        served = Served(tmp_path, fake, late)
        await served.start()
        try:
            assert await served.send(fake.slash('post "Drained" to x tomorrow 9am')) == 200
            await served.until(lambda: any(m.get("blocks") for m in fake.messages.get(GENERAL, [])))
            late.stall_after("POST", "/v1/posts", late_takes)  # Late makes the post, then answers late
            assert await served.send(fake.click(served.card(), "Approve", user="bob")) == 200
            await served.until(lambda: late.calls("POST", "/v1/posts"))
            code, took, err = await served.stop()
        finally:
            if served.proc is not None and served.proc.returncode is None:
                served.proc.kill()
                await served.proc.wait()
        assert code == 0 and "Traceback" not in err, err
        assert await late.engine.post_count() == 1
        [(state, post_id)] = rows(tmp_path / "latebot.db")
        if late_takes < 5:  # within the grace: the approval finished before the process ended
            assert state == "scheduled" and post_id
            assert "Scheduled" in str(served.card()["blocks"])
            return
        assert took < 10 and (state, post_id) == ("publishing", None)  # safely publishing: reconciled next start
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "adapters.cli", "console", stdin=PIPE, stdout=PIPE, stderr=PIPE,
            env=env_for(tmp_path, LATE_API_KEY=API_KEY, LATE_BASE_URL=late.url), cwd=tmp_path,
        )
        await asyncio.wait_for(proc.communicate(b""), 60)
        [(state, post_id)] = rows(tmp_path / "latebot.db")
        assert state == "scheduled" and post_id and await late.engine.post_count() == 1
        assert len(late.calls("POST", "/v1/posts")) == 1


async def test_sigterm_lets_a_discord_approval_in_flight_finish(tmp_path: Path) -> None:
    async with FakeDiscord() as fake, FakeLate(api_key=API_KEY) as late:
        await late.engine.seed_demo()
        port = free_port()
        env = env_for(tmp_path, LATE_API_KEY=API_KEY, LATE_BASE_URL=late.url, DISCORD_TOKEN=fake.token,
                      DISCORD_API_BASE=fake.api_base)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "adapters.cli", "discord", "--port", str(port), stdout=PIPE, stderr=PIPE,
            env=env, cwd=tmp_path,
        )
        try:
            await ready(port, "discord")
            await fake.interact(fake.slash("post", {"text": "Drained too", "to": "twitter", "when": "tomorrow 9am"}))
            card = await card_posted(fake)
            late.stall_after("POST", "/v1/posts", 1.5)
            await fake.interact(fake.click(card["id"], f"late:approve:{field(card, 'Request')}:1"))
            await fake.wait_until(lambda: late.calls("POST", "/v1/posts"), within=15)
            proc.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(proc.communicate(), 30)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        assert proc.returncode == 0 and b"Traceback" not in err, err.decode()
        [(state, post_id)] = rows(tmp_path / "latebot.db")
        assert state == "scheduled" and post_id and await late.engine.post_count() == 1
        assert fake.messages[card["id"]]["embeds"][0]["title"] == "Scheduled"
