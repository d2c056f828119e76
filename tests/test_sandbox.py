"""The sandbox: the engine in-process behind httpx.MockTransport, on latebot's own database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.clock import FixedClock
from bot.sandbox import SANDBOX_KEY, LateEngine, open_sandbox, sandbox_client
from bot.store import Store

START = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store(tmp_path / "latebot.db", clock=FixedClock(START)).open()
    yield store
    await store.close()


async def test_open_sandbox_seeds_the_demo_brand_once(store: Store) -> None:
    clock = FixedClock(START)
    engine, client = await open_sandbox(store, clock)
    async with client:
        [profile] = await client.list_profiles()
        accounts = await client.list_accounts(profile_id=profile.id)
        health = await client.accounts_health()
    assert profile.name == "Demo Brand"
    assert [a.platform for a in accounts] == ["twitter", "linkedin", "instagram", "bluesky", "threads"]
    assert [(h.platform, h.status) for h in health.accounts if h.status != "healthy"] == [
        ("threads", "warning")
    ]
    assert await engine.seed_demo() == profile.id
    _, second = await open_sandbox(store, clock)  # a restart on the same database
    async with second:
        assert [p.id for p in await second.list_profiles()] == [profile.id]
        assert len(await second.list_accounts()) == 5
    # latebot's own tables are untouched and still migrated
    assert await store.version() >= 1


async def test_the_sandbox_client_needs_no_socket_and_publishes_on_tick(store: Store) -> None:
    clock = FixedClock(START)
    engine, client = await open_sandbox(store, clock)
    assert isinstance(client.http._transport, httpx.MockTransport)
    async with client:
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
    assert post.status == "published"
    assert (
        post.platforms[0].platform_post_url
        == f"https://x.com/demobrand/status/{post.platforms[0].platform_post_id}"
    )
    assert await engine.post_count() == 1


async def test_a_sandbox_client_on_its_own_sets_the_engine_up_lazily(store: Store) -> None:
    async with sandbox_client(store, FixedClock(START)) as client:
        assert await client.list_profiles() == []
        profile = await client.create_profile("My Brand")
        assert [p.name for p in await client.list_profiles()] == ["My Brand"] and profile.is_default


async def test_the_publisher_runs_in_the_background(store: Store) -> None:
    clock = FixedClock(START)
    engine, client = await open_sandbox(store, clock)
    async with client:
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


async def test_the_engine_checks_the_sandbox_key(store: Store) -> None:
    engine = LateEngine(store, clock=FixedClock(START), api_key=SANDBOX_KEY)
    async with httpx.AsyncClient(
        transport=httpx.MockTransport(engine.handle), base_url="https://x.invalid"
    ) as raw:
        assert (await raw.get("/api/v1/profiles")).status_code == 401
        ok = await raw.get("/api/v1/profiles", headers={"Authorization": f"Bearer {SANDBOX_KEY}"})
        assert ok.json() == {"profiles": []}
