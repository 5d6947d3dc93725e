"""GitHub Actions' step summary: when GITHUB_STEP_SUMMARY names a file, `report` appends the report's first screen.

The first screen is what a reader needs before any detail: the title, the question, the findings and the
first table. It ends at the first heading or `<details>` block after the report's first table (or, for a
report with no table, at its end). Images are dropped: their paths are relative to the report's folder,
which the summary page does not have.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from ...errors import PolybenchError

ENV_VAR = "GITHUB_STEP_SUMMARY"
_TABLE_ROW = re.compile(r"^\s*\|")
_BOUNDARY = re.compile(r"^(#{1,6}\s|<details\b)", re.IGNORECASE)
_IMAGE_LINE = re.compile(r"^\s*!\[[^\]]*\]\([^)]*\)\s*$")


def first_screen(markdown: str) -> str:
    """The part of a report before its first detailed section (see the module docstring)."""
    lines = markdown.splitlines()
    seen_table = in_fence = False
    end = len(lines)
    for number, line in enumerate(lines):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        if in_fence:
            continue
        if _TABLE_ROW.match(line):
            seen_table = True
        elif seen_table and _BOUNDARY.match(line):
            end = number
            break
    kept = [line for line in lines[:end] if not _IMAGE_LINE.match(line)]
    return "\n".join(kept).strip() + "\n"


def append_first_screen(report: Path, environ: Mapping[str, str] = os.environ) -> Path | None:
    """Append the first screen of `report` to $GITHUB_STEP_SUMMARY, if set; return that file's path.

    Raises PolybenchError when the report cannot be read or the summary file cannot be written.
    """
    target = environ.get(ENV_VAR)
    if not target:
        return None
    try:
        text = first_screen(Path(report).read_text(encoding="utf-8"))
        with open(target, "a", encoding="utf-8") as summary:
            summary.write(text + "\n")
    except OSError as exc:
        raise PolybenchError(f"cannot append the report to {ENV_VAR} ({target}): {exc.strerror or exc}") from None
    return Path(target)
