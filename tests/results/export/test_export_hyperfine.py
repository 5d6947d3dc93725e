"""The hyperfine-format export: hyperfine's documented fields, hyperfine's definitions, the measured runs only."""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
from pathlib import Path
from typing import Any

import pytest

from orchestrator.results.export import export_results
from orchestrator.results.export.cells import Cell
from orchestrator.results.records import Run

# The fields of hyperfine's BenchmarkResult as its JSON export writes them (hyperfine 1.19,
# src/benchmark/benchmark_result.rs; the file is {"results": [...]}, src/export/json.rs;
# 1.15 writes all of them but memory_usage_byte).
# `command_with_unused_parameters` is #[serde(skip_serializing)], so never in the file;
# times, memory_usage_byte and parameters are skipped when None/empty, the rest always present.
HYPERFINE_FIELDS = {"command", "mean", "stddev", "median", "user", "system", "min", "max", "times",
                    "memory_usage_byte", "exit_codes", "parameters"}
HYPERFINE_ALWAYS = HYPERFINE_FIELDS - {"times", "memory_usage_byte", "parameters"}


@pytest.fixture(scope="module")
def exported(results_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    (path,) = export_results(results_dir, "hyperfine", tmp_path_factory.mktemp("hyperfine"))
    assert path.name == "hyperfine.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def test_file_has_hyperfines_fields_and_types(exported: dict[str, Any]) -> None:
    assert set(exported) == {"results"}
    assert exported["results"]
    for result in exported["results"]:
        assert HYPERFINE_ALWAYS <= set(result) <= HYPERFINE_FIELDS
        assert isinstance(result["command"], str)
        for key in ("mean", "median", "user", "system", "min", "max"):
            assert _is_number(result[key]), key
        assert result["stddev"] is None or _is_number(result["stddev"])
        assert all(_is_number(t) and t > 0 for t in result["times"])
        assert all(isinstance(b, int) and b > 0 for b in result["memory_usage_byte"])
        assert all(code is None or isinstance(code, int) for code in result["exit_codes"])
        assert len(result["times"]) == len(result["exit_codes"]) == len(result["memory_usage_byte"])
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in result["parameters"].items())


def test_one_result_per_measured_cell_and_no_failed_run(exported: dict[str, Any],
                                                        results_data: dict[str, Any]) -> None:
    measured = {f"{b['client']} {b['case']}": b for b in results_data["benchmarks"] if b["runs"]}
    assert [r["command"] for r in exported["results"]] == list(measured)
    assert not any(r["command"].startswith("cheat ") for r in exported["results"])
    for result in exported["results"]:
        bench = measured[result["command"]]
        runs = bench["runs"]
        assert result["times"] == [r["wall_ns"] / 1e9 for r in runs]
        assert result["memory_usage_byte"] == [r["peak_rss_kib"] * 1024 for r in runs]
        assert result["exit_codes"] == [0] * len(runs)
        assert result["parameters"]["client"] == bench["client"]
        assert result["parameters"]["scenario"] == bench["scenario"]
        assert {k: result["parameters"][k] for k in bench["params"]} == {k: str(v) for k, v in bench["params"].items()}


def test_statistics_follow_hyperfines_definitions(exported: dict[str, Any], results_data: dict[str, Any]) -> None:
    measured = {f"{b['client']} {b['case']}": b for b in results_data["benchmarks"] if b["runs"]}
    for result in exported["results"]:
        times = result["times"]
        runs = measured[result["command"]]["runs"]
        assert result["mean"] == pytest.approx(statistics.fmean(times))
        assert result["stddev"] == pytest.approx(statistics.stdev(times))  # sample (n - 1), as hyperfine
        assert result["median"] == pytest.approx(statistics.median(times))
        assert (result["min"], result["max"]) == (min(times), max(times))
        assert result["user"] == pytest.approx(statistics.fmean(r["user_ns"] / 1e9 for r in runs))
        assert result["system"] == pytest.approx(statistics.fmean(r["sys_ns"] / 1e9 for r in runs))
        # the same median the report shows, in seconds instead of ms
        summary = measured[result["command"]]["summary"]["wall_ms"]
        assert result["median"] * 1000 == pytest.approx(summary["median"])


def _cell(runs: list[dict[str, Any]]) -> Cell:
    """A `single` cell of these runs (the fields a test leaves out: neutral values)."""
    records = [Run.from_json({"run_id": f"r{i}", "index": i, "timed_out": False, "reason": None, "phases_ns": None,
                              "output": None, "server": None, "round": None, "position": None, **run})
               for i, run in enumerate(runs)]
    return Cell(client="c", case="single", scenario="single", library="l", params={}, calls=1, warmup_runs=0,
                runs=records, failed_runs=[], summary=None)


def test_single_run_has_no_stddev() -> None:
    from orchestrator.results.export.hyperfine import benchmark_result

    run = {"wall_ns": 2_000_000, "user_ns": 1_000_000, "sys_ns": 0, "peak_rss_kib": 100, "exit_code": -9,
           "verified": True, "kind": "counted"}
    result = benchmark_result(_cell([run]))
    assert result["stddev"] is None
    assert result["exit_codes"] == [None]  # killed by a signal: no exit code, as in hyperfine
    assert result["times"] == [0.002]


@pytest.mark.skipif(shutil.which("hyperfine") is None, reason="hyperfine is not installed")
def test_fields_match_what_the_installed_hyperfine_writes(exported: dict[str, Any], tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    subprocess.run(["hyperfine", "-N", "--runs", "2", "--style", "none", "--export-json", str(real),
                    "-L", "word", "a,b", "true {word}"], check=True, capture_output=True, timeout=60)
    written = json.loads(real.read_text())
    assert set(written) == set(exported) == {"results"}
    for result in written["results"]:
        # every field this hyperfine writes is one we know, and our export writes it with the same type
        assert set(result) <= HYPERFINE_FIELDS
        ours = exported["results"][0]
        assert set(result) <= set(ours)
        for key, value in result.items():
            if value is not None and ours[key] is not None:
                assert type(value) is type(ours[key]) or {type(value), type(ours[key])} <= {int, float}, key


def test_user_and_system_are_means_of_the_per_run_values_even_when_each_run_is_all_one_mode() -> None:
    from orchestrator.results.export.hyperfine import benchmark_result

    # a short process's tick-sampled split: each run all user or all system
    splits = [(3_300_000, 0), (3_600_000, 0), (0, 3_600_000), (0, 3_500_000)]
    runs = [{"wall_ns": 5_000_000, "user_ns": user, "sys_ns": system, "peak_rss_kib": 100, "exit_code": 0,
             "verified": True, "kind": "counted"} for user, system in splits]
    result = benchmark_result(_cell(runs))
    assert result["user"] == pytest.approx(0.001725)  # mean of 3.3, 3.6, 0, 0 ms: not a median (1.65 ms)
    assert result["system"] == pytest.approx(0.001775)
    assert result["user"] + result["system"] == pytest.approx(statistics.fmean(u + s for u, s in splits) / 1e9)
