"""The report says what the results file says: every figure in its main tables is read back and checked.

The expected values are computed here straight from the results file (and
orchestrator.stats), not through the report's own code, so a wrong column,
a swapped interval or a unit slip fails a test.
"""

from __future__ import annotations

import math
import re
from statistics import median
from typing import Any

from markdown_tables import Table, assert_range, assert_shows, find_table
from synthetic import PHASES, bench, benches, fit_groups, ratio, walls

from orchestrator import stats
from orchestrator.report.analysis import costs

REFERENCE = "1.00x (reference)"

# --- every figure in the main tables ----------------------------------------------


def assert_contains(cell: str, value: float) -> None:
    """A printed interval "low–high" contains value, to the precision it was printed with."""
    low, high = cell.split("–")
    slack = max(0.5 * 10 ** -len(end.split(".")[1]) if "." in end else 0.5 for end in (low, high))
    assert float(low) - slack <= value <= float(high) + slack, f"{cell!r} does not contain {value}"


def assert_versus_fastest(row: dict[str, str], r: dict[str, Any]) -> None:
    """k = median / the fastest's median, with its CI; the fastest itself is the reference, with no CI."""
    if r["client"] == r["baseline"]:
        assert row["fastest is k× faster"] == REFERENCE and row["k 95% CI"] == "—"
    else:
        assert_shows(row["fastest is k× faster"], r["ratio"])
        assert_range(row["k 95% CI"], r["low"], r["high"])


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
        assert_versus_fastest(row, r)
        phases = b["summary"]["phases_ms"]
        labels = {"runtime_start": "runtime start ms", "imports": "imports + set-up ms", "network": "network ms",
                  "exit": "exit ms"}
        share_column = "share of wall: start / imports / network / exit"
        if phases is None:
            assert all(row[labels[p]] == "—" for p in PHASES)
            assert row[share_column] == "—"
        else:
            for index, phase in enumerate(PHASES):
                assert_shows(row[labels[phase]], phases[phase]["median"])
                shares = [r["phases_ns"][phase] / r["wall_ns"] for r in b["runs"]]
                assert_shows(row[share_column], median(shares), index, scale=100)
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
        assert_shows(row["this run: median ms"], b["summary"]["wall_ms"]["median"])
        assert_shows(row["this run: mean ms"], b["summary"]["wall_ms"]["mean"])
        if row["client"] == "curl":  # no ratio of curl to itself, and so no interval
            assert row["article: curl is k× faster"] == row["this run: curl is k× faster (95% CI)"] == REFERENCE
            continue
        assert_shows(row["article: curl is k× faster"], published[row["client"]] / published["curl"])
        estimate = stats.ratio_ci(walls(b), curl)  # k = median(client) / median(curl)
        for index, value in enumerate((estimate.ratio, estimate.low, estimate.high)):
            assert_shows(row["this run: curl is k× faster (95% CI)"], value, index)


def test_slowest_imports_are_medians_over_the_importtime_runs(tables: list[Table],
                                                              results_data: dict[str, Any]) -> None:
    table = find_table(tables, "Single call", "Slowest imports", header="cumulative ms")
    profiles = [b["imports"] for b in benches(results_data, client="python-urllib") if b["imports"]]
    assert len(profiles) > 3  # one importtime run per case the client ran
    expected = {}
    for module in {item["module"] for profile in profiles for item in profile}:
        items = [item for profile in profiles for item in profile if item["module"] == module]
        expected[module] = (median(i["cumulative_us"] for i in items) / 1000,
                            median(i["self_us"] for i in items) / 1000, len(items))
    rows = [row for row in table.rows if row["module"] in expected][:8]
    assert len(rows) == 8
    order = sorted(expected, key=lambda m: -expected[m][0])[:8]
    assert [row["module"] for row in rows] == order
    for row in rows:
        cumulative, self_ms, runs = expected[row["module"]]
        assert_shows(row["cumulative ms"], cumulative)
        assert_shows(row["self ms"], self_ms)
        assert row["runs"] == str(runs)


def test_every_case_table_matches_the_results(tables: list[Table], results_data: dict[str, Any]) -> None:
    cases = list(dict.fromkeys(b["case"] for b in results_data["benchmarks"]))
    seen_split: set[bool] = set()
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
            users = [run["user_ns"] / 1e6 for run in b["runs"]]
            systems = [run["sys_ns"] / 1e6 for run in b["runs"]]
            cpu = [u + s for u, s in zip(users, systems, strict=True)]
            assert_shows(row["CPU ms"], median(cpu))
            assert_shows(row["CPU/wall"], median(c / w for c, w in zip(cpu, walls(b), strict=True)), scale=100)
            assert_shows(row["CPU ms"], summary["cpu_ms"]["median"])
            resolvable = median(cpu) >= 100.0  # stats.CPU_SPLIT_MIN_MS
            assert resolvable == summary["cpu_split_resolvable"]
            seen_split.add(resolvable)
            if resolvable:
                assert_shows(row["user ms"], median(users))
                assert_shows(row["sys ms"], median(systems))
            else:  # a short run's user/sys split is sampled: no median of either column
                assert row["user ms"] == row["sys ms"] == "—"
            assert_shows(row["server ms"], median(run["server"]["server_ns"] / 1e6 for run in b["runs"]))
            assert_shows(row["peak RSS MiB"], summary["peak_rss_mib"]["median"])
            assert_versus_fastest(row, r)
            assert row["runs"] == str(len(b["runs"]))
            if wall["outliers"]:
                assert "outlier" in row["flags"]
            assert ("noisy" in row["flags"]) == wall["noisy"]
    assert seen_split == {True, False}  # long Python runs show the split, short compiled ones must not


def _phase_costs(data: dict[str, Any], client: str) -> tuple[float, float, dict[int, float]]:
    """(fixed, per call, median wall by N) straight from the runs: the phase model, computed independently."""
    cells = [b for b in data["benchmarks"] if b["client"] == client and b["runs"]
             and b["scenario"] in ("single", "keepalive")]
    fixed = median((r["phases_ns"]["runtime_start"] + r["phases_ns"]["imports"] + r["phases_ns"]["exit"]) / 1e6
                   for b in cells for r in b["runs"])
    largest = max(cells, key=lambda b: b["calls"])
    per_call = median(r["phases_ns"]["network"] / 1e6 / largest["calls"] for r in largest["runs"])
    return fixed, per_call, {b["calls"]: median(walls(b)) for b in cells}


def _interpolated(calls: list[int], gap: dict[int, float]) -> float | None:
    """First n where the straight segments between measured gaps (a - b) reach 0; None: not inside the N."""
    if gap[calls[0]] <= 0:
        return float(calls[0])
    for before, after in zip(calls, calls[1:], strict=False):
        if gap[after] <= 0:
            return before + gap[before] / (gap[before] - gap[after]) * (after - before)
    return None


def test_costs_table_shows_the_measured_fixed_and_per_call_costs(tables: list[Table],
                                                                 results_data: dict[str, Any]) -> None:
    table = find_table(tables, "Crossover", "Fixed and per-call costs", header="fixed ms")
    assert {row["client"] for row in table.rows} == {b["client"] for b in benches(results_data, scenario="keepalive")}
    for row in table.rows:
        groups = fit_groups(results_data, row["client"])
        assert row["call counts"] == ", ".join(str(n) for n in sorted(groups))
        fit = stats.fit_linear(sorted(groups), [median(groups[n]) for n in sorted(groups)])
        assert_shows(row["least-squares fixed ms"], fit.intercept)
        assert_shows(row["least-squares per call ms"], fit.slope)
        if row["client"] == "curl":  # no phases: nothing measured to split
            assert row["fixed ms"] == row["per call ms"] == row["own per call ms"] == "—"
            continue
        fixed, per_call, _ = _phase_costs(results_data, row["client"])
        largest = max(benches(results_data, client=row["client"], scenario="keepalive"), key=lambda b: b["calls"])
        n = largest["calls"]
        server = [r["server"]["server_ns"] / 1e6 / n for r in largest["runs"]]
        own = [r["phases_ns"]["network"] / 1e6 / n - s for r, s in zip(largest["runs"], server, strict=True)]
        for column, value in (("fixed", fixed), ("per call", per_call), ("own per call", own)):
            point = value if isinstance(value, float) else median(value)
            assert_shows(row[f"{column} ms"], point)
            assert_contains(row[f"{column} 95% CI"], point)
        assert_shows(row["server per call ms"], median(server))


def test_residuals_are_measured_minus_the_phase_model(tables: list[Table], results_data: dict[str, Any]) -> None:
    table = find_table(tables, "Crossover", "Cross-check: the phase model against the measured totals")
    with_phases = {b["client"] for b in benches(results_data, scenario="keepalive") if b["summary"]["phases_ms"]}
    assert {row["client"] for row in table.rows} == with_phases
    for row in table.rows:
        fixed, per_call, totals = _phase_costs(results_data, row["client"])
        for n, measured in totals.items():
            residual = measured - (fixed + per_call * n)
            assert_shows(row[f"N={n} residual ms (%)"], residual, 0)
            assert_shows(row[f"N={n} residual ms (%)"], residual / measured, 1, scale=100)


def _spawn_totals(results_data: dict[str, Any], client: str, largest: int) -> costs.SpawnTotals:
    single = tuple(walls(bench(results_data, client, "single")))
    return costs.spawn_totals(costs.ClientRuns(client, "", {1: costs.CellRuns(1, single)}), largest)


def _first_below(fixed: float, per_call: float, spawns: costs.SpawnTotals, largest: int) -> int:
    return next(n for n in range(1, largest + 1) if fixed + per_call * n <= spawns.at(n).point)


def _shown_near(shown: float, expected: float, low: float, high: float) -> None:
    """A figure rounded to its interval's precision: within half a step of 10^floor(log10(half-width))."""
    step = 10.0 ** math.floor(math.log10((high - low) / 2)) if high > low else 1.0
    assert abs(shown - expected) <= max(step, 1.0) / 2 + 1e-9, (shown, expected, step)


def test_break_even_against_spawning_is_a_range_of_estimators(tables: list[Table],
                                                                results_data: dict[str, Any]) -> None:
    table = find_table(tables, "Crossover", "Break-even points", header="beats spawning from")
    singles = {c: median(walls(bench(results_data, c, "single"))) for c in ("go-nethttp", "rust-ureq")}
    spawned = min(singles, key=singles.get)  # type: ignore[arg-type]
    assert {row["Python client"] for row in table.rows} == {"python-urllib", "python-requests"}
    for row in table.rows:
        assert row["spawned binary"] == spawned
        fixed, per_call, totals = _phase_costs(results_data, row["Python client"])
        calls = sorted(totals)
        # N spawns are computed (the sum of N draws), the same totals in every estimator.
        spawns = _spawn_totals(results_data, spawned, max(calls))
        fit = stats.fit_linear(calls, [totals[n] for n in calls])
        expected = {
            "phases": _first_below(fixed, per_call, spawns, max(calls)),
            "least squares": _first_below(fit.intercept, fit.slope, spawns, max(calls)),
            "interpolation": _interpolated(calls, {n: totals[n] - spawns.at(n).point for n in calls}),
        }
        lows, highs = [], []
        for name, n in expected.items():
            cell = row[f"{name}: n (95% CI)"]
            low, high = (int(x) for x in cell.split("(")[1].rstrip(")").split("–"))
            _shown_near(int(cell.split(" ")[0]), math.ceil(n), low, high)  # type: ignore[arg-type]
            assert low <= math.ceil(n) <= high  # type: ignore[arg-type]
            lows.append(low)
            highs.append(high)
        # The synthetic Python clients cross inside the measured N: the answer spans every estimator's interval.
        low, high = (int(x) for x in row["beats spawning from"].removeprefix("n = ").split("–"))
        assert low <= min(lows) and max(highs) <= high <= max(calls)


def test_within_a_factor_says_never_when_python_calls_cost_more(tables: list[Table],
                                                                results_data: dict[str, Any]) -> None:
    table = find_table(tables, "Crossover", "Break-even points", header="within 2x from")
    costs = find_table(tables, "Crossover", "Fixed and per-call costs", header="fixed ms")
    per_call = {row["client"]: [float(x) for x in row["per call 95% CI"].split("–")] for row in costs.rows
                if row["per call 95% CI"] != "—"}
    for row in table.rows:
        for label, factor in (("2x", 2.0), ("10%", 1.1)):
            rival = row[f"{label}: decided by"]
            # Synthetic Python calls cost 4-6x a compiled client's: every factor is "never", with the reason.
            assert row[f"within {label} from"] == "never"
            assert per_call[row["Python client"]][0] > factor * per_call[rival][1]
            assert "per-call cost is the higher one" in row[f"{label}: why"]


def test_computed_spawns_are_labelled_and_sum_single_call_draws(tables: list[Table],
                                                               results_data: dict[str, Any]) -> None:
    table = find_table(tables, "Crossover", "One Python process against N spawns (computed)")
    singles = {c: walls(bench(results_data, c, "single")) for c in ("go-nethttp", "rust-ureq")}
    spawned = min(singles, key=lambda c: median(singles[c]))
    assert len(table.rows) == 2 * 3  # urllib and requests, three keep-alive counts
    for row in table.rows:
        n = int(row["calls N"])
        python = walls(bench(results_data, row["Python client"], f"keepalive[requests={n}]"))
        spawns = _spawn_totals(results_data, spawned, n).at(n)
        low, high = spawns.interval
        assert row["spawned client"] == spawned
        assert_shows(row["one process ms"], median(python))
        _shown_near(float(row["N spawns ms"]), spawns.point, low, high)
        shown_low, shown_high = (float(x) for x in row["N spawns 95% range"].split("–"))
        assert shown_low <= low and high <= shown_high  # rounded outward
        faster = "one process" if spawns.point >= median(python) else "spawning"
        assert row["faster"] in (faster, "tie (k's CI includes 1)")
        k = spawns.point / median(python)
        assert_shows(row["k"], k if faster == "one process" else 1 / k)
        assert_contains(row["k 95% CI"], k if faster == "one process" else 1 / k)
        ci_low = float(row["k 95% CI"].split("–")[0])
        assert (row["faster"] == faster) == (ci_low > 1.0)  # a win only where k's interval excludes 1


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


def test_findings_split_the_single_call_into_all_four_phases(markdown: str, results_data: dict[str, Any]) -> None:
    findings = markdown.split("## Findings", 1)[1].split("\n## ", 1)[0]
    (sentence,) = [line for line in findings.splitlines() if "python-requests' single call" in line]
    runs = bench(results_data, "python-requests", "single")["runs"]
    groups = [("runtime_start",), ("imports",), ("network",), ("exit",), ("runtime_start", "imports"),
              ("runtime_start", "imports", "exit")]
    shown = re.findall(r"\*\*(\d+\.\d)%\*\*", sentence)
    assert len(shown) == len(groups)
    for cell, phases in zip(shown, groups, strict=True):
        expected = median(sum(r["phases_ns"][p] for p in phases) / r["wall_ns"] for r in runs)
        assert_shows(cell, expected, scale=100)


def test_findings_label_computed_spawns_and_never_call_them_measured(markdown: str) -> None:
    findings = markdown.split("## Findings", 1)[1].split("\n## ", 1)[0]
    (sentence,) = [line for line in findings.splitlines() if "spawns of" in line]
    assert "computed, as the sum of 400 draws from its single-call runs, not 400 × the median" in sentence
    assert "Measured:" not in findings


def test_findings_quote_the_spawning_range_of_the_table(tables: list[Table], markdown: str) -> None:
    table = find_table(tables, "Crossover", "Break-even points", header="beats spawning from")
    (row,) = [r for r in table.rows if r["Python client"] == "python-requests"]
    findings = markdown.split("## Findings", 1)[1]
    assert (f"One long-lived python-requests process beats spawning {row['spawned binary']} once per call (computed "
            f"from its single-call runs) from **{row['beats spawning from']}** calls") in findings
    assert "they are not independent checks" in findings
