"""One timed process: spawned without a shell, reaped with wait4, nothing in between.

Why this shape:
- The timing itself is done by polybench-launch, a ~1 MB C program
  (orchestrator/launcher/): it spawns the command, wait4s it and reports
  wall time, user and system time and peak RSS of that one child. From a
  small process, peak RSS is the child's own (from Python it would carry the
  orchestrator's 40 MB high-water mark through exec) and the timing is
  hyperfine's way; measured against `hyperfine -N` in docs/accuracy.md.
- wait4 gives the rusage of that one child, not the cumulative
  RUSAGE_CHILDREN of everything ever reaped.
- stdout and stderr go to unlinked temporary files, not pipes: a client that
  prints a lot can never block on a full pipe, and no reader thread competes
  with the child for a CPU while it is being timed.
- The child leads its own process group, so a timeout kills it and anything
  it started.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .errors import PolybenchError
from .launcher import ensure_launcher

OUTPUT_LIMIT = 4 << 20  # bytes of stdout/stderr kept per run
REPORT_FD = 3  # where polybench-launch writes its JSON line


@dataclass(frozen=True)
class ProcessResult:
    argv: tuple[str, ...]
    exit_code: int  # negative: killed by that signal
    timed_out: bool
    wall_ns: int  # monotonic clock, spawn to reap
    spawn_epoch_ns: int  # Unix-epoch clock, just before spawn (for phases)
    reap_epoch_ns: int  # Unix-epoch clock, just after reap
    user_ns: int
    sys_ns: int
    peak_rss_kib: int
    stdout: str
    stderr: str


def resolve_executable(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise PolybenchError(f"executable not found: {name}")
    return path


def _read_back(handle) -> str:
    handle.seek(0)
    return handle.read(OUTPUT_LIMIT).decode("utf-8", errors="replace")


def run_process(argv: Sequence[str], *, timeout_s: float,
                env: Mapping[str, str] | None = None) -> ProcessResult:
    """Run argv (no shell) through the launcher and return its timing and output."""
    resolve_executable(argv[0])  # a clear error before anything is timed
    launcher = ensure_launcher()
    environment = dict(os.environ if env is None else env)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.TemporaryFile() as report:
        file_actions = [
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_DUP2, out.fileno(), 1),
            (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
            (os.POSIX_SPAWN_DUP2, report.fileno(), REPORT_FD),
        ]
        launcher_argv = [str(launcher), str(REPORT_FD), "--", *argv]
        outer_start = time.perf_counter_ns()
        pid = os.posix_spawn(str(launcher), launcher_argv, environment, file_actions=file_actions,
                             setpgroup=0)
        timed_out = threading.Event()
        reaped = threading.Event()
        lock = threading.Lock()

        def kill_group() -> None:
            with lock:
                if reaped.is_set():
                    return
                timed_out.set()
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

        timer = threading.Timer(timeout_s, kill_group)
        timer.daemon = True
        timer.start()
        try:
            while True:
                try:
                    os.waitpid(pid, 0)
                    break
                except InterruptedError:
                    continue
        except BaseException:
            # Ctrl-C while a client runs: take the whole group down with us.
            with lock:
                reaped.set()
            _kill_group(pid)
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
            raise
        finally:
            timer.cancel()
        outer_wall_ns = time.perf_counter_ns() - outer_start
        with lock:
            reaped.set()
        _kill_group(pid)  # anything the client left behind in its group goes too
        report.seek(0)
        measured = _parse_report(report.read().decode(errors="replace"), timed_out.is_set(), argv)
        return ProcessResult(
            argv=tuple(argv),
            exit_code=measured.get("exit_code", -signal.SIGKILL),
            timed_out=timed_out.is_set(),
            # A killed launcher reports nothing: fall back to the outer clock.
            wall_ns=measured.get("wall_ns", outer_wall_ns),
            spawn_epoch_ns=measured.get("spawn_epoch_ns", 0),
            reap_epoch_ns=measured.get("reap_epoch_ns", 0),
            user_ns=measured.get("user_ns", 0),
            sys_ns=measured.get("sys_ns", 0),
            peak_rss_kib=measured.get("peak_rss_kib", 0),
            stdout=_read_back(out),
            stderr=_read_back(err),
        )


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _parse_report(text: str, timed_out: bool, argv: Sequence[str]) -> dict:
    """The launcher's JSON line; empty when it was killed (timeout) before reporting."""
    if not text.strip():
        if timed_out:
            return {}
        raise PolybenchError(f"polybench-launch reported nothing for {argv[0]}")
    measured = json.loads(text.splitlines()[0])
    if "spawn_error" in measured:
        raise PolybenchError(f"cannot start {argv[0]}: {measured['spawn_error']}")
    return measured
