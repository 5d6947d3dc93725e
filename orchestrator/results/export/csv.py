"""CSV: runs.csv, one row per run (counted and failed, with its status and reason), and cells.csv, one row per cell.

Values are results.json's, unconverted, so a spreadsheet or pandas sees the same numbers as the report:
runs in integer nanoseconds (peak RSS in KiB), cell summaries in milliseconds (peak RSS in MiB). Empty
means null; booleans are `true`/`false`. Top-level scalar fields that this module does not know (a newer
results schema's) are kept as extra columns after the known ones, so nothing in the file is dropped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from ...stats import Summary
from ...units import PHASES
from ..records import Ratio, Results, Run
from .cells import Cell, all_cells

RUNS_FILE = "runs.csv"
CELLS_FILE = "cells.csv"

RUN_COLUMNS = [
    "client", "case", "scenario", "status", "reason", "kind", "index", "run_id",
    "wall_ns", "user_ns", "sys_ns", "peak_rss_kib", "exit_code", "timed_out",
    *(f"{phase}_ns" for phase in PHASES),
    "server_requests", "server_connections", "server_ns", "started_epoch_ns",
]
# run fields that are columns above, or nested records this format leaves to results.json
_RUN_FIELDS_HANDLED = {"client", "case", "verified", "unsupported", "reason", "kind", "index", "run_id",
                       "wall_ns", "user_ns", "sys_ns", "peak_rss_kib", "exit_code", "timed_out", "phases_ns",
                       "output", "server", "started_epoch_ns", "imports"}

SUMMARY_STATS = ("n", "median", "median_ci_low", "median_ci_high", "mean", "stdev", "min", "max", "mad", "p95",
                 "cv", "noisy")
CELL_COLUMNS = [
    "client", "language", "library", "concurrency_model", "scenario", "case", "calls",
    "status", "status_reason", "stop_reason", "warmup_runs", "counted_runs", "failed_runs",
    *(f"wall_ms_{stat}" for stat in SUMMARY_STATS),
    "user_ms_median", "sys_ms_median", "peak_rss_mib_median",
    *(f"{phase}_ms_median" for phase in PHASES),
    "server_ms_median",
    "ratio_to_fastest", "ratio_low", "ratio_high", "fastest_client",
]
_CELL_FIELDS_HANDLED = {"client", "language", "library", "concurrency_model", "scenario", "case", "calls", "params",
                        "status", "status_reason", "stop_reason", "warmup_runs", "runs", "failed_runs", "summary",
                        "imports"}


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _extra_columns(records: Iterable[Mapping[str, Any]], handled: set[str]) -> list[str]:
    """The scalar fields of the records (as results.json has them) that no column above holds, sorted."""
    extra: set[str] = set()
    for record in records:
        extra.update(key for key, value in record.items() if key not in handled and _is_scalar(value))
    return sorted(extra)


def _table(columns: list[str], rows: Iterable[Mapping[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: _cell(row.get(column)) for column in columns})
    return buffer.getvalue()


def _all_runs(bench: Cell) -> list[tuple[str, Run]]:
    """(status, run) for the cell's counted runs, then its failed ones."""
    if bench.baseline:  # timed, never verified: labelled, not "verified"
        return ([("baseline, not a client", run) for run in bench.runs]
                + [("failed", run) for run in bench.failed_runs])
    return ([("verified", run) for run in bench.runs] + [("failed", run) for run in bench.failed_runs])


def run_row(bench: Cell, status: str, run: Run) -> dict[str, Any]:
    """One run as a flat row (see RUN_COLUMNS), plus any scalar run fields this module does not know."""
    phases = run.phases_ns or {}
    server = run.server
    row = {key: value for key, value in run.to_json().items()
           if key not in _RUN_FIELDS_HANDLED and _is_scalar(value)}
    row.update({
        "client": bench.client, "case": bench.case, "scenario": bench.scenario, "status": status,
        "reason": run.reason, "kind": run.kind, "index": run.index, "run_id": run.run_id, "wall_ns": run.wall_ns,
        "user_ns": run.user_ns, "sys_ns": run.sys_ns, "peak_rss_kib": run.peak_rss_kib,
        "exit_code": run.exit_code, "timed_out": run.timed_out,
        "started_epoch_ns": None if "started_epoch_ns" in run.absent else run.started_epoch_ns,
        **{f"{phase}_ns": phases.get(phase) for phase in PHASES},
        "server_requests": server.requests if server else None,
        "server_connections": server.connections if server else None,
        "server_ns": server.server_ns if server else None,
    })
    return row


def render_runs(data: Results) -> str:
    rows = [run_row(bench, status, run) for bench in all_cells(data) for status, run in _all_runs(bench)]
    runs = [run.to_json() for bench in all_cells(data) for _, run in _all_runs(bench)]
    return _table(RUN_COLUMNS + _extra_columns(runs, _RUN_FIELDS_HANDLED), rows)


def _median(summary: Summary | None) -> float | None:
    return summary.median if summary else None


def cell_row(bench: Cell, ratio: Ratio | None) -> dict[str, Any]:
    """One cell as a flat row (see CELL_COLUMNS), with its parameters and any unknown scalar cell fields."""
    summary = bench.summary
    wall = summary.wall_ms if summary else None
    phases = (summary.phases_ms if summary else None) or {}
    row = {key: value for key, value in bench.fields.items()
           if key not in _CELL_FIELDS_HANDLED and _is_scalar(value)}
    row.update(bench.params)
    row.update({key: bench.fields.get(key) for key in ("client", "language", "library", "concurrency_model",
                                                        "scenario", "case", "calls", "status", "status_reason",
                                                        "stop_reason", "warmup_runs")})
    row.update({
        "counted_runs": len(bench.runs), "failed_runs": len(bench.failed_runs),
        **{f"wall_ms_{stat}": getattr(wall, stat) if wall else None for stat in SUMMARY_STATS},
        "user_ms_median": _median(summary.user_ms if summary else None),
        "sys_ms_median": _median(summary.sys_ms if summary else None),
        "peak_rss_mib_median": _median(summary.peak_rss_mib if summary else None),
        **{f"{phase}_ms_median": _median(phases.get(phase)) for phase in PHASES},
        "server_ms_median": _median(summary.server_ms if summary else None),
        "ratio_to_fastest": ratio.ratio if ratio else None, "ratio_low": ratio.low if ratio else None,
        "ratio_high": ratio.high if ratio else None, "fastest_client": ratio.baseline if ratio else None,
    })
    return row


def render_cells(data: Results) -> str:
    benchmarks = all_cells(data)
    ratios = {(r.client, r.case): r for r in data.ratios}
    params = sorted({name for bench in benchmarks for name in bench.params})
    extra = [c for c in _extra_columns([b.fields for b in benchmarks], _CELL_FIELDS_HANDLED) if c not in CELL_COLUMNS]
    columns = CELL_COLUMNS[:7] + params + CELL_COLUMNS[7:] + extra
    return _table(columns, (cell_row(b, ratios.get((b.client, b.case))) for b in benchmarks))


def files(data: Results) -> dict[str, str]:
    """{file name: text} this format writes."""
    return {RUNS_FILE: render_runs(data), CELLS_FILE: render_cells(data)}
