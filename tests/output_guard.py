"""A pytest plugin (tests/conftest.py imports its hooks): a session whose tests wrote into the repository's
results/ or reports/ (added, removed or rewrote anything inside them, or re-pointed results/latest) fails.

A test that runs or reports must write under its tmp_path (--results-root, output_root): a stray
results/<timestamp> would become the user's `results/latest` (one did, until the worker test was fixed).
Under pytest-xdist only the controller checks: it lists the folders before any worker starts and after all
have stopped.
"""

from __future__ import annotations

import os

import pytest

from orchestrator.paths import REPORTS_DIR, RESULTS_DIR, ROOT

OUTPUT_FOLDERS = (RESULTS_DIR, REPORTS_DIR)
_BEFORE = pytest.StashKey[dict[str, tuple[int, int, str]]]()


def outputs() -> dict[str, tuple[int, int, str]]:
    """Every entry under the repository's output folders, by path ("results/NAME/..."): (mtime ns, size, the
    link's target or ""), so a file added, removed, rewritten or a link re-pointed anywhere inside shows."""
    seen: dict[str, tuple[int, int, str]] = {}
    for folder in OUTPUT_FOLDERS:
        for top, folders, files in os.walk(ROOT / folder):  # never into a linked folder (results/latest)
            for name in [*folders, *files]:
                path = os.path.join(top, name)
                info = os.lstat(path)
                target = os.readlink(path) if os.path.islink(path) else ""
                seen[os.path.relpath(path, ROOT)] = (info.st_mtime_ns, info.st_size, target)
    return seen


def _controller(session: pytest.Session) -> bool:
    return not hasattr(session.config, "workerinput")  # pytest-xdist's workers have it


def pytest_sessionstart(session: pytest.Session) -> None:
    if _controller(session):
        session.stash[_BEFORE] = outputs()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _controller(session) or _BEFORE not in session.stash:
        return
    before, after = session.stash[_BEFORE], outputs()
    changed = sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))
    if changed:
        shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
        session.config.get_terminal_writer().line(
            f"tests wrote into the repository: {shown} (write under tmp_path instead)", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
