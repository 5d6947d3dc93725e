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
    """The cell's counted runs (verified; a baseline's: exited 0, never verified), in the order they were made."""
    return [run for run in bench.get("runs") or []
            if (run.get("verified", True) or run.get("baseline")) and run.get("kind", "counted") == "counted"]


def baseline_cells(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """results.json's baselines as cells, named "NAME (baseline, not a client)" wherever they are exported."""
    return [{"client": f"{b['name']} ({b['label']})", "language": "-", "library": b["label"],
             "concurrency_model": "-", "scenario": "baseline", "case": "baseline", "params": {}, "calls": 0,
             "status": b["status"], "status_reason": b.get("status_reason"), "stop_reason": b.get("stop_reason"),
             "warmup_runs": b.get("warmup_runs", 0), "runs": b.get("runs") or [],
             "failed_runs": b.get("failed_runs") or [], "summary": b.get("summary"), "baseline": True}
            for b in data.get("baselines") or []]


def all_cells(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The clients' cells, then the baselines' (labelled as such)."""
    return [*data.get("benchmarks", []), *baseline_cells(data)]


def measured_cells(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The cells with at least one counted run, in results.json order, baselines last."""
    return [bench for bench in all_cells(data) if counted_runs(bench)]


def seconds(nanoseconds: int | float) -> float:
    return nanoseconds / NS_PER_S
