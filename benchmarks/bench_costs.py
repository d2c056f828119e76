"""Per-request costs and their slope: `to` autocomplete, the approval card, a long `post`, Slack dedupe.

Autocomplete goes through the real router and core (store, the directory's cache) on a fake Late
whose one profile has n accounts over six platforms; the cache is filled first, so what is timed is
latebot's own work. Each cost is also timed at three sizes, doubling, and its growth exponent
printed (log of the cost ratio over log of the size ratio: 1 is linear, 2 quadratic).
"""

from __future__ import annotations

import contextlib
import math
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from benchmarks import subjects
from benchmarks.config import Config
from benchmarks.table import Row, Stat, at_most
from tests.fakes.late_server import FakeLate

KEY = "sk_bench_costs_0123456789"
PREFIXES = ("", "tw", "x,@bench1", "linkedin:@bench")


@contextlib.asynccontextmanager
async def router_with(accounts: int) -> AsyncIterator[object]:
    with tempfile.TemporaryDirectory(prefix="latebot-bench-") as tmp:
        async with FakeLate(api_key=KEY) as late:
            profile = await late.engine.add_profile("Bench Brand")
            for i in range(accounts):
                platform = subjects.PLATFORMS[i % len(subjects.PLATFORMS)]
                await late.engine.add_account(profile, platform, f"bench{i}", display_name=f"Bench Brand {i}")
            s = subjects.settings(Path(tmp) / "latebot.db", late_url=late.url, key=KEY)
            async with subjects.core_and_router(s) as (_core, router):
                assert await subjects.warm_directory(router) == accounts
                yield router


async def timed_async(call: Callable[[int], Awaitable[object]], n: int) -> list[float]:
    out = []
    for i in range(n):
        t = time.perf_counter()
        await call(i)
        out.append((time.perf_counter() - t) * 1000)
    return out


def timed(call: Callable[[int], object], n: int) -> list[float]:
    out = []
    for i in range(n):
        t = time.perf_counter()
        call(i)
        out.append((time.perf_counter() - t) * 1000)
    return out


def interleaved(calls: list[Callable[[int], object]], n: int) -> list[list[float]]:
    """n timings of each call, taking turns (A B C A B C ...), so that the machine's load at any
    moment weighs on every size alike: the slope compares sizes, not moments."""
    out: list[list[float]] = [[] for _ in calls]
    for i in range(n):
        for k, call in enumerate(calls):
            t = time.perf_counter()
            call(i)
            out[k].append((time.perf_counter() - t) * 1000)
    return out


def slope(group: str, what: str, sizes: tuple[int, ...], unit: str, per_round: list[list[list[float]]],
          rounds: int, bound: float = 1.2, note: str = "") -> list[Row]:
    """Rows for a cost at each size, and its growth exponent per round (median times)."""
    rows = [Row(group, f"{what} at {size:,} {unit}", "ms", Stat.of([x for r in per_round for x in r[k]],
                rounds=rounds)) for k, size in enumerate(sizes)]
    exps = [math.log(statistics.median(r[-1]) / statistics.median(r[0])) / math.log(sizes[-1] / sizes[0])
            for r in per_round]
    rows.append(Row(group, f"{what}: growth exponent over {sizes[0]:,}-{sizes[-1]:,} {unit}", "exp",
                    Stat.of(exps, rounds=rounds), target=at_most(bound, "", "p99"), note=note))
    return rows


async def run(cfg: Config) -> list[Row]:
    rounds = cfg.rounds
    calls = cfg.n(40, 5)
    rows: list[Row] = []

    # `to` autocomplete through the router: 500 accounts against 1, then the slope.
    sizes = (125, 250, 500)
    by_size: dict[int, list[list[float]]] = {}
    for size in (1, *sizes):
        async with router_with(size) as router:
            async def ask(i: int, router: object = router) -> object:
                return await subjects.autocomplete(router, "to", PREFIXES[i % len(PREFIXES)])  # type: ignore[arg-type]

            await ask(0)
            by_size[size] = [await timed_async(ask, calls) for _ in range(rounds)]
    big = Stat.of([x for r in by_size[500] for x in r], rounds=rounds)
    rows.append(Row("Autocomplete", "`to` with 500 accounts", "ms", big,
                    "1 account", Stat.of([x for r in by_size[1] for x in r], rounds=rounds), at_most(5, "ms", "p99")))
    rows += slope("Autocomplete", "`to`", sizes, "accounts",
                  [[by_size[s][r] for s in sizes] for r in range(rounds)], rounds)

    # The approval card for a long X text (built and rendered as Slack posts it), then the slope. Each
    # call is for a text of its own: latebot remembers the counts of the texts it counted last.
    card_calls = cfg.n(10, 2)
    body = "Launch day! Our new release is here. " * 1400

    def cards(n: int, count: int) -> list[Callable[[], object]]:
        return [subjects.approval_card((f"{time.perf_counter_ns()} {body}")[:n]) for _ in range(count)]

    def timed_each(calls: list[Callable[[], object]]) -> list[float]:
        return timed(lambda i: calls[i](), len(calls))

    sizes_chars = (12_500, 25_000, 50_000)
    def card_round() -> list[list[float]]:
        by_size = [cards(n, card_calls) for n in sizes_chars]
        return interleaved([lambda i, c=c: c[i]() for c in by_size], card_calls)

    card_rounds = [card_round() for _ in range(rounds)]
    ref = [timed_each(cards(276, card_calls * 5)) for _ in range(rounds)]
    rows.append(Row("Card", "approval card, 50,000-character X text", "ms",
                    Stat.of([x for r in card_rounds for x in r[-1]], rounds=rounds), "same card, 276 characters",
                    Stat.of([x for r in ref for x in r], rounds=rounds), at_most(10, "ms", "p99"),
                    note="bot.card.build_card + Slack Block Kit rendering (adapters/slack/blocks.card_message), "
                    "each card for a text counted for the first time"))
    rows += slope("Card", "approval card", sizes_chars, "chars", card_rounds, rounds)

    # A long `post` (no time phrase) through the parser.
    parse = subjects.post_parser()
    texts = {n: f'post "{("Our release notes, line by line. " * 400)[:n]}" to x' for n in (2_500, 5_000, 10_000)}
    parse_rounds = [interleaved([lambda _i, t=t: parse(t) for t in texts.values()], calls) for _ in range(rounds)]
    rows += slope("Parser", "post", tuple(texts), "chars", parse_rounds, rounds)

    # Slack's delivery dedupe with many deliveries remembered: must not grow with them.
    kept = (1_000, 2_000, 4_000)
    seen = {n: subjects.slack_first_time(n) for n in kept}
    dedupe_rounds = [[timed(lambda i, n=n: seen[n](f"new-{n}-{i}-{time.perf_counter_ns()}"), calls * 5)
                      for n in kept] for _ in range(rounds)]
    rows += slope("Slack dedupe", "SlackBot.first_time", kept, "keys remembered", dedupe_rounds, rounds, bound=0.3,
                  note="one new key per call; its cost should not grow with the keys remembered (target: flat)")
    return rows
