"""The sandbox: the engine in-process behind httpx.MockTransport, on a database of its own."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from adapters.sandbox import (
    SANDBOX_KEY,
    SANDBOX_MIGRATIONS,
    LateEngine,
    lengths,
    open_sandbox,
    sandbox_client,
    sandbox_path,
    sandbox_store,
)
from bot import platforms
from bot.clock import FixedClock
from bot.schema import MIGRATIONS
from bot.store import Store

START = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def tables(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_the_sandbox_file_sits_beside_latebots() -> None:
    assert sandbox_path(Path("latebot.db")) == "latebot.sandbox.db"
    assert sandbox_path("/var/lib/latebot/bot.sqlite3") == "/var/lib/latebot/bot.sandbox.sqlite3"
    assert sandbox_path("data/latebot") == "data/latebot.sandbox"
    assert sandbox_path(Path(":memory:")) == ":memory:"


async def test_open_sandbox_seeds_the_demo_brand_once(tmp_path: Path) -> None:
    clock = FixedClock(START)
    path = tmp_path / "latebot.sandbox.db"
    async with open_sandbox(path, clock) as sandbox:
        [profile] = await sandbox.client.list_profiles()
        accounts = await sandbox.client.list_accounts(profile_id=profile.id)
        health = await sandbox.client.accounts_health()
        assert await sandbox.engine.seed_demo() == profile.id
        assert await sandbox.store.version() == len(SANDBOX_MIGRATIONS)
    assert profile.name == "Demo Brand"
    assert [a.platform for a in accounts] == ["twitter", "linkedin", "instagram", "bluesky", "threads"]
    assert [(h.platform, h.status) for h in health.accounts if h.status != "healthy"] == [
        ("threads", "warning")
    ]
    async with open_sandbox(path, clock) as second:  # a restart on the same file
        assert [p.id for p in await second.client.list_profiles()] == [profile.id]
        assert len(await second.client.list_accounts()) == 5
    assert tables(path) == {
        "schema_version",
        "sandbox_profiles",
        "sandbox_accounts",
        "sandbox_posts",
        "sandbox_idempotency",
        "sandbox_meta",
        "sandbox_uploads",
        "sandbox_sends",
    }


async def test_the_engine_refuses_latebots_own_database(tmp_path: Path) -> None:
    store = await Store(tmp_path / "latebot.db", migrations=MIGRATIONS, clock=FixedClock(START)).open()
    try:
        engine = LateEngine(store, clock=FixedClock(START), api_key=SANDBOX_KEY)
        with pytest.raises(ValueError, match="store of its own"):
            await engine.setup()
    finally:
        await store.close()
    assert not {t for t in tables(tmp_path / "latebot.db") if t.startswith("sandbox_")}


async def test_the_sandbox_client_needs_no_socket_and_publishes_on_tick(tmp_path: Path) -> None:
    clock = FixedClock(START)
    async with open_sandbox(":memory:", clock) as sandbox:
        engine, client = sandbox.engine, sandbox.client
        assert isinstance(client.http._transport, httpx.MockTransport)
        x = next(a for a in await client.list_accounts() if a.platform == "twitter")
        body = {
            "content": "Hello from the team",
            "platforms": [{"platform": "twitter", "accountId": x.id}],
            "scheduledFor": "2026-11-23T09:00:00",
            "timezone": "Europe/Berlin",
            "metadata": {"latebotRequestId": "r1"},
        }
        created = await client.create_post(body, idempotency_key="latebot-r1-r1")
        assert created.post.status == "scheduled" and created.post.metadata == {"latebotRequestId": "r1"}
        assert (await client.create_post(body, idempotency_key="latebot-r1-r1")).replayed
        clock.advance(timedelta(days=1))
        await engine.tick()
        post = await client.get_post(created.post.id)
        assert await engine.post_count() == 1
    assert post.status == "published"
    assert (
        post.platforms[0].platform_post_url
        == f"https://x.com/demobrand/status/{post.platforms[0].platform_post_id}"
    )


async def test_an_engine_on_its_own_sets_itself_up_lazily() -> None:
    store = await sandbox_store(":memory:", FixedClock(START)).open()
    try:
        engine = LateEngine(store, clock=FixedClock(START), api_key=SANDBOX_KEY)
        async with sandbox_client(engine) as client:
            assert await client.list_profiles() == []
            assert (await client.usage_stats()).usage.profiles == 0
    finally:
        await store.close()


async def test_the_publisher_runs_in_the_background() -> None:
    clock = FixedClock(START)
    async with open_sandbox(":memory:", clock) as sandbox:
        engine, client = sandbox.engine, sandbox.client
        ig = next(a for a in await client.list_accounts() if a.platform == "instagram")
        created = await client.create_post(
            {
                "content": "Look",
                "mediaItems": [{"url": "https://cdn.example.com/look.jpg"}],
                "platforms": [{"platform": "instagram", "accountId": ig.id}],
                "scheduledFor": "2026-11-22T12:00:30Z",
            },
            idempotency_key="k",
        )
        task = asyncio.create_task(engine.run_publisher(interval=0.01))
        try:
            clock.advance(timedelta(minutes=1))
            for _ in range(200):
                if (await client.get_post(created.post.id)).status == "published":
                    break
                await asyncio.sleep(0.01)
        finally:
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        post = await client.get_post(created.post.id)
    assert post.status == "published" and post.platforms[0].platform_post_url
    assert post.platforms[0].platform_post_url.startswith("https://www.instagram.com/p/")


async def test_the_engine_checks_the_sandbox_key() -> None:
    async with open_sandbox(":memory:", FixedClock(START), seed=False) as sandbox:
        async with httpx.AsyncClient(
            transport=httpx.MockTransport(sandbox.engine.handle), base_url="https://x.invalid"
        ) as raw:
            assert (await raw.get("/api/v1/profiles")).status_code == 401
            ok = await raw.get("/api/v1/profiles", headers={"Authorization": f"Bearer {SANDBOX_KEY}"})
            assert ok.json() == {"profiles": []}


def test_latebot_console_without_a_key_runs_on_the_sandbox_in_a_file_of_its_own(tmp_path: Path) -> None:
    """Through the real wiring (`adapters/cli.py`), as a user runs it from a fresh directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LATE", "SLACK", "DISCORD"))}
    script = "\n".join(['/late accounts', '/late post "Hi" to x now', ":as bob", ":click Approve", ""])
    done = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "console"],
        input=script, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("latebot console — sandbox: nothing is published.")
    assert "X @demobrand (active)" in done.stdout
    assert "✓ Published   (sandbox: nothing is published)" in done.stdout
    assert "https://x.com/demobrand/status/" in done.stdout
    product, sandbox = tables(tmp_path / "latebot.db"), tables(tmp_path / "latebot.sandbox.db")
    assert "requests" in product and not {t for t in product if t.startswith("sandbox_")}
    assert "sandbox_posts" in sandbox and "requests" not in sandbox
    with sqlite3.connect(tmp_path / "latebot.sandbox.db") as conn:
        assert conn.execute("SELECT status FROM sandbox_posts").fetchall() == [("published",)]


@pytest.mark.parametrize(
    "text",
    ["plain", "café", "👍🏽 ok", "🇩🇪🇫🇷", "👨‍👩‍👧 family", "日本語テキスト", "see https://example.com/a/b.", "e\u0301",
     "#️⃣ key", "—–“”", "🏴󠁧󠁢󠁳󠁣󠁴󠁿 flag", "x" * 281],
)
def test_latebot_counts_and_limits_as_the_sandbox_does(text: str) -> None:
    # The sandbox's table and counting are its own (adapters/sandbox/lengths.py): a slip in
    # bot/platforms.py shows here rather than agreeing with itself in every test through the fake.
    for name, limit in lengths.LIMITS.items():
        assert (platforms.text_limit(name), platforms.display_name(name)) == (limit, lengths.display(name))
        assert platforms.count(text, name) == lengths.length(text, name)
