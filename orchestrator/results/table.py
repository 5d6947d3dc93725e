"""The table `run` prints when it ends: medians, intervals and ratios per cell, from the results records.

Plain text for a terminal (tabulate's "simple"); the report's own terminal summary is its headline
findings (report/generate.py). Pure: a records.Results in, text out.
"""

from __future__ import annotations

from typing import Any

from tabulate import tabulate

from .. import stats
from .records import CellSummary, Results


def results_table(data: Results) -> str:
    """A compact table of medians and ratios to the fastest, per case, with drift and multimodality flags."""
    ratios = {(r.case, r.client): r for r in data.ratios}
    confidence = data.statistics.confidence if data.statistics else stats.DEFAULT_CONFIDENCE
    rows: list[list[Any]] = []
    short = False
    for bench in data.benchmarks:
        summary = bench.summary
        if summary is None:
            rows.append([bench.case, bench.client, bench.status, "", "", "", ""])
            continue
        wall = summary.wall_ms
        ratio = ratios.get((bench.case, bench.client))
        below = wall.median_ci_coverage < confidence
        short = short or below
        rows.append([
            bench.case, bench.client, f"{wall.median:.2f}",
            f"[{wall.median_ci_low:.2f}, {wall.median_ci_high:.2f}]{' *' if below else ''}",
            f"{ratio.ratio:.2f}x" if ratio else "",
            f"{len(bench.runs)}{' +' + str(len(bench.failed_runs)) + ' failed' if bench.failed_runs else ''}",
            _flags(summary),
        ])
    for baseline in data.baselines or []:
        name = f"{baseline.name} ({baseline.label})"
        if baseline.summary is None:
            rows.append(["baseline", name, baseline.status, "", "", "", ""])
            continue
        wall = baseline.summary.wall_ms
        short = short or wall.median_ci_coverage < confidence
        rows.append(["baseline", name, f"{wall.median:.2f}",
                     f"[{wall.median_ci_low:.2f}, {wall.median_ci_high:.2f}]"
                     f"{' *' if wall.median_ci_coverage < confidence else ''}", "", len(baseline.runs),
                     _flags(baseline.summary)])
    table = tabulate(rows, headers=["case", "client", "median ms", f"{confidence * 100:g}% CI", "vs fastest", "runs",
                                    "flags"], tablefmt="simple")
    if short:
        table += (f"\n* [min, max] of fewer runs than a {confidence * 100:g}% interval needs (6): "
                  "it covers the median less often (75% at 3 runs, 94% at 5)")
    return table


def _flags(summary: CellSummary) -> str:
    flags = []
    if summary.wall_ms.multimodal:
        flags.append("multimodal")
    if summary.drift.drifted:
        flags.append(f"drift {summary.drift.shift * 100:+.1f}%")
    return ", ".join(flags)
