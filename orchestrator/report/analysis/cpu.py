"""CPU time per cell: user + sys, CPU/wall, and the user/sys split only where it is resolvable (pure).

Linux samples which of user or system mode a process is in at each
scheduler tick and scales the accurate total (user + sys) by those samples.
A process shorter than a few ticks is often booked wholly to one of the two
(Go `single`: user 3.3, 3.6, 0, 0 ms; sys 0, 0, 3.6, 3.5 ms), so a median
of either column is meaningless there; the total is not.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from ...results.records import Run
from ...stats import CPU_SPLIT_MIN_MS, cpu_split_resolvable
from ...units import NS_PER_MS

SPLIT_RULE = (f"the median CPU time (user + sys) is at least {CPU_SPLIT_MIN_MS:g} ms, i.e. 10 or more scheduler "
              "ticks even at 100 Hz")


@dataclass(frozen=True)
class Cpu:
    """One cell's CPU time, medians over runs, in ms."""

    cpu_ms: float  # median of user + sys per run
    cpu_per_wall: float  # median of (user + sys) / wall per run
    user_ms: float | None  # None unless the split is resolvable
    sys_ms: float | None

    @property
    def split_resolvable(self) -> bool:
        return self.user_ms is not None


def split_resolvable(users_ms: Sequence[float], systems_ms: Sequence[float]) -> bool:
    """SPLIT_RULE, the one rule (orchestrator.stats.cpu_split_resolvable) the results' summaries use too."""
    totals = [u + s for u, s in zip(users_ms, systems_ms, strict=True)]
    return bool(totals) and cpu_split_resolvable(totals)


def cpu_of(users_ms: Sequence[float], systems_ms: Sequence[float], walls_ms: Sequence[float]) -> Cpu:
    """Raises ValueError on no runs or lengths that differ."""
    if not walls_ms or not len(users_ms) == len(systems_ms) == len(walls_ms):
        raise ValueError("need the same, non-zero number of user, sys and wall times")
    totals = [u + s for u, s in zip(users_ms, systems_ms, strict=True)]
    per_wall = [t / w for t, w in zip(totals, walls_ms, strict=True) if w > 0]
    resolvable = split_resolvable(users_ms, systems_ms)
    return Cpu(statistics.median(totals), statistics.median(per_wall) if per_wall else float("nan"),
               statistics.median(users_ms) if resolvable else None,
               statistics.median(systems_ms) if resolvable else None)


def cpu_of_runs(runs: Sequence[Run]) -> Cpu:
    """From a results file's runs (user_ns, sys_ns, wall_ns)."""
    return cpu_of([r.user_ns / NS_PER_MS for r in runs], [r.sys_ns / NS_PER_MS for r in runs],
                  [r.wall_ns / NS_PER_MS for r in runs])
