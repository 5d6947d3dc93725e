"""Fixtures for the export tests: results directories from real (tiny) runs, made once per session.

The runs go through the real pipeline (server, launcher, verification, results.json) with a
throwaway config: an honest stdlib client and one that claims calls it never made, so every
results file has verified runs and failed ones.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from orchestrator.config.model import load_config
from orchestrator.measure import matrix as run_module
from orchestrator.results.model import load_results
from tests.once_per_session import once_per_session
from tests.shared_runs import runs_on

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


@pytest.fixture(scope="session")
def results_dirs(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> tuple[Path, Path]:
    """Two results directories of the same tiny profile (as two runs to compare), on the session's server.

    Made once per session (two runs of dozens of spawned processes each), not once per pytest-xdist worker;
    the tests only read them."""
    def make(root: Path) -> Path:
        config_path = root / "tiny.yaml"
        config_path.write_text(yaml.safe_dump(CONFIG))
        config = load_config(config_path)
        with pytest.MonkeyPatch.context() as patch, runs_on(request.getfixturevalue("live_server")):
            patch.setattr(run_module, "read_manifest", lambda config: {
                "clients": {name: {"status": "built", "message": "", "outputs": {}} for name in ("liar", "cheat")}})
            first = run_module.run_benchmarks(config, "tiny", results_root=root / "a", quiet=True)
            second = run_module.run_benchmarks(config, "tiny", results_root=root / "b", quiet=True)
        made = root / "made.json"
        made.write_text(json.dumps([str(first), str(second)]), encoding="utf-8")
        return made

    first, second = json.loads(once_per_session(tmp_path_factory, "export-runs", make).read_text(encoding="utf-8"))
    return Path(first), Path(second)


@pytest.fixture(scope="session")
def results_dir(results_dirs: tuple[Path, Path]) -> Path:
    return results_dirs[0]


@pytest.fixture(scope="session")
def results_data(results_dir: Path) -> dict[str, Any]:
    return load_results(results_dir).to_json()  # the JSON form, for expected values
