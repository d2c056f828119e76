"""The account health monitor through the real core on the fake Late (health answers over HTTP),
alerts delivered to the console's alert channel; driven by an injected clock, never by sleeping."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import FixedClock, iso
from bot.errors import ConfigError
from bot.health import judge
from bot.healthbook import AccountState
from bot.settings import load_settings
from tests.fakes.late_server import FakeLate, Naps
from tests.harness import API_KEY, START, Harness, ScriptedConsole, core_harness

STEP = timedelta(minutes=15)


def entry(account_id: str, platform: str, username: str, profile_id: str, *, status: str = "healthy",
          can_post: bool = True, reconnect: bool = False, expires: datetime | None = None,
          issues: tuple[str, ...] = ()) -> dict[str, Any]:
    """One account of `GET /v1/accounts/health`, shaped like tests/fixtures/late/health_report.json."""
    return {"accountId": account_id, "platform": platform, "username": username, "displayName": "Demo Brand",
            "profileId": profile_id, "status": status, "canPost": can_post, "canFetchAnalytics": can_post,
            "tokenValid": not reconnect, "tokenExpiresAt": iso(expires) if expires else None,
            "needsReconnect": reconnect, "issues": list(issues)}


def report(*entries: dict[str, Any]) -> dict[str, Any]:
    summary = {"total": len(entries), "healthy": sum(e["status"] == "healthy" for e in entries),
               "warning": sum(e["status"] == "warning" for e in entries),
               "error": sum(e["status"] == "error" for e in entries),
               "needsReconnect": sum(e["needsReconnect"] for e in entries)}
    return {"summary": summary, "accounts": list(entries)}


@contextlib.asynccontextmanager
async def watched(tmp_path: Path, late: FakeLate, clock: FixedClock, **settings: Any
                  ) -> AsyncIterator[tuple[Harness, ScriptedConsole]]:
    """The core, its console, and #ops as the demo brand's alert channel."""
    await late.engine.seed_demo()
    async with core_harness(tmp_path, late=late, clock=clock, **settings) as h:
        console = h.console()
        await console.run("/late config alert_channel #ops")
        yield h, console


async def sent(h: Harness) -> list[str]:
    """The titles of the alerts delivered so far, in order."""
    return [s.alert.title for s in await h.core.alerts.outbox.all() if s.state == "sent"]


async def poll(h: Harness, clock: FixedClock) -> list[str]:
    """One poll and the delivery of what it raised; returns the titles delivered by it."""
    before = len(await sent(h))
    await h.core.monitor.poll()
    await h.core.alerts.flush()
    clock.advance(STEP)
    return (await sent(h))[before:]


async def test_six_polls_give_exactly_the_transitions_and_a_restart_repeats_none(tmp_path: Path) -> None:
    clock = FixedClock(START)
    async with FakeLate(api_key=API_KEY, clock=clock) as late:
        profile = await late.engine.seed_demo()
        ids = await late.engine.account_ids()
        x, li = ids["twitter"], ids["linkedin"]

        def a(**kw: Any) -> dict[str, Any]:
            return entry(x, "twitter", "demobrand", profile, expires=START + timedelta(days=60), **kw)

        def b(**kw: Any) -> dict[str, Any]:
            return entry(li, "linkedin", "demo-brand", profile, **kw)

        broken = {"status": "error", "can_post": False, "reconnect": True, "issues": ("Token expired",)}
        warning = {"status": "warning", "expires": START + timedelta(days=5), "issues": ("Token expires in 5 days",)}
        late.script("GET", "/v1/accounts/health", [
            report(a(), b(expires=START + timedelta(days=60))),
            report(a(**broken), b(expires=START + timedelta(days=60))),
            report(a(**broken), b(**warning)),
            report(a(**broken), b(**warning)),
            report(a(), b(**{**warning, "expires": START + timedelta(hours=14)})),
            report(a(), b(expires=START + timedelta(days=90))),
        ])
        async with watched(tmp_path, late, clock) as (h, console):
            assert await poll(h, clock) == []
            assert await poll(h, clock) == ["X @demobrand needs reconnecting"]
            await h.core.monitor.poll()  # raised, and the process stops before it is delivered
            clock.advance(STEP)
        async with watched(tmp_path, late, clock) as (h, console):
            await h.core.alerts.flush()
            assert (await sent(h))[1:] == ["LinkedIn @demo-brand: login expires within 7 days"]
            assert await poll(h, clock) == []  # the same states again, after the restart
            assert await poll(h, clock) == ["X @demobrand is healthy again",
                                            "LinkedIn @demo-brand: login expires within a day"]
            assert await poll(h, clock) == ["LinkedIn @demo-brand is healthy again"]
            assert len(late.calls("GET", "/v1/accounts/health")) == 6
            out = console.output
            assert out.count("X @demobrand needs reconnecting") == 0  # delivered by the first process
            assert "✓ X @demobrand (Demo Brand) is healthy again." in out
            assert out.count("LinkedIn @demo-brand: login expires within 7 days") == 1
            stored = await h.core.alerts.outbox.all()
            assert [s.alert.kind for s in stored] == ["account", "account", "recovered", "account", "recovered"]
            assert all(s.state == "sent" for s in stored)


async def test_three_failed_health_calls_make_one_alert_and_nothing_is_reported_healthy(tmp_path: Path) -> None:
    clock = FixedClock(START)
    async with FakeLate(api_key=API_KEY, clock=clock) as late, watched(tmp_path, late, clock) as (h, console):
        await late.engine.update_account((await late.engine.account_ids())["twitter"], token_valid=False)
        first = await poll(h, clock)
        assert "X @demobrand needs reconnecting" in first
        late.fail("GET", "/v1/accounts/health", 401, body={"error": "Unauthorized"}, times=5)
        failing = [await poll(h, clock) for _ in range(5)]
        reason = "Late refused latebot's API key (401); an admin must fix LATE_API_KEY"
        assert failing == [[], [], [f"Health check failing: {reason}"], [], []]
        assert await poll(h, clock) == ["Health check works again"]
        assert await poll(h, clock) == []
        assert "(Demo Brand) is healthy again." not in console.output  # no poll said so, so nobody was told
        assert "✓ The account health check works again." in console.output


async def test_each_expiry_warning_fires_once_then_the_expiry_itself(tmp_path: Path) -> None:
    clock = FixedClock(START)
    async with FakeLate(api_key=API_KEY, clock=clock) as late:
        profile = await late.engine.seed_demo()
        account = await late.engine.add_account(profile, "pinterest", "demopins", expires_in=timedelta(days=8))
        async with watched(tmp_path, late, clock) as (h, _console):
            titles: list[str] = []
            for _ in range(8):  # 8 days, in steps of a day
                titles += [t for t in await poll(h, clock) if "demopins" in t]
                clock.advance(timedelta(days=1) - STEP)
            assert titles == ["Pinterest @demopins: login expires within 7 days",
                              "Pinterest @demopins: login expires within a day"]
            clock.advance(timedelta(days=1))
            assert [t for t in await poll(h, clock) if "demopins" in t] == ["Pinterest @demopins needs reconnecting"]
            state = await h.core.health_book.state(account)
            assert state is not None and state.warned_days == 1


async def test_a_muted_account_stays_quiet_until_the_mute_ends(tmp_path: Path) -> None:
    clock = FixedClock(START)
    async with FakeLate(api_key=API_KEY, clock=clock) as late, watched(tmp_path, late, clock) as (h, console):
        x = (await late.engine.account_ids())["twitter"]
        assert await poll(h, clock) == ["Threads @demobrand: login expires within 7 days"]  # the demo's own
        await late.engine.update_account(x, token_valid=False)
        assert await poll(h, clock) == ["X @demobrand needs reconnecting"]
        out = await console.run(":as bob", ":click Mute 24h")
        assert "bob muted the alerts for X @demobrand until Mon 23 Nov 2026 12:30 UTC." in out
        await late.engine.update_account(x, token_valid=True)
        assert await poll(h, clock) == []  # healthy again: held
        await late.engine.update_account(x, token_valid=False)
        assert await poll(h, clock) == []  # broken again: held
        assert [s.state for s in await h.core.alerts.outbox.all() if s.alert.account_id == x][-2:] == ["held"] * 2
        clock.advance(timedelta(hours=24))
        assert await poll(h, clock) == ["X @demobrand needs reconnecting"]
        [still] = [s for s in await h.core.alerts.outbox.all() if s.alert.key.startswith("unmuted:")]
        assert still.alert.text.startswith("Still not fixed now that the mute has ended.")
        assert await poll(h, clock) == []


async def test_the_monitor_runs_on_its_interval_with_jitter_by_the_injected_clock(tmp_path: Path) -> None:
    clock = FixedClock(START)
    naps = Naps(clock)
    five = asyncio.Event()

    async def sleep(seconds: float) -> None:
        await naps(seconds)
        if len(naps.calls) >= 5:
            five.set()
            await asyncio.Event().wait()  # the monitor stays asleep until cancelled

    async with FakeLate(api_key=API_KEY, clock=clock) as late:
        await late.engine.seed_demo()
        async with core_harness(tmp_path, late=late, clock=clock, LATEBOT_HEALTH_INTERVAL=1) as h:
            h.core.monitor.sleep = sleep
            task = asyncio.create_task(h.core.monitor.run())
            try:
                await asyncio.wait_for(five.wait(), 10)
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            assert len(late.calls("GET", "/v1/accounts/health")) >= 5
            assert all(1.0 <= wait <= 1.1 for wait in naps.calls)
            assert len(set(naps.calls)) > 1  # jittered, not in lockstep
            h.core.monitor.interval = 900
            waits = [h.core.monitor.next_wait() for _ in range(50)]
            assert all(810 <= w <= 990 for w in waits)


def test_identical_states_judge_to_nothing_and_a_new_token_rearms_its_warnings() -> None:
    now = START
    base = AccountState(account_id="a", platform="twitter", seen_at=now, token_expires_at=now + timedelta(days=3))
    first, change = judge(None, base, now)
    assert change is not None and change.expiry == 7
    again, change = judge(first, base, now + STEP)
    assert change is None and again.warned_days == 7
    renewed = base.model_copy(update={"token_expires_at": now + timedelta(days=5)})
    _, change = judge(again, renewed, now + STEP)
    assert change is not None and change.expiry == 7


polls = st.lists(st.tuples(
    st.sampled_from(["healthy", "warning", "error"]), st.booleans(), st.booleans(),
    st.sampled_from([None, 2, 20, 100, 200, 400]),  # the token's expiry, in hours after the start
    st.sampled_from([0, 1, 6, 30]),  # hours since the previous poll
), max_size=30)


@settings(max_examples=300, deadline=None)
@given(polls)
def test_alerts_follow_transitions_only_and_each_expiry_warning_fires_once_per_token(steps: list[Any]) -> None:
    old: AccountState | None = None
    now = START
    warned: dict[tuple[datetime | None, int], int] = {}
    for status, can_post, reconnect, expiry, hours in steps:
        now += timedelta(hours=hours)
        expires = START + timedelta(hours=expiry) if expiry is not None else None
        new = AccountState(account_id="a", platform="x", status=status, can_post=can_post,
                           needs_reconnect=reconnect, token_expires_at=expires, seen_at=now)
        before = old.problems if old else set()
        stored, change = judge(old, new, now)
        assert stored.problems == new.problems
        if change is None:
            assert not (new.problems - before)
        else:
            assert change.gained == frozenset(new.problems - before)
            assert change.recovered == (bool(before) and not new.problems and not change.gained and not change.expiry)
            if change.expiry:
                warned[(expires, change.expiry)] = warned.get((expires, change.expiry), 0) + 1
        again, repeat = judge(stored, new.model_copy(update={"seen_at": now}), now)
        assert repeat is None and again.warned_days == stored.warned_days  # the same poll again says nothing
        old = stored
    # One warning per threshold and token, however often it is polled (a token that comes back after
    # another one was seen starts over, as a new token would).
    tokens = [s[3] for s in steps]
    changes_of_token = sum(1 for a, b in itertools.pairwise(tokens) if a != b) + 1
    assert all(n <= changes_of_token for n in warned.values())


def test_the_interval_may_be_as_short_as_a_second(tmp_path: Path) -> None:
    assert load_settings(_env_file=None, LATEBOT_HEALTH_INTERVAL=1).LATEBOT_HEALTH_INTERVAL == 1
    with pytest.raises(ConfigError, match="LATEBOT_HEALTH_INTERVAL"):
        load_settings(_env_file=None, LATEBOT_HEALTH_INTERVAL=0)
