"""The CSV export round-trips: read back, every value is results.json's."""

from __future__ import annotations

import copy
import csv
import io
from pathlib import Path
from typing import Any

import pytest

from orchestrator.results.export import export_results
from orchestrator.results.export.csv import render_cells, render_runs
from orchestrator.results.records import Results


@pytest.fixture(scope="module")
def tables(results_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, str]]]:
    paths = export_results(results_dir, "csv", tmp_path_factory.mktemp("csv"))
    assert sorted(p.name for p in paths) == ["cells.csv", "runs.csv"]
    return {p.name: _rows(p) for p in paths}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _optional_int(text: str) -> int | None:
    return int(text) if text else None


def test_runs_csv_has_every_run_with_its_values_and_status(tables: dict[str, list[dict[str, str]]],
                                                           results_data: dict[str, Any]) -> None:
    expected = [(b, "verified", r) for b in results_data["benchmarks"] for r in b["runs"]]
    expected += [(b, "failed", r) for b in results_data["benchmarks"] for r in b["failed_runs"]]
    rows = {row["run_id"]: row for row in tables["runs.csv"]}
    assert len(tables["runs.csv"]) == len(expected) == len(rows)
    assert any(status == "failed" for _, status, _ in expected)  # the cheat's runs
    for bench, status, run in expected:
        row = rows[run["run_id"]]
        assert (row["client"], row["case"], row["scenario"]) == (bench["client"], bench["case"], bench["scenario"])
        assert row["status"] == status
        assert (row["reason"] or None) == run["reason"]
        assert row["kind"] == run["kind"] and int(row["index"]) == run["index"]
        for key in ("wall_ns", "user_ns", "sys_ns", "peak_rss_kib", "exit_code", "started_epoch_ns"):
            assert int(row[key]) == run[key], key
        assert row["timed_out"] == str(run["timed_out"]).lower()
        phases = run["phases_ns"] or {}
        for phase in ("runtime_start", "imports", "network", "exit"):
            assert _optional_int(row[f"{phase}_ns"]) == phases.get(phase)
        server = run["server"] or {}
        assert _optional_int(row["server_requests"]) == server.get("requests")
        assert _optional_int(row["server_connections"]) == server.get("connections")


def test_cells_csv_has_one_row_per_cell_with_the_summary(tables: dict[str, list[dict[str, str]]],
                                                         results_data: dict[str, Any]) -> None:
    rows = tables["cells.csv"]
    benches = results_data["benchmarks"]
    assert [(r["client"], r["case"]) for r in rows] == [(b["client"], b["case"]) for b in benches]
    ratios = {(r["client"], r["case"]): r for r in results_data["ratios"]}
    for row, bench in zip(rows, benches, strict=True):
        assert row["status"] == bench["status"]
        assert int(row["counted_runs"]) == len(bench["runs"])
        assert int(row["failed_runs"]) == len(bench["failed_runs"])
        assert int(row["warmup_runs"]) == bench["warmup_runs"]
        for name, value in bench["params"].items():
            assert int(row[name]) == value
        if bench["summary"] is None:
            assert row["wall_ms_median"] == "" and row["ratio_to_fastest"] == ""
            continue
        wall = bench["summary"]["wall_ms"]
        for stat in ("n", "median", "median_ci_low", "median_ci_high", "mean", "stdev", "min", "max"):
            assert float(row[f"wall_ms_{stat}"]) == wall[stat], stat  # exact: floats are written in full
        assert float(row["imports_ms_median"]) == bench["summary"]["phases_ms"]["imports"]["median"]
        ratio = ratios[(bench["client"], bench["case"])]
        assert float(row["ratio_to_fastest"]) == ratio["ratio"]
        assert row["fastest_client"] == ratio["baseline"]


def test_fields_it_does_not_know_become_extra_columns(results_data: dict[str, Any]) -> None:
    data = copy.deepcopy(results_data)
    bench = data["benchmarks"][0]
    bench["drifting"] = True
    for position, run in enumerate(bench["runs"]):
        run["round"], run["position"] = position + 1, position
    runs = list(csv.DictReader(io.StringIO(render_runs(Results.from_json(data)))))
    cells = list(csv.DictReader(io.StringIO(render_cells(Results.from_json(data)))))
    first = [r for r in runs if r["client"] == bench["client"] and r["case"] == bench["case"]]
    assert [int(r["round"]) for r in first[:len(bench["runs"])]] == list(range(1, len(bench["runs"]) + 1))
    assert cells[0]["drifting"] == "true" and cells[1]["drifting"] == ""
