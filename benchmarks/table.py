"""One row of the benchmark table, and the table."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    bench: str
    case: str
    ours: float  # requests per second
    theirs: float
    target: float  # ours / theirs must reach this

    @property
    def ratio(self) -> float:
        return self.ours / self.theirs if self.theirs else float("inf")

    @property
    def passed(self) -> bool:
        return self.ratio >= self.target


HEADERS = ("benchmark", "case", "ours req/s", "SDK req/s", "ours/SDK", "target", "result")


def render(rows: list[Row]) -> str:
    cells = [HEADERS] + [
        (
            r.bench,
            r.case,
            f"{r.ours:,.0f}",
            f"{r.theirs:,.1f}",
            f"{r.ratio:,.1f}x",
            f">= {r.target:g}x",
            "PASS" if r.passed else "FAIL",
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(HEADERS))]
    lines = [
        "  ".join(
            c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
