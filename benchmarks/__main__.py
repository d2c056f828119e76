"""`python -m benchmarks [--quick] [--only NAME ...] [NAME ...]`: run the benchmarks, print one table.

Each benchmarks/bench_<name>.py has `async def run(cfg: Config) -> list[Row]`. A full run writes
benchmarks/results.md and results.json, a `--quick` one results-quick.md and results-quick.json;
a run of some benchmarks only (`--only`) writes nothing unless `--out` is given. The exit status
is 1 when any row misses its target, 2 when a benchmark could not run or left a process behind.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import pkgutil
import platform
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

import benchmarks
from benchmarks.config import Config
from benchmarks.procs import ROOT, leftovers
from benchmarks.table import Row, dump, markdown, render

HERE = Path(__file__).resolve().parent


def names() -> list[str]:
    return sorted(m.name.removeprefix("bench_") for m in pkgutil.iter_modules(benchmarks.__path__)
                  if m.name.startswith("bench_"))


def _commit() -> str:
    try:
        return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="a smaller version of every benchmark (under a minute)")
    p.add_argument("--only", action="append", default=[], metavar="NAME", help=f"one of {', '.join(names())}")
    p.add_argument("--out", help="write the table as OUT.md and OUT.json")
    p.add_argument("names", nargs="*", metavar="NAME")
    args = p.parse_args(argv)
    wanted = [n.removeprefix("bench_") for n in [*args.only, *args.names]]
    unknown = sorted(set(wanted) - set(names()))
    if unknown:
        p.error(f"no benchmark {', '.join(unknown)}; there are {', '.join(names())}")
    cfg = Config(quick=args.quick)
    rows: list[Row] = []
    timings: dict[str, float] = {}
    broken: list[str] = []
    started = time.monotonic()
    for name in wanted or names():
        module = importlib.import_module(f"benchmarks.bench_{name}")
        print(f"running {name} ...", file=sys.stderr, flush=True)
        t = time.monotonic()
        try:
            got = asyncio.run(module.run(cfg))
        except Exception:
            traceback.print_exc()
            broken.append(name)
            got = []
        timings[name] = round(time.monotonic() - t, 1)
        print(f"  {name}: {timings[name]:.1f} s", file=sys.stderr, flush=True)
        rows += got
    left = leftovers()
    total = round(time.monotonic() - started, 1)
    meta = {
        "mode": "quick" if args.quick else "full", "rounds": cfg.rounds, "commit": _commit(),
        "at": datetime.now(UTC).isoformat(timespec="seconds"), "python": platform.python_version(),
        "machine": f"{platform.machine()}, {platform.system()}", "cpus": _cpus(),
        "seconds": timings, "total_seconds": total, "broken": broken, "processes_left": left,
    }
    print(render(rows))
    print(f"\n{'quick' if args.quick else 'full'} run, {cfg.rounds} rounds, {total:.0f} s; "
          + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()))
    print(f"processes left behind: {len(left)}" + "".join(f"\n  {x}" for x in left))
    if broken:
        print(f"could not run: {', '.join(broken)}")
    out = args.out or (None if wanted else str(HERE / ("results-quick" if args.quick else "results")))
    if out:
        title = f"# Benchmark results ({meta['mode']}, commit {meta['commit']}, {meta['at']})\n\n"
        info = (f"{cfg.rounds} rounds; median and p99 (the worse tail) over every sample of every round; "
                f"Python {meta['python']} on {meta['cpus']} CPUs; {total:.0f} s in all ("
                + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()) + ").\n\n")
        Path(out + ".md").write_text(title + info + markdown(rows) + "\n")
        Path(out + ".json").write_text(dump(rows, meta) + "\n")
    if broken or left:
        return 2
    return 0 if all(r.result != "MISS" for r in rows) else 1


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
