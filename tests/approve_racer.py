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
from bot.messages import ButtonPress
from bot.settings import Settings
from commands.router import Router
from tests.harness import GENERAL, Said, actor


async def press_all(router: Router, request_ids: list[str], approvers: list[str], sink: list[str]) -> None:
    presses = [
        (ButtonPress(actor=actor(who), place=GENERAL, action="approve", ref=f"{rid}:1"), Said())
        for who in approvers
        for rid in request_ids
    ]
    await asyncio.gather(*(router.press(p, said) for p, said in presses))
    sink.extend(line for _, said in presses for line in said.lines)


async def main(db: str, late_url: str, key: str, ids: str, approvers: str) -> None:
    settings = Settings(_env_file=None, LATEBOT_DB=Path(db), LATE_API_KEY=key, LATE_BASE_URL=late_url)  # type: ignore[call-arg]
    sink: list[str] = []
    async with LateClient(late_url, key) as late, open_core(settings, late=late) as core:
        await press_all(Router(core), ids.split(","), approvers.split(","), sink)
    print(json.dumps({"replies": sink}))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
