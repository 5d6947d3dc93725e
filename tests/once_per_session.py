"""Set-up that writes files, made once per test session however many pytest-xdist workers need it."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

_MADE = ".made"  # written last: names what make() returned, relative to its folder


def once_per_session(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], Path]) -> Path:
    """make(folder) once per session; every caller (each worker's session fixture) gets the path it returned.

    A session-scoped fixture runs once in every pytest-xdist worker that uses it; for set-up whose product is
    files the tests only read (a report with its charts drawn, results of whole runs), the first worker to ask
    makes them under an exclusive lock and the others read them: pytest-xdist's documented recipe, on the
    folder that the workers of one session share (the parent of each worker's base temporary folder; a new one
    every session, so nothing is reused from an earlier session). `name` names the folder. A make() that
    raised leaves no marker: the next caller starts again in an empty folder.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # pytest-of-USER/pytest-N/, whose popen-gwK/ are the workers' own
    folder = root / f"once-{name}"
    with (root / f"once-{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        marker = folder / _MADE
        if marker.is_file():
            return folder / marker.read_text(encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        made = make(folder)
        marker.write_text(str(made.relative_to(folder)), encoding="utf-8")
        return made
