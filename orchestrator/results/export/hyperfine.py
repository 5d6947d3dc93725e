"""hyperfine's JSON export format (`hyperfine --export-json`), so hyperfine's own scripts read polybench results.

The layout is hyperfine's: `{"results": [BenchmarkResult, ...]}` (src/export/json.rs), each result with
the fields of `BenchmarkResult` (src/benchmark/benchmark_result.rs, hyperfine 1.19; 1.15 writes all but
`memory_usage_byte`), as hyperfine computes them (src/benchmark/mod.rs): every time in **seconds**;
`mean`, `median`, `min`, `max` of the wall times; `stddev` the sample standard deviation (n - 1), null
for a single run; `user` and `system` the *means* of the per-run user and system times, as hyperfine
writes them (`user_mean`, `system_mean`; the fields are plain numbers, never null); `times` every wall time;
`memory_usage_byte` every run's peak RSS in bytes; `exit_codes` every run's exit code (null when a
signal ended it); `parameters` string values.

One result per cell, from its counted, verified runs only. `command` is the cell's name ("CLIENT CASE");
`parameters` hold the client, the scenario and the case's parameters (requests, concurrency, ...), as
hyperfine's `--parameter-list` / `--parameter-scan` would, so scripts/plot_parametrized.py can use them.

`user` and `system` are kept because hyperfine always writes them, but for a short process they are a
sampled artefact: Linux books each tick of CPU to user or system time as sampled, so one run's split is
often all one or all the other. Only their sum is a measurement below stats.CPU_SPLIT_MIN_MS of CPU per
run (stats.cpu_split_resolvable, the rule the report uses); docs/exports.md says so. A mean over runs
is what hyperfine writes and averages the sampling out somewhat; a median of either column would not.
"""

from __future__ import annotations

import json
import statistics
from typing import Any

from ..records import Results
from .cells import Cell, cell_name, counted_runs, measured_cells, seconds

FILE_NAME = "hyperfine.json"


def _exit_code(code: int) -> int | None:
    # polybench records a signal as a negative exit code; hyperfine has no code then (Rust's ExitStatus::code()).
    return code if code >= 0 else None


def benchmark_result(bench: Cell) -> dict[str, Any]:
    """One hyperfine BenchmarkResult for a cell (which must have counted runs); times in seconds."""
    runs = counted_runs(bench)
    times = [seconds(run.wall_ns) for run in runs]
    parameters = {"client": str(bench.client), "scenario": str(bench.scenario)}
    parameters.update({name: str(value) for name, value in bench.params.items()})
    return {
        "command": cell_name(bench),
        "mean": statistics.fmean(times),
        "stddev": statistics.stdev(times) if len(times) > 1 else None,
        "median": statistics.median(times),
        "user": statistics.fmean(seconds(run.user_ns) for run in runs),
        "system": statistics.fmean(seconds(run.sys_ns) for run in runs),
        "min": min(times),
        "max": max(times),
        "times": times,
        "memory_usage_byte": [run.peak_rss_kib * 1024 for run in runs],
        "exit_codes": [_exit_code(run.exit_code) for run in runs],
        "parameters": parameters,
    }


def render(data: Results) -> str:
    """The whole export file: one result per measured cell, in results.json order."""
    return json.dumps({"results": [benchmark_result(bench) for bench in measured_cells(data)]}, indent=2) + "\n"


def files(data: Results) -> dict[str, str]:
    """{file name: text} this format writes."""
    return {FILE_NAME: render(data)}
