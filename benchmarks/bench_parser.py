"""The parser: `post` commands per second with a time phrase and without, and the first command in a
fresh process (interpreter start, imports and one parse).

The commands differ in their text and cycle through common time phrases as people type them; each
round parses every one of them once (after one untimed warm-up pass, so the figure is the steady
state, not dateparser's first-use cost, which the fresh-process figure covers). latebot remembers
what a phrase read as for the minute (commands/when.py), so within a round the phrases are read
once each; a second figure gives every command a minute of its own, so that every phrase is read
afresh, as for a lone command.

The fresh process is measured with a time phrase (its references: `python -c pass`, and the floor
of any parser built on the same libraries: importing pydantic, defining one model, and dateparser
reading the same phrase) and without one (its floor: importing pydantic and defining one model).
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


PYDANTIC_FLOOR = (
    "from datetime import datetime\n"
    "import pydantic\n"
    "class Context(pydantic.BaseModel):\n"
    "    now: datetime\n"
)
FLOOR = (
    PYDANTIC_FLOOR
    + "from dateparser.date import DateDataParser\n"
    "DateDataParser(languages=['en'], settings={'PREFER_DATES_FROM': 'future', 'RETURN_AS_TIMEZONE_AWARE': True,"
    " 'PARSERS': ['relative-time', 'absolute-time']}).get_date_data('tomorrow 9am')\n"
)


def rate(parse: object, texts: list[str]) -> float:
    assert callable(parse)
    started = time.perf_counter()
    for t in texts:
        parse(t)
    return len(texts) / (time.perf_counter() - started)


def rate_each(parses: list[object], texts: list[str], shift: int) -> float:
    """Commands per second when each is parsed by its own parser (each at another minute)."""
    started = time.perf_counter()
    for i, t in enumerate(texts):
        parse = parses[i + shift]
        assert callable(parse)
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
    with_phrase, without, afresh = [], [], []
    # A minute of its own for each, going back from the fixed now so that the minutes stay within one
    # month: dateparser reads "5pm" on a month's last evening as the 1st of that month (see the note).
    lone = [subjects.post_parser(minute=-1 - i) for i in range(n * cfg.rounds)]
    for r in range(cfg.rounds):
        with_phrase.append(rate(parse, timed))
        without.append(rate(parse, plain))
        afresh.append(rate_each(lone, timed, shift=r * n))
        await asyncio.sleep(0)
    first_code = subjects.first_command_code('post "Launch day!" to x tomorrow 9am')
    plain_code = subjects.first_command_code('post "Launch day!" to x')
    firsts, plains, bare, floor, pydantic_floor = [], [], [], [], []
    for _ in range(cfg.rounds):
        firsts.append(fresh(first_code))
        plains.append(fresh(plain_code))
        bare.append(fresh("pass"))
        floor.append(fresh(FLOOR))
        pydantic_floor.append(fresh(PYDANTIC_FLOOR))
    r = cfg.rounds
    return [
        Row("Parser", f"post with a time phrase ({n:,} per round)", "cmd/s", Stat.of(with_phrase, rounds=r,
            better="higher"), target=at_least(3000, "/s"),
            note="8 phrases in turn, e.g. 'tomorrow 9am', 'next monday 10:00'; 'in 2 hours' never reaches dateparser"),
        Row("Parser", f"post with a time phrase, each in a minute of its own ({n:,} per round)", "cmd/s",
            Stat.of(afresh, rounds=r, better="higher"),
            note="no reading remembered: what one command alone costs; no target"),
        Row("Parser", f"post without a time phrase ({n:,} per round)", "cmd/s",
            Stat.of(without, rounds=r, better="higher"), target=at_least(20000, "/s")),
        Row("Parser", "first command in a fresh process, imports included", "ms", Stat.of(firsts, rounds=r),
            "python -c pass", Stat.of(bare, rounds=r), at_most(250, "ms", "p99"),
            note="'post \"Launch day!\" to x tomorrow 9am': dateparser's first reading alone costs ~0.25 s"),
        Row("Parser", "first command in a fresh process, imports included", "ms", Stat.of(firsts, rounds=r),
            "pydantic model + dateparser reading the phrase", Stat.of(floor, rounds=r),
            note="the floor for any parser on these libraries (a fresh process that only does that)"),
        Row("Parser", "first command without a time phrase in a fresh process", "ms", Stat.of(plains, rounds=r),
            "python -c pass", Stat.of(bare, rounds=r), at_most(250, "ms", "p99")),
        Row("Parser", "first command without a time phrase in a fresh process", "ms", Stat.of(plains, rounds=r),
            "pydantic model alone", Stat.of(pydantic_floor, rounds=r),
            note="the floor for a parser whose results are pydantic models (a fresh process that only defines one)"),
    ]
