"""`invoke report`: results files in, reports/<UTC timestamp>/report.md (short, pasteable), report-details.md and
charts (SVG and PNG) out."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from ..atomic import write_text_atomic
from ..errors import PolybenchError
from ..paths import REPORTS_DIR, RESULTS_DIR, ROOT, new_timestamped_dir
from ..results.model import checked_results_paths, latest_results
from .context import Context
from .data import load_sources
from .document import render_documents
from .sections.findings import sentences
from .sections.glance import DETAILS_FILE

REPORT_FILE = "report.md"
SUMMARY_LINES = 5


def new_report_dir(root: Path) -> Path:
    """A new reports/<timestamp>/ folder under root (paths.new_timestamped_dir)."""
    return new_timestamped_dir(root)


def terminal_summary(ctx: Context) -> str:
    """A few plain-text lines: the headline findings of each host."""
    lines = []
    for source in ctx.sources:
        failed = len(source.failed_runs())
        if failed:
            lines.append(f"warning: {failed} run(s) failed verification on {source.label} (see the report)")
        prefix = f"{source.label}: " if ctx.multi_host else ""
        for sentence in sentences(ctx, source)[:SUMMARY_LINES]:
            lines.append(f"- {prefix}{re.sub(r'[*`]', '', sentence)}")
    return "\n".join(lines)


def generate_report(paths: list[Path] | None, output_root: Path | None = None, quiet: bool = False,
                    stdout: bool = False) -> Path:
    """Write one report from one or more results files (several hosts side by side); return its path.

    Prints the path and, unless quiet, the headline findings; with stdout=True
    also prints the markdown to stdout (and the rest to stderr, so the
    markdown can be redirected whole).
    """
    sources = load_sources(checked_results_paths(list(paths)) if paths else [latest_results(ROOT / RESULTS_DIR)])
    empty = [str(source.path) for source in sources if not source.benches]
    if empty:
        raise PolybenchError(f"nothing to report: no benchmarks in {', '.join(empty)} (a run stopped before its first "
                             "cell? `invoke run --resume` continues it)")
    out_dir = new_report_dir(Path(output_root) if output_root else ROOT / REPORTS_DIR)
    ctx = Context(sources, out_dir)
    main, details = render_documents(ctx)
    report = out_dir / REPORT_FILE
    write_text_atomic(out_dir / DETAILS_FILE, details)
    write_text_atomic(report, main)
    markdown = main + "\n" + details
    chatter = sys.stderr if stdout else sys.stdout
    if stdout:
        sys.stdout.write(markdown)
        sys.stdout.flush()
    print(f"report: {report}", file=chatter)
    if not quiet:
        summary = terminal_summary(ctx)
        if summary:
            print(summary, file=chatter)
    return report
