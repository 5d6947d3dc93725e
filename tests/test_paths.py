"""paths: private temporary folders (scratch, HOME) are removed at exit, swept after a kill, and short enough
for a Unix socket whatever $TMPDIR is."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from orchestrator import paths
from orchestrator.config.model import ROOT


@pytest.fixture
def short_tmp(monkeypatch):
    """A short $TMPDIR (pytest's tmp_path is too long for a Unix socket in a folder in it)."""
    folder = Path(tempfile.mkdtemp(prefix="pb-t-", dir="/tmp"))
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(paths.tempfile, "tempdir", None)  # tempfile caches $TMPDIR
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_dead_processs_scratch_folder_is_swept_and_a_live_ones_kept(short_tmp, monkeypatch):
    tmp_path = short_tmp
    dead = tmp_path / f"polybench-{_dead_pid()}-abc"
    live = tmp_path / f"polybench-{os.getppid()}-def"
    tls = tmp_path / "polybench-tls-1-x"  # another kind of folder: not a scratch folder's name
    for folder in (dead, live, tls):
        (folder / "tmp-1").mkdir(parents=True)  # e.g. a onefile bundle's unpacked files
    monkeypatch.setattr(paths, "_scratch", None)
    mine = paths.scratch_dir()
    assert mine.parent == tmp_path and mine.is_dir()
    assert not dead.exists() and live.exists() and tls.exists()


def test_a_long_tmpdir_still_leaves_room_for_the_workers_socket(tmp_path, monkeypatch):
    """An 85-character TMPDIR made python-requests-worker fail every run with "socket path too long"."""
    long_tmp = tmp_path / ("t" * (85 - len(str(tmp_path)) - 1))
    long_tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(long_tmp))
    monkeypatch.setattr(paths.tempfile, "tempdir", None)
    monkeypatch.setattr(paths, "_scratch", None)
    scratch = paths.scratch_dir()
    assert len(str(long_tmp)) == 85 and (scratch.stat().st_mode & 0o777) == 0o700
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(scratch / "python-requests-worker.sock"))  # the config's {scratch}/<name>
    shutil.rmtree(scratch)


def test_the_clients_home_is_removed_at_exit_and_a_killed_ones_swept(short_tmp):
    code = "from orchestrator.provenance.process_env import empty_home; print(empty_home(), flush=True)"
    env = {**os.environ, "TMPDIR": str(short_tmp)}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    home = Path(done.stdout.strip())
    assert home.parent == short_tmp and home.name.startswith(paths.HOME_PREFIX) and not home.exists()
    killed = subprocess.Popen([sys.executable, "-c", code + "; import os, signal; os.kill(os.getpid(), 9)"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    left = Path(killed.stdout.readline().strip())
    killed.wait()
    assert left.is_dir()  # SIGKILL: no clean-up could run
    live = short_tmp / f"{paths.HOME_PREFIX}{os.getpid()}-live"
    live.mkdir()
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert not left.exists() and live.exists()  # the next one swept the dead one's, not a live one's
