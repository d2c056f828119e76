"""Publish follow-ups, retries and the health commands through the console on the real core and the
fake Late: every post latebot made is followed until Late is done with it."""

from __future__ import annotations

import contextlib
import io
from collections.abc import AsyncIterator
from contextlib import redirect_stdout
from datetime import timedelta
from pathlib import Path
from typing import Any

from adapters import cli
from bot.clock import FixedClock
from tests.fakes.late_server import FakeLate
from tests.harness import API_KEY, START, Harness, ScriptedConsole, core_harness, late_fixture

GONE = "Deleted on Late: the post is no longer there, so latebot stopped following it."


@contextlib.asynccontextmanager
async def console_core(tmp_path: Path, **settings: Any) -> AsyncIterator[tuple[Harness, ScriptedConsole, FixedClock]]:
    clock = FixedClock(START)
    async with FakeLate(api_key=API_KEY, clock=clock) as late:
        await late.engine.seed_demo()
        async with core_harness(tmp_path, late=late, clock=clock, **settings) as h:
            console = h.console()
            await console.run("/late config alert_channel #ops")
            yield h, console, clock


def card(console: ScriptedConsole, n: int = 1) -> Any:
    return console.session.chat.cards[f"c{n}"]


def fields(c: Any) -> dict[str, str]:
    return {f.title: f.value for f in c.fields}


async def later(h: Harness, clock: FixedClock, delta: timedelta) -> None:
    """Time passes: Late's scheduler runs, then latebot's."""
    clock.advance(delta)
    await h.late.engine.tick()
    await h.core.scheduler.tick()
    await h.core.alerts.flush()


async def test_a_publish_now_post_late_answers_with_publishing_ends_published_on_the_card(tmp_path: Path) -> None:
    async with console_core(tmp_path) as (h, console, clock):
        h.late.engine.publish_delay = timedelta(minutes=2)
        await console.run('/late post "Right now" to twitter,linkedin now', ":as bob", ":click Approve")
        [created] = h.late.calls("POST", "/v1/posts")
        assert created.json["publishNow"] is True
        request = await h.core.approvals.get("r1")
        # Late is publishing it: not settled yet, and followed until it is (reconcile, by the post's id).
        assert request.state == "publishing" and request.late_post_id
        assert fields(card(console))["Result"] == ("Late is publishing it now; this card shows the result when "
                                                   "it is done.")
        await later(h, clock, timedelta(seconds=30))  # still publishing: nothing to say
        assert (await h.core.approvals.get("r1")).state == "publishing"
        assert "(thread c1) @alice" not in console.output
        await later(h, clock, timedelta(minutes=2))
        done = card(console)
        assert done.title == "Published" and fields(done)["Result"] == "Published."
        assert fields(done)["X @demobrand"].startswith("https://x.com/demobrand/status/")
        assert fields(done)["LinkedIn @demo-brand"].startswith("https://www.linkedin.com/")
        assert "(thread c1) @alice Your post r1 was approved by bob: Published." in console.output
        gets = len(h.late.calls("GET", "/v1/posts/*"))
        await later(h, clock, timedelta(hours=1))
        assert len(h.late.calls("GET", "/v1/posts/*")) == gets  # followed no more


async def test_a_post_still_not_published_ten_minutes_after_its_time_raises_one_alert(tmp_path: Path) -> None:
    async with console_core(tmp_path) as (h, console, clock):
        await console.run('/late post "On time?" to twitter at "2026-11-22 13:00" tz UTC', ":as bob", ":click Approve")
        clock.set(START + timedelta(hours=1))
        for _ in range(12):  # Late's scheduler is stuck: only latebot's runs
            clock.advance(timedelta(minutes=2))
            await h.core.scheduler.tick()
            await h.core.alerts.flush()
        late = [s for s in await h.core.alerts.outbox.all() if s.alert.kind == "post_late"]
        assert [s.alert.title for s in late] == ["Post r1 is late"]
        assert "It was due Sun 22 Nov 2026 13:00 UTC and is still not published at" in late[0].alert.text
        checks = len(h.late.calls("GET", "/v1/posts/*"))
        assert 3 <= checks < 12  # backing off, not asking every tick
        assert console.output.count("Post r1 is late") == 1


async def test_a_post_deleted_on_late_ends_its_follow_up_and_the_card_says_so(tmp_path: Path) -> None:
    async with console_core(tmp_path) as (h, console, clock):
        await console.run('/late post "Soon gone" to twitter at "2026-11-22 13:00" tz UTC', ":as bob", ":click Approve")
        post_id = (await h.core.approvals.get("r1")).late_post_id
        await h.late.engine.store.write(lambda tx: tx.execute("DELETE FROM sandbox_posts WHERE id = ?", [post_id]))
        clock.set(START + timedelta(hours=1, minutes=1))
        await h.core.scheduler.tick()
        gone = card(console)
        assert gone.title == "Cancelled"
        assert fields(gone)["Result"] == GONE
        assert fields(gone)["Approved by"].startswith("bob")
        asked = len(h.late.calls("GET", f"/v1/posts/{post_id}"))
        await later(h, clock, timedelta(hours=2))
        assert len(h.late.calls("GET", f"/v1/posts/{post_id}")) == asked == 1


async def test_a_post_cancelled_on_late_is_shown_cancelled(tmp_path: Path) -> None:
    async with console_core(tmp_path) as (h, console, clock):
        await console.run('/late post "Maybe" to twitter at "2026-11-22 13:00" tz UTC', ":as bob", ":click Approve")
        post_id = (await h.core.approvals.get("r1")).late_post_id
        cancelled = late_fixture("post_cancelled")
        cancelled["post"]["_id"] = post_id
        h.late.fail("GET", f"/v1/posts/{post_id}", 200, body=cancelled)
        clock.set(START + timedelta(hours=1, minutes=1))
        await h.core.scheduler.tick()
        assert card(console).title == "Cancelled"
        assert fields(card(console))["Result"].startswith("Cancelled on Late")
        assert (await h.core.approvals.get("r1")).state == "cancelled"


async def test_a_partial_post_retries_only_the_failed_platform_under_the_approval_given(tmp_path: Path) -> None:
    async with console_core(tmp_path) as (h, console, clock):
        ids = await h.late.engine.account_ids()
        await console.run('/late post "Half way" to twitter,linkedin at "2026-11-22 13:00" tz UTC', ":as bob",
                          ":click Approve")
        # LinkedIn's login expires after Late took the post (Late refuses a disconnected account at once).
        await h.late.engine.update_account(ids["linkedin"], token_valid=False)
        await later(h, clock, timedelta(hours=1, minutes=1))
        partial = card(console)
        assert partial.title == "Partly published" and [b.label for b in partial.buttons] == ["Retry"]
        why = fields(partial)["LinkedIn @demo-brand failed"]
        assert why == ("Token expired; reconnect the account in Late (the account's login expired or was revoked: "
                       "reconnect it in Late)")
        [alert] = [s.alert for s in await h.core.alerts.outbox.all() if s.alert.kind == "post_failed"]
        assert alert.title == "Post r1 was published only in part" and alert.retry
        assert "Retry sends only the failed platforms again" in alert.text
        out = await console.run("/late queue failed")
        assert "- r1 [partial] Half way" in out and "LinkedIn @demo-brand: Token expired" in out

        await h.late.engine.update_account(ids["linkedin"], token_valid=True)
        await console.run(":as bob", ":click Retry")
        first, again = h.late.calls("POST", "/v1/posts")
        assert [p["platform"] for p in again.json["platforms"]] == ["linkedin"]
        assert again.headers["idempotency-key"] == "latebot-r1-r1-retry1" and again.json["publishNow"] is True
        assert again.json["metadata"]["latebotRequestId"] == "r1"
        assert [p["platform"] for p in first.json["platforms"]] == ["twitter", "linkedin"]
        done = card(console)
        assert done.title == "Published" and done.buttons == []
        assert fields(done)["X @demobrand"].startswith("https://x.com/") and "LinkedIn @demo-brand" in fields(done)
        result = fields(done)["Result"]
        assert "sent again as Late post" in result and "under the approval bob gave" in result
        posts = await h.late.engine.posts()
        on_x = [p for p in posts if any(e["platform"] == "twitter" for e in p["platforms"])]
        assert len(posts) == 2 and len(on_x) == 1  # never a second post where it was published
        out = await console.run(":click Retry")
        assert "Only a failed post can be retried; r1: it was approved and published." in out


async def test_request_time_warnings_for_an_account_latebot_saw_broken(tmp_path: Path) -> None:
    async with console_core(tmp_path) as (h, console, _clock):
        await h.late.engine.update_account((await h.late.engine.account_ids())["linkedin"], token_valid=False)
        await h.core.monitor.poll()
        out = await console.run('/late post "Read this" to linkedin,threads at "2026-11-30 09:00" tz UTC')
        assert "Careful: LinkedIn @demo-brand needs reconnecting: this post would fail." in out
        assert "Careful: Threads @demobrand's login expires Wed 25 Nov 2026 12:00 UTC, before this post goes out" in out
        notes = next(c for c in console.session.chat.cards.values() if c.title == "Post awaiting approval").notes
        assert "LinkedIn @demo-brand needs reconnecting: this post would fail." in notes


async def test_connect_and_health_in_chat(tmp_path: Path) -> None:
    async with console_core(tmp_path) as (h, console, _clock):
        out = await console.run("/late connect x")
        profile = await h.late.engine.seed_demo()
        assert "Connect a X account to Demo Brand (only you see this link):" in out
        assert f"https://connect.sandbox.latebot.invalid/twitter?profileId={profile}&state=" in out
        assert "“myspace” is not a platform Late connects." in await console.run("/late connect myspace")
        await h.late.engine.update_account((await h.late.engine.account_ids())["bluesky"], token_valid=False)
        out = await console.run("/late health")
        assert "- Bluesky @demobrand.bsky.social: needs action (Token expired)" in out
        assert "[Reconnect Bluesky @demobrand.bsky.social ↗ https://connect.sandbox.latebot.invalid/bluesky?" in out
        assert "Alerts for Demo Brand go to #ops." in out


async def test_latebot_health_prints_the_table_with_links_and_exits_1(tmp_path: Path) -> None:
    async with console_core(tmp_path) as (h, _console, _clock):
        buffer = io.StringIO()
        with redirect_stdout(buffer):
            assert await cli.health(h.core) == 0
        assert ["threads", "@demobrand", "warning", "Token", "expires", "in", "3", "days"] in [
            line.split() for line in buffer.getvalue().splitlines()]
        assert "reconnect" not in buffer.getvalue()
        await h.late.engine.update_account((await h.late.engine.account_ids())["instagram"], token_valid=False)
        buffer = io.StringIO()
        with redirect_stdout(buffer):
            assert await cli.health(h.core) == 1
        lines = buffer.getvalue().splitlines()
        assert lines[0].split() == ["platform", "account", "status", "issues"]
        assert any(line.split()[:3] == ["instagram", "@demobrand", "needs"] for line in lines)
        assert lines[-1].startswith("reconnect Instagram @demobrand: https://connect.sandbox.latebot.invalid/")


async def test_latebot_webhooks_shows_and_registers_the_subscription(tmp_path: Path) -> None:
    url = "https://bot.example.com/late/webhooks"
    async with console_core(tmp_path, LATE_WEBHOOK_SECRET="whsec_test_only") as (h, _console, _clock):
        buffer = io.StringIO()
        with redirect_stdout(buffer):
            assert await cli.webhooks(h.core, url, register=False) == 1
            assert await cli.webhooks(h.core, url, register=True) == 0
            assert await cli.webhooks(h.core, url, register=False) == 0
            assert await cli.webhooks(h.core, url, register=True) == 0  # completes it, no second one
        out = buffer.getvalue().splitlines()
        assert out[0].startswith(f"No Late webhook points at {url}.")
        assert out[1].startswith("Registered the Late webhook") and out[3].startswith("Updated the Late webhook")
        assert out[2].endswith(f"-> {url} (active, 0 failures)")
        [created] = h.late.calls("POST", "/v1/webhooks/settings")
        assert created.json["secret"] == "whsec_test_only" and created.json["url"] == url
        assert "post.published" in created.json["events"] and "account.disconnected" in created.json["events"]
        assert len(await h.core.late.webhooks()) == 1
