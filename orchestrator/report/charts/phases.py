"""Where a single call's time goes: stacked horizontal bars, one hatched segment per phase."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..data import PHASE_LABELS, PHASES
from . import style


@dataclass(frozen=True)
class PhaseBar:
    label: str
    wall_ms: float  # median wall
    phases_ms: dict[str, float] | None  # median per phase; None = unknown (curl)


def render(bars: list[PhaseBar], path: Path, title: str) -> None:
    height = style.bar_height(len(bars))
    fig, ax = style.figure(8.0, height)
    style.margins(fig, [b.label for b in bars], 8.0, height)
    longest = max((b.wall_ms for b in bars), default=1.0)
    ys = list(range(len(bars)))[::-1]  # first row on top
    drawn: set[str] = set()
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
    ax.set_xlim(0, longest * 1.18)
    ax.set_xlabel("median time per phase (ms); label: median wall time of the whole process")
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize=8, frameon=True)  # rows run fastest first: the top right is empty
    style.save(fig, path)
