"""SIGKILL between Late's accepting a post and our recording it: the restart reconciles, no second post."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from asyncio.subprocess import PIPE
from pathlib import Path

from tests.fakes.late_server import FakeLate
from tests.harness import API_KEY


def console_env(tmp_path: Path, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LATE", "SLACK", "DISCORD"))}
    env |= {"LATE_API_KEY": API_KEY, "LATE_BASE_URL": url, "LATEBOT_DB": str(tmp_path / "bot.db")}
    return env


async def start_console(tmp_path: Path, url: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "adapters.cli", "console", stdin=PIPE, stdout=PIPE, stderr=PIPE,
        env=console_env(tmp_path, url), cwd=tmp_path,
    )


def state_of(db: Path) -> list[tuple[str, str | None]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute("SELECT state, late_post_id FROM requests"))


async def test_sigkill_after_lates_201_then_restart_reconciles_without_a_second_post(tmp_path: Path) -> None:
    async with FakeLate(api_key=API_KEY) as late:
        await late.engine.seed_demo()
        # Late makes the post, then its answer is held back: we kill the bot while it waits.
        late.stall_after("POST", "/v1/posts", 60)
        first = await start_console(tmp_path, late.url)
        assert first.stdin is not None
        first.stdin.write(b'/late post "Crash-proof" to x tomorrow 9am\n:as bob\n:click Approve\n')
        await first.stdin.drain()
        for _ in range(200):
            if await late.engine.post_count() == 1:
                break
            await asyncio.sleep(0.05)
        assert await late.engine.post_count() == 1
        first.send_signal(signal.SIGKILL)
        await first.wait()
        assert first.returncode == -signal.SIGKILL
        [(state, post_id)] = state_of(tmp_path / "bot.db")
        assert (state, post_id) == ("publishing", None)

        second = await start_console(tmp_path, late.url)
        out, err = await asyncio.wait_for(second.communicate(b"/late queue\n"), 60)
        assert second.returncode == 0, err.decode()
        text = out.decode()
        [(state, post_id)] = state_of(tmp_path / "bot.db")
        assert state == "scheduled" and post_id
        assert await late.engine.post_count() == 1
        assert len(late.calls("POST", "/v1/posts")) == 1
        assert "(card c1 updated)" in text and "✓ Scheduled" in text and post_id in text
