"""paths: the scratch folder of a polybench process killed outright is swept by the next one."""

from __future__ import annotations

import os
import subprocess
import sys

from orchestrator import paths


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_dead_processs_scratch_folder_is_swept_and_a_live_ones_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(paths.tempfile, "tempdir", None)  # tempfile caches $TMPDIR
    dead = tmp_path / f"polybench-{_dead_pid()}-abc"
    live = tmp_path / f"polybench-{os.getppid()}-def"
    tls = tmp_path / "polybench-tls-1-x"  # another kind of folder: not a scratch folder's name
    for folder in (dead, live, tls):
        (folder / "tmp-1").mkdir(parents=True)  # e.g. a onefile bundle's unpacked files
    monkeypatch.setattr(paths, "_scratch", None)
    mine = paths.scratch_dir()
    assert mine.parent == tmp_path and mine.is_dir()
    assert not dead.exists() and live.exists() and tls.exists()
