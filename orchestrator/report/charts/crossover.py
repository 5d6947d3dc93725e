"""Total time against number of calls, log-log: measured medians, the model per client with its 95% band,
n spawns of the fastest compiled client, and the break-even ranges.

The model is drawn solid over the measured call counts and dotted beyond
them (extrapolated, labelled so); direct labels at the right are pushed apart
so they never overlap.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import style

EXTRAPOLATE = 3.0  # draw the model this many times beyond the largest N measured
LABEL_GAP = 0.055  # the smallest vertical distance between two direct labels, in decades
LABEL_HEIGHT_IN = 8.5 / 72  # a 7-point label and its leading, in inches


@dataclass(frozen=True)
class CrossoverSeries:
    label: str
    fixed_ms: np.ndarray  # bootstrap draws of the fixed cost (aligned with per_call_ms); [0] unused
    per_call_ms: np.ndarray
    intercept_ms: float
    slope_ms: float
    points: list[tuple[int, float, float, float]]  # calls, median, CI low, CI high (ms)
    colour: str | None = None
    marker: str | None = None


@dataclass(frozen=True)
class SpawnLine:
    """n separate processes of one client: n x its single-call median."""

    client: str
    per_call_ms: float


@dataclass(frozen=True)
class BreakEvenMark:
    """A break-even range on the x axis, with a short label."""

    label: str
    low: float
    high: float
    colour: str | None = None  # the Python client's series colour


def colour_of(index: int, item: CrossoverSeries) -> str:
    """The series' own colour (polybench.yaml `chart.color`) or the palette's, by position."""
    return item.colour or style.PALETTE[index % len(style.PALETTE)]


def spread_labels(ys: list[float], gap: float = LABEL_GAP) -> list[float]:
    """Label heights (log10 units) moved apart, in their order, so neighbours are at least `gap` apart."""
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    placed = list(ys)
    for previous, current in zip(order, order[1:], strict=False):
        placed[current] = max(placed[current], placed[previous] + gap)
    return placed


def render(series: list[CrossoverSeries], spawn: SpawnLine | None, marks: list[BreakEvenMark], path: Path,
           title: str, model_label: str = "lines: fixed + per call x n") -> None:
    width = 8.5
    fig, ax = style.figure(width, 7.0)
    longest = max([len(s.label) for s in series] + [len(spawn.client) + 4 if spawn else 0])
    fig.subplots_adjust(left=0.09, right=1 - min(0.4, (0.35 + 0.06 * longest) / width), bottom=0.25, top=0.95)
    top = max(n for s in series for n, *_ in s.points)
    measured = np.geomspace(1, top, 60)
    beyond = np.geomspace(top, top * EXTRAPOLATE, 20)
    ax.plot([], [], color="0.3", linewidth=1.2, label=model_label)
    ax.plot([], [], color="0.3", linewidth=1.0, linestyle=(0, (1, 2)), label="extrapolated beyond the largest N")
    ax.fill_between([], [], [], color="0.6", alpha=0.3, label="95% band of the model")
    ends: list[tuple[float, str, str]] = []
    for i, item in enumerate(series):
        marker = item.marker or style.MARKERS[i % len(style.MARKERS)]
        line_style = style.LINE_STYLES[i % len(style.LINE_STYLES)]
        colour = colour_of(i, item)
        for xs, dotted in ((measured, False), (beyond, True)):
            fitted = np.maximum(item.intercept_ms + item.slope_ms * xs, 1e-3)
            ax.plot(xs, fitted, linestyle=(0, (1, 2)) if dotted else line_style, color=colour,
                    linewidth=1.0 if dotted else 1.4)
        if len(item.fixed_ms) and len(item.fixed_ms) == len(item.per_call_ms):
            grid = item.fixed_ms[:, None] + item.per_call_ms[:, None] * measured[None, :]
            low, high = np.percentile(grid, [2.5, 97.5], axis=0)
            ax.fill_between(measured, np.maximum(low, 1e-3), high, color=colour, alpha=0.15, linewidth=0)
        calls = [p[0] for p in item.points]
        medians = [p[1] for p in item.points]
        errors = [[p[1] - p[2] for p in item.points], [p[3] - p[1] for p in item.points]]
        ax.errorbar(calls, medians, yerr=errors, fmt=marker, color=colour, markerfacecolor="white",
                    markersize=5, capsize=2, linewidth=0.8, label=item.label)
        ends.append((item.intercept_ms + item.slope_ms * beyond[-1], item.label, colour))
    if spawn is not None:
        ax.plot(measured, spawn.per_call_ms * measured, linestyle=(0, (4, 1, 1, 1)), color="0.2", linewidth=1.6,
                label=f"{spawn.client} spawned once per call (computed: sum of n draws from its single-call runs)")
        ax.plot(beyond, spawn.per_call_ms * beyond, linestyle=(0, (1, 2)), color="0.2", linewidth=1.0)
        ends.append((spawn.per_call_ms * beyond[-1], f"n x {spawn.client}", "0.2"))
    for j, mark in enumerate(marks):
        # On the spawn line, where the Python process's line crosses it: a range, not a text label (no overlap).
        middle = (mark.low * mark.high) ** 0.5
        y = spawn.per_call_ms * middle if spawn is not None else 1.0
        ax.errorbar([middle], [y], xerr=[[middle - mark.low], [mark.high - middle]], fmt="*", markersize=9,
                    color=mark.colour or "black", markeredgecolor="black", capsize=4, linewidth=2.0, zorder=5,
                    label="break-even range against spawning" if j == 0 else None)
    ax.axvline(top, color="0.6", linewidth=0.6)
    style.log_scale(ax, "x")
    style.log_scale(ax, "y")
    ax.set_xlim(0.8, top * EXTRAPOLATE)
    ax.grid(which="both", axis="both", linestyle=":", linewidth=0.4, color="0.8")
    bottom, upper = ax.get_ylim()
    height_in = fig.get_figheight() * (fig.subplotpars.top - fig.subplotpars.bottom)
    decades = np.log10(upper) - np.log10(bottom)
    gap = max(LABEL_GAP, LABEL_HEIGHT_IN / height_in * decades)  # one text line, in decades of this axis
    placed = spread_labels([float(np.log10(max(y, 1e-3))) for y, _, _ in ends], gap)
    for (y, label, colour), height in zip(ends, placed, strict=True):
        ax.annotate(label, (top * EXTRAPOLATE, y), xytext=(top * EXTRAPOLATE * 1.08, 10 ** height),
                    textcoords="data", va="center", fontsize=7, color=colour, annotation_clip=False,
                    arrowprops={"arrowstyle": "-", "color": colour, "linewidth": 0.5})
    ax.set_ylim(bottom, max(upper, 10 ** max(placed, default=0) * 1.05))
    ax.set_xlabel("calls made by one process (log scale); grey line: the largest N measured")
    ax.set_ylabel("wall time of the whole process, ms (log scale)")
    ax.set_title(title, fontsize=10)
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", fontsize=6.5, ncols=3, frameon=False)
    style.save(fig, path)
