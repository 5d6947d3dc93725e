"""Results schema v2: older files refused in one line, unknown run keys kept, --pin checked."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from orchestrator import cli
from orchestrator.errors import PolybenchError
from orchestrator.measure.pinning import Pin, parse_pin
from orchestrator.results.model import load_results
from orchestrator.results.runlog import LoggedRun, RunLog, read_run_log


@pytest.mark.parametrize("verb", [["report"], ["compare"]])
def test_report_and_compare_refuse_a_v1_file_in_one_line(tmp_path, capsys, verb):
    old = tmp_path / "old"
    old.mkdir()
    (old / "results.json").write_text(json.dumps({"schema": "polybench/results/v1", "benchmarks": []}))
    new = tmp_path / "new"  # compare refuses one file named twice before reading it
    shutil.copytree(old, new)
    argv = [*verb, str(old)] + ([str(new)] if verb == ["compare"] else [])
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("polybench: error: ")
    assert "polybench/results/v1" in err[0] and "invoke run" in err[0]
    with pytest.raises(PolybenchError, match="older polybench"):
        load_results(old)


def _record(**extra) -> dict:
    return {"type": "run", "run_id": "pb-1", "client": "c", "case": "single", "kind": "counted", "index": 0,
            "wall_ns": 5, "user_ns": 1, "sys_ns": 1, "peak_rss_kib": 1, "exit_code": 0, "timed_out": False,
            "verified": True, "round": 2, "position": 3, **extra}


def test_unknown_run_keys_survive_runs_jsonl_and_results(tmp_path):
    data = _record(receipt={"requests": 1}, client_env={"PYTHONPATH": None})
    record = LoggedRun.from_json(data)
    assert record.extra == {"receipt": {"requests": 1}, "client_env": {"PYTHONPATH": None}}
    assert (record.round, record.position) == (2, 3)
    assert record.to_json() == {**data, "reason": None, "unsupported": False, "phases_ns": None, "output": None,
                                "server": None, "started_epoch_ns": 0, "imports": None}
    log = RunLog(tmp_path, {"profile": "p"})
    log.append(record)
    log.close()
    _, (back,) = read_run_log(tmp_path)
    assert back == record
    run = back.to_run().to_json()
    assert run["receipt"] == {"requests": 1} and "extra" not in run and "client" not in run


def test_a_record_from_before_rounds_reads_with_no_round():
    data = _record()
    del data["round"], data["position"]
    record = LoggedRun.from_json(data)
    assert record.round is None and record.position is None and record.extra == {}


def test_pin_parses_cpus_and_ranges():
    assert parse_pin("server=1,clients=0", frozenset({0, 1})) == Pin(frozenset({1}), frozenset({0}))
    assert parse_pin("clients=0-1", frozenset({0, 1})) == Pin(None, frozenset({0, 1}))
    assert parse_pin("server=1", frozenset({0, 1})).to_json() == {"server": [1], "clients": None}


@pytest.mark.parametrize(("text", "message"), [
    ("server=7,clients=0", "CPU 7 is not available here"),
    ("server=one", "not a CPU number"),
    ("gpu=1", "expected server=CPUS,clients=CPUS"),
    ("server=1,server=0", "given twice"),
    ("clients=1-0", "empty range"),
])
def test_pin_refuses_bad_input(text, message):
    with pytest.raises(PolybenchError, match=message):
        parse_pin(text, frozenset({0, 1}))


def test_run_refuses_a_cpu_that_does_not_exist_in_one_line(capsys):
    assert cli.main(["run", "--profile", "quick", "--pin", "server=4096,clients=0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [err[0]] and err[0].startswith("polybench: error: --pin: CPU 4096 is not available here")


def test_pinned_clients_run_on_the_chosen_cpu():
    import os

    from orchestrator.measure.process import run_process, set_client_cpus

    cpu = max(os.sched_getaffinity(0))
    set_client_cpus(frozenset({cpu}))
    try:
        pinned = run_process(["/bin/cat", "/proc/self/status"], timeout_s=10).stdout
    finally:
        set_client_cpus(None)
    unpinned = run_process(["/bin/cat", "/proc/self/status"], timeout_s=10).stdout
    allowed = lambda status: next(line.split(":")[1].strip() for line in status.splitlines()  # noqa: E731
                                  if line.startswith("Cpus_allowed_list"))
    assert allowed(pinned) == str(cpu)
    assert allowed(unpinned) == allowed(Path("/proc/self/status").read_text())


def test_a_remote_server_cannot_be_pinned(capsys):
    assert cli.main(["run", "--profile", "quick", "--server-url", "http://127.0.0.1:9", "--pin", "server=0"]) == 2
    assert "only the server polybench starts itself" in capsys.readouterr().err
