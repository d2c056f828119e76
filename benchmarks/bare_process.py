"""The reference for `latebot run`: bare slack-bolt (HTTP) and bare discord.py in one process.

`python -m benchmarks.bare_process JSON` ({"port", "slack_api", "discord_api", "discord_gateway",
"discord_token"}) connects both, then idles until SIGINT or until stdin closes. It imports only the
SDKs (and the fake Slack's token constants).
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys

from benchmarks.references import bare_bolt, bare_discord
from tests.fakes.slack_api import SIGNING_SECRET, TOKEN


async def main(env: dict[str, str]) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGINT, stop.set)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    async with bare_bolt(token=TOKEN, secret=SIGNING_SECRET, api_url=env["slack_api"], port=int(env["port"])):
        async with bare_discord(token=env["discord_token"], api_base=env["discord_api"],
                                gateway=env["discord_gateway"]):
            eof = asyncio.ensure_future(reader.read())
            await asyncio.wait([eof, asyncio.ensure_future(stop.wait())], return_when=asyncio.FIRST_COMPLETED)
            eof.cancel()


if __name__ == "__main__":
    asyncio.run(main(json.loads(sys.argv[1])))
