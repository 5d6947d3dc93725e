"""One timed process: exit codes, output capture, rusage of that child, timeouts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orchestrator.errors import PolybenchError
from orchestrator.measure.process import run_process, run_repeated


def test_true_exits_zero_and_is_timed():
    result = run_process(["true"], timeout_s=10)
    assert result.exit_code == 0 and not result.timed_out
    assert result.wall_ns > 0
    assert result.spawn_epoch_ns <= result.reap_epoch_ns


def test_output_and_exit_code_are_captured():
    result = run_process(["sh", "-c", "echo out; echo err >&2; exit 7"], timeout_s=10)
    assert (result.stdout, result.stderr, result.exit_code) == ("out\n", "err\n", 7)


def test_large_output_cannot_block_the_child():
    result = run_process([sys.executable, "-c", "print('x' * 1_000_000)"], timeout_s=30)
    assert result.exit_code == 0
    assert len(result.stdout) == 1_000_001


def test_peak_rss_is_the_childs_own_not_the_orchestrators():
    small = run_process(["true"], timeout_s=10)
    # The orchestrator (this pytest process) is tens of MB; `true` is ~1 MB.
    assert small.peak_rss_kib < 8 * 1024
    big = run_process([sys.executable, "-c", "x = bytearray(80_000_000); x[::4096] = b'1' * len(x[::4096])"],
                      timeout_s=30)
    assert big.peak_rss_kib > 75 * 1024


def test_user_time_is_of_that_child():
    result = run_process([sys.executable, "-c", "sum(range(20_000_000))"], timeout_s=60)
    assert result.user_ns > 100_000_000
    assert result.wall_ns >= result.user_ns * 0.5


def test_timeout_kills_the_whole_process_group():
    started = time.monotonic()
    # The shell's child sleep would survive a kill of the shell alone.
    result = run_process(["sh", "-c", "sleep 30 & sleep 30; wait"], timeout_s=0.5)
    assert result.timed_out
    assert result.exit_code < 0
    assert time.monotonic() - started < 5


def test_signal_death_is_a_negative_exit_code():
    assert run_process(["sh", "-c", "kill -TERM $$"], timeout_s=10).exit_code == -15


def test_missing_executable_is_a_clear_error():
    with pytest.raises(PolybenchError, match="executable not found: no-such-binary"):
        run_process(["no-such-binary"], timeout_s=5)


def test_a_directory_or_a_file_without_execute_permission_is_named_as_such(tmp_path):
    from orchestrator.measure.process import resolve_executable
    with pytest.raises(PolybenchError, match="is a directory"):
        resolve_executable(str(tmp_path))
    plain = tmp_path / "notes.txt"
    plain.write_text("x")
    with pytest.raises(PolybenchError, match="no execute permission"):
        resolve_executable(str(plain))


# A fake onefile bundle: unpacks into $TMPDIR, says where, then hangs past its limit.
UNPACKS_AND_HANGS = """
import os, pathlib, sys, time
folder = pathlib.Path(os.environ["TMPDIR"]) / "onefile_unpacked"
folder.mkdir()
(folder / "python3.so").write_bytes(b"x" * 4096)
print(folder, os.environ["TMP"], os.environ["TEMP"], flush=True)
time.sleep(60)
"""


def test_a_run_killed_at_its_limit_leaves_nothing_in_its_temporary_folder():
    import tempfile
    from pathlib import Path

    result = run_process([sys.executable, "-c", UNPACKS_AND_HANGS], timeout_s=2, env={"PATH": "/usr/bin:/bin"})
    assert result.timed_out
    unpacked, tmp, temp = result.stdout.split()
    assert tmp == temp == str(Path(unpacked).parent)  # TMPDIR's kin name the same private folder
    assert Path(unpacked).parent != Path(tempfile.gettempdir())  # private, not the shared /tmp
    assert not Path(unpacked).exists()


def test_every_run_starts_with_an_empty_temporary_folder():
    # Each run counts what it finds in $TMPDIR, then leaves a file behind.
    script = '[ -d "$TMPDIR" ] || exit 9; ls -A "$TMPDIR" | wc -l; touch "$TMPDIR/left.$$"'
    results = run_repeated(["sh", "-c", script], 3, timeout_s=10)
    assert len(results) == 3 and results[-1].stdout.strip() == "0"


def test_a_killed_polybenchs_run_folder_in_memory_is_swept_by_the_next_launcher():
    """A SIGKILLed polybench cannot remove its launcher's folder in /dev/shm (memory, not disk): the next
    launcher removes the folders of dead processes, and keeps a live one's."""
    from orchestrator.measure import process as process_module

    shm = process_module._memory_backed_tmp()
    if shm is None:
        pytest.skip("no usable /dev/shm here: the folders go to $TMPDIR, swept the same way")
    gone = subprocess.Popen(["true"])
    gone.wait()
    dead = Path(shm) / f"{process_module.RUN_FOLDER_PREFIX}{gone.pid}-left"
    live = Path(shm) / f"{process_module.RUN_FOLDER_PREFIX}{os.getpid()}-mine"
    for folder in (dead, live):
        folder.mkdir(mode=0o700)
        (folder / "stdout").write_text("a run's output")
    launcher = process_module._Launcher()
    try:
        assert not dead.exists() and live.exists()
    finally:
        launcher.close()
        shutil.rmtree(live, ignore_errors=True)
        shutil.rmtree(dead, ignore_errors=True)
