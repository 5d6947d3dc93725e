"""Baselines: `baselines:` in polybench.yaml, timed in the clients' rounds, never verified, kept apart in results."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from orchestrator.config.model import BASELINE_LABEL, DEFAULT_CONFIG, BaselineSpec, Case, RunSettings, load_config
from orchestrator.errors import ConfigError
from orchestrator.measure.one_run import Runner
from orchestrator.measure.rounds import BASELINE_CASE, CellState, run_rounds
from orchestrator.results.check import SCHEMA_FILE, schema_errors
from orchestrator.results.model import assemble
from orchestrator.results.runlog import LoggedRun

sys.path.insert(0, str(Path(__file__).resolve().parent / "report"))
from synthetic import environment  # noqa: E402


def _write(tmp_path: Path, raw) -> Path:
    path = tmp_path / "polybench.yaml"
    path.write_text(yaml.dump(raw, Dumper=yaml.CSafeDumper))
    return path


@pytest.fixture
def raw():
    return yaml.load(DEFAULT_CONFIG.read_text(), Loader=yaml.CSafeLoader)


def test_shipped_baselines_cover_the_bare_interpreter_and_every_python_library(config):
    argvs = {b.name: b.run for b in config.baselines}
    assert argvs["python-pass"][1:] == ("-c", "pass")
    assert argvs["python-isolated-nosite-pass"][1:] == ("-I", "-S", "-c", "pass")
    imports = {b.run[-1] for b in config.baselines if b.run[-1].startswith("import ")}
    assert imports >= {"import urllib.request", "import http.client", "import requests", "import httpx",
                       "import aiohttp"}
    for baseline in config.baselines:  # each library in its own client's venv
        if baseline.run[-1].startswith("import "):
            assert "/build/venvs/python-" in baseline.run[0]
        assert baseline.label == BASELINE_LABEL


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda r: r["baselines"][0].update(run="python -c pass"),
     "baselines[0] (python-pass).run: expected a non-empty list"),
    (lambda r: r["baselines"][0].update(shell=True), "unknown key 'shell'"),
    (lambda r: r["baselines"][0].update(name="python-requests"), "already a client's or another baseline's name"),
    (lambda r: r["baselines"].append(dict(r["baselines"][0])), "already a client's or another baseline's name"),
    (lambda r: r["baselines"][0].pop("about"), "about: expected a non-empty string"),
    (lambda r: r["baselines"][0].update(run=["{url}", "x"]), "placeholder"),
    (lambda r: r.update(baselines={"a": 1}), "baselines: expected a list"),
    (lambda r: r["baselines"][0].update(compare={"client": "python-urllib", "phase": "network"}), "compare.phase"),
    (lambda r: r["baselines"][0].update(compare={"client": "nope", "phase": "imports"}), "unknown client 'nope'"),
])
def test_bad_baselines_are_one_clear_line(tmp_path, raw, mutate, message):
    mutate(raw)
    with pytest.raises(ConfigError) as error:
        load_config(_write(tmp_path, raw))
    assert message in str(error.value) and "\n" not in str(error.value)


def test_a_config_without_baselines_still_loads(tmp_path, raw):
    raw.pop("baselines")
    assert load_config(_write(tmp_path, raw)).baselines == ()


def test_a_baseline_run_is_timed_by_the_launcher_and_never_verified(config):
    runner = Runner(config, server=None, timeout_s=30)  # type: ignore[arg-type]  # a baseline asks no server
    ok = runner.run(BaselineSpec("py", (sys.executable, "-c", "pass"), "bare"), BASELINE_CASE, "counted", 0,
                    round_no=1, position=2)
    assert ok.exit_code == 0 and ok.wall_ns > 0 and not ok.verified
    assert ok.reason == BASELINE_LABEL and ok.extra == {"baseline": True} and (ok.round, ok.position) == (1, 2)
    bad = runner.run(BaselineSpec("bad", (sys.executable, "-c", "raise SystemExit(3)"), "x"), BASELINE_CASE,
                     "counted", 0)
    assert bad.exit_code == 3 and bad.reason == f"{BASELINE_LABEL}: exit code 3"


@dataclass(frozen=True)
class FakeClient:
    name: str
    importtime: tuple[str, ...] = ()


class FakeRunner:
    """Clients verify; a baseline never does, and 'broken' exits 1."""

    def __init__(self) -> None:
        self.records: list[LoggedRun] = []

    def run(self, client, case, kind, index, *, round_no=None, position=None) -> LoggedRun:
        baseline = isinstance(client, BaselineSpec)
        record = LoggedRun(run_id=f"r{len(self.records)}", client=client.name, case=case.id, kind=kind, index=index,
                           wall_ns=1_000_000, user_ns=0, sys_ns=0, peak_rss_kib=0,
                           exit_code=1 if client.name == "broken" else 0, timed_out=False,
                           verified=not baseline, round=round_no, position=position,
                           reason=BASELINE_LABEL if baseline else None, extra={"baseline": True} if baseline else {})
        self.records.append(record)
        return record


def test_baselines_share_the_clients_rounds_and_are_kept_apart_in_results(tmp_path):
    settings = RunSettings(warmup=1, min_runs=6, max_runs=8, target_rel_ci=0.01, budget_s=60.0, timeout_s=10.0)
    good = BaselineSpec("python-pass", ("python", "-c", "pass"), "bare interpreter")
    broken = BaselineSpec("broken", ("false",), "always fails")
    cells = [CellState(FakeClient("client"), Case("single", {})),  # type: ignore[arg-type]
             CellState(good, BASELINE_CASE), CellState(broken, BASELINE_CASE)]
    runner = FakeRunner()
    done = run_rounds(runner, cells, settings, seed=3)  # type: ignore[arg-type]
    by_name = {cell.client.name: cell for cell in done}
    assert by_name["python-pass"].stop_reason == "ci-target" and len(by_name["python-pass"].walls_ns) == 6
    assert by_name["broken"].stop_reason == "failing"
    first = [(r.client, r.position) for r in runner.records if r.round == 1 and r.kind == "counted"]
    assert sorted(name for name, _ in first) == ["broken", "client", "python-pass"]  # one round, shuffled together
    plan = [{"client": "client", "language": "x", "library": "x", "concurrency_model": "x", "scenario": "single",
             "case": "single", "params": {}, "calls": 1, "skipped": None, "stop_reason": "ci-target"}]
    baselines = [{"name": b.name, "about": b.about, "label": BASELINE_LABEL, "argv": list(b.run), "skipped": None,
                  "stop_reason": by_name[b.name].stop_reason, "compare": None} for b in (good, broken)]
    baselines.append({"name": "missing", "about": "m", "label": BASELINE_LABEL, "argv": ["/nope"],
                      "skipped": "/nope not found (not built?)", "stop_reason": None})
    meta = {"profile": "p", "config_sha256": "ab" * 32, "schedule": {"method": "m", "seed": 3, "pin": None},
            "settings": {"warmup": 0, "min_runs": 6, "max_runs": 8, "target_rel_ci": 0.05, "budget_s": 5.0,
                         "timeout_s": 10.0}}
    data = assemble(meta, runner.records, plan, environment("host"), finished=True, baselines=baselines).to_json()
    assert [b["client"] for b in data["benchmarks"]] == ["client"]  # no baseline among the clients
    assert [r["client"] for r in data["ratios"]] == ["client"]
    entries = {b["name"]: b for b in data["baselines"]}
    assert entries["python-pass"]["status"] == "ok" and entries["python-pass"]["summary"]["wall_ms"]["n"] == 6
    assert all(run["round"] for run in entries["python-pass"]["runs"])
    assert entries["broken"]["status"] == "failed" and "exit code" not in (entries["broken"]["status_reason"] or "x")
    assert entries["missing"]["status"] == "skipped"
    assert {b["label"] for b in data["baselines"]} == {BASELINE_LABEL}
    assert not [where for where, _ in schema_errors(data) if where[:1] == ["baselines"]]
    data["baselines"][0]["label"] = "a client"  # the label is fixed by the schema
    assert [where for where, _ in schema_errors(data) if where[:1] == ["baselines"]]
    required = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))["required"]
    assert "baselines" not in required  # older files have none and still load
