"""`latebot run` as adapters/cli.py wires it (`services`): HTTP with Late's webhooks, Slack and Discord,
the scheduler, the health monitor and the alerts, under the runtime; one brand watched from Slack and
from Discord gets each alert in both."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from adapters.cli import services
from adapters.http import HttpServer
from bot.messages import Actor
from tests.fakes.discord_server import ALERTS, GUILD_ID, FakeDiscord
from tests.fakes.slack_api import APPROVALS, TEAM, FakeSlack
from tests.harness import core_harness, running
from tests.test_slack_app import slack_values


async def test_latebot_run_polls_health_and_alerts_every_chat_that_watches_the_brand(tmp_path: Path) -> None:
    async with FakeSlack() as slack, FakeDiscord() as discord:
        settings = {**slack_values(slack), "DISCORD_TOKEN": discord.token, "DISCORD_API_BASE": discord.api_base,
                    "LATE_WEBHOOK_SECRET": "whsec_test_only", "LATEBOT_HEALTH_INTERVAL": 1}
        async with core_harness(tmp_path, **settings) as h:
            profile = await h.late.engine.seed_demo()
            brand = await h.core.brands.get(profile)
            channels = {f"slack:{TEAM}": APPROVALS, f"discord:{GUILD_ID}": ALERTS}
            await h.core.brands.save(brand.model_copy(update={"alert_channels": channels}),
                                     Actor(id="admin", name="admin", is_admin=True), {"alert_channel": "both"})
            await h.late.engine.update_account((await h.late.engine.account_ids())["instagram"], token_valid=False)

            started = services(h.core, "run", 0, None, host="127.0.0.1")
            assert [s.name for s in started] == ["prepare", "http", "slack", "discord", "scheduler", "health", "alerts"]
            http = next(s for s in started if s.name == "http")
            assert isinstance(http, HttpServer)

            def delivered() -> bool:
                in_slack = any("Instagram @demobrand needs reconnecting" in m.get("text", "")
                               for m in slack.messages.get(APPROVALS, []))
                titles = [m["embeds"][0]["title"] for m in discord.messages.values()
                          if m["channel_id"] == ALERTS and m["embeds"]]
                in_discord = "Instagram @demobrand needs reconnecting" in titles
                return in_slack and in_discord and http.status.get("discord") == "gateway"

            async with running(started, delivered, within=20):
                # One connect URL for the alert, shown in both chats.
                assert len(h.late.calls("GET", "/v1/connect/instagram")) == 1
                async with aiohttp.ClientSession() as session:
                    async with session.get(f"{http.url}/healthz") as resp:
                        assert await resp.json() == {"ok": True, "slack": "http", "discord": "gateway"}
                    async with session.post(f"{http.url}/late/webhooks", data=b"{}") as resp:
                        assert resp.status == 401  # wired, and signatures are checked
