"""The approval gate through the chats' real boundaries: real discord.py on the fake gateway, signed
Slack requests into the app, both on one core (issue 9)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from adapters.discord.service import running_bot
from tests.fakes.discord_server import USERS, FakeDiscord
from tests.harness import Harness
from tests.test_discord_e2e import POST, card_posted, discord_on_core, told
from tests.test_slack_app import SlackTest, slack_app


async def discord_config(fake: FakeDiscord, key: str, value: str, user: str = "dana") -> dict[str, Any]:
    return await fake.interact(fake.slash("config", {"key": key, "value": value}, user=user))


async def test_a_discord_nickname_equal_to_an_approvers_id_or_name_does_not_approve(tmp_path: Path) -> None:
    async with discord_on_core(tmp_path) as (h, fake, _bot):
        await told(fake, await discord_config(fake, "approvers", f"<@{USERS['bob']}>"), "Saved.")
        await fake.interact(fake.slash("post", POST, user="alice"))
        card = await card_posted(fake)
        for nick in (USERS["bob"], "bob", "@bob", f"<@{USERS['bob']}>"):
            click = fake.click(card["id"], "late:approve:r1:1", user="carol")
            click["member"]["nick"] = nick  # a nickname is the member's to choose
            sent = await fake.interact(click)
            await told(fake, sent, "Only the brand's approvers")
        assert not h.late.calls("POST", "/v1/posts")
        await fake.interact(fake.click(card["id"], "late:approve:r1:1", user="bob"))
        await fake.wait_until(lambda: bool(h.late.calls("POST", "/v1/posts")))
        rows = await h.store.query("SELECT action, actor_id FROM audit WHERE request_id = 'r1' ORDER BY id")
        assert [(r["action"], r["actor_id"]) for r in rows][:2] == [
            ("submit", USERS["alice"]), ("approve", USERS["bob"])]


@contextlib.asynccontextmanager
async def both_chats(tmp_path: Path) -> AsyncIterator[tuple[SlackTest, FakeDiscord, Harness]]:
    """The Slack app and the Discord bot on one core, as `latebot run` runs them."""
    async with contextlib.AsyncExitStack() as stack:
        t = await stack.enter_async_context(slack_app(tmp_path))
        fake = await stack.enter_async_context(FakeDiscord())
        settings = t.h.settings.model_copy(
            update={"DISCORD_TOKEN": SecretStr(fake.token), "DISCORD_API_BASE": fake.api_base})
        await stack.enter_async_context(running_bot(settings, t.h.router, guild_ready_timeout=0.05))
        yield t, fake, t.h


async def test_a_slack_request_cannot_be_decided_from_discord(tmp_path: Path) -> None:
    async with both_chats(tmp_path) as (t, fake, h):
        await t.command('/late post "From Slack" to x tomorrow 9am', user="alice")
        assert (await h.core.approvals.get("r1")).chat == "slack"
        await fake.interact(fake.slash("post", POST, user="alice"))
        discord_card = await card_posted(fake)
        # A button on a Discord card, forged to carry the Slack request's reference.
        forged = fake.click(discord_card["id"], "late:approve:r1:1", user="bob")
        for row in forged["message"]["components"]:
            for button in row["components"]:
                button["custom_id"] = button["custom_id"].replace("r2:1", "r1:1")
        click = await fake.interact(forged)
        await told(fake, click, "This request belongs to another channel; decide it there.")
        assert not h.late.calls("POST", "/v1/posts")
        shown = await fake.interact(fake.slash("show", {"id": "r1"}, user="bob"))
        await told(fake, shown, "There is no request 'r1' here.")
        await t.click("Approve", user="bob")
        assert len(h.late.calls("POST", "/v1/posts")) == 1


async def test_a_slack_request_cannot_be_retried_from_discord_even_by_an_admin(tmp_path: Path) -> None:
    async with both_chats(tmp_path) as (t, fake, h):
        h.late.fail("POST", "/v1/posts", 401, body={"error": "Invalid API key"})
        await t.command('/late post "From Slack" to x tomorrow 9am', user="alice")
        await t.click("Approve", user="bob")
        assert (await h.core.approvals.get("r1")).state == "failed"
        sent = len(h.late.requests)
        retried = await fake.interact(fake.slash("retry", {"id": "r1"}, user="dana"))  # dana: a Discord admin
        await told(fake, retried, "This request belongs to another workspace; retry it there.")
        assert len(h.late.requests) == sent and (await h.core.approvals.get("r1")).state == "failed"


async def test_slack_an_old_card_approves_nothing_and_shows_the_current_one(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as t:
        await t.command('/late post "The first text" to x tomorrow 9am', user="alice")
        old = t.card()
        old_blocks = [dict(b) for b in old["blocks"]]
        await t.command('/late edit r1 "The second text"', user="alice")
        stale = {**old, "blocks": old_blocks}  # the card as someone still sees it, before the edit
        await t.click("Approve", user="bob", message=stale)
        assert any("older version (revision 2 is current)" in text for text in t.ephemeral("U0BOB"))
        assert not t.h.late.calls("POST", "/v1/posts")
        await t.click("Approve", user="alice", message=t.card())
        assert any("You can't approve your own request" in text for text in t.ephemeral("U0ALICE"))
        await t.click("Approve", user="bob", message=t.card())
        [created] = t.h.late.calls("POST", "/v1/posts")
        assert created.json["content"] == "The second text"


async def test_slack_the_editor_cannot_approve_their_own_rewrite(tmp_path: Path) -> None:
    async with slack_app(tmp_path) as t:
        await t.command('/late post "Alice wrote this" to x tomorrow 9am', user="alice")
        await t.command('/late edit r1 "Bob rewrote it"', user="bob")
        await t.click("Approve", user="bob", message=t.card())
        assert any("You can't approve a request you edited" in text for text in t.ephemeral("U0BOB"))
        assert not t.h.late.calls("POST", "/v1/posts")
        await t.click("Approve", user="carol", message=t.card())
        [created] = t.h.late.calls("POST", "/v1/posts")
        assert created.json["content"] == "Bob rewrote it"
