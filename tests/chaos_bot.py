"""Run by test_chaos in a process of its own (which the test kills and starts again): the real core and
router on a fake Late that fails at random, driving requests to the end.

Usage: python -m tests.chaos_bot DB LATE_URL API_KEY COUNT ACCOUNTS MESSAGES
Submits the requests that do not exist yet (`Chaos <n>` to `@chaos<n % ACCOUNTS>`, by alice), has
bob approve every pending one, has alice press Retry on every failed one that offers it, and lets the
scheduler reconcile, until every request is settled. Every card and note the core sends is appended
to MESSAGES as a JSON line; the exit code is 0 once all are settled.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.core import Core, open_core
from bot.late.backoff import Backoff
from bot.late.client import LateClient
from bot.messages import Actor, ButtonPress, Card, ChatKind, Invocation, MessageRef, Place, Reply
from bot.settings import Settings
from commands.router import Router
from tests.harness import Said

PLACE = Place(chat="console", team="console", channel="general")
ALICE = Actor(id="alice", name="alice")
BOB = Actor(id="bob", name="bob")
OPEN = ("pending", "publishing")


class Recorder:
    """The chat: every card and note, one JSON line each, flushed at once (the process may be killed)."""

    chat: ChatKind = "console"

    def __init__(self, path: Path) -> None:
        self.file = path.open("a", encoding="utf-8")

    def write(self, entry: dict[str, Any]) -> None:
        self.file.write(json.dumps({"t": time.time(), "pid": os.getpid(), **entry}) + "\n")
        self.file.flush()

    def card(self, kind: str, card: Card, ref: str) -> None:
        fields = {f.title: f.value for f in card.fields}
        self.write({"kind": kind, "ref": ref, "request": fields.get("Request"), "title": card.title,
                    "late_post": fields.get("Late post"), "result": fields.get("Result"),
                    "buttons": [b.label for b in card.buttons]})

    async def post_card(self, place: Place, card: Card) -> MessageRef:
        ref = uuid.uuid4().hex
        self.card("card", card, ref)
        return MessageRef(chat="console", team=place.team, channel=place.channel, message_id=ref)

    async def update_card(self, ref: MessageRef, card: Card) -> None:
        self.card("update", card, ref.message_id)

    async def send(self, place: Place, reply: Reply) -> None:
        self.write({"kind": "note", "text": reply.text})

    async def check_channel(self, place: Place) -> str:
        return place.channel


async def drive(core: Core, router: Router, count: int, accounts: int) -> None:
    texts = {json.loads(r["draft"])["thread"][0] for r in await core.store.query("SELECT draft FROM requests")}
    gate = asyncio.Semaphore(20)

    async def submit(n: int) -> None:
        async with gate:
            line = f'post "Chaos {n}" to @chaos{n % accounts} now'
            await router.invoke(Invocation(actor=ALICE, place=PLACE, text=line), Said())

    await asyncio.gather(*(submit(n) for n in range(count) if f"Chaos {n}" not in texts))
    while True:
        rows = await core.store.query("SELECT id, state, outcome, card_message_id FROM requests")
        # Only a request whose card is up can be approved (a card the process died posting is posted
        # again by the scheduler).
        pending = [r["id"] for r in rows if r["state"] == "pending" and r["card_message_id"]]
        retry = [r["id"] for r in rows if r["state"] == "failed" and json.loads(r["outcome"] or "{}").get("retryable")]

        async def press(who: Actor, action: str, ref: str) -> None:
            async with gate:
                await router.press(ButtonPress(actor=who, place=PLACE, action=action, ref=ref), Said())

        # bob approves; alice, whose request it is, presses Retry.
        await asyncio.gather(*(press(BOB, "approve", f"{rid}:1") for rid in pending),
                             *(press(ALICE, "retry", rid) for rid in retry))
        await core.scheduler.tick()
        rows = await core.store.query("SELECT state, outcome FROM requests")
        if len(rows) == count and not any(
            r["state"] in OPEN or (r["state"] == "failed" and json.loads(r["outcome"] or "{}").get("retryable"))
            for r in rows
        ):
            return
        await asyncio.sleep(0.1)


async def main(db: str, late_url: str, key: str, count: str, accounts: str, messages: str) -> None:
    settings = Settings(_env_file=None, LATEBOT_DB=Path(db), LATE_API_KEY=key, LATE_BASE_URL=late_url)  # type: ignore[call-arg]
    late = LateClient(late_url, key, timeout=0.4, publish_timeout=0.4, backoff=Backoff(attempts=3, base=0.02, cap=0.1))
    async with late, open_core(settings, late=late, scheduler_interval=0.2) as core:
        # Late's windows, scaled down from minutes to seconds (the fake's replay window is 3 s).
        core.settlement.resend_window = timedelta(seconds=2)
        core.settlement.give_up_after = timedelta(seconds=6)
        core.scheduler.take_over_after = timedelta(seconds=0.5)
        core.scheduler.retries.backoff = Backoff(base=0.1, cap=0.5)
        router = Router(core)
        router.register(Recorder(Path(messages)))
        await core.scheduler.reconcile()
        await drive(core, router, int(count), int(accounts))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:7]))
