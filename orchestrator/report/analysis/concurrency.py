"""N slow calls with C in flight against the server's floor, ceil(N/C) x delay (pure)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from ..data import Bench


@dataclass(frozen=True)
class Elapsed:
    elapsed_ms: float  # median network phase, or median wall when the client has no phases
    basis: str  # "network phase" | "whole process"
    ideal_ms: float

    @property
    def overhead_ms(self) -> float:
        return self.elapsed_ms - self.ideal_ms

    @property
    def efficiency(self) -> float:
        return self.ideal_ms / self.elapsed_ms if self.elapsed_ms > 0 else math.nan


def ideal_ms(params: Mapping[str, int]) -> float:
    """The floor set by the server: ceil(N / C) waves of one delay each."""
    return math.ceil(params["requests"] / params["concurrency"]) * params["delay_ms"]


def elapsed(bench: Bench) -> Elapsed | None:
    if not bench.ok or bench.scenario != "concurrent":
        return None
    phases = bench.phases
    if phases:
        return Elapsed(phases["network"].median, "network phase", ideal_ms(bench.params))
    return Elapsed(bench.wall.median, "whole process", ideal_ms(bench.params))
