"""Markdown building blocks: pipe tables with right-aligned numbers, headings, notes."""

from __future__ import annotations

from collections.abc import Sequence

from tabulate import tabulate


def cell(value: object) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], left: int = 1, text_last: int = 0) -> str:
    """A `pipe` table; the first `left` and last `text_last` columns are text (left-aligned), the rest numbers.

    Cells arrive already formatted (fmt.py), so tabulate's own number parsing
    is off: it would re-round them.
    """
    if not rows:
        return "_(no data)_"
    align = ["left"] * left + ["right"] * (len(headers) - left - text_last) + ["left"] * text_last
    return tabulate([[cell(v) for v in row] for row in rows], headers=[cell(h) for h in headers],
                    tablefmt="pipe", disable_numparse=True, colalign=align)


def heading(level: int, text: str) -> str:
    return f"{'#' * level} {text}"


def image(path: str, alt: str) -> str:
    return f"![{alt}]({path})"


def blocks(*parts: str | None) -> str:
    """Join non-empty blocks with blank lines."""
    return "\n\n".join(part.strip("\n") for part in parts if part)
