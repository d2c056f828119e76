"""200 approve presses on 50 pending requests, from many tasks in two processes: exactly 50 posts."""

from __future__ import annotations

import asyncio
import json
import sys
from asyncio.subprocess import PIPE
from pathlib import Path

from bot.clock import SystemClock
from bot.messages import Actor, Place
from bot.request import PostDraft, Target
from tests.approve_racer import press_all
from tests.harness import API_KEY, core_harness


async def test_200_concurrent_presses_make_exactly_50_posts(tmp_path: Path) -> None:
    async with core_harness(tmp_path, clock=SystemClock()) as h:
        accounts = await h.core.directory.accounts((await h.core.directory.profiles())[0].id)
        x = next(a for a in accounts if a.platform == "twitter")
        place = Place(chat="console", team="console", channel="general")
        ids = []
        for i in range(50):
            draft = PostDraft(thread=[f"Race post number {i}"], mode="draft",
                              targets=[Target(account_id=x.id, platform="twitter", username=x.username or "x")])
            request = await h.core.approvals.submit(Actor(id="alice", name="alice"), place, draft)
            ids.append(request.id)

        other = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.approve_racer", str(h.settings.LATEBOT_DB), h.late.url, API_KEY,
            ",".join(ids), "dave,erin", stdout=PIPE, stderr=PIPE,
        )
        here: list[str] = []
        await asyncio.gather(press_all(h.router, ids, ["bob", "carol"], here), other.wait())
        out, err = await other.communicate()
        assert other.returncode == 0, err.decode()
        there = json.loads(out.decode().strip().splitlines()[-1])["replies"]

        replies = here + there
        assert len(replies) == 150, replies[:5]
        assert all(r.startswith("Already decided") for r in replies), [r for r in replies if "Already" not in r][:3]
        assert "locked" not in err.decode()
        created = [r for r in h.late.requests if r.method == "POST" and r.path == "/v1/posts"]
        assert len(created) == 50
        audit = await h.store.query("SELECT * FROM audit WHERE action = 'approve'")
        assert len(audit) == 50
        states = await h.store.query("SELECT state, count(*) AS n FROM requests GROUP BY state")
        assert states == [{"state": "draft", "n": 50}]
