"""compare flags a change only when its interval excludes zero and it is larger than the threshold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from orchestrator.errors import PolybenchError
from orchestrator.results.compare import compare_command, compare_results

CELLS = [("python-requests", "single", 120.0), ("rust-ureq", "single", 1.3),
         ("go-nethttp", "keepalive[requests=100]", 14.0)]
RUNS = 30
NOISE = 0.05  # 5% relative standard deviation, about what a busy 2-core machine gives


def results(seed: int, slower: dict[tuple[str, str], float] | None = None) -> dict[str, Any]:
    """A minimal results file: each cell's runs drawn around its true median, optionally scaled up."""
    rng = np.random.default_rng(seed)
    benchmarks = []
    for client, case, median_ms in CELLS:
        factor = (slower or {}).get((client, case), 1.0)
        walls = rng.normal(median_ms * factor, median_ms * factor * NOISE, RUNS)
        benchmarks.append({"client": client, "case": case, "status": "ok",
                           "runs": [{"wall_ns": int(w * 1e6)} for w in walls]})
    return {"schema": "polybench/results/v2", "created": f"seed {seed}", "profile": "test",
            "environment": {"host": {"hostname": "h"}, "git": {"commit": "abc"}}, "benchmarks": benchmarks}


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
    old = write(tmp_path / "old", results(1))
    new = write(tmp_path / "new", results(2, slower={("go-nethttp", "keepalive[requests=100]"): 0.7}))
    assert compare_command(old, new, fail_on_regression=True) == 0
    assert "faster" in capsys.readouterr().out


def write(directory: Path, data: dict[str, Any]) -> Path:
    directory.mkdir(parents=True)
    (directory / "results.json").write_text(json.dumps(data), encoding="utf-8")
    return directory


def test_compare_command_fails_on_regression(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path / "old", results(1))
    new = write(tmp_path / "new", results(2, slower={("python-requests", "single"): 1.2}))
    assert compare_command(old, new / "results.json", fail_on_regression=True) == 1
    out = capsys.readouterr().out
    assert "SLOWER" in out and "python-requests" in out and "1 slower" in out
    assert compare_command(old, new, fail_on_regression=False) == 0


def test_cells_in_only_one_file_are_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new_data = results(2)
    new_data["benchmarks"].pop()
    assert compare_command(write(tmp_path / "old", results(1)), write(tmp_path / "new", new_data)) == 0
    assert "only in old: go-nethttp keepalive[requests=100]" in capsys.readouterr().out


def test_negative_threshold_is_a_user_error() -> None:
    with pytest.raises(PolybenchError):
        compare_results(results(1), results(2), threshold=-0.1)
