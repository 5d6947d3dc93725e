"""The pyperf export: pyperf loads it back, and its own commands (stats, hist, compare_to) run on it.

pyperf is imported inside the test, not at collection: it adds about 10 MB to the pytest process, and
tests/clients/test_python_clients.py::test_stream_never_holds_the_body sees the parent's high-water RSS
(a child spawned with vfork inherits it at exec).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from orchestrator.results.export import export_results


@pytest.fixture(scope="module")
def exports(results_dirs: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    (first,) = export_results(results_dirs[0], "pyperf", tmp_path_factory.mktemp("pyperf-a"))
    (second,) = export_results(results_dirs[1], "pyperf", tmp_path_factory.mktemp("pyperf-b"))
    return first, second


def test_pyperf_loads_one_benchmark_per_measured_cell(exports: tuple[Path, Path],
                                                      results_data: dict[str, Any]) -> None:
    import pyperf

    suite = pyperf.BenchmarkSuite.load(str(exports[0]))
    measured = {f"{b['client']} {b['case']}": b for b in results_data["benchmarks"] if b["runs"]}
    assert suite.get_benchmark_names() == list(measured)
    host = results_data["environment"]["host"]
    for benchmark in suite.get_benchmarks():
        bench = measured[benchmark.get_name()]
        assert benchmark.get_unit() == "second"
        assert benchmark.get_loops() == 1
        assert benchmark.get_nrun() == len(bench["runs"])
        assert list(benchmark.get_values()) == [r["wall_ns"] / 1e9 for r in bench["runs"]]
        metadata = benchmark.get_metadata()
        assert metadata["polybench_client"] == bench["client"]
        assert metadata["polybench_case"] == bench["case"]
        assert metadata["polybench_warmup_runs"] == bench["warmup_runs"]
        assert metadata["hostname"] == host["hostname"]
        # the exporting machine's metadata is not collected: the measuring host is the one described
        assert "perf_version" not in metadata and "python_executable" not in metadata
        runs = benchmark.get_runs()
        assert [run.get_metadata()["command_max_rss"] for run in runs] == [
            r["peak_rss_kib"] * 1024 for r in bench["runs"]]


@pytest.mark.parametrize("command", [["stats"], ["hist"], ["show"]])
def test_pyperf_commands_read_an_export(exports: tuple[Path, Path], command: list[str]) -> None:
    done = subprocess.run([sys.executable, "-m", "pyperf", *command, str(exports[0])],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "liar single" in done.stdout


def test_pyperf_compare_to_runs_on_two_exports(exports: tuple[Path, Path]) -> None:
    done = subprocess.run([sys.executable, "-m", "pyperf", "compare_to", str(exports[0]), str(exports[1]),
                           "--table"], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "liar" in done.stdout  # a row, or the "not significant" list: both name the benchmarks
