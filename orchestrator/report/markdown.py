"""Markdown building blocks: pipe tables with right-aligned numbers, headings, images."""

from __future__ import annotations

import re
from collections.abc import Sequence

from tabulate import tabulate

from .fmt import MISSING

_NUMERIC = re.compile(r"^[-+]?\d")
_NEUTRAL = {MISSING, "never", ""}


def cell(value: object) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _is_numeric(column: Sequence[str]) -> bool:
    return all(_NUMERIC.match(c) or c in _NEUTRAL for c in column)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A `pipe` table: columns of numbers right-aligned (`---:`), text left-aligned.

    Cells arrive already formatted (fmt.py), so tabulate's own number parsing
    is off: it would re-round them.
    """
    if not rows:
        return "_(no data)_"
    body = [[cell(v) for v in row] for row in rows]
    align = ["right" if _is_numeric([row[i] for row in body]) else "left" for i in range(len(headers))]
    return tabulate(body, headers=[cell(h) for h in headers], tablefmt="pipe", disable_numparse=True, colalign=align)


def heading(level: int, text: str) -> str:
    return f"{'#' * level} {text}"


def image(path: str, alt: str) -> str:
    """An image; brackets in the alt text (case ids have them) become parentheses, which never nest wrong."""
    return f"![{alt.replace('[', '(').replace(']', ')')}]({path})"


def blocks(*parts: str | None) -> str:
    """Join non-empty blocks with blank lines."""
    return "\n\n".join(part.strip("\n") for part in parts if part)
