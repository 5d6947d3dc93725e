"""The report's layering: analysis/ computes, sections/ render, findings reads analysis only (issue 14).

Checked on the import statements, so a section that starts computing for another one, or an
analysis that starts writing markdown, fails here rather than in review.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPORT = Path(__file__).resolve().parents[2] / "orchestrator" / "report"
RENDERING = {"sections", "markdown", "charts", "fmt", "titles", "document", "generate"}


def report_imports(path: Path) -> set[str]:
    """The report modules `path` imports, as paths under report/ ("analysis.costs", "sections.cases", "fmt")."""
    package = path.relative_to(REPORT).parent.parts  # () for report/, ("sections",) for report/sections/
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom) or node.level == 0:
            continue
        base = list(package[: len(package) - (node.level - 1)]) if node.level - 1 <= len(package) else None
        if base is None:  # above report/: orchestrator.stats and the like
            continue
        module = [*base, *(node.module.split(".") if node.module else [])]
        targets = [".".join(module)] if node.module else [".".join([*module, a.name]) for a in node.names]
        found.update(t for t in targets if t)
    return found


@pytest.mark.parametrize("path", sorted((REPORT / "analysis").glob("*.py")), ids=lambda p: p.name)
def test_analysis_renders_nothing(path):
    rendering = {m for m in report_imports(path) if m.split(".")[0] in RENDERING}
    assert not rendering, f"analysis/{path.name} imports {sorted(rendering)}"


def test_findings_depends_on_analysis_only():
    sections = {m for m in report_imports(REPORT / "sections" / "findings.py") if m.startswith("sections")}
    assert not sections, f"findings imports other sections: {sorted(sections)}"


def test_the_checker_sees_a_section_import(tmp_path):
    """The check above can fail: an import of a sibling section is found."""
    planted = REPORT / "sections" / "findings.py"
    imports = report_imports(planted)
    assert "analysis.crossover" in imports and "markdown" in imports
    fake = REPORT / "sections" / "_planted_for_test.py"
    try:
        fake.write_text("from .cases import all_cases\nfrom .. import fmt\n")
        assert {"sections.cases", "fmt"} <= report_imports(fake)
    finally:
        fake.unlink()
