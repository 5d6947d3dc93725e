"""One case's clients side by side: median wall time with its 95% CI as whiskers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import style

# Beyond this spread a linear axis squeezes the fast clients into invisible slivers.
LOG_SCALE_SPREAD = 20.0


@dataclass(frozen=True)
class MedianBar:
    label: str
    language: str
    median_ms: float
    low_ms: float
    high_ms: float


def render(bars: list[MedianBar], path: Path, title: str, xlabel: str = "median wall time (ms), 95% CI") -> None:
    height = style.bar_height(len(bars))
    fig, ax = style.figure(8.0, height)
    style.margins(fig, [b.label for b in bars], 8.0, height)
    ys = list(range(len(bars)))[::-1]
    smallest = min(b.low_ms for b in bars)
    largest = max(b.high_ms for b in bars)
    log = smallest > 0 and largest / smallest > LOG_SCALE_SPREAD
    base = smallest / 2 if log else 0.0
    seen: set[str] = set()
    for y, bar in zip(ys, bars, strict=True):
        hatch, colour = style.language_style(bar.language)
        ax.barh(y, bar.median_ms - base, left=base, height=0.6, color=colour, hatch=hatch, edgecolor="0.15",
                linewidth=0.5, label=None if bar.language in seen else style.language_name(bar.language))
        seen.add(bar.language)
        ax.errorbar(bar.median_ms, y, xerr=[[bar.median_ms - bar.low_ms], [bar.high_ms - bar.median_ms]],
                    fmt="none", ecolor="black", capsize=3, linewidth=1)
        text = f"{bar.median_ms:.2f}" if bar.median_ms < 10 else f"{bar.median_ms:.1f}"
        ax.text(bar.high_ms * (1.06 if log else 1.0) + (0 if log else largest * 0.01), y, text,
                va="center", ha="left", fontsize=8)
    ax.set_yticks(ys, [b.label for b in bars])
    if log:
        style.log_scale(ax, "x")
        ax.set_xlim(base, largest * 2.5)
    else:
        ax.set_xlim(0, largest * 1.15)
    ax.set_xlabel(xlabel + (" (log scale)" if log else ""))
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize=8, title="language", title_fontsize=8)  # fastest first: top right is free
    style.save(fig, path)
