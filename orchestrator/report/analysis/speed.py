"""The report's one ratio convention (pure): "A is k× faster than B" means k = median_B / median_A.

Its interval is stats.ratio_ci(B's runs, A's runs). A client compared with
itself has no interval: it is the reference.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from ... import stats


@dataclass(frozen=True)
class Speedup:
    faster: str
    slower: str
    k: float  # median(slower) / median(faster), >= 1 unless the medians tie
    low: float
    high: float

    @property
    def distinguishable(self) -> bool:
        """The interval excludes 1: the data tell the two apart."""
        return self.low > 1.0 or self.high < 1.0


def speedup(a: str, a_walls: Sequence[float], b: str, b_walls: Sequence[float]) -> Speedup:
    """How much faster the one with the lower median is, with its bootstrap interval."""
    a_median, b_median = (float(statistics.median(w)) for w in (a_walls, b_walls))
    if a_median <= b_median:
        estimate = stats.ratio_ci(b_walls, a_walls)
        return Speedup(a, b, estimate.ratio, estimate.low, estimate.high)
    estimate = stats.ratio_ci(a_walls, b_walls)
    return Speedup(b, a, estimate.ratio, estimate.low, estimate.high)
