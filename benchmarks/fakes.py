"""The fakes (tests/fakes) served in a process of their own, so that their work is charged to no subject.

`python -m benchmarks.fakes late slack discord` starts the ones named, prints their URLs as one
JSON line, then takes commands on stdin (see `procs.serve_commands`) until stdin closes.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import re
import sys
import time
from typing import Any

from adapters.sandbox.limits import Limits
from benchmarks.procs import say, serve_commands
from tests.fakes.discord_server import APP_ID, Call, FakeDiscord
from tests.fakes.late_server import FakeLate
from tests.fakes.slack_api import FakeSlack

KEY = "sk_bench_0123456789abcdef"
MARK = re.compile(r"Bench (\w+) (\d+)\b")


async def main(kinds: list[str]) -> None:
    async with contextlib.AsyncExitStack() as stack:
        late = slack = discord = None
        hello: dict[str, Any] = {}
        if "late" in kinds:
            late = await stack.enter_async_context(FakeLate(api_key=KEY))
            await late.engine.seed_demo()
            # Benchmarks post hundreds of times to one account; Late's 25 an hour would refuse most.
            late.engine.limits = Limits(per_hour=None, daily=False)
            hello |= {"late": late.url, "key": KEY}
        if "slack" in kinds:
            slack = await stack.enter_async_context(FakeSlack())
            hello |= {"slack": slack.url, "slack_api": slack.api_url, "slack_port": slack.port}
        if "discord" in kinds:
            discord = await stack.enter_async_context(FakeDiscord())
            hello |= {"discord_api": discord.api_base, "discord_gateway": discord.gateway_url,
                      "discord_token": discord.token}
        handlers = _handlers(late, slack, discord)
        say(hello)
        await serve_commands(handlers)


class Answers:
    """The fake Discord's calls, indexed once each as they come: a check made on every poll of a
    wait must not scan every call for every interaction (that starved the fake, and it records
    when each answer arrived)."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.seen = 0
        self.callbacks: dict[str, list[Call]] = {}
        self.followups: dict[str, int] = {}

    def update(self) -> None:
        calls = self.fake.calls
        if len(calls) < self.seen:  # cleared
            self.seen, self.callbacks, self.followups = 0, {}, {}
        for call in calls[self.seen:]:
            if call.status >= 300:
                continue
            if call.path.endswith("/callback"):
                self.callbacks.setdefault(call.path, []).append(call)
            elif call.path.startswith(f"/webhooks/{APP_ID}/"):
                token = call.path.split("/")[3]
                self.followups[token] = self.followups.get(token, 0) + 1
        self.seen = len(calls)

    def first(self, payload: dict[str, Any]) -> Call | None:
        found = self.callbacks.get(f"/interactions/{payload['id']}/{payload['token']}/callback")
        return found[0] if found else None

    def told(self, payload: dict[str, Any]) -> bool:
        """Something said after the first answer, or a first answer that was a message."""
        first = self.first(payload)
        return bool(self.followups.get(payload["token"])) or (first is not None and first.json["type"] == 4)


def _handlers(late: FakeLate | None, slack: FakeSlack | None, discord: FakeDiscord | None) -> dict[str, Any]:
    answers = Answers(discord) if discord is not None else None
    async def late_setup(args: dict[str, Any]) -> dict[str, Any]:
        assert late is not None
        late.delay = float(args.get("delay", 0.0))
        if args.get("clear", True):
            late.requests.clear()
        return {"ok": True}

    async def late_counts(args: dict[str, Any]) -> dict[str, Any]:
        assert late is not None
        counts = collections.Counter(f"{r.method} {r.path}" for r in late.requests)
        return {"counts": dict(counts)}

    async def late_post(args: dict[str, Any]) -> dict[str, Any]:
        """A post made on the fake, for the client benchmarks to read back."""
        assert late is not None
        async with late.client() as client:
            x = (await late.engine.account_ids())["twitter"]
            body = {"content": f"Benchmark {time.monotonic_ns()}", "publishNow": True,
                    "platforms": [{"platform": "twitter", "accountId": x}]}
            post = (await client.create_post(body, idempotency_key=f"bench-{time.monotonic_ns()}")).post
        late.requests.clear()
        return {"post_id": post.id}

    async def late_drop_after(args: dict[str, Any]) -> dict[str, Any]:
        assert late is not None
        late.drop(args["method"], args["path"], after_processing=True, times=int(args.get("times", 1)))
        return {"ok": True}

    async def slack_clear(args: dict[str, Any]) -> dict[str, Any]:
        assert slack is not None
        slack.calls.clear()
        slack.messages.clear()
        return {"ok": True}

    async def slack_cards(args: dict[str, Any]) -> dict[str, Any]:
        """When each marked card (`Bench <tag> <i>`) was posted: {i: monotonic time}."""
        assert slack is not None
        tag = args["tag"]
        seen: dict[str, float] = {}
        counts = collections.Counter(c.method for c in slack.calls)
        for call in slack.calls:
            if call.method != "chat.postMessage" or not call.ok or call.body.get("thread_ts"):
                continue
            for found in MARK.finditer(json.dumps(call.body.get("blocks") or call.body.get("text"))):
                if found.group(1) == tag:
                    seen.setdefault(found.group(2), call.at)
                    break
        return {"cards": seen, "calls": dict(counts)}

    async def discord_ready(args: dict[str, Any]) -> dict[str, Any]:
        assert discord is not None
        want = int(args.get("identified", 1))
        await discord.wait_until(lambda: discord.identified >= want and discord.commands, within=60)
        return {"identified": discord.identified, "at": time.monotonic()}

    async def discord_reset(args: dict[str, Any]) -> dict[str, Any]:
        assert discord is not None
        discord.calls.clear()
        discord.interactions.clear()
        discord.messages.clear()
        discord.commands.clear()
        return {"ok": True}

    async def discord_first_answers(args: dict[str, Any]) -> dict[str, Any]:
        """`/late post` interactions, one at a time or all at once; seconds to each first answer."""
        assert discord is not None
        n, burst, tag = int(args["n"]), bool(args["burst"]), args["tag"]
        options = {"to": "twitter", "when": "tomorrow 9am"}

        def payload(i: int) -> dict[str, Any]:
            return discord.slash("post", {"text": f"Bench {tag} {i}", **options})

        assert answers is not None

        def answered(*payloads: dict[str, Any]) -> bool:
            answers.update()
            return all(answers.first(p) for p in payloads)

        sent: list[dict[str, Any]] = []
        if burst:
            built = [payload(i) for i in range(n)]
            for p in built:
                sent.append(await discord.interact(p))
            await discord.wait_until(lambda: answered(*sent), within=60)
        else:
            for i in range(n):
                p = await discord.interact(payload(i))
                sent.append(p)
                await discord.wait_until(lambda p=p: answered(p), within=30)
        firsts = [answers.first(p) for p in sent]
        return {
            "seconds": [a.at - discord.dispatched_at(p) for a, p in zip(firsts, sent, strict=True) if a],
            "kinds": dict(collections.Counter(str(a.json["type"]) for a in firsts if a)),
        }

    async def discord_wait_followups(args: dict[str, Any]) -> dict[str, Any]:
        """Wait until every interaction dispatched so far was told something after its first answer."""
        assert discord is not None and answers is not None
        sent = [d.payload for d in discord.interactions.values()]

        def done() -> bool:
            answers.update()
            return all(answers.told(p) for p in sent)

        try:
            await discord.wait_until(done, within=float(args.get("within", 30)))
        except TimeoutError:
            return {"done": False}
        return {"done": True}

    return {
        "late_setup": late_setup, "late_counts": late_counts, "late_post": late_post,
        "late_drop_after": late_drop_after, "slack_clear": slack_clear, "slack_cards": slack_cards,
        "discord_ready": discord_ready, "discord_reset": discord_reset,
        "discord_first_answers": discord_first_answers, "discord_wait_followups": discord_wait_followups,
    }


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
