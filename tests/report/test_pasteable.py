"""The report people paste: a short report.md whose first screen answers the question, the rest in
report-details.md; charts as SVG (text as text) and PNG, every one referenced; no machine paths or ports."""

from __future__ import annotations

import os
import re
from pathlib import Path
from statistics import median
from typing import Any

import pytest
from markdown_tables import assert_range, assert_shows, parse_tables, read_report
from no_charts import no_chart_rendering
from synthetic import CLIENTS, bench, make_results, ratio, write_results

from orchestrator.report import generate_report
from orchestrator.report.sections.glance import DETAILS_FILE
from orchestrator.results.export.step_summary import first_screen

MAIN_LIMIT = 20_000  # characters: pasteable into an issue or a chat (GitHub's limit is 65,536)
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "example" / "results.json"


def _many_clients(count: int) -> dict[str, tuple[str, str, str, float, float, float, float]]:
    """`count` more clients with long names, as the new ones are: compiled and interpreted, single + keepalive."""
    kinds = [("python", 14.0, 80.0, 0.5, 5.0), ("go", 0.9, 0.4, 0.12, 0.3), ("node", 30.0, 20.0, 0.2, 2.0),
             ("java", 60.0, 40.0, 0.3, 8.0), ("c", 0.4, 0.1, 0.08, 0.1)]
    extra = {}
    for i in range(count):
        language, start, imports, per_call, exit_ms = kinds[i % len(kinds)]
        extra[f"{language}-a-rather-long-client-name-{i:02d}"] = (
            language, f"library {i}", "threads", start * (1 + i / 50), imports * (1 + i / 40), per_call, exit_ms)
    return extra


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A default-like profile with 30 clients: the six synthetic ones in every case, 24 in single + keepalive."""
    data = make_results(failed_run=False, extra_clients=_many_clients(30 - len(CLIENTS)))
    results = write_results(tmp_path_factory.mktemp("many"), data)
    with no_chart_rendering():  # its test reads the markdown
        return generate_report([results], output_root=tmp_path_factory.mktemp("many-reports"), quiet=True)


@pytest.mark.slow  # the results of 30 clients assembled, then their report: 3-4 s of CPU (tests/tiers.py)
def test_the_main_report_stays_pasteable_with_thirty_clients(many: Path) -> None:
    main = many.read_text(encoding="utf-8")
    assert len(main) < MAIN_LIMIT, f"report.md is {len(main)} characters"
    glance = [t for t in parse_tables(main) if t.section == "At a glance"]
    assert len(glance) == 1 and len(glance[0].rows) == 30  # every client in the compact table
    details = (many.parent / DETAILS_FILE).read_text(encoding="utf-8")
    assert "## Per scenario" in details and "## Per scenario" not in main  # the long tables moved out


@pytest.mark.skipif(not EXAMPLE.exists(), reason="no docs/example/results.json")
@pytest.mark.usefixtures("charts_not_rendered")  # the markdown is under test
@pytest.mark.slow  # a real default-profile file (6 MB): 5-10 s of report (its schema check: 20 ms)
def test_the_example_report_stays_pasteable(tmp_path: Path) -> None:
    main = generate_report([EXAMPLE], output_root=tmp_path, quiet=True).read_text(encoding="utf-8")
    assert len(main) < MAIN_LIMIT, f"report.md is {len(main)} characters"


def test_first_screen_is_the_question_findings_and_compact_table(report_path: Path) -> None:
    main = report_path.read_text(encoding="utf-8")
    screen = first_screen(main)
    assert screen.startswith("# polybench report\n\n*When does")
    assert "## Findings" in screen and "## At a glance" in screen
    assert screen.index("## Findings") < screen.index("## At a glance")
    assert "## Why" not in screen and "## Charts" not in screen  # the sections follow the first screen
    assert f"[{DETAILS_FILE}]({DETAILS_FILE})" in screen
    assert len(screen) < 8_000


def test_compact_table_figures_equal_the_results(report_path: Path, results_data: dict[str, Any]) -> None:
    lines = report_path.read_text(encoding="utf-8").split("## At a glance", 1)[1].splitlines()
    rows = [[c.strip() for c in line.strip()[1:-1].split("|")] for line in lines if line.startswith("|")]
    header, body = rows[0], rows[2:]
    cases = ["single", "keepalive[requests=400]", "concurrent[concurrency=10,delay_ms=100,requests=50]",
             "stream[bytes=16777216]"]
    assert header[1:] == ["1 call ms (95% CI)", "× fastest", "400 calls, keep-alive ms (95% CI)", "× fastest",
                          "10 in flight ms (95% CI)", "× fastest", "16.0 MiB download ms (95% CI)", "× fastest"]
    assert len(body) == len(CLIENTS)
    for row in body:
        client = row[0]
        for i, case in enumerate(cases):
            cell, versus = row[1 + 2 * i], row[2 + 2 * i]
            found = [b for b in results_data["benchmarks"] if b["client"] == client and b["case"] == case]
            if not found or not found[0]["runs"]:
                assert cell == versus == "—"
                continue
            wall = bench(results_data, client, case)["summary"]["wall_ms"]
            assert_shows(cell, wall["median"])
            assert_range(cell.split("(")[1], wall["median_ci_low"], wall["median_ci_high"])
            r = ratio(results_data, case, client)
            if r["client"] == r["baseline"]:
                assert versus == "fastest"
            else:
                assert_shows(versus, r["ratio"])


def test_every_chart_is_svg_with_text_and_png_and_referenced(report_path: Path) -> None:
    folder = report_path.parent
    svgs = {p.name for p in folder.glob("*.svg")}
    pngs = {p.name for p in folder.glob("*.png")}
    assert len(svgs) >= 5
    assert pngs == {Path(name).with_suffix(".png").name for name in svgs}
    text = read_report(report_path)
    referenced = set(re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text))
    assert referenced == svgs
    assert {Path(p).name for p in re.findall(r"\]\(([^)]+\.png)\)", text)} == pngs  # PNGs linked too
    for name in svgs:
        svg = (folder / name).read_text(encoding="utf-8")
        assert "<text" in svg, f"{name}: text was turned into paths"
        assert (folder / name).with_suffix(".png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "crossover.svg" in svgs and "single-call-phases.svg" in svgs


def test_chart_titles_are_words_not_case_keys(report_path: Path) -> None:
    for svg in report_path.parent.glob("*.svg"):
        titles = re.findall(r"<!-- (.*?) -->", svg.read_text(encoding="utf-8"))
        assert not any(re.search(r"\w+\[\w+=\d+", t) for t in titles), svg.name


@pytest.mark.usefixtures("charts_not_rendered")  # the markdown is under test
def test_provenance_has_no_machine_paths_or_ports(tmp_path: Path) -> None:
    stamp = tmp_path / "results" / "20261130T120000Z"
    results = write_results(stamp, make_results(failed_run=False, cases=[("single", {}, 1)]))
    (tmp_path / "results" / "latest").symlink_to(stamp.name)
    text = read_report(generate_report([tmp_path / "results" / "latest"], output_root=tmp_path / "out",
                                       quiet=True))
    assert results.exists()
    assert "8123" not in text  # the server's port, chosen at start
    assert str(tmp_path) not in text and "/latest" not in text
    assert "results folder `20261130T120000Z`" in text
    assert "http://127.0.0.1 (port chosen at start)" in text
    for row in ("Synthetic CPU Model 9000 @ 3.0GHz", "| SMT (hyper-threading)", "| isolated CPUs", "| ASLR",
                "| virtualization", "| clocksource", "0.2% of all CPU time (30 of 12000 ticks"):
        assert row in text, row
    assert re.search(r"\| Python build: orchestrator +\| 3\.11\.2, GCC 12\.2\.0, PGO yes, LTO yes", text)
    assert "/opt/py" not in text  # CONFIG_ARGS is read for PGO/LTO, not printed


def test_why_names_the_dominant_phase_and_the_slowest_import(markdown: str, results_data: dict[str, Any]) -> None:
    why = markdown.split("## Why: where the time goes", 1)[1].split("\n## ", 1)[0]
    words = {"runtime_start": "starting the runtime", "imports": "imports and set-up", "network": "the call itself",
             "exit": "exit ("}
    for client in ("python-aiohttp", "go-nethttp", "rust-ureq"):
        runs = bench(results_data, client, "single")["runs"]
        shares = {p: median(r["phases_ns"][p] / r["wall_ns"] for r in runs) for p in words}
        largest = max(shares, key=lambda p: shares[p])
        line = next(line for line in why.splitlines() if line.startswith(f"- **{client}**"))
        assert f"{words[largest]}" in line and "takes the largest share" in line
        assert_shows(line.split("largest share, ")[1], shares[largest], scale=100)
    aiohttp = next(line for line in why.splitlines() if line.startswith("- **python-aiohttp**"))
    assert "`import aiohttp`" in aiohttp and "-X importtime` runs" in aiohttp


def test_the_step_summary_gets_the_first_screen(tmp_path: Path, report_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from orchestrator.results.export.step_summary import append_first_screen
    summary = tmp_path / "summary.md"
    append_first_screen(report_path, {"GITHUB_STEP_SUMMARY": str(summary)})
    text = summary.read_text(encoding="utf-8")
    assert "## At a glance" in text and "## Charts" not in text
    assert os.path.getsize(summary) < MAIN_LIMIT
