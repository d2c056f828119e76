"""`python -m benchmarks [name ...]`: run every benchmarks/bench_*.py (or the named ones), print one table.

Each bench module has `async def run() -> list[Row]`. The exit status is 1 when a row misses its target.
"""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
import sys

import benchmarks
from benchmarks.table import Row, render


def main(argv: list[str]) -> int:
    names = sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_"))
    wanted = [n for n in names if not argv or n.removeprefix("bench_") in argv or n in argv]
    rows: list[Row] = []
    for name in wanted:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"running {name} ...", file=sys.stderr, flush=True)
        rows += asyncio.run(module.run())
    print(render(rows))
    return 0 if all(r.passed for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
