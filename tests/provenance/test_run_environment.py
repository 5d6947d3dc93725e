"""`invoke run` records the environment its clients got, warns about inherited knobs, and never mixes policies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from orchestrator.config.model import load_config
from orchestrator.errors import PolybenchError
from orchestrator.measure import matrix as run_module
from orchestrator.measure.one_run import Runner
from orchestrator.provenance.process_env import EnvPolicy
from tests.shipped import reference_validator

ROOT = Path(__file__).resolve().parents[2]
CONFIG = {
    "toolchains": {"python": {"version": ["{python}", "--version"], "fix": "install python"}},
    "clients": [
        {"name": "liar", "language": "python", "library": {"label": "socket"}, "env": {"LIAR_MODE": "x"},
         "build": {"requires": ["python"]}, "run": ["{python}", "-S", "{root}/tests/fakes/liar.py", "honest"]},
    ],
    "profiles": {
        "tiny": {"runs": {"warmup": 0, "min": 2, "max": 2, "target_rel_ci": 0.5, "budget_s": 60, "timeout_s": 20},
                 "scenarios": {"single": {}}},
    },
}


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(CONFIG))
    monkeypatch.setattr(run_module, "read_manifest", lambda config: {
        "clients": {"liar": {"status": "built", "message": "", "outputs": {}}}})
    return load_config(path)


@pytest.mark.usefixtures("runs_on_live_server")
def test_results_record_the_environment_and_warn(tiny, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GOGC", "off")
    monkeypatch.setenv("SECRET_TOKEN", "hunter2")
    policy = EnvPolicy(inherit=("GOGC", "SECRET_TOKEN"))
    directory = run_module.run_benchmarks(tiny, "tiny", results_root=tmp_path, quiet=True, env_policy=policy)
    assert "polybench: warning: inherited GOGC=off" in capsys.readouterr().err
    data = json.loads((directory / "results.json").read_text())
    reference_validator().validate(data)
    recorded = data["environment"]["process_environment"]
    assert recorded["inherited"] == {"GOGC": "off", "SECRET_TOKEN": None}
    assert recorded["clients"] == {"liar": {"LIAR_MODE": "x"}}
    assert recorded["base"]["LANG"] == "C.UTF-8"
    assert any(line.startswith("inherited GOGC=off") for line in recorded["warnings"])
    assert "hunter2" not in (directory / "results.json").read_text()
    assert all(b["status"] == "ok" for b in data["benchmarks"])


@pytest.mark.usefixtures("runs_on_live_server")
def test_resume_refuses_a_different_inherited_environment(tiny, tmp_path, monkeypatch):
    real_run = Runner.run

    def interrupted(self, client, case, kind, index, **where):
        if index == 1:
            raise KeyboardInterrupt
        return real_run(self, client, case, kind, index, **where)

    monkeypatch.setattr(Runner, "run", interrupted)
    with pytest.raises(PolybenchError, match="--resume"):
        run_module.run_benchmarks(tiny, "tiny", results_root=tmp_path, quiet=True)
    monkeypatch.setattr(Runner, "run", real_run)
    with pytest.raises(PolybenchError, match="with other --inherit-env or --inherit-all-env"):
        run_module.run_benchmarks(tiny, "tiny", resume=True, results_root=tmp_path, quiet=True,
                                  env_policy=EnvPolicy(inherit=("GOGC",)))
    run_module.run_benchmarks(tiny, "tiny", resume=True, results_root=tmp_path, quiet=True)
