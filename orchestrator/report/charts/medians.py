"""One case's clients side by side: every counted run as a dot, the median as a larger marker, its 95% CI as whiskers.

A dot plot, not bars: on a log axis a bar's length means nothing, and the
strip of runs shows what a median hides (two modes, a slow tail, outliers).
The marker's shape says what kind of client it is (style.KIND_MARKERS), so
the chart reads without colour.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import style

# Beyond this spread a linear axis squeezes the fast clients into one spot.
LOG_SCALE_SPREAD = 20.0
JITTER = 0.18  # half the height of a row's strip of runs, in row units


@dataclass(frozen=True)
class MedianDot:
    label: str
    kind: str  # a style.KIND_MARKERS key
    median_ms: float
    low_ms: float
    high_ms: float
    runs_ms: list[float] = field(default_factory=list)
    colour: str | None = None  # polybench.yaml `chart.color`
    marker: str | None = None  # polybench.yaml `chart.marker`
    coverage: float = 0.95  # the bar's actual coverage (order-statistic interval; below 95% with fewer than 6 runs)


def interval_label(dots: list[MedianDot], confidence: float = 0.95) -> str:
    """What the whiskers are: "95% CI", or, where some cell had too few runs for it, the lowest coverage shown.

    An order-statistic interval from n < 6 runs is [min, max] and covers
    1 - 2^(1-n) (75% at n = 3, 93.75% at n = 5): calling it a 95% CI would overstate it.
    """
    lowest = min((d.coverage for d in dots), default=confidence)
    if lowest >= confidence:
        return f"{confidence:.0%} CI"
    return f"interval of the median (95% CI; covers only {lowest:.1%} where a client has under 6 runs)"


def render(dots: list[MedianDot], path: Path, title: str, xlabel: str | None = None) -> None:
    """Draw the dot plot to ``path`` (SVG and PNG, style.save); x is wall time in ms, one row per dot.

    ``xlabel`` defaults to the wall time's description with what the bars are (``interval_label``).
    """
    if xlabel is None:
        xlabel = ("wall time of the whole process, ms: dots every run, marker the median, "
                  f"bar its {interval_label(dots)}")
    height = style.bar_height(len(dots))
    fig, ax = style.figure(8.0, height)
    style.margins(fig, [d.label for d in dots], 8.0, height)
    ys = np.arange(len(dots))[::-1]
    values = [v for d in dots for v in (*d.runs_ms, d.low_ms, d.high_ms) if v > 0]
    smallest, largest = min(values), max(values)
    log = largest / smallest > LOG_SCALE_SPREAD
    rng = np.random.default_rng(0)  # fixed jitter: a re-rendered chart is the same chart
    seen: set[str] = set()
    for y, dot in zip(ys, dots, strict=True):
        marker, kind_label = style.KIND_MARKERS.get(dot.kind, style.KIND_MARKERS["interpreted"])
        marker = dot.marker or marker
        colour = dot.colour or "#0072B2"
        if dot.runs_ms:
            jitter = rng.uniform(-JITTER, JITTER, len(dot.runs_ms))
            ax.scatter(dot.runs_ms, y + jitter, s=6, color="0.45", alpha=0.6, linewidths=0, zorder=2,
                       label=None if "runs" in seen else "one counted run")
            seen.add("runs")
        ax.errorbar(dot.median_ms, y, xerr=[[dot.median_ms - dot.low_ms], [dot.high_ms - dot.median_ms]],
                    fmt="none", ecolor="black", capsize=4, linewidth=1.2, zorder=3)
        ax.plot(dot.median_ms, y, marker=marker, markersize=7, color=colour, markeredgecolor="black",
                markeredgewidth=0.8, linestyle="none", zorder=4,
                label=None if dot.kind in seen else f"median: {kind_label}")
        seen.add(dot.kind)
        text = f"{dot.median_ms:.2f}" if dot.median_ms < 10 else f"{dot.median_ms:.1f}"
        right = max([dot.high_ms, *dot.runs_ms])
        ax.text(right * 1.08 if log else right + largest * 0.015, y, text, va="center", ha="left", fontsize=8)
    ax.set_yticks(ys, [d.label for d in dots])
    ax.set_ylim(-0.7, len(dots) - 0.3)
    if log:
        style.log_scale(ax, "x")
        ax.set_xlim(smallest / 1.5, largest * 3)
    else:
        ax.set_xlim(0, largest * 1.18)
    ax.set_xlabel(xlabel + (" (log scale)" if log else ""))
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize=7, framealpha=0.9)  # fastest row on top: its right is free
    style.save(fig, path)
