"""Alerts in Discord: real discord.py on the fake Discord (its per-channel bucket said in X-RateLimit
headers, 429s with retry_after), the real core on the fake Late."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.fakes.discord_server import ALERTS, FakeDiscord
from tests.test_discord_e2e import discord_on_core, told

LINK = 5  # Discord's button style for a link


async def alert_channel(fake: FakeDiscord) -> None:
    config = await fake.interact(fake.slash("config", {"key": "alert_channel", "value": f"<#{ALERTS}>"}, user="dana"))
    await told(fake, config, "Saved")


def alerts(fake: FakeDiscord) -> list[dict[str, Any]]:
    posts = [c for c in fake.channel_calls("POST", ALERTS) if c.response and c.response.get("embeds")]
    return [c.response for c in posts]


async def test_an_account_alert_in_discord_has_a_link_style_reconnect_button(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (h, fake, _bot):
        await alert_channel(fake)
        await h.late.engine.update_account((await h.late.engine.account_ids())["instagram"], token_valid=False)
        await h.core.monitor.poll()
        await h.core.alerts.flush()
        [alert] = [m for m in alerts(fake) if "needs reconnecting" in m["embeds"][0]["title"]]
        assert alert["embeds"][0]["title"] == "Instagram @demobrand needs reconnecting"
        reconnect, mute, at_risk = [b for row in alert["components"] for b in row["components"]]
        assert reconnect["style"] == LINK and reconnect["label"] == "Reconnect" and "custom_id" not in reconnect
        [connect] = h.late.calls("GET", "/v1/connect/instagram")
        assert reconnect["url"].startswith("https://connect.sandbox.latebot.invalid/instagram?profileId=")
        assert connect.query["profileId"] in reconnect["url"]
        account = (await h.late.engine.account_ids())["instagram"]
        assert (mute["label"], mute["custom_id"]) == ("Mute 24h", f"late:mute:{account}")
        assert (at_risk["label"], at_risk["custom_id"]) == ("Show posts at risk", f"late:at_risk:{account}")
        click = await fake.interact(fake.click(alert["id"], f"late:mute:{account}", user="bob"))
        assert "muted the alerts for Instagram @demobrand until" in await told(fake, click, "muted the alerts")
        assert await h.core.health_book.muted_until(account) is not None


async def test_two_hundred_alerts_with_429s_are_all_delivered_in_order_within_the_bucket(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (h, fake, _bot):
        await alert_channel(fake)
        fake.limit_messages(20, 0.25, every=25, retry_after=0.1)
        profile = await h.late.engine.seed_demo()
        for n in range(200):
            await h.late.engine.add_account(profile, "bluesky", f"acct{n:03}.bsky.social", token_valid=False)
        await h.core.monitor.poll()
        raised = [s.alert.title for s in await h.core.alerts.outbox.all()]
        assert len(raised) == 201  # and the demo's Threads account about to expire
        assert await h.core.alerts.flush() == 201
        attempts = [c for c in fake.calls if c.method == "POST" and c.path == f"/channels/{ALERTS}/messages"]
        assert sum(c.status == 429 for c in attempts) >= 8  # the injected ones; the bucket itself is kept
        assert [m["embeds"][0]["title"] for m in alerts(fake)] == raised
        assert {s.state for s in await h.core.alerts.outbox.all()} == {"sent"}
