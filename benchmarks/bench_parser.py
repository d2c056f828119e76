"""The parser: `post` commands per second with a time phrase and without, and the first command in a
fresh process (interpreter start, imports and one parse), against a bare `python -c pass`.

The commands differ in their text and cycle through common time phrases as people type them; each
round parses every one of them once (after one untimed warm-up pass, so the figure is the steady
state, not dateparser's first-use cost, which the fresh-process figure covers).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

from benchmarks import subjects
from benchmarks.config import Config
from benchmarks.procs import ROOT, env
from benchmarks.table import Row, Stat, at_least, at_most

PHRASES = ("tomorrow 9am", "at 5pm", "Dec 1 14:30", "next monday 10:00", "friday at noon", "tomorrow at 18:00",
           "on 2026-12-01 09:00", "in 2 hours")
TARGETS = ("x", "linkedin", "x,linkedin", "bluesky", "threads")


def commands(n: int, *, timed: bool) -> list[str]:
    out = []
    for i in range(n):
        when = f" {PHRASES[i % len(PHRASES)]}" if timed else ""
        out.append(f'post "Bench launch {i}: our new release is out" to {TARGETS[i % len(TARGETS)]}{when}')
    return out


def rate(parse: object, texts: list[str]) -> float:
    assert callable(parse)
    started = time.perf_counter()
    for t in texts:
        parse(t)
    return len(texts) / (time.perf_counter() - started)


def fresh(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env())
    return (time.perf_counter() - started) * 1000


async def run(cfg: Config) -> list[Row]:
    n = cfg.n(3000, 300)
    parse = subjects.post_parser()
    timed, plain = commands(n, timed=True), commands(n, timed=False)
    rate(parse, timed[:200])
    rate(parse, plain[:200])
    with_phrase, without = [], []
    for _ in range(cfg.rounds):
        with_phrase.append(rate(parse, timed))
        without.append(rate(parse, plain))
        await asyncio.sleep(0)
    first_code = subjects.first_command_code('post "Launch day!" to x tomorrow 9am')
    firsts, bare = [], []
    for _ in range(cfg.rounds):
        firsts.append(fresh(first_code))
        bare.append(fresh("pass"))
    r = cfg.rounds
    return [
        Row("Parser", f"post with a time phrase ({n:,} per round)", "cmd/s", Stat.of(with_phrase, rounds=r,
            better="higher"), target=at_least(3000, "/s"),
            note="8 phrases in turn, e.g. 'tomorrow 9am', 'next monday 10:00'; 'in 2 hours' never reaches dateparser"),
        Row("Parser", f"post without a time phrase ({n:,} per round)", "cmd/s",
            Stat.of(without, rounds=r, better="higher"), target=at_least(20000, "/s")),
        Row("Parser", "first command in a fresh process, imports included", "ms", Stat.of(firsts, rounds=r),
            "python -c pass", Stat.of(bare, rounds=r), at_most(250, "ms", "p99")),
    ]
