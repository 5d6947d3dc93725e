"""Section of the main report: the charts, one line each, grouped by the section of the details they belong to.

Only charts a section listed (Context.chart_file with a section) appear;
each is referenced by its relative path, with its PNG twin linked for
viewers that do not render SVG.
"""

from __future__ import annotations

from ..charts.style import png_path
from ..context import Context
from ..markdown import blocks, heading, image
from .glance import DETAILS_FILE

TITLE = "Charts"


def render(ctx: Context) -> str | None:
    if not ctx.gallery:
        return None
    parts = [heading(2, TITLE), f"Each chart is an SVG (text kept as text) with a PNG beside it; the tables "
                                f"behind them are in [{DETAILS_FILE}]({DETAILS_FILE})."]
    sections: list[str] = []
    for chart in ctx.gallery:
        if chart.section not in sections:
            sections.append(chart.section)
    for section in sections:
        shown = [c for c in ctx.gallery if c.section == section]
        parts.append(f"**{section}**")
        for chart in shown:
            png = png_path(ctx.out_dir / chart.name).name
            parts.append(f"{image(chart.name, chart.caption)}  \n{chart.caption[0].upper()}{chart.caption[1:]} "
                         f"([PNG]({png}))")
    return blocks(*parts)
