"""Shared look of the charts: figure set-up, hatches, markers, deterministic SVG output."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # matplotlib is imported where a chart is drawn: about 0.4 s that a report's markdown
    # alone (the tests' no_chart_rendering, the sections' computations) does not pay
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Okabe-Ito without its yellow (#F0E442 vanishes on white): distinguishable with the
# common colour-vision deficiencies. Hatches, markers and line styles carry the same
# information for readers who see no colour at all.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#E69F00", "#56B4E9", "#666666"]
# A client's kind (role, compiled or not) -> (marker, label): the shape says what it is.
KIND_MARKERS = {
    "compiled": ("s", "compiled"),
    "interpreted": ("o", "interpreted / JIT"),
    "reference": ("D", "reference"),
    "floor": ("v", "floor"),
    "variant": ("^", "variant of another client"),
}
PNG_DPI = 110
PHASE_STYLE = {  # phase -> (hatch, colour)
    "runtime_start": ("///", "#56B4E9"),
    "imports": ("xxx", "#E69F00"),
    "network": ("", "#009E73"),
    "exit": ("\\\\\\", "#CC79A7"),
}
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*", "<", ">", "h", "d"]
LINE_STYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 1)), (0, (5, 3, 1, 3))]

_RC: Any = {  # typed loosely: matplotlib types rc keys as a Literal union
    "svg.hashsalt": "polybench",  # stable element ids: a re-rendered chart diffs clean
    "svg.fonttype": "none",  # text stays text: searchable, small
    "font.size": 9,
    "hatch.linewidth": 0.6,
}


def figure(width_in: float, height_in: float) -> tuple[Figure, Axes]:
    """A figure outside pyplot: no global state, no GUI backend."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(width_in, height_in))
        ax = fig.add_subplot()
    ax.grid(axis="x", linestyle=":", linewidth=0.5, color="0.7")
    ax.set_axisbelow(True)
    return fig, ax


def panels(width_in: float, height_in: float, heights: list[int]) -> tuple[Figure, list[Axes]]:
    """A figure of panels stacked vertically, each as tall as its share of `heights` (rows of bars)."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(width_in, height_in))
        axes = fig.subplots(len(heights), 1, squeeze=False, gridspec_kw={"height_ratios": heights})
    return fig, [row[0] for row in axes]


def log_scale(ax: Axes, which: str = "x") -> None:
    """A log scale labelled 1, 10, 100 in plain numbers (mathtext 10^n labels are slow to lay out)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    (ax.set_xscale if which == "x" else ax.set_yscale)("log")
    axis = ax.xaxis if which == "x" else ax.yaxis
    axis.set_major_locator(LogLocator(base=10))
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_formatter(NullFormatter())


def margins(fig: Figure, labels: list[str], width_in: float, height_in: float) -> None:
    """Room for the y tick labels, title and x label, set by hand: automatic layout costs a second draw."""
    longest = max((len(label) for label in labels), default=4)
    left = min(0.5, (0.25 + 0.072 * longest) / width_in)  # about 0.07 in per character at 9 pt
    fig.subplots_adjust(left=left, right=0.97, bottom=min(0.4, 0.55 / height_in), top=1 - min(0.3, 0.55 / height_in))


def bar_height(rows: int) -> float:
    """Figure height for a horizontal bar chart of `rows` bars."""
    return 1.2 + 0.38 * max(rows, 1)


def kind(role: str, compiled: bool) -> str:
    """The KIND_MARKERS key of a client: its role, unless it is a contender (then compiled or not)."""
    if role in KIND_MARKERS and role != "contender":
        return role
    return "compiled" if compiled else "interpreted"


def png_path(svg: Path) -> Path:
    return svg.with_suffix(".png")


def save(fig: Figure, path: Path) -> None:
    """The chart as SVG at `path` (text kept as text) and as PNG beside it, for viewers without SVG."""
    import matplotlib

    with matplotlib.rc_context(_RC):
        fig.savefig(path, format="svg", metadata={"Date": None})
        fig.savefig(png_path(path), format="png", dpi=PNG_DPI, metadata={"Software": None})
