"""The export stage: a results.json in, files that other tools read out.

One module per format, like hyperfine's src/export/: hyperfine.py (hyperfine's JSON export, for its
scripts), pyperf.py (pyperf's JSON, for `python -m pyperf stats|hist|compare_to`), csv.py (runs.csv
and cells.csv). Each has `files(results) -> {file name: text}` (a records.Results); a new format is
one new module and one line in FORMATS. Like report, export reads results files only and never starts a process.
step_summary.py appends a report's first screen to GitHub Actions' step summary.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ...atomic import write_text_atomic
from ...errors import PolybenchError
from ...paths import RESULTS_DIR, ROOT
from ..model import checked_results_paths, latest_results, load_results
from ..records import Results


def _hyperfine(data: Results) -> dict[str, str]:
    from . import hyperfine

    return hyperfine.files(data)


def _pyperf(data: Results) -> dict[str, str]:
    from . import pyperf  # imports the pyperf package: only when asked for

    return pyperf.files(data)


def _csv(data: Results) -> dict[str, str]:
    from . import csv

    return csv.files(data)


FORMATS: dict[str, Callable[[Results], dict[str, str]]] = {
    "hyperfine": _hyperfine,
    "pyperf": _pyperf,
    "csv": _csv,
}


def export_results(results: Path | None, fmt: str, output: Path | None = None) -> list[Path]:
    """Write `results` (a results directory or its results.json; default results/latest) in format `fmt`.

    The files go into `output` (created if missing), by default the directory holding the results.json;
    returns their paths. Raises PolybenchError for an unknown format, missing, unreadable or invalid
    results, or an output that cannot be written.
    """
    if fmt not in FORMATS:
        raise PolybenchError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    results = latest_results(ROOT / RESULTS_DIR) if results is None else checked_results_paths([Path(results)])[0]
    data = load_results(results)
    out_dir = Path(output) if output is not None else (results if results.is_dir() else results.parent)
    written = []
    for name, text in FORMATS[fmt](data).items():
        path = out_dir / name
        try:
            write_text_atomic(path, text)
        except OSError as exc:
            raise PolybenchError(f"cannot write {path}: {exc.strerror or exc}") from None
        written.append(path)
    return written
