"""One home per concept (issue 14): each of these is defined once in orchestrator/, and the checker can fail."""

from __future__ import annotations

import ast
import re
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
}
# Calls that only their home may make: drawing resample indices (the bootstrap), and git.
ONLY_IN = {
    r"\.integers\(|\.choice\(": "stats.py",
    r"\[\s*\"git\"": "paths.py",
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


def homes(root: Path, name: str) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                  if name in definitions(ast.parse(p.read_text(encoding="utf-8"))))


@pytest.mark.parametrize("concept", sorted(ONE_HOME))
def test_a_concept_is_defined_in_one_module(concept):
    name, home = ONE_HOME[concept]
    assert homes(ORCHESTRATOR, name) == [home]


@pytest.mark.parametrize("pattern", sorted(ONLY_IN))
def test_only_its_home_makes_the_call(pattern):
    found = sorted(str(p.relative_to(ORCHESTRATOR)) for p in ORCHESTRATOR.rglob("*.py")
                   if re.search(pattern, p.read_text(encoding="utf-8")))
    assert found == [ONLY_IN[pattern]]


def test_a_second_definition_is_found(tmp_path):
    (tmp_path / "paths.py").write_text("ROOT = 1\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "other.py").write_text("from ..paths import ROOT\nNS_PER_MS = 1e6\n\ndef ROOT():\n    pass\n")
    assert homes(tmp_path, "ROOT") == ["paths.py", "pkg/other.py"]
    assert homes(tmp_path, "NS_PER_MS") == ["pkg/other.py"]
