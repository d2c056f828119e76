"""The size of a run: full (what the issue specifies) or `--quick` (a smaller version, under a minute)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Config:
    quick: bool = False
    rounds: int = 5  # never fewer: the table reports median and p99 over rounds

    def n(self, full: int, quick: int) -> int:
        return quick if self.quick else full

    def seconds(self, full: float, quick: float) -> float:
        return quick if self.quick else full
