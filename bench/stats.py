"""Percentis e "mediana com dispersão" das rodadas repetidas."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

import numpy


def percentile(values: list[float], q: float) -> float | None:
    """Percentil q (0–100) por interpolação linear; None sem amostras."""
    return float(numpy.percentile(values, q)) if values else None


@dataclass(frozen=True)
class Spread:
    """A mediana das repetições e o menor e o maior valor vistos (a dispersão)."""

    median: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, values: list[float | None]) -> Spread | None:
        present = [v for v in values if v is not None]
        if not present:
            return None
        return cls(statistics.median(present), min(present), max(present), len(present))

    def as_dict(self) -> dict:
        return {"median": self.median, "low": self.low, "high": self.high, "n": self.n}


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def paired(runs_a: list[dict], runs_b: list[dict], metric: str, diff: bool = False) -> float | None:
    """Mediana, repetição a repetição, de a − b (diff) ou a / b: cada par foi medido nas mesmas condições."""
    values = [(a[metric] - b[metric]) if diff else a[metric] / b[metric]
              for a, b in zip(runs_a, runs_b) if a[metric] is not None and b[metric]]
    return statistics.median(values) if values else None
