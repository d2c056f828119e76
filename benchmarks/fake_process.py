"""FakeLate in a process of its own, so that the server's work is not charged to the client measured.

`python -m benchmarks.fake_process KEY` prints one JSON line `{"url": ..., "post_id": ...}` and serves
until its standard input closes.
"""

from __future__ import annotations

import asyncio
import json
import sys

from tests.fakes.late_server import FakeLate


async def serve(key: str) -> None:
    async with FakeLate(api_key=key) as late:
        await late.engine.seed_demo()
        async with late.client() as client:
            x = (await late.engine.account_ids())["twitter"]
            body = {
                "content": "Benchmark",
                "publishNow": True,
                "platforms": [{"platform": "twitter", "accountId": x}],
            }
            post = (await client.create_post(body, idempotency_key="bench")).post
        print(json.dumps({"url": late.url, "post_id": post.id}), flush=True)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)  # until the benchmark closes our stdin
        late.requests.clear()


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1]))
