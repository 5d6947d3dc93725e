"""A results.json that a real run wrote (the fixture's tiny profile) reads back into the typed records losslessly."""

from __future__ import annotations

import json
from pathlib import Path

from orchestrator.results.check import check_results_shape
from orchestrator.results.records import Results


def test_a_run_writes_what_the_records_read_back_exactly(results_dir: Path) -> None:
    path = results_dir / "results.json"
    written = json.loads(path.read_text(encoding="utf-8"))
    check_results_shape(written, path)
    results = Results.from_json(written)
    assert results.to_json() == written
    assert json.dumps(results.to_json()) == json.dumps(written)  # the same bytes a second write would give
    assert {bench.status for bench in results.benchmarks} >= {"ok"}
    assert any(bench.failed_runs for bench in results.benchmarks)  # the cheat's runs: kept, not verified
