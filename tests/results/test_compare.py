"""compare flags a change only when its interval excludes zero and it is larger than the threshold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from orchestrator.errors import PolybenchError
from orchestrator.results.compare import compare_command, compare_results
from orchestrator.results.records import Results
from tests.report.synthetic import make_results

CELLS = [("python-requests", "single", 120.0), ("rust-ureq", "single", 1.3),
         ("go-nethttp", "keepalive[requests=100]", 14.0)]
RUNS = 30
NOISE = 0.05  # 5% relative standard deviation, about what a busy 2-core machine gives


def results_json(seed: int, slower: dict[tuple[str, str], float] | None = None) -> dict[str, Any]:
    """A valid results file holding CELLS only: each cell's runs drawn around its true median,
    optionally scaled up (the runs replaced; compare reads nothing else of a cell)."""
    rng = np.random.default_rng(seed)
    data = make_results(seed=seed, clients=sorted({client for client, _, _ in CELLS}),
                        cases=[("single", {}, 1), ("keepalive", {"requests": 100}, 100)])
    data["created"] = f"seed {seed}"
    wanted = {(client, case): median_ms for client, case, median_ms in CELLS}
    data["benchmarks"] = [b for b in data["benchmarks"] if (b["client"], b["case"]) in wanted]
    data["ratios"] = [r for r in data["ratios"] if (r["client"], r["case"]) in wanted]
    for bench in data["benchmarks"]:
        median_ms = wanted[bench["client"], bench["case"]] * (slower or {}).get((bench["client"], bench["case"]), 1.0)
        walls = rng.normal(median_ms, median_ms * NOISE, RUNS)
        # the phases split the wall time (results/check.py holds a file to it): none, as compare reads none
        bench["runs"] = [{**bench["runs"][0], "run_id": f"pb-{seed}-{i}", "wall_ns": int(w * 1e6), "phases_ns": None}
                         for i, w in enumerate(walls)]
    return data


def results(seed: int, slower: dict[tuple[str, str], float] | None = None) -> Results:
    return Results.from_json(results_json(seed, slower))


def test_same_distribution_is_not_flagged() -> None:
    changes = compare_results(results(1), results(2))
    assert len(changes) == len(CELLS)
    assert not [c for c in changes if c.flagged]


def test_planted_slowdown_is_flagged_and_only_it() -> None:
    changes = compare_results(results(1), results(2, slower={("rust-ureq", "single"): 1.2}))
    flagged = [c for c in changes if c.flagged]
    assert [(c.client, c.case) for c in flagged] == [("rust-ureq", "single")]
    (change,) = flagged
    assert change.slower and change.verdict == "SLOWER"
    assert 0.1 < change.low <= change.change <= change.high < 0.3


def test_a_real_but_small_change_is_not_flagged() -> None:
    # 3% is well inside a 5% threshold even if the interval excludes zero
    changes = compare_results(results(1), results(2, slower={("rust-ureq", "single"): 1.03}), threshold=0.05)
    assert not [c for c in changes if c.flagged]


def test_speed_up_is_flagged_but_is_no_regression(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path / "old", results_json(1))
    new = write(tmp_path / "new", results_json(2, slower={("go-nethttp", "keepalive[requests=100]"): 0.7}))
    assert compare_command(old, new, fail_on_regression=True) == 0
    assert "faster" in capsys.readouterr().out


def write(directory: Path, data: dict[str, Any]) -> Path:
    directory.mkdir(parents=True)
    (directory / "results.json").write_text(json.dumps(data), encoding="utf-8")
    return directory


def test_compare_command_fails_on_regression(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path / "old", results_json(1))
    new = write(tmp_path / "new", results_json(2, slower={("python-requests", "single"): 1.2}))
    assert compare_command(old, new / "results.json", fail_on_regression=True) == 1
    out = capsys.readouterr().out
    assert "SLOWER" in out and "python-requests" in out and "1 slower" in out
    assert compare_command(old, new, fail_on_regression=False) == 0


def test_cells_in_only_one_file_are_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new_data = results_json(2)
    new_data["benchmarks"] = [b for b in new_data["benchmarks"] if b["client"] != "go-nethttp"]
    assert compare_command(write(tmp_path / "old", results_json(1)), write(tmp_path / "new", new_data)) == 0
    assert "only in old: go-nethttp keepalive[requests=100]" in capsys.readouterr().out


def test_negative_threshold_is_a_user_error() -> None:
    with pytest.raises(PolybenchError):
        compare_results(results(1), results(2), threshold=-0.1)
