"""Slack under faults, through signed requests to the real app on the fake Slack: a card Slack would
not take is posted later by the scheduler, and a malformed signed payload is a 400 with one log line."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest

from bot.clock import FixedClock
from tests.test_slack_app import buttons, slack_app, texts


async def test_a_card_slack_kept_refusing_is_posted_by_the_scheduler_and_the_requester_told_where(
    tmp_path: Path,
) -> None:
    async with slack_app(tmp_path) as t:
        # Slack answers 429 to the first post and to every retry of it.
        t.fake.fail("chat.postMessage", times=9, status=429, retry_after=0)
        await t.command('/late post "Orphan" to x tomorrow 9am')
        [told] = t.ephemeral()
        assert told.startswith("Saved as request r1, but its approval card could not be posted yet")
        assert "Nothing was published" not in told and "Something went wrong" not in told
        [row] = await t.requests()
        assert row["state"] == "pending" and row["card_message_id"] is None
        await t.h.core.scheduler.tick()  # too soon: whoever submitted it may still be posting it
        assert not [m for m in t.fake.messages.get("C0GENERAL", []) if m.get("blocks")]
        clock = t.h.clock
        assert isinstance(clock, FixedClock)
        clock.advance(timedelta(seconds=31))
        await t.h.core.scheduler.tick()
        card = t.card()
        assert "Orphan" in texts(card) and buttons(card) == ["Approve", "Reject", "Edit"]
        [note] = t.thread(card)
        assert note["text"].startswith("<@U0ALICE> Your post r1 is waiting for approval here")
        await t.h.core.scheduler.tick()  # posted once
        assert len([m for m in t.fake.messages["C0GENERAL"] if m.get("blocks") and not m.get("thread_ts")]) == 1
        await t.click("Approve", user="bob", message=card)
        [row] = await t.requests()
        assert row["state"] == "scheduled"


def block_actions(actions: object) -> str:
    payload = {"type": "block_actions", "trigger_id": "1.2.x", "team": {"id": "T0LATEBOT"},
               "user": {"id": "U0BOB", "name": "bob"}, "actions": actions}
    return "payload=" + quote(json.dumps(payload))


@pytest.mark.parametrize(("body", "why"), [
    ("payload=notjson", "the payload is not JSON"),
    ("payload=", "the payload is empty"),
    (block_actions(None), "block_actions without a list of actions"),
    (block_actions("approve"), "block_actions without a list of actions"),
    ("payload=" + quote(json.dumps({"type": "view_submission", "view": None})), "view_submission without a view"),
    ("payload=" + quote(json.dumps(["not", "an", "object"])), "the payload is not an object with a type"),
])
async def test_a_malformed_signed_payload_is_a_400_and_one_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, body: str, why: str
) -> None:
    async with slack_app(tmp_path) as t:
        caplog.clear()
        with caplog.at_level(logging.INFO):
            status, text, _ = await t.send(body)
        assert status == 400 and why in text
        lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(lines) == 1 and why in lines[0].getMessage() and not lines[0].exc_info
        assert (await t.send(body, signed=False))[0] == 401  # unsigned: refused before it is read
        await t.bot.idle()
        assert await t.requests() == [] and await t.deliveries() == []
