"""What every export format shares: which cells and runs are exported, and under what name.

A *cell* is one benchmark of results.json: one client in one case. Only the
cell's counted, verified runs (its `runs`) are measurements; `failed_runs`
never enter a statistic and are exported by the CSV format only, flagged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

NS_PER_S = 1e9


def cell_name(bench: Mapping[str, Any]) -> str:
    """The name a cell goes by in every export: "CLIENT CASE", e.g. "python-requests keepalive[requests=100]"."""
    return f"{bench['client']} {bench['case']}"


def counted_runs(bench: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The cell's counted, verified runs, in the order they were made."""
    return [run for run in bench.get("runs") or []
            if run.get("verified", True) and run.get("kind", "counted") == "counted"]


def measured_cells(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The cells with at least one counted, verified run, in results.json order."""
    return [bench for bench in data.get("benchmarks", []) if counted_runs(bench)]


def seconds(nanoseconds: int | float) -> float:
    return nanoseconds / NS_PER_S
