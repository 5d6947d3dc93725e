"""The guard of the fast tier (tests/tiers.py): it must see a configured client start, by every path one starts."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import yaml

from orchestrator.config.model import load_config
from orchestrator.measure.process import run_process
from tests import tiers

BUILDERS = ("build_all", "build_clients")
FAKE = Path(__file__).resolve().parent / "fakes" / "liar.py"


def fake_config(tmp_path: Path):
    """A config whose only client's program is the liar fake: the guard's own tests start no real client."""
    path = tmp_path / "polybench.yaml"
    path.write_text(yaml.safe_dump({
        "toolchains": {"python": {"version": ["{python}", "--version"], "fix": "the project's .venv"}},
        "clients": [{"name": "honest", "language": "fake", "run": ["{python}", "-S", "{root}/tests/fakes/liar.py",
                                                                     "honest:honest"]}],
        "profiles": {"p": {"scenarios": {"single": {}}}}}))
    return load_config(path)


def test_every_configured_client_is_known_by_its_own_argv(config):
    """Each client's argv, as a run expands it, starts a configured client (a variant may be known by the
    program it shares with its original)."""
    programs = tiers.client_programs(config)
    values = {"python": sys.executable, "root": str(config.root), "scratch": "/tmp", "url": "http://h",
              "run_id": "r", "ca_file": "c", "requests": 2, "concurrency": 2, "delay_ms": 1, "bytes": 1}
    for client in config.clients:
        for argv in [a for a in (client.run, *client.scenario_argv.values()) if a]:
            assert tiers.started_client([a.format_map(values) for a in argv], programs) is not None, client.name


def test_the_project_python_and_the_fakes_are_no_client(config):
    programs = tiers.client_programs(config)
    assert tiers.started_client([sys.executable, str(FAKE), "honest:honest"], programs) is None
    assert tiers.started_client(["true"], programs) is None
    assert tiers.started_client(["curl", "--version"], programs) is None  # a toolchain probe, not the client
    assert tiers.started_client(["curl", "--silent", "http://h/api"], programs) is None  # a test's own fake


def test_a_start_through_subprocess_or_the_launcher_is_seen(tmp_path):
    fake = fake_config(tmp_path)
    with tiers.watching(tiers.client_programs(fake)) as starts:
        subprocess.run([sys.executable, str(FAKE), "--version"], capture_output=True, check=False, timeout=60)
        run_process([sys.executable, str(FAKE), "--version"], timeout_s=60)
        subprocess.run([sys.executable, "-c", "pass"], check=True, timeout=60)  # not the fake: not counted
    assert [name for name, _ in starts] == ["honest", "honest"]
    assert tiers.launcher_is_watched()


def test_every_fixture_that_builds_clients_marks_its_tests_slow():
    """A fixture that builds configured clients (build_clients or build_all) is in BUILD_FIXTURES, so the
    tests using it are marked slow."""
    building = set()
    for path in Path(__file__).resolve().parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and any("fixture" in ast.unparse(d) for d in node.decorator_list) \
                    and any(isinstance(call, ast.Call) and ast.unparse(call.func).endswith(BUILDERS)
                            for call in ast.walk(node)):
                building.add(node.name)
    assert building == set(tiers.BUILD_FIXTURES)


def test_the_tiers_are_what_the_marks_say(request):
    """This very test is in the fast tier; a test using `built` would not be."""
    assert request.node.get_closest_marker("slow") is None
