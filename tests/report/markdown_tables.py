"""Read a report's markdown tables back, and check a printed figure against the value it should show."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass
class Table:
    section: str  # the enclosing "## " heading
    subsection: str  # the nearest "### " heading inside it ("" if none)
    headers: list[str]
    rows: list[dict[str, str]]


def _split_row(line: str) -> list[str]:
    inner = line.strip()[1:-1]
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", inner)]


def parse_tables(markdown: str) -> list[Table]:
    tables: list[Table] = []
    section = subsection = ""
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            section, subsection = line[3:].strip(), ""
        elif line.startswith("### "):
            subsection = line[4:].strip()
        elif line.startswith("|") and i + 1 < len(lines) and re.match(r"^\|[\s:|-]+\|$", lines[i + 1]):
            headers = _split_row(line)
            rows = []
            i += 2
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(dict(zip(headers, _split_row(lines[i]), strict=True)))
                i += 1
            tables.append(Table(section, subsection, headers, rows))
            continue
        i += 1
    return tables


def find_table(tables: list[Table], section: str, subsection: str = "", header: str | None = None) -> Table:
    for table in tables:
        if table.section.startswith(section) and table.subsection == subsection and (
                header is None or header in table.headers):
            return table
    raise AssertionError(f"no table under {section!r} / {subsection!r} with column {header!r}")


NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def assert_shows(cell: str, expected: float, index: int = 0, scale: float = 1.0) -> None:
    """The index-th number in the cell equals expected * scale to the precision it was printed with."""
    tokens = NUMBER.findall(cell)
    assert len(tokens) > index, f"no number #{index} in {cell!r}"
    token = tokens[index]
    decimals = len(token.split(".")[1]) if "." in token else 0
    tolerance = 0.5 * 10 ** -decimals + 1e-9 * abs(expected * scale)
    assert abs(float(token) - expected * scale) <= tolerance, f"{cell!r} shows {token}, expected {expected * scale}"


def assert_range(cell: str, low: float, high: float, scale: float = 1.0) -> None:
    assert_shows(cell, low, 0, scale)
    assert_shows(cell, high, 1, scale)


def read_report(report_path) -> str:
    """The whole report as one text: report.md, then report-details.md beside it (the tables live there)."""
    details = report_path.parent / "report-details.md"
    text = report_path.read_text(encoding="utf-8")
    return text + "\n" + details.read_text(encoding="utf-8") if details.exists() else text
