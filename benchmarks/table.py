"""Figures, targets and the one table every benchmark reports into.

A `Stat` is made from samples: per-request latencies pooled over every round, or one value per
round (a rate, a count). Its `p99` is the 99th percentile on the worse side: the slow end for
times, the low end for rates. Nothing here ever reports the best round.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Better = Literal["lower", "higher"]


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default); q in [0, 1]."""
    if not values:
        return math.nan
    xs = sorted(values)
    k = (len(xs) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


@dataclass(frozen=True)
class Stat:
    median: float
    p99: float  # the worse tail
    n: int  # samples
    rounds: int

    @classmethod
    def of(cls, samples: Sequence[float], *, rounds: int, better: Better = "lower") -> Stat:
        worse = 0.99 if better == "lower" else 0.01
        return cls(percentile(samples, 0.5), percentile(samples, worse), len(samples), rounds)

    def get(self, which: str) -> float:
        return self.p99 if which == "p99" else self.median


@dataclass(frozen=True)
class Target:
    """A check on one statistic: against an absolute bound, or against the reference's same statistic."""

    text: str
    stat: Literal["median", "p99"]
    check: Callable[[float, float | None], bool] = field(repr=False, compare=False)
    relative: bool = False


def at_most(bound: float, unit: str, stat: Literal["median", "p99"] = "median") -> Target:
    return Target(f"{stat} <= {bound:g} {unit}".strip(), stat, lambda v, _r: v <= bound)


def at_least(bound: float, unit: str, stat: Literal["median", "p99"] = "median") -> Target:
    return Target(f"{stat} >= {bound:,g} {unit}".strip(), stat, lambda v, _r: v >= bound)


def ratio_at_most(bound: float, stat: Literal["median", "p99"] = "p99") -> Target:
    def check(v: float, ref: float | None) -> bool:
        return ref is not None and ref > 0 and v / ref <= bound

    return Target(f"{stat} <= {bound:g}x ref", stat, check, relative=True)


def equals(value: float, stat: Literal["median", "p99"] = "p99", text: str | None = None) -> Target:
    return Target(text or f"{stat} == {value:g}", stat, lambda v, _r: v == value)


@dataclass(frozen=True)
class Row:
    bench: str  # the group: "Slack", "Discord", ...
    figure: str  # what is measured
    unit: str  # "ms", "cmd/s", "calls", "MB", ...
    ours: Stat
    ref_name: str = ""
    ref: Stat | None = None
    target: Target | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.ref is None:
            return None
        which = self.target.stat if self.target else "median"
        theirs = self.ref.get(which)
        return self.ours.get(which) / theirs if theirs else None

    @property
    def result(self) -> str:
        if self.target is None:
            return "-"
        ref = self.ref.get(self.target.stat) if self.ref is not None else None
        return "PASS" if self.target.check(self.ours.get(self.target.stat), ref) else "MISS"

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["target"] = self.target.text if self.target else None
        out["ratio"], out["result"] = self.ratio, self.result
        return out


def _num(value: float, unit: str) -> str:
    if math.isnan(value):
        return "n/a"
    if unit in ("calls", "failures", "cards", "count") or (abs(value) >= 100 and value == int(value)):
        return f"{value:,.0f}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:,.1f}"
    if abs(value) >= 0.1:
        return f"{value:.2f}"
    return f"{value:.3f}"


HEADERS = ("bench", "figure", "unit", "ours median", "ours p99", "reference", "ref median", "ref p99",
           "ratio", "target", "result")


def cells(r: Row) -> tuple[str, ...]:
    ref = r.ref
    ratio = r.ratio
    return (
        r.bench,
        r.figure,
        r.unit,
        _num(r.ours.median, r.unit),
        _num(r.ours.p99, r.unit),
        r.ref_name or "-",
        _num(ref.median, r.unit) if ref else "-",
        _num(ref.p99, r.unit) if ref else "-",
        f"{ratio:.2f}x" if ratio is not None else "-",
        r.target.text if r.target else "-",
        r.result,
    )


def render(rows: list[Row]) -> str:
    """A plain-text table for the terminal."""
    table = [HEADERS, *(cells(r) for r in rows)]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADERS))]
    numeric = {3, 4, 6, 7, 8}
    lines = ["  ".join(c.rjust(w) if i in numeric else c.ljust(w) for i, (c, w) in
                       enumerate(zip(row, widths, strict=True))).rstrip() for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown(rows: list[Row]) -> str:
    def esc(c: str) -> str:
        return c.replace("|", "\\|")

    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    lines += ["| " + " | ".join(esc(c) for c in cells(r)) + " |" for r in rows]
    notes = [f"- {r.bench}, {r.figure}: {r.note}" for r in rows if r.note]
    return "\n".join(lines + (["", *notes] if notes else []))


def dump(rows: list[Row], meta: dict[str, Any]) -> str:
    return json.dumps({"meta": meta, "rows": [r.as_json() for r in rows]}, indent=2, default=str)
