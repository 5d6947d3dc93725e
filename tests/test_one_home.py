"""One home per concept (issue 14): each of these is defined once in orchestrator/, and the checker can fail."""

from __future__ import annotations

import ast
import functools
import re
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ORCHESTRATOR = Path(__file__).resolve().parents[1] / "orchestrator"

# concept -> (the name defined once, the module that owns it)
ONE_HOME = {
    "the repository root": ("ROOT", "paths.py"),
    "nanoseconds per millisecond": ("NS_PER_MS", "units.py"),
    "the phase names": ("PHASES", "units.py"),
    "timestamped output folders": ("new_timestamped_dir", "paths.py"),
    "the git query": ("git_state", "paths.py"),
    "whether a build can run": ("why_unusable", "build/clients.py"),
    "the up-to-date check": ("is_current", "build/clients.py"),
    "the run's terminal table": ("results_table", "results/table.py"),
    "the report's terminal summary": ("terminal_summary", "report/generate.py"),
    "a count said with its noun": ("counted", "words.py"),
    "the build manifest's reader": ("read_manifest", "build/clients.py"),
    "which builds a client runs with": ("shared_builds", "config/model.py"),
    "the total of n draws": ("bootstrap_sum_draws", "stats.py"),
    "a recorded UTC time": ("utc_now", "units.py"),
    "the Server protocol (local and remote)": ("Server", "server_control/checks.py"),
    # A run is two records in two files, each with one home; LoggedRun.to_run converts one to the other.
    "a run as runs.jsonl logs it": ("LoggedRun", "results/runlog.py"),
    "a run as results.json keeps it": ("Run", "results/records.py"),
    "the run log (runs.jsonl) and its writer": ("RunLog", "results/runlog.py"),
}
# Second homes that were merged away: defined nowhere (name -> where the concept lives now).
RETIRED = {
    "sum_of_draws": "stats.bootstrap_sum_draws",
    "RunRecord": "results.runlog.LoggedRun",
}
# Calls that only their home may make: drawing resample indices (the bootstrap), and git.
ONLY_IN = {
    r"\.integers\(|\.choice\(": "stats.py",
    r"\[\s*\"git\"": "paths.py",
}
# Spelled out nowhere: the working folders come from paths (BUILD_DIR, RESULTS_DIR, REPORTS_DIR), a
# millisecond in nanoseconds from units.NS_PER_MS, a local-or-remote server is told apart by the Server protocol.
NOWHERE = {
    r'/\s*"(build|results|reports)"': "a working folder's name (paths.BUILD_DIR, RESULTS_DIR, REPORTS_DIR)",
    r"\b1_000_000\b": "nanoseconds per millisecond (units.NS_PER_MS)",
    r"hasattr\(server": "a server's kind (server_control.checks.Server)",
}


def definitions(tree: ast.Module) -> set[str]:
    """Module-level names a file defines (functions, classes, assignments), not the ones it imports."""
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


@functools.cache
def _defined(path: Path, text: str) -> frozenset[str]:  # keyed by the text too: a file written anew is parsed anew
    return frozenset(definitions(ast.parse(text)))


def homes(root: Path, name: str) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                  if name in _defined(p, p.read_text(encoding="utf-8")))


@pytest.mark.parametrize("concept", sorted(ONE_HOME))
def test_a_concept_is_defined_in_one_module(concept):
    name, home = ONE_HOME[concept]
    assert homes(ORCHESTRATOR, name) == [home]


@pytest.mark.parametrize("pattern", sorted(ONLY_IN))
def test_only_its_home_makes_the_call(pattern):
    found = sorted(str(p.relative_to(ORCHESTRATOR)) for p in ORCHESTRATOR.rglob("*.py")
                   if re.search(pattern, p.read_text(encoding="utf-8")))
    assert found == [ONLY_IN[pattern]]


@pytest.mark.parametrize("name", sorted(RETIRED))
def test_a_retired_second_home_stays_gone(name):
    assert homes(ORCHESTRATOR, name) == [], f"{name} is back; its concept lives in {RETIRED[name]}"


@pytest.mark.parametrize("pattern", sorted(NOWHERE))
def test_spelled_out_nowhere(pattern):
    found = sorted(str(p.relative_to(ORCHESTRATOR)) for p in ORCHESTRATOR.rglob("*.py")
                   if re.search(pattern, p.read_text(encoding="utf-8")))
    assert found == [], f"{NOWHERE[pattern]} spelled out in {found}"


def test_the_patterns_find_what_they_forbid():
    planted = ['BINARY = ROOT / "build" / "bin"', "return delay_ms * 1_000_000", 'if hasattr(server, "describe"):']
    for pattern in NOWHERE:
        assert [line for line in planted if re.search(pattern, line)], pattern


def test_a_second_definition_is_found(tmp_path):
    (tmp_path / "paths.py").write_text("ROOT = 1\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "other.py").write_text("from ..paths import ROOT\nNS_PER_MS = 1e6\n\ndef ROOT():\n    pass\n")
    assert homes(tmp_path, "ROOT") == ["paths.py", "pkg/other.py"]
    assert homes(tmp_path, "NS_PER_MS") == ["pkg/other.py"]


# --- imports between orchestrator's packages flow one way ----------------------


def package_imports(root: Path) -> dict[str, set[str]]:
    """Which of root's top-level packages and modules each one imports: {"build": {"config", "paths"}, ...}.

    A unit is root's first path part ("build" for build/clients.py, "paths" for paths.py); relative
    imports are resolved, absolute ones count when they start with root's name. Imports inside a unit
    are left out.
    """
    graph: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        package = parts[:-1]  # the package the module sits in ("build",); () at the top
        unit = parts[0]
        graph.setdefault(unit, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                if node.level - 1 > len(package):
                    continue
                base = [*package[: len(package) - (node.level - 1)], *(node.module.split(".") if node.module else [])]
                targets = [base] if base else [[alias.name] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                targets = [node.module.split(".")[1:]] if node.module.split(".")[0] == root.name else []
            elif isinstance(node, ast.Import):
                targets = [a.name.split(".")[1:] for a in node.names if a.name.split(".")[0] == root.name]
            else:
                continue
            graph[unit].update(t[0] for t in targets if t and t[0] != unit)
    return graph


def import_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle in the graph (its units, the first repeated at the end), or None."""
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as error:
        return list(error.args[1])
    return None


def test_orchestrators_packages_import_each_other_without_cycles():
    """config → build → measure → results → report, with provenance, paths and stats beside: no package
    imports one that imports it back (the build ↔ provenance cycle, issue 14)."""
    graph = package_imports(ORCHESTRATOR)
    assert {"build", "provenance", "config", "measure", "results", "report"} <= graph.keys()
    assert "provenance" in graph["build"]  # the build records toolchains and versions through provenance
    assert import_cycle(graph) is None


def test_an_import_cycle_is_found(tmp_path):
    root = tmp_path / "orchestrator"
    for folder in ("build", "provenance", "config"):
        (root / folder).mkdir(parents=True)
        (root / folder / "__init__.py").write_text("")
    (root / "paths.py").write_text("import os\n")
    (root / "build" / "clients.py").write_text("from ..provenance.toolchains import probe\nfrom . import cache\n")
    (root / "config" / "model.py").write_text("from .. import paths\n")
    (root / "provenance" / "environment.py").write_text("from ..config.model import Config\n")
    graph = package_imports(root)
    assert graph == {"build": {"provenance"}, "provenance": {"config"}, "config": {"paths"}, "paths": set()}
    assert import_cycle(graph) is None
    (root / "provenance" / "toolchains.py").write_text("import orchestrator.build.clients\n")
    cycle = import_cycle(package_imports(root))
    assert cycle is not None and set(cycle) == {"build", "provenance"}
