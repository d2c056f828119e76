"""Alerts in Slack: signed requests into the running app, the real core on the fake Late, the alert
cards posted through the Web API to the fake Slack."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from adapters.slack.port import Pacer
from tests.fakes.slack_api import APPROVALS
from tests.harness import late_fixture
from tests.test_slack_app import SlackTest, buttons, slack_app, texts

ALERT_CHANNEL = "/late config alert_channel <#C0APPROVE|approvals>"


def alerts_in(t: SlackTest, channel: str = APPROVALS) -> list[dict[str, Any]]:
    return [m for m in t.fake.messages.get(channel, []) if m["blocks"] and m["blocks"][0]["type"] == "header"]


def blocks_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    """A Web API call's blocks (form-encoded calls carry them as a JSON string)."""
    blocks = body["blocks"]
    return json.loads(blocks) if isinstance(blocks, str) else list(blocks)


def action_elements(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in blocks_of(message) if b["type"] == "actions" for e in b["elements"]]


async def test_an_account_alert_in_slack_has_lates_connect_url_as_a_link_button(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as t:
        await t.command(ALERT_CHANNEL)
        assert "- alert_channel: #approvals" in t.ephemeral()[-1]
        await t.command('/late post "Soon" to x at "2026-12-01 09:00" tz UTC')
        await t.click("Approve", user="bob")
        late = t.h.late
        profile = await late.engine.seed_demo()
        await late.engine.update_account((await late.engine.account_ids())["twitter"], token_valid=False)
        auth = late_fixture("connect_url")
        late.fail("GET", "/v1/connect/twitter", 200, body=auth)  # Late's answer, as recorded

        await t.h.core.monitor.poll()
        await t.h.core.alerts.flush()

        [alert] = [m for m in alerts_in(t) if "needs reconnecting" in m["text"]]
        assert alert["text"] == ("X @demobrand needs reconnecting: Reconnecting it in Late fixes this; latebot says "
                                 "here when it is healthy again.")
        reconnect, mute, at_risk = action_elements(alert)
        assert reconnect["text"]["text"] == "Reconnect" and reconnect["url"] == auth["authUrl"]
        assert (mute["text"]["text"], mute["value"]) == ("Mute 24h", (await late.engine.account_ids())["twitter"])
        assert at_risk["text"]["text"] == "Show posts at risk"
        shown = texts(alert)
        assert "*Brand*\\nDemo Brand" in shown and "Token expired" in shown
        assert "1 scheduled post from latebot uses this account, the next on Tue 1 Dec 2026 09:00 UTC." in shown
        [connect] = late.calls("GET", "/v1/connect/twitter")
        assert connect.query == {"profileId": profile}

        # A link button still reaches the app: acked, and nothing else happens.
        before = len(t.fake.calls)
        assert (await t.send(t.fake.click(alert, "Reconnect", user="bob")))[:2] == (200, "")
        await t.bot.idle()
        assert [c.method for c in t.fake.calls[before:]] == []

        await t.click("Show posts at risk", user="bob", message=alert)
        [listing] = t.ephemeral("U0BOB")
        assert listing.startswith("Posts from latebot that use X @demobrand:\n- r1 [scheduled]")

        await t.click("Mute 24h", user="bob", message=alert)
        told = [m["text"] for m in t.fake.messages[APPROVALS] if "muted" in m.get("text", "")]
        assert told == ["bob muted the alerts for X @demobrand until Mon 23 Nov 2026 12:00 UTC."]
        assert await t.h.core.health_book.muted_until(mute["value"]) is not None


async def test_no_alert_channel_means_health_says_so_and_alerts_go_nowhere(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as t:
        await t.h.late.engine.update_account((await t.h.late.engine.account_ids())["linkedin"], token_valid=False)
        await t.command("/late health")
        answer = t.fake.called("chat.postEphemeral")[-1].body
        text = answer["text"]
        assert "- LinkedIn @demo-brand: needs action (Token expired)" in text
        assert "No alert channel is set for Demo Brand here" in text and "/late config alert_channel #ops" in text
        links = action_elements(answer)
        assert [e["text"]["text"] for e in links] == ["Reconnect LinkedIn @demo-brand"]
        assert links[0]["url"].startswith("https://connect.sandbox.latebot.invalid/linkedin?profileId=")
        await t.h.core.monitor.poll()
        assert await t.h.core.alerts.flush() == 0
        assert {s.state for s in await t.h.core.alerts.outbox.all()} == {"dropped"}
        await t.command(ALERT_CHANNEL)
        await t.command("/late health")
        assert "Alerts for Demo Brand go to #approvals." in t.fake.called("chat.postEphemeral")[-1].body["text"]


async def test_two_hundred_alerts_with_429s_are_all_delivered_in_order_and_paced(tmp_path: Path) -> None:
    rate, per = 20, 0.5
    async with slack_app(tmp_path, pacer=Pacer(rate=rate, per=per)) as t:
        await t.command(ALERT_CHANNEL)
        late = t.h.late
        profile = await late.engine.seed_demo()
        for n in range(200):
            await late.engine.add_account(profile, "bluesky", f"acct{n:03}.bsky.social", token_valid=False)
        t.fake.rate_limit_every("chat.postMessage", 40, retry_after=1)
        await t.h.core.monitor.poll()
        raised = [s.alert.title for s in await t.h.core.alerts.outbox.all()]
        assert len(raised) == 201  # the 200, and the demo's Threads account about to expire
        assert await t.h.core.alerts.flush() == 201

        attempts = [c for c in t.fake.calls if c.method == "chat.postMessage" and c.body.get("channel") == APPROVALS]
        accepted = [c for c in attempts if c.ok]
        assert sum(c.status == 429 for c in attempts) >= 5
        headers = [blocks_of(c.body)[0]["text"]["text"] for c in accepted]
        assert [h.split(" ", 1)[1] for h in headers] == raised  # after the tone's emoji, in the order raised
        times = [c.at for c in accepted]
        assert all(times[i + rate] - times[i] >= per - 0.02 for i in range(len(times) - rate))
        assert {s.state for s in await t.h.core.alerts.outbox.all()} == {"sent"}
        assert len(alerts_in(t)) == 201 and all(buttons(m)[:1] == ["Reconnect"] for m in alerts_in(t))
        assert time.monotonic() - attempts[0].at < 60
