"""What every export format shares: which cells and runs are exported, and under what name.

A *cell* is one benchmark of results.json: one client in one case. Only the
cell's counted, verified runs (its `runs`) are measurements; `failed_runs`
never enter a statistic and are exported by the CSV format only, flagged.
A baseline command (timed, never verified) is exported as a cell too,
named "NAME (baseline, not a client)".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..records import Baseline, Benchmark, CellSummary, Results, Run

NS_PER_S = 1e9


@dataclass(frozen=True)
class Cell:
    """One exported cell: a client's benchmark, or a baseline command labelled as one (``baseline``).

    ``fields`` holds the cell's keys as results.json has them, for the formats that keep
    every scalar field (csv.py): a benchmark's, or the ones a baseline cell is given.
    """

    client: str
    case: str
    scenario: str
    library: str
    params: Mapping[str, int]
    calls: int
    warmup_runs: int
    runs: list[Run]
    failed_runs: list[Run]
    summary: CellSummary | None
    baseline: bool = False
    fields: Mapping[str, Any] = field(default_factory=dict, repr=False)


def _benchmark_cell(bench: Benchmark) -> Cell:
    return Cell(client=bench.client, case=bench.case, scenario=bench.scenario, library=bench.library,
                params=bench.params, calls=bench.calls, warmup_runs=bench.warmup_runs, runs=bench.runs,
                failed_runs=bench.failed_runs, summary=bench.summary,
                fields={key: value for key, value in bench.to_json().items() if key not in ("runs", "failed_runs")})


def _baseline_cell(baseline: Baseline) -> Cell:
    name = f"{baseline.name} ({baseline.label})"
    fields = {"client": name, "language": "-", "library": baseline.label, "concurrency_model": "-",
              "scenario": "baseline", "case": "baseline", "params": {}, "calls": 0, "status": baseline.status,
              "status_reason": baseline.status_reason, "stop_reason": baseline.stop_reason,
              "warmup_runs": baseline.warmup_runs, "baseline": True}
    return Cell(client=name, case="baseline", scenario="baseline", library=baseline.label, params={}, calls=0,
                warmup_runs=baseline.warmup_runs, runs=baseline.runs, failed_runs=baseline.failed_runs,
                summary=baseline.summary, baseline=True, fields=fields)


def cell_name(cell: Cell) -> str:
    """The name a cell goes by in every export: "CLIENT CASE", e.g. "python-requests keepalive[requests=100]"."""
    return f"{cell.client} {cell.case}"


def counted_runs(cell: Cell) -> list[Run]:
    """The cell's counted runs (verified; a baseline's: exited 0, never verified), in the order they were made."""
    return [run for run in cell.runs if (run.verified or run.extra.get("baseline")) and run.kind == "counted"]


def all_cells(results: Results) -> list[Cell]:
    """The clients' cells, then the baselines' (labelled as such)."""
    return [*map(_benchmark_cell, results.benchmarks), *map(_baseline_cell, results.baselines or [])]


def measured_cells(results: Results) -> list[Cell]:
    """The cells with at least one counted run, in results.json order, baselines last."""
    return [cell for cell in all_cells(results) if counted_runs(cell)]


def seconds(nanoseconds: int | float) -> float:
    return nanoseconds / NS_PER_S
