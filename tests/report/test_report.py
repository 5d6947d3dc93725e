"""The report as a whole: schema of its input, failed runs, charts, several hosts, missing data."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from markdown_tables import find_table, parse_tables, read_report
from synthetic import FAILED_REASON, benches, make_results, write_results

from orchestrator.errors import PolybenchError
from orchestrator.report import generate, generate_report
from tests.shipped import reference_validator, results_schema

# --- the results file and its schema ----------------------------------------------


def test_synthetic_results_match_the_published_schema(results_data: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(results_schema())
    reference_validator().validate(results_data)
    reference_validator().validate(make_results("other", seed=3, failed_run=False, cases=[("single", {}, 1)]))


def test_schema_rejects_a_results_file_without_benchmarks(results_data: dict[str, Any]) -> None:
    broken = {k: v for k, v in results_data.items() if k != "benchmarks"}
    with pytest.raises(jsonschema.ValidationError):
        reference_validator().validate(broken)


# --- failed runs, charts, hosts --------------------------------------------------


def test_failed_runs_are_reported_prominently(markdown: str) -> None:
    before_findings = markdown.split("## Findings", 1)[0]
    assert "> **1 run failed verification**" in before_findings
    assert FAILED_REASON in before_findings
    failures = find_table(parse_tables(markdown), "Environment", "Failed runs and missing cells", header="reason")
    assert failures.rows[0]["reason"] == FAILED_REASON
    assert failures.rows[0]["runs"] == "1"
    assert "python-requests keepalive[requests=10]" in failures.rows[0]["cells"]


@pytest.mark.usefixtures("charts_not_rendered")  # the markdown is under test
def test_a_clean_run_has_no_warning(tmp_path: Path) -> None:
    results = write_results(tmp_path / "r", make_results(failed_run=False, cases=[("single", {}, 1)]))
    text = read_report(generate_report([results], output_root=tmp_path / "reports", quiet=True))
    assert "**Warning**" not in text
    assert "Every run passed verification." in text


def test_charts_are_svg_and_referenced_both_ways(report_path: Path, markdown: str) -> None:
    files = {p.name for p in report_path.parent.iterdir() if p.suffix == ".svg"}
    referenced = set(re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown))
    assert files, "no charts written"
    assert files == referenced
    for name in files:
        text = (report_path.parent / name).read_text(encoding="utf-8")
        assert text.startswith("<?xml") and "<svg" in text and len(text) > 1000


def test_two_hosts_side_by_side(two_host_report_path: Path) -> None:
    text = read_report(two_host_report_path)
    tables = parse_tables(text)
    assert "On **bench-a**" in text and "On **bench-b**" in text
    environment = find_table(tables, "Environment", header="bench-a")
    assert "bench-b" in environment.headers
    single = find_table(tables, "Single call", header="median ms")
    assert single.headers[0] == "host"
    assert {row["host"] for row in single.rows} == {"bench-a", "bench-b"}
    crossover_charts = [p for p in two_host_report_path.parent.glob("crossover*.svg")]
    assert len(crossover_charts) == 2


@pytest.mark.usefixtures("charts_not_rendered")  # the markdown is under test
def test_few_call_counts_skip_the_fit_and_say_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = write_results(tmp_path / "r", make_results(cases=[("single", {}, 1)], failed_run=False))
    report = generate_report([results], output_root=tmp_path / "reports", stdout=True)
    out, err = capsys.readouterr()
    assert out.startswith("# polybench report")  # the markdown, whole, on stdout
    assert f"report: {report}" in err
    assert "No `keepalive` runs in these results" in out
    assert "No crossover estimate for python-requests" in out


@pytest.mark.usefixtures("charts_not_rendered")  # the markdown is under test
def test_a_break_even_beyond_the_measured_calls_is_not_determinable(tmp_path: Path) -> None:
    data = make_results(cases=[("single", {}, 1), ("keepalive", {"requests": 10}, 10)], failed_run=False)
    results = write_results(tmp_path / "r", data)
    text = read_report(generate_report([results], output_root=tmp_path / "reports", quiet=True))
    table = find_table(parse_tables(text), "Crossover", "Break-even points", header="beats spawning from")
    for row in table.rows:  # the synthetic Python clients catch up after tens of calls, and N stops at 10
        assert row["beats spawning from"] == "not determinable from this run"
        assert row["why"] == "the estimates reach beyond the largest N measured, 10"
        assert row["least squares: n (95% CI)"] == "—"  # two call counts: a line would test nothing
        assert row["interpolation: n (95% CI)"] == ">10 (>10)"  # no crossing inside the measured N
    findings = text.split("## Findings", 1)[1].split("\n## ", 1)[0]
    assert ("Whether one long-lived python-requests process beats spawning rust-ureq once per call, and from which "
            "n, is not determinable from this run") in findings
    assert "One python-requests process making 10 calls over keep-alive took" in findings
    assert "computed, as the sum of 10 draws from its single-call runs" in findings


@pytest.mark.usefixtures("charts_not_rendered")  # the markdown is under test
def test_findings_say_when_no_compiled_client_ran(tmp_path: Path) -> None:
    data = make_results(cases=[("single", {}, 1)], failed_run=False, clients=["python-requests", "curl"])
    results = write_results(tmp_path / "r", data)
    text = read_report(generate_report([results], output_root=tmp_path / "reports", quiet=True))
    assert "No compiled contender's single-call result in this run" in text


def test_default_results_missing_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generate, "ROOT", tmp_path)
    with pytest.raises(PolybenchError, match="no results yet: run `invoke run` first"):
        generate_report(None, output_root=tmp_path / "reports")
    (tmp_path / "results" / "latest").mkdir(parents=True)
    with pytest.raises(PolybenchError, match="invoke run --resume"):
        generate_report(None, output_root=tmp_path / "reports")


def test_a_broken_latest_link_says_so_and_where_it_points(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from orchestrator.cli import main

    monkeypatch.setattr(generate, "ROOT", tmp_path)
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "latest").symlink_to("20261201T120000Z")  # as mark_latest makes it; then deleted
    assert main(["report", "--output", str(tmp_path / "reports")]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("polybench: error: "), lines
    assert "no results yet" not in lines[0]
    assert f"latest is a broken link to {tmp_path / 'results' / '20261201T120000Z'}," in lines[0]
    assert not (tmp_path / "reports").exists()


def test_results_without_benchmarks_are_refused_not_reported_empty(tmp_path: Path) -> None:
    data = make_results(cases=[("single", {}, 1)], failed_run=False, clients=["python-requests"])
    data["benchmarks"] = []
    results = write_results(tmp_path / "r", data)
    with pytest.raises(PolybenchError, match="nothing to report: no benchmarks in"):
        generate_report([results], output_root=tmp_path / "reports", quiet=True)
    assert not list((tmp_path / "reports").glob("*/report.md"))


@pytest.mark.usefixtures("charts_not_rendered")  # the markdown is under test
def test_a_cell_without_verified_runs_is_named_in_the_warning(tmp_path: Path) -> None:
    data = make_results(cases=[("single", {}, 1)], failed_run=False)
    (dead,) = benches(data, client="go-nethttp", case="single")
    dead.update(status="failed", status_reason="exit code 1", summary=None,
                failed_runs=[{**run, "verified": False, "reason": "exit code 1"} for run in dead["runs"]], runs=[])
    data["ratios"] = [r for r in data["ratios"] if r["client"] != "go-nethttp"]
    text = read_report(generate_report([write_results(tmp_path / "r", data)], output_root=tmp_path / "reports",
                                       quiet=True))
    warning = text.split("## Findings", 1)[0]
    assert "**8 runs failed verification**" in warning and "8 × exit code 1" in warning
    assert "**1 cell had no verified run at all**: go-nethttp single" in warning
    single = find_table(parse_tables(text), "Per scenario", "`single`")
    (row,) = [r for r in single.rows if r["client"] == "go-nethttp"]
    assert row["median ms"] == "—" and row["flags"] == "failed: exit code 1" and row["failed"] == "8"


@pytest.mark.usefixtures("charts_not_rendered")  # the markdown is under test
def test_an_unfinished_run_is_flagged(tmp_path: Path) -> None:
    data = make_results(cases=[("single", {}, 1)], failed_run=False)
    data["finished"] = False
    text = read_report(generate_report([write_results(tmp_path / "r", data)], output_root=tmp_path / "reports",
                                       quiet=True))
    assert "**The run did not finish**" in text.split("## Findings", 1)[0]
