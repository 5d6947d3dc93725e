"""A pytest plugin (tests/conftest.py imports its hooks): a session whose tests wrote into the repository's
results/ or reports/ fails.

A test that runs or reports must write under its tmp_path (--results-root, output_root): a stray
results/<timestamp> would become the user's `results/latest` (one did, until the worker test was fixed).
Under pytest-xdist only the controller checks: it lists the folders before any worker starts and after all
have stopped.
"""

from __future__ import annotations

import pytest

from orchestrator.paths import REPORTS_DIR, RESULTS_DIR, ROOT

OUTPUT_FOLDERS = (RESULTS_DIR, REPORTS_DIR)
_BEFORE = pytest.StashKey[set[str]]()


def outputs() -> set[str]:
    """The entries of the repository's output folders, as "results/NAME" and "reports/NAME"."""
    return {f"{folder}/{entry.name}" for folder in OUTPUT_FOLDERS if (ROOT / folder).is_dir()
            for entry in (ROOT / folder).iterdir()}


def _controller(session: pytest.Session) -> bool:
    return not hasattr(session.config, "workerinput")  # pytest-xdist's workers have it


def pytest_sessionstart(session: pytest.Session) -> None:
    if _controller(session):
        session.stash[_BEFORE] = outputs()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _controller(session) or _BEFORE not in session.stash:
        return
    added = sorted(outputs() - session.stash[_BEFORE])
    if added:
        session.config.get_terminal_writer().line(
            f"tests wrote into the repository: {', '.join(added)} (write under tmp_path instead)", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
