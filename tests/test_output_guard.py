"""tests/output_guard.py: a session whose test writes into the repository's results/ fails."""

from __future__ import annotations

import shutil
import uuid

import pytest

from orchestrator.paths import RESULTS_DIR, ROOT

pytest_plugins = ["pytester"]


@pytest.mark.parametrize("inside", [False, True], ids=["a new folder", "a file in an existing folder"])
def test_a_test_that_writes_into_results_fails_its_session(pytester: pytest.Pytester, inside: bool) -> None:
    home = ROOT / RESULTS_DIR / f"zz-test-{uuid.uuid4().hex[:8]}"
    if inside:  # adversarial review: only new top-level names were seen
        home.mkdir(parents=True)
    leak = home / "leaked.csv" if inside else home
    pytester.makeconftest("from tests.output_guard import pytest_sessionfinish, pytest_sessionstart\n")
    pytester.makepyfile(f"""
        from pathlib import Path

        def test_clean():
            pass

        def test_leaks():
            Path({str(leak)!r}).write_text("x") if {inside!r} else Path({str(leak)!r}).mkdir(parents=True)
    """)
    try:
        # the plugins pytest.ini turns off, off here too: pyreqwest's cannot be imported twice in one process
        result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:anyio", "-p", "no:pyreqwest")
    finally:
        shutil.rmtree(home, ignore_errors=True)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([f"*tests wrote into the repository: *{leak.relative_to(ROOT)}*"])
    result.assert_outcomes(passed=2)  # every test passed: the guard alone failed the session (a clean one passes:
    # every session of this suite runs under it)

