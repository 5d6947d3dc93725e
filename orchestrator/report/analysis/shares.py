"""Where a single call's time goes, per run, as shares of its wall time (pure).

All four phases are accounted for: runtime start, imports + set-up, network
and exit, plus the sums findings quote ("start + imports", and "fixed" =
start + imports + exit, what a long-lived process pays once). Each is
summarised over runs (median with its 95% CI), so the medians need not add up
to 100% exactly.
"""

from __future__ import annotations

from ... import stats
from ...units import PHASES
from ..data import Bench

SUMS = {
    "start_imports": ("runtime_start", "imports"),
    "fixed": ("runtime_start", "imports", "exit"),
}


def phase_shares(bench: Bench, looks: tuple[int, int] | None = None) -> dict[str, stats.Summary] | None:
    """Per phase (and per sum in SUMS), the summary over runs of phase / wall; None without phases.

    ``looks``: the run settings' stopping looks (results.stopping_looks), so the
    intervals are the sequential ones the stopped cell's other medians carry.
    """
    per_phase = {phase: bench.phase_ms(phase) for phase in PHASES}
    if not all(per_phase.values()):
        return None
    walls = bench.walls_ms
    parts = {phase: (phase,) for phase in PHASES} | SUMS
    return {name: stats.summarize([sum(per_phase[p][i] for p in phases) / walls[i] for i in range(len(walls))],
                                  looks=looks)
            for name, phases in parts.items()}
