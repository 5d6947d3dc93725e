"""`invoke run` end to end with a small honest fake client: results, schema, resume.

Uses a throwaway config (one stdlib client, tiny profile) and a temporary
results root, so nothing here touches the repository's results/.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from orchestrator.config.model import load_config
from orchestrator.errors import PolybenchError
from orchestrator.measure import matrix as run_module
from orchestrator.measure.one_run import Runner
from orchestrator.results import model as results_module
from orchestrator.results import runlog
from tests.shipped import reference_validator

ROOT = Path(__file__).resolve().parents[2]

CONFIG = {
    "toolchains": {"python": {"version": ["{python}", "--version"], "fix": "install python"}},
    "clients": [
        {"name": "liar", "language": "python", "library": {"label": "socket"},
         "build": {"requires": ["python"]}, "run": ["{python}", "-S", "{root}/tests/fakes/liar.py", "honest"]},
        {"name": "cheat", "language": "python", "library": {"label": "none"},
         "build": {"requires": ["python"]}, "run": ["{python}", "-S", "{root}/tests/fakes/liar.py", "no-calls:cheat"]},
    ],
    "profiles": {
        "tiny": {"runs": {"warmup": 1, "min": 4, "max": 4, "target_rel_ci": 0.5, "budget_s": 60, "timeout_s": 20},
                 "scenarios": {"single": {}, "keepalive": {"requests": [3]}}},
    },
}


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(CONFIG))
    monkeypatch.setattr(run_module, "read_manifest", lambda config: {
        "clients": {name: {"status": "built", "message": "", "outputs": {}} for name in ("liar", "cheat")}})
    return load_config(path)


@pytest.mark.usefixtures("runs_on_live_server")
def test_run_writes_valid_results_with_failures_excluded(tiny, tmp_path):
    directory = run_module.run_benchmarks(tiny, "tiny", results_root=tmp_path, quiet=True)
    data = json.loads((directory / "results.json").read_text())
    reference_validator().validate(data)
    assert (tmp_path / "results" / "latest").resolve() == directory
    by_cell = {(b["client"], b["case"]): b for b in data["benchmarks"]}
    honest = by_cell[("liar", "keepalive[requests=3]")]
    assert honest["status"] == "ok" and len(honest["runs"]) == 4
    assert honest["summary"]["wall_ms"]["n"] == 4
    assert honest["summary"]["phases_ms"]["imports"]["median"] > 0
    cheat = by_cell[("cheat", "keepalive[requests=3]")]
    assert cheat["status"] == "failed" and cheat["runs"] == [] and cheat["summary"] is None
    assert "server saw 0 requests" in cheat["failed_runs"][0]["reason"]
    assert cheat["stop_reason"] == "failing"
    assert all(r["client"] != "cheat" for r in data["ratios"])
    # every run, warm-ups included, is in runs.jsonl as it happened
    meta, records = runlog.read_run_log(directory)
    assert meta["profile"] == "tiny"
    assert {r.kind for r in records} == {"warmup", "counted"}
    # interleaved rounds: a recorded random seed, every run placed in a round
    schedule = data["schedule"]
    assert schedule["method"] == "randomized-interleaved-rounds" and schedule["pin"] is None
    assert schedule["seed"] == meta["schedule"]["seed"] and schedule["rounds"] == 4
    assert all(r.round is not None and r.position is not None for r in records)
    assert {r["round"] for r in honest["runs"]} == {1, 2, 3, 4}
    assert honest["summary"]["cpu_ms"]["n"] == 4 and honest["summary"]["drift"]["n"] == 4


def test_pinned_run_with_a_seed_records_both(tiny, tmp_path):  # its own server: it pins it
    cpu = min(os.sched_getaffinity(0))
    directory = run_module.run_benchmarks(tiny, "tiny", clients=["liar"], scenarios=["single"],
                                          results_root=tmp_path, quiet=True, seed=123,
                                          pin=f"server={cpu},clients={cpu}")
    data = json.loads((directory / "results.json").read_text())
    reference_validator().validate(data)
    assert data["schedule"]["seed"] == 123
    assert data["schedule"]["pin"] == {"server": [cpu], "clients": [cpu]}
    assert data["benchmarks"][0]["status"] == "ok"


@pytest.mark.usefixtures("runs_on_live_server")
def test_interrupted_run_resumes_and_keeps_every_measured_run(tiny, tmp_path, monkeypatch):
    real_run = Runner.run
    calls = {"n": 0}

    def interrupted(self, client, case, kind, index, **placement):
        calls["n"] += 1
        if calls["n"] == 7:
            raise KeyboardInterrupt
        return real_run(self, client, case, kind, index, **placement)

    monkeypatch.setattr(Runner, "run", interrupted)
    with pytest.raises(PolybenchError, match="--resume"):
        run_module.run_benchmarks(tiny, "tiny", clients=["liar"], results_root=tmp_path, quiet=True)
    directory = results_module.newest_dir(tmp_path)
    assert not (directory / "results.json").exists()
    assert not (tmp_path / "results" / "latest").exists()  # latest only ever points at finished runs
    _, before = runlog.read_run_log(directory)
    assert len(before) == 6

    monkeypatch.setattr(Runner, "run", real_run)
    with pytest.raises(PolybenchError, match="was run with other clients \\(--clients\\)"):
        run_module.run_benchmarks(tiny, "tiny", resume=True, results_root=tmp_path, quiet=True)
    resumed = run_module.run_benchmarks(tiny, "tiny", clients=["liar"], resume=True, results_root=tmp_path,
                                        quiet=True)
    assert resumed == directory == (tmp_path / "results" / "latest").resolve()
    data = json.loads((directory / "results.json").read_text())
    reference_validator().validate(data)
    assert data["schedule"]["seed"] == runlog.read_run_log(directory)[0]["schedule"]["seed"]
    # the resumed process went on with the next round, not from round 1
    _, after = runlog.read_run_log(directory)
    resumed_rounds = {r.round for r in after[len(before):]}
    assert min(resumed_rounds) == max(r.round for r in before) + 1
    kept_ids = {r["run_id"] for b in data["benchmarks"] for r in b["runs"]}
    assert {r.run_id for r in before if r.kind == "counted"} <= kept_ids
    assert all(len(b["runs"]) == 4 for b in data["benchmarks"])
    with pytest.raises(PolybenchError, match="already finished"):
        run_module.run_benchmarks(tiny, "tiny", clients=["liar"], resume=True, results_root=tmp_path, quiet=True)


def test_unknown_selection_is_a_clear_error(tiny, tmp_path):
    with pytest.raises(PolybenchError, match="unknown scenario 'warp'"):
        run_module.run_benchmarks(tiny, "tiny", scenarios=["warp"], results_root=tmp_path)
    with pytest.raises(PolybenchError, match="unknown profile"):
        run_module.run_benchmarks(tiny, "nope", results_root=tmp_path)


def test_torn_last_line_of_run_log_is_ignored(tmp_path):
    log = runlog.RunLog(tmp_path, {"profile": "x"})
    log.close()
    with (tmp_path / "runs.jsonl").open("a") as handle:
        handle.write('{"type": "run", "run_id": "pb-1", "cli')
    meta, records = runlog.read_run_log(tmp_path)
    assert meta["profile"] == "x" and records == []
