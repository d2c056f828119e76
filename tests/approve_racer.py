"""Run by test_concurrency in a second process: press Approve on many requests at once.

Usage: python -m tests.approve_racer DB LATE_URL API_KEY REQUEST_IDS(comma) APPROVERS(comma)
Prints one JSON line: {"replies": [...]}.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from bot.core import open_core
from bot.late.client import LateClient
from bot.messages import ButtonPress, Form, Place, Reply
from bot.settings import Settings
from commands.router import Router


class Collect:
    def __init__(self, sink: list[str]) -> None:
        self.sink = sink

    async def reply(self, reply: Reply) -> None:
        self.sink.append(reply.text)

    async def open_form(self, form: Form) -> None:
        self.sink.append(f"form {form.id}")


async def press_all(router: Router, request_ids: list[str], approvers: list[str], sink: list[str]) -> None:
    from bot.messages import Actor

    place = Place(chat="console", team="console", channel="general")
    presses = [
        router.press(
            ButtonPress(actor=Actor(id=who, name=who), place=place, action="approve", ref=f"{rid}:1"),
            Collect(sink),
        )
        for who in approvers
        for rid in request_ids
    ]
    await asyncio.gather(*presses)


async def main(db: str, late_url: str, key: str, ids: str, approvers: str) -> None:
    settings = Settings(_env_file=None, LATEBOT_DB=Path(db), LATE_API_KEY=key, LATE_BASE_URL=late_url)  # type: ignore[call-arg]
    sink: list[str] = []
    async with LateClient(late_url, key) as late, open_core(settings, late=late) as core:
        await press_all(Router(core), ids.split(","), approvers.split(","), sink)
    print(json.dumps({"replies": sink}))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
