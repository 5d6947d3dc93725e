"""Total time against number of calls, log-log: measured points and the phase model per client.

Lines are drawn only over the measured call counts: nothing is extrapolated.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import style


@dataclass(frozen=True)
class CrossoverSeries:
    label: str
    intercept_ms: float
    slope_ms: float
    points: list[tuple[int, float, float, float]]  # calls, median, CI low, CI high (ms)


@dataclass(frozen=True)
class SpawnLine:
    """n separate processes of one client: n x its single-call median."""

    client: str
    per_call_ms: float


def render(series: list[CrossoverSeries], spawn: SpawnLine | None, path: Path, title: str,
           model_label: str = "lines: fixed + per call x n") -> None:
    fig, ax = style.figure(8.0, 5.2)
    ax.plot([], [], color="0.4", linewidth=1.2, label=model_label)  # a legend entry for what the lines are
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.1, top=0.93)
    top = max(n for s in series for n, *_ in s.points)
    xs = np.geomspace(1, top, 60)
    for i, item in enumerate(series):
        marker = style.MARKERS[i % len(style.MARKERS)]
        line_style = style.LINE_STYLES[i % len(style.LINE_STYLES)]
        colour = style.PALETTE[i % len(style.PALETTE)]
        fitted = np.maximum(item.intercept_ms + item.slope_ms * xs, 1e-3)
        ax.plot(xs, fitted, linestyle=line_style, color=colour, linewidth=1.2)
        calls = [p[0] for p in item.points]
        medians = [p[1] for p in item.points]
        errors = [[p[1] - p[2] for p in item.points], [p[3] - p[1] for p in item.points]]
        ax.errorbar(calls, medians, yerr=errors, fmt=marker, color=colour, markerfacecolor="white",
                    markersize=5, capsize=2, linewidth=0.8, label=item.label)
        ax.annotate(item.label, (xs[-1], fitted[-1]), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=7)
    if spawn is not None:
        ax.plot(xs, spawn.per_call_ms * xs, linestyle=(0, (1, 2)), color="0.3", linewidth=1.4,
                label=f"{spawn.client} spawned once per call (computed: sum of n draws from its single-call runs)")
        ax.annotate(f"n x {spawn.client}", (xs[-1], spawn.per_call_ms * xs[-1]), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=7, color="0.3")
    style.log_scale(ax, "x")
    style.log_scale(ax, "y")
    ax.set_xlim(0.8, top * 4)  # room on the right for the direct labels
    ax.grid(which="both", axis="both", linestyle=":", linewidth=0.4, color="0.8")
    ax.set_xlabel("calls made by one process (log scale)")
    ax.set_ylabel("wall time of the whole process, ms (log scale)")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=7, ncols=2)
    style.save(fig, path)
