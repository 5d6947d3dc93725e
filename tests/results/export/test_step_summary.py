"""GITHUB_STEP_SUMMARY: the report's first screen is appended, and nothing happens when it is not set."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestrator.cli import main
from orchestrator.results.export.step_summary import append_first_screen, first_screen
from tests.report.no_charts import no_chart_rendering

REPORT = """# polybench report

*The question?* Results from **host**.

## Findings

- rust is **50x faster** than python.

![a chart](chart.svg)

| client | median ms |
|:--|--:|
| rust | 2.0 |
| python | 100.0 |

Each figure is a median.

## Start-up

| detail | value |
|:--|--:|
| x | 1 |
"""


def test_first_screen_is_title_findings_and_first_table() -> None:
    screen = first_screen(REPORT)
    assert screen.startswith("# polybench report\n")
    assert "- rust is **50x faster** than python." in screen
    assert "| python | 100.0 |" in screen and "Each figure is a median." in screen
    assert "## Start-up" not in screen and "| detail |" not in screen
    assert "chart.svg" not in screen  # relative images do not resolve on the summary page


def test_first_screen_stops_at_details_and_ignores_fenced_code() -> None:
    text = "# t\n\n```\n| not | a table |\n## not a heading\n```\n\n| a | b |\n|--|--|\n| 1 | 2 |\n\n<details>\nlong\n"
    screen = first_screen(text)
    assert "## not a heading" in screen and "| 1 | 2 |" in screen and "<details>" not in screen


def test_appends_when_set_and_does_nothing_when_not(tmp_path: Path) -> None:
    report = tmp_path / "report.md"
    report.write_text(REPORT)
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    assert append_first_screen(report, environ={}) is None
    assert summary.read_text() == "earlier step\n"
    assert append_first_screen(report, environ={"GITHUB_STEP_SUMMARY": str(summary)}) == summary
    assert summary.read_text() == "earlier step\n" + first_screen(REPORT) + "\n"


def test_report_verb_appends_its_first_screen(results_dir: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert main(["report", str(results_dir), "--output", str(tmp_path / "reports"), "--quiet"]) == 0
    (report,) = (tmp_path / "reports").glob("*/report.md")
    written = summary.read_text(encoding="utf-8")
    assert written == first_screen(report.read_text(encoding="utf-8")) + "\n"
    assert written.startswith("# ") and len(written) < len(report.read_text(encoding="utf-8"))


def test_unwritable_summary_is_one_line(results_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "missing-dir" / "summary.md"))
    with no_chart_rendering():  # the test above draws this file's charts; here only the summary's error matters
        assert main(["report", str(results_dir), "--output", str(tmp_path / "reports"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("polybench: error: cannot append the report to GITHUB_STEP_SUMMARY")
