"""Late webhooks into `POST /late/webhooks` over real HTTP, signed as Late signs them, with the Slack
adapter on the same server (as `latebot slack` serves it), the real core on the fake Late."""

from __future__ import annotations

import contextlib
import copy
import hashlib
import hmac
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp

from adapters.http import HttpServer
from adapters.slack.app import running_slack
from adapters.slack.port import Pacer
from bot.clock import FixedClock
from tests.fakes.slack_api import APPROVALS, FakeSlack
from tests.harness import core_harness, late_fixture
from tests.test_alerts_slack import ALERT_CHANNEL, action_elements, alerts_in
from tests.test_slack_app import SlackTest, buttons, slack_values, texts

SECRET = "whsec_test_only"




def sign(body: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class Hooked:
    t: SlackTest

    async def deliver(self, body: bytes | dict[str, Any], *, signature: str | None = None,
                      header: str = "X-Zernio-Signature") -> tuple[int, dict[str, Any]]:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = {}
        headers = {"Content-Type": "application/json", "X-Zernio-Event": str(payload.get("event")),
                   "X-Zernio-Event-Id": str(payload.get("id")), header: signature or sign(raw)}
        async with self.t.http.post(f"{self.t.url}/late/webhooks", data=raw, headers=headers) as resp:
            answer = await resp.json()
        await self.t.bot.idle()
        return resp.status, answer

    async def post_event(self, event: str, request_id: str) -> dict[str, Any]:
        """A `post.*` delivery shaped like the fixture, about the request's post as the fake Late has it."""
        request = await self.t.h.core.approvals.get(request_id)
        assert request.late_post_id is not None
        post = await self.t.h.late.engine.post(request.late_post_id)
        assert post is not None
        name = "webhook_post_published" if event == "post.published" else f"webhook_{event.replace('.', '_')}"
        payload = copy.deepcopy(late_fixture(name))
        payload["id"] = str(uuid.uuid4())
        payload["post"].update(id=post["_id"], content=post["content"], status=post["status"],
                               metadata=post.get("metadata"), scheduledFor=post.get("scheduledFor"))
        payload["post"]["platforms"] = [
            {"platform": e["platform"], "status": e["status"], "accountId": e["accountId"]["_id"],
             **({"platformPostId": e["platformPostId"], "publishedUrl": e["platformPostUrl"]}
                if e.get("platformPostUrl") else {}),
             **({"error": e["errorMessage"], "errorCategory": e.get("errorCategory")} if e.get("errorMessage") else {})}
            for e in post["platforms"]
        ]
        return payload


@contextlib.asynccontextmanager
async def hooked(tmp_path: Path, **settings: Any) -> AsyncIterator[Hooked]:
    values: dict[str, Any] = {"LATE_WEBHOOK_SECRET": SECRET, **settings}
    async with contextlib.AsyncExitStack() as stack:
        fake = await stack.enter_async_context(FakeSlack())
        h = await stack.enter_async_context(core_harness(tmp_path, **slack_values(fake, **values)))
        http = HttpServer(host="127.0.0.1", port=0, webhooks=h.core.webhooks.handle)
        url = await stack.enter_async_context(http.serving())
        bot, _ = await stack.enter_async_context(running_slack(h.settings, h.router, http=http, pacer=Pacer(rate=0)))
        session = await stack.enter_async_context(aiohttp.ClientSession())
        yield Hooked(SlackTest(fake, bot, url, session, h))


async def scheduled_and_due(w: Hooked, text: str, to: str) -> None:
    """A post approved for an hour from now, and the clock an hour on: Late's scheduler publishes it."""
    t = w.t
    await t.command(f'/late post "{text}" to {to} at "2026-11-22 13:00" tz UTC')
    await t.click("Approve", user="bob")
    assert isinstance(t.h.clock, FixedClock)
    t.h.clock.advance(timedelta(hours=1))
    await t.h.late.engine.tick()


def updates_of(t: SlackTest, card: dict[str, Any]) -> int:
    return sum(c.method == "chat.update" and c.body.get("ts") == card["ts"] for c in t.fake.calls)


async def test_post_published_delivered_three_times_is_handled_once_with_its_permalinks(tmp_path: Path) -> None:
    async with hooked(tmp_path) as w:
        t = w.t
        await scheduled_and_due(w, "Launch day", "twitter,linkedin")
        card = t.card()
        before, thread_before = updates_of(t, card), len(t.thread(card))
        payload = await w.post_event("post.published", "r1")
        answers = [await w.deliver(payload) for _ in range(3)]
        assert answers[0] == (200, {"ok": True, "ours": True, "request": "r1", "final": True})
        assert answers[1:] == [(200, {"ok": True, "duplicate": True})] * 2
        assert updates_of(t, card) == before + 1
        card = t.card()
        assert "Published" in card["blocks"][0]["text"]["text"]
        urls = [e["publishedUrl"] for e in payload["post"]["platforms"]]
        assert all(url in texts(card) for url in urls) and len(urls) == 2
        [told] = t.thread(card)[thread_before:]
        assert told["text"].startswith("<@U0ALICE> Your post r1 was approved by bob: Published.")
        assert all(url in told["text"] for url in urls)
        # The follow-up poll finds nothing more to say, and nor does the same news under a new event id.
        await t.h.core.scheduler.tick()
        assert (await w.deliver({**payload, "id": str(uuid.uuid4())}))[0] == 200
        assert updates_of(t, card) == before + 1 and len(t.thread(card)) == thread_before + 1
        assert await t.h.core.webhooks.events.count() == 2


async def test_a_publish_now_post_late_is_still_publishing_is_settled_by_its_webhook(tmp_path: Path) -> None:
    async with hooked(tmp_path) as w:
        t = w.t
        t.h.late.engine.publish_delay = timedelta(minutes=2)  # Late answers 207 `publishing`
        await t.command('/late post "Right now" to twitter now')
        await t.click("Approve", user="bob")
        request = await t.h.core.approvals.get("r1")
        assert request.state == "publishing" and request.late_post_id
        assert isinstance(t.h.clock, FixedClock)
        t.h.clock.advance(timedelta(minutes=2))
        await t.h.late.engine.tick()  # Late finishes; its webhook arrives before any poll
        assert (await w.deliver(await w.post_event("post.published", "r1")))[0] == 200
        assert (await t.h.core.approvals.get("r1")).state == "published"
        assert "Published" in t.card()["blocks"][0]["text"]["text"]


async def test_a_signature_off_by_one_byte_gets_401_and_changes_nothing(tmp_path: Path) -> None:
    async with hooked(tmp_path) as w:
        t = w.t
        await scheduled_and_due(w, "Launch day", "twitter")
        raw = json.dumps(await w.post_event("post.published", "r1")).encode()
        one_byte = raw.replace(b"Launch day", b"Launch dax", 1)
        assert len(one_byte) == len(raw) and sum(a != b for a, b in zip(raw, one_byte, strict=True)) == 1
        refused = (401, {"ok": False, "error": "missing or wrong signature"})
        for body, signature in [(one_byte, sign(raw)), (raw, sign(raw, "wrong")), (raw, sign(one_byte))]:
            assert await w.deliver(body, signature=signature) == refused
        unsigned = {"Content-Type": "application/json"}
        async with t.http.post(f"{t.url}/late/webhooks", data=raw, headers=unsigned) as resp:
            assert resp.status == 401
        assert (await t.h.core.approvals.get("r1")).state == "scheduled"
        assert await t.h.core.webhooks.events.count() == 0
        # Late's older header, with the right signature, is taken.
        assert (await w.deliver(raw, header="X-Late-Signature"))[0] == 200
        assert (await t.h.core.approvals.get("r1")).state == "published"


async def test_unknown_events_and_posts_latebot_did_not_make_get_200_and_change_nothing(tmp_path: Path) -> None:
    async with hooked(tmp_path) as w:
        assert await w.deliver(late_fixture("webhook_test")) == (200, {"ok": True, "ignored": "webhook.test"})
        recycled = {**late_fixture("webhook_post_published"), "event": "post.recycled"}
        assert await w.deliver(recycled) == (200, {"ok": True, "ignored": "post.recycled"})
        # The fixture's post (and its metadata's request id) is nothing latebot made.
        assert await w.deliver(late_fixture("webhook_post_published")) == (200, {"ok": True, "ours": False})
        assert await w.deliver(b"not json") == (400, {"ok": False, "error": "the body is not JSON"})
        assert [c.method for c in w.t.fake.calls if c.method.startswith("chat.")] == []


async def test_without_the_secret_the_route_answers_501_naming_the_setting(tmp_path: Path) -> None:
    async with hooked(tmp_path, LATE_WEBHOOK_SECRET=None) as w:
        status, answer = await w.deliver(late_fixture("webhook_post_published"))
        assert status == 501 and "LATE_WEBHOOK_SECRET" in str(answer["error"])


async def test_post_failed_raises_the_alert_with_retry_and_retry_publishes_it(tmp_path: Path) -> None:
    async with hooked(tmp_path) as w:
        t = w.t
        await t.command(ALERT_CHANNEL)
        linkedin = (await t.h.late.engine.account_ids())["linkedin"]
        await t.command('/late post "Big news" to linkedin at "2026-11-22 13:00" tz UTC')
        await t.click("Approve", user="bob")
        await t.h.late.engine.update_account(linkedin, token_valid=False)
        assert isinstance(t.h.clock, FixedClock)
        t.h.clock.advance(timedelta(hours=1))
        await t.h.late.engine.tick()
        assert (await w.deliver(await w.post_event("post.failed", "r1")))[0] == 200
        await t.h.core.alerts.flush()
        card = t.card()
        assert "Failed" in card["blocks"][0]["text"]["text"] and buttons(card) == ["Retry"]
        assert "the account's login expired or was revoked: reconnect it in Late" in texts(card)
        [alert] = [m for m in alerts_in(t) if m["text"].startswith("Post r1 failed")]
        assert [e["text"]["text"] for e in action_elements(alert)] == ["Retry"]
        assert "*LinkedIn @demo-brand failed*" in texts(alert)

        await t.h.late.engine.update_account(linkedin, token_valid=True)
        await t.click("Retry", user="carol", message=alert)
        assert t.ephemeral("U0CAROL") == [
            "Only the requester, whoever approved it, an approver or an admin can retry this post."]
        await t.click("Retry", user="bob", message=alert)
        assert [c.path for c in t.h.late.calls("POST")][-1].endswith("/retry")
        assert "Published" in t.card()["blocks"][0]["text"]["text"]
        assert (await t.h.core.approvals.get("r1")).state == "published"


async def test_account_disconnected_raises_the_account_alert_before_any_poll(tmp_path: Path) -> None:
    async with hooked(tmp_path) as w:
        t = w.t
        await t.command(ALERT_CHANNEL)
        late = t.h.late
        profile, instagram = await late.engine.seed_demo(), (await late.engine.account_ids())["instagram"]
        event = late_fixture("webhook_account_disconnected")
        event["account"].update(accountId=instagram, profileId=profile, username="demobrand")
        assert await w.deliver(event) == (200, {"ok": True, "account": instagram})
        await t.h.core.alerts.flush()
        assert late.calls("GET", "/v1/accounts/health") == []
        [alert] = alerts_in(t)
        assert alert["text"].startswith("Instagram @demobrand needs reconnecting")
        assert "Token expired" in texts(alert) and action_elements(alert)[0]["text"]["text"] == "Reconnect"
        # The next poll sees what the webhook said: nothing new to tell.
        await late.engine.update_account(instagram, token_valid=False)
        await t.h.core.monitor.poll()
        await t.h.core.alerts.flush()
        assert [m["text"].split(":")[0] for m in alerts_in(t)] == [
            "Instagram @demobrand needs reconnecting", "Threads @demobrand"]
        await late.engine.update_account(instagram, token_valid=True)
        connected = late_fixture("webhook_account_connected")
        connected["account"].update(accountId=instagram, profileId=profile, username="demobrand")
        assert (await w.deliver(connected))[0] == 200
        await t.h.core.alerts.flush()
        assert t.fake.messages[APPROVALS][-1]["text"] == "✓ Instagram @demobrand (Demo Brand) is healthy again."
