"""The report says what the results file says: every figure in its main tables is read back and checked.

The expected values are computed here straight from the results file (and
orchestrator.stats), not through the report's own code, so a wrong column,
a swapped interval or a unit slip fails a test.
"""

from __future__ import annotations

import math
from statistics import median
from typing import Any

from markdown_tables import Table, assert_range, assert_shows, find_table
from synthetic import PHASES, bench, benches, fit_groups, ratio, walls, whole_calls

from orchestrator import stats

# --- every figure in the main tables ----------------------------------------------


def test_single_call_table_matches_the_results(tables: list[Table], results_data: dict[str, Any]) -> None:
    table = find_table(tables, "Single call", header="median ms")
    expected = [b for b in benches(results_data, scenario="single") if b["runs"]]
    assert sorted(row["client"] for row in table.rows) == sorted(b["client"] for b in expected)
    shown_medians = []
    for row in table.rows:
        b = bench(results_data, row["client"], "single")
        wall = b["summary"]["wall_ms"]
        r = ratio(results_data, "single", row["client"])
        assert_shows(row["median ms"], wall["median"])
        assert_range(row["95% CI"], wall["median_ci_low"], wall["median_ci_high"])
        assert_shows(row["x fastest"], r["ratio"])
        if r["low"] is None:  # the baseline: no interval on a ratio to itself
            assert r["baseline"] == row["client"] and row["ratio 95% CI"] == "—"
        else:
            assert_range(row["ratio 95% CI"], r["low"], r["high"])
        phases = b["summary"]["phases_ms"]
        labels = {"runtime_start": "runtime start ms", "imports": "imports + set-up ms", "network": "network ms",
                  "exit": "exit ms"}
        if phases is None:
            assert all(row[labels[p]] == "—" for p in PHASES)
            assert row["start + imports share"] == "—"
        else:
            for phase in PHASES:
                assert_shows(row[labels[phase]], phases[phase]["median"])
            shares = [(r["phases_ns"]["runtime_start"] + r["phases_ns"]["imports"]) / r["wall_ns"] for r in b["runs"]]
            assert_shows(row["start + imports share"], median(shares), scale=100)
        shown_medians.append(wall["median"])
    assert shown_medians == sorted(shown_medians)  # fastest first


def test_article_comparison_quotes_the_article_and_this_run(tables: list[Table], results_data: dict[str, Any]) -> None:
    table = find_table(tables, "Single call", "Against the article")
    published = {"curl": 6.2, "python-urllib": 81.3, "python-requests": 153.6}
    assert [row["client"] for row in table.rows] == list(published)
    curl = walls(bench(results_data, "curl", "single"))
    for row in table.rows:
        b = bench(results_data, row["client"], "single")
        assert_shows(row["published in the article: mean ms"], published[row["client"]])
        assert_shows(row["article: x curl"], published[row["client"]] / published["curl"])
        assert_shows(row["this run: median ms"], b["summary"]["wall_ms"]["median"])
        assert_shows(row["this run: mean ms"], b["summary"]["wall_ms"]["mean"])
        estimate = stats.ratio_ci(walls(b), curl)
        for index, value in enumerate((estimate.ratio, estimate.low, estimate.high)):
            assert_shows(row["this run: x curl (95% CI)"], value, index)


def test_slowest_imports_come_from_the_importtime_run(tables: list[Table], results_data: dict[str, Any]) -> None:
    table = find_table(tables, "Single call", "Slowest imports", header="cumulative ms")
    imports = sorted(bench(results_data, "python-urllib", "single")["imports"], key=lambda i: -i["cumulative_us"])
    assert len(table.rows) == 8
    for row, item in zip(table.rows, imports, strict=False):
        assert row["module"] == item["module"]
        assert_shows(row["cumulative ms"], item["cumulative_us"] / 1000)
        assert_shows(row["self ms"], item["self_us"] / 1000)


def test_every_case_table_matches_the_results(tables: list[Table], results_data: dict[str, Any]) -> None:
    cases = list(dict.fromkeys(b["case"] for b in results_data["benchmarks"]))
    for case in cases:
        table = find_table(tables, "Per scenario", f"`{case}`")
        expected = sorted(b["client"] for b in benches(results_data, case=case))
        assert sorted(row["client"] for row in table.rows) == expected
        for row in table.rows:
            b = bench(results_data, row["client"], case)
            assert row["failed"] == str(len(b["failed_runs"]))
            if not b["runs"]:
                assert row["median ms"] == "—" and b["status"] in row["flags"]
                continue
            summary = b["summary"]
            wall = summary["wall_ms"]
            r = ratio(results_data, case, row["client"])
            assert_shows(row["median ms"], wall["median"])
            assert_range(row["95% CI"], wall["median_ci_low"], wall["median_ci_high"])
            assert_shows(row["mean ± σ ms"], wall["mean"], 0)
            assert_shows(row["mean ± σ ms"], wall["stdev"], 1)
            assert_shows(row["min ms"], wall["min"])
            assert_shows(row["max ms"], wall["max"])
            assert_shows(row["CPU ms"], summary["cpu_ms"]["median"])
            if summary["cpu_split_resolvable"]:
                assert_shows(row["user / sys ms"], summary["user_ms"]["median"], 0)
                assert_shows(row["user / sys ms"], summary["sys_ms"]["median"], 1)
            else:  # a sampled split is never shown
                assert summary["user_ms"] is None and row["user / sys ms"] == "—"
            assert_shows(row["peak RSS MiB"], summary["peak_rss_mib"]["median"])
            assert_shows(row["x fastest"], r["ratio"])
            if r["low"] is None:  # the baseline: no interval on a ratio to itself
                assert r["baseline"] == row["client"] and row["ratio 95% CI"] == "—"
            else:
                assert_range(row["ratio 95% CI"], r["low"], r["high"])
            assert row["runs"] == str(len(b["runs"]))
            if wall["outliers"]:
                assert "outlier" in row["flags"]
            assert ("noisy" in row["flags"]) == wall["noisy"]


def test_fit_table_matches_a_fit_of_the_runs(tables: list[Table], results_data: dict[str, Any]) -> None:
    table = find_table(tables, "Crossover", "Fitted lines", header="start-up ms")
    assert {row["client"] for row in table.rows} == {b["client"] for b in benches(results_data, scenario="keepalive")}
    for row in table.rows:
        groups = fit_groups(results_data, row["client"])
        assert row["call counts"] == ", ".join(str(n) for n in sorted(groups))
        fit = stats.fit_linear_ci(groups)
        assert_shows(row["start-up ms"], fit.fit.intercept)
        assert_range(row["start-up 95% CI"], fit.intercept_low, fit.intercept_high)
        assert_shows(row["per call ms"], fit.fit.slope)
        assert_range(row["per call 95% CI"], fit.slope_low, fit.slope_high)
        assert_shows(row["r²"], fit.fit.r2)


def test_break_even_table_follows_from_the_fits(tables: list[Table], results_data: dict[str, Any]) -> None:
    table = find_table(tables, "Crossover", "Break-even points")
    fits = {c: stats.fit_linear_ci(fit_groups(results_data, c)).fit
            for c in ("python-urllib", "python-requests", "go-nethttp", "rust-ureq")}
    compiled = [fits["go-nethttp"], fits["rust-ureq"]]
    singles = {c: median(walls(bench(results_data, c, "single"))) for c in ("go-nethttp", "rust-ureq")}
    spawned = min(singles, key=singles.get)  # type: ignore[arg-type]
    assert {row["Python client"] for row in table.rows} == {"python-urllib", "python-requests"}
    for row in table.rows:
        py = fits[row["Python client"]]
        for column, factor in (("within 2x from n", 2.0), ("within 10% from n", 1.1)):
            points = [stats.break_even_calls(py.intercept, py.slope, c.intercept, c.slope, factor) for c in compiled]
            expected = None if None in points else max(points)  # type: ignore[type-var]
            assert row[column].rstrip("*") == whole_calls(expected)
        spawn = stats.break_even_calls(py.intercept, py.slope, 0.0, singles[spawned])
        assert row["beats spawning per call from n"].rstrip("*") == whole_calls(spawn)
        assert row["spawned binary"] == spawned
        if spawn is not None:
            low, high = (float(x) for x in row["spawning 95% CI"].split("–"))
            assert low <= math.ceil(spawn) <= high


def test_measured_table_compares_one_process_with_spawning(tables: list[Table], results_data: dict[str, Any]) -> None:
    table = find_table(tables, "Crossover", "Measured: one Python process against a compiled process per call")
    singles = {c: walls(bench(results_data, c, "single")) for c in ("go-nethttp", "rust-ureq")}
    spawned = min(singles, key=lambda c: median(singles[c]))
    assert len(table.rows) == 2 * 3  # urllib and requests, three keep-alive counts
    for row in table.rows:
        n = int(row["calls N"])
        python = walls(bench(results_data, row["Python client"], f"keepalive[requests={n}]"))
        estimate = stats.ratio_ci(python, singles[spawned])
        assert row["spawned client"] == spawned
        assert_shows(row["one process ms"], median(python))
        assert_shows(row["N spawns ms"], n * median(singles[spawned]))
        assert_shows(row["ratio"], estimate.ratio / n)
        assert_range(row["ratio 95% CI"], estimate.low / n, estimate.high / n)


def test_concurrency_table_against_the_ideal(tables: list[Table], results_data: dict[str, Any]) -> None:
    case = "concurrent[concurrency=10,delay_ms=100,requests=50]"
    table = find_table(tables, "Concurrency", f"`{case}`")
    ideal = math.ceil(50 / 10) * 100
    for row in table.rows:
        b = bench(results_data, row["client"], case)
        phases = b["summary"]["phases_ms"]
        elapsed = phases["network"]["median"] if phases else b["summary"]["wall_ms"]["median"]
        assert row["elapsed from"] == ("network phase" if phases else "whole process")
        assert row["concurrency model"] == b["concurrency_model"]
        assert_shows(row["ideal ms"], ideal)
        assert_shows(row["elapsed ms"], elapsed)
        assert_shows(row["overhead ms"], elapsed - ideal)
        assert_shows(row["efficiency"], ideal / elapsed, scale=100)
        assert_shows(row["wall ms"], b["summary"]["wall_ms"]["median"])


def test_stream_table_throughput(tables: list[Table], results_data: dict[str, Any]) -> None:
    case = "stream[bytes=16777216]"
    table = find_table(tables, "Streaming", f"`{case}`")
    assert {row["client"] for row in table.rows} == {b["client"] for b in benches(results_data, case=case) if b["runs"]}
    for row in table.rows:
        b = bench(results_data, row["client"], case)
        seconds = b["summary"]["phases_ms"]["network"]["median"] / 1000
        assert_shows(row["MB/s"], 16777216 / seconds / 1e6)
        assert_shows(row["peak RSS MiB"], b["summary"]["peak_rss_mib"]["median"])


def test_findings_quote_the_single_call_ratio_with_its_interval(markdown: str, results_data: dict[str, Any]) -> None:
    findings = markdown.split("## Findings", 1)[1].split("\n## ", 1)[0]
    ureq, requests = (walls(bench(results_data, c, "single")) for c in ("rust-ureq", "python-requests"))
    estimate = stats.ratio_ci(requests, ureq)
    assert f"**{estimate.ratio:.1f}x faster**" in findings
    assert f"95% CI {estimate.low:.1f}–{estimate.high:.1f}x" in findings
