"""A subject served in a process of its own, so that its CPU time is its own and nothing else's.

`python -m benchmarks.serve KIND JSON` with KIND one of slack-latebot, slack-bare, discord-latebot,
discord-bare and JSON the fakes' hello line plus a "db" path. Prints one ready line, then serves
until stdin closes (see `procs`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
from pathlib import Path
from typing import Any

from benchmarks import references, subjects
from benchmarks.procs import say, serve_commands
from tests.fakes.slack_api import SIGNING_SECRET, TOKEN


async def main(kind: str, env: dict[str, Any]) -> None:
    logging.basicConfig(level=logging.ERROR)  # latebot's WARNING default; errors are worth seeing
    db = Path(env.get("db", ":memory:"))
    async with contextlib.AsyncExitStack() as stack:
        hello: dict[str, Any] = {"kind": kind}
        if kind == "slack-latebot":
            s = subjects.slack_settings(db, late_url=env["late"], key=env["key"], slack_api=env["slack_api"],
                                        token=TOKEN, secret=SIGNING_SECRET)
            hello["url"] = await stack.enter_async_context(subjects.slack_http_app(s))
        elif kind == "slack-bare":
            hello["url"] = await stack.enter_async_context(
                references.bare_bolt(token=TOKEN, secret=SIGNING_SECRET, api_url=env["slack_api"]))
        elif kind == "discord-latebot":
            s = subjects.discord_settings(db, late_url=env["late"], key=env["key"], api_base=env["discord_api"],
                                          token=env["discord_token"])
            await stack.enter_async_context(subjects.discord_bot(s))
        elif kind == "discord-bare":
            await stack.enter_async_context(references.bare_discord(
                token=env["discord_token"], api_base=env["discord_api"], gateway=env["discord_gateway"]))
        else:
            raise SystemExit(f"unknown subject {kind}")

        async def tasks(_: dict[str, Any]) -> dict[str, Any]:
            return {"tasks": len(asyncio.all_tasks())}

        say(hello)
        await serve_commands({"tasks": tasks})


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], json.loads(sys.argv[2])))
