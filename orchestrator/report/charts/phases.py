"""Where a single call's time goes: stacked horizontal bars, one hatched segment per phase.

Clients more than FAST_FACTOR times faster than the slowest get a panel of
their own with its own (linear) axis: on one shared axis their phases would
be slivers. The split is by the data, not by language or name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ...units import PHASES
from ..data import PHASE_LABELS
from . import style

if TYPE_CHECKING:
    from matplotlib.axes import Axes

FAST_FACTOR = 10.0


@dataclass(frozen=True)
class PhaseBar:
    label: str
    wall_ms: float  # median wall
    phases_ms: dict[str, float] | None  # median per phase; None = unknown (the client cannot timestamp itself)


def split(bars: list[PhaseBar]) -> list[list[PhaseBar]]:
    """[slow bars, fast bars] (either may be left out when empty), each in the given order."""
    slowest = max((b.wall_ms for b in bars), default=0.0)
    fast = [b for b in bars if b.wall_ms * FAST_FACTOR < slowest]
    slow = [b for b in bars if b not in fast]
    return [group for group in (slow, fast) if group]


def _panel(ax: Axes, bars: list[PhaseBar], drawn: set[str]) -> None:
    longest = max((b.wall_ms for b in bars), default=1.0)
    ys = list(range(len(bars)))[::-1]  # first row on top
    for y, bar in zip(ys, bars, strict=True):
        if bar.phases_ms is None:
            ax.barh(y, bar.wall_ms, color="white", edgecolor="0.3", height=0.6,
                    label=None if "unknown" in drawn else "whole process (phases unknown)")
            drawn.add("unknown")
            end = bar.wall_ms
        else:
            left = 0.0
            for phase in PHASES:
                width = bar.phases_ms[phase]
                hatch, colour = style.PHASE_STYLE[phase]
                ax.barh(y, width, left=left, height=0.6, color=colour, hatch=hatch, edgecolor="0.15",
                        linewidth=0.5, label=None if phase in drawn else PHASE_LABELS[phase])
                drawn.add(phase)
                left += width
            end = max(left, bar.wall_ms)
        ax.text(end + longest * 0.01, y, f"{bar.wall_ms:.2f} ms" if bar.wall_ms < 10 else f"{bar.wall_ms:.1f} ms",
                va="center", ha="left", fontsize=8)
    ax.set_yticks(ys, [b.label for b in bars])
    ax.set_xlim(0, longest * 1.2)
    ax.grid(axis="x", linestyle=":", linewidth=0.5, color="0.7")
    ax.set_axisbelow(True)


def render(bars: list[PhaseBar], path: Path, title: str) -> None:
    groups = split(bars)
    rows = sum(len(g) for g in groups)
    height = 1.4 + 0.36 * rows + 0.6 * (len(groups) - 1)
    fig, axes = style.panels(8.0, height, [len(g) for g in groups])
    style.margins(fig, [b.label for b in bars], 8.0, height)
    fig.subplots_adjust(hspace=0.9 / height * 2)
    drawn: set[str] = set()
    for ax, group in zip(axes, groups, strict=True):
        _panel(ax, group, drawn)
    axes[-1].set_xlabel("median time per phase (ms); label: median wall time of the whole process")
    if len(groups) > 1:
        axes[0].set_title(f"{title}\nthe slower clients", fontsize=9)
        axes[1].set_title(f"the clients more than {FAST_FACTOR:g}x faster than the slowest (own scale)",
                             fontsize=9)
    else:
        axes[0].set_title(title)
    handles, labels = axes[0].get_legend_handles_labels()
    for ax in axes[1:]:
        more = ax.get_legend_handles_labels()
        handles, labels = handles + more[0], labels + more[1]
    fig.legend(handles, labels, loc="lower center", ncols=len(labels), fontsize=7, frameon=False)
    fig.subplots_adjust(bottom=min(0.45, 0.85 / height))  # room for the legend below the x label
    style.save(fig, path)
