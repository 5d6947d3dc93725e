"""Every source file a doc, docstring or comment names exists (after the layout move, docs named modules
that were gone: build_cache.py, schedule.py, orchestrator/export/pyperf.py ...)."""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXT = ("*.md", "*.py", "*.ini", "*.toml", "*.yaml", "*.cfg")
TOP_SKIP = {".venv", ".git", "build", "results", "reports", "tests"}  # outputs, and tests (they plant stale names)
SKIP = {".venv", "node_modules", "target", "__pycache__"}
FULL = re.compile(r"\borchestrator/[\w/]+\.py\b")
BARE = re.compile(r"(?<![\w/.-])([a-z_][a-z0-9_]*\.py)\b")


def _files(top_skip: set[str], suffixes: tuple[str, ...]) -> list[Path]:
    """The repository's files ending in one of suffixes, outside the skipped folders (never entered: the
    clients' node_modules and build trees hold tens of thousands of files)."""
    found = []
    for folder, dirs, files in os.walk(ROOT):
        skip = SKIP | (top_skip if folder == str(ROOT) else set())
        dirs[:] = [name for name in dirs if name not in skip]
        found += [Path(folder, name) for name in files if name.endswith(suffixes)]
    return sorted(found)


def _texts() -> list[Path]:
    return _files(TOP_SKIP, tuple(pattern.lstrip("*") for pattern in TEXT))


def _python_names() -> set[str]:
    return {p.name for p in _files(TOP_SKIP - {"tests"}, (".py",))}


def missing_mentions(paths: list[Path], names: set[str]) -> list[str]:
    """`file:line: mention` for each orchestrator/...py path that does not exist, and (in orchestrator/ and
    docs/) each bare module name `x.py` that no file in the repository has."""
    bad = []
    for path in paths:
        relative = path.relative_to(ROOT)
        bare = relative.parts[0] in ("orchestrator", "docs") or relative.name in ("README.md", "mypy.ini")
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            bad += [f"{relative}:{number}: {m}" for m in FULL.findall(line) if not (ROOT / m).exists()]
            if bare:
                bad += [f"{relative}:{number}: {m}" for m in BARE.findall(line) if m not in names]
    return bad


def test_every_named_source_file_exists() -> None:
    assert missing_mentions(_texts(), _python_names()) == []


def test_the_check_finds_a_stale_name(tmp_path: Path) -> None:
    planted = ROOT / "docs" / "_planted_for_test.md"
    try:
        planted.write_text("see orchestrator/export/pyperf.py and (build_cache.py); stats.py is fine\n")
        found = missing_mentions([planted], _python_names())
    finally:
        planted.unlink()
    assert [m.rsplit(": ", 1)[1] for m in found] == ["orchestrator/export/pyperf.py", "build_cache.py"]
