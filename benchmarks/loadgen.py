"""The Slack load generator, in a process of its own: signed `/late post` slash commands over aiohttp.

`python -m benchmarks.loadgen` takes jobs on stdin: `build` ({"slack_port", "n", "tag", "help"})
makes and signs every body first (as Slack would: form-encoded, HMAC-signed with
`tests/fakes/slack_api.sign`); `go` ({"url", "concurrency"}) sends them with `concurrency` in
flight and answers with each request's send and ack times (time.monotonic(), one clock for every
process on the machine).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp

from benchmarks.procs import say, serve_commands
from tests.fakes.slack_api import FakeSlack, signed_form

SLACK_DEADLINE = 3.0  # Slack shows the user an error when the ack takes longer


def bodies(slack_port: int, n: int, tag: str, *, help_only: bool = False) -> list[tuple[bytes, dict[str, str]]]:
    fake = FakeSlack(port=slack_port)  # not started: it only builds bodies addressed to the running one
    out = []
    for i in range(n):
        body = fake.slash("help" if help_only else f'post "Bench {tag} {i} launch" to x tomorrow 9am')
        out.append((body.encode(), signed_form(body)))
    return out


async def fire(url: str, work: list[tuple[bytes, dict[str, str]]], concurrency: int) -> dict[str, Any]:
    n = len(work)
    sent, acked = [0.0] * n, [0.0] * n
    status = [0] * n
    next_i = iter(range(n))
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        async def worker() -> None:
            for i in next_i:
                body, headers = work[i]
                sent[i] = time.monotonic()
                try:
                    async with http.post(f"{url}/slack/events", data=body, headers=headers) as resp:
                        await resp.read()
                        status[i] = resp.status
                except (aiohttp.ClientError, TimeoutError):
                    status[i] = -1
                acked[i] = time.monotonic()

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return {"sent": sent, "acked": acked, "status": status}


async def main() -> None:
    work: list[tuple[bytes, dict[str, str]]] = []

    async def build(job: dict[str, Any]) -> dict[str, Any]:
        nonlocal work
        work = bodies(int(job["slack_port"]), int(job["n"]), str(job["tag"]), help_only=bool(job.get("help")))
        return {"built": len(work)}

    async def go(job: dict[str, Any]) -> dict[str, Any]:
        return await fire(job["url"], work, int(job["concurrency"]))

    say({"ready": True})
    await serve_commands({"build": build, "go": go})


if __name__ == "__main__":
    asyncio.run(main())
