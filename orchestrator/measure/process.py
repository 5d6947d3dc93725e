"""One timed process: spawned without a shell, reaped with wait4, nothing in between.

Why this shape:
- The timing itself is done by polybench-launch, a ~1 MB C program
  (orchestrator/measure/launcher/) that stays up for the whole run: for each request
  it spawns the command, wait4s it and reports wall time, user and system
  time and peak RSS of that one child. From a small process, peak RSS is the
  child's own (from Python it would carry the orchestrator's 40 MB
  high-water mark through exec); a long-lived launcher keeps its spawn path
  hot, as hyperfine's loop does (measured against `hyperfine -N` in
  docs/accuracy.md).
- While a child runs, this process only sleeps on the launcher's answer
  pipe (the launcher enforces the time limit): no timer thread, no reader
  thread, nothing competes with the child for one of the machine's two cores.
  run_repeated asks for several runs at once, so that between them too only
  the launcher runs, as in hyperfine's loop (`invoke time`).
- stdout and stderr go to temporary files, not pipes: a client that prints a
  lot can never block on a full pipe.
- The child leads its own process group, so a timeout kills it and anything
  it started.
- Every run gets a private temporary folder (TMPDIR and its kin, under
  paths.scratch_dir), empty when it starts: the launcher empties it after
  each run, timed out or not (a onefile bundle killed at its limit leaves
  its unpacked folder there), and it goes with its launcher.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import PolybenchError
from ..paths import scratch_dir, sweep_folders_of_dead_processes
from ..provenance.process_env import TMP_VARIABLES
from .launcher import ensure_launcher

# Bytes a run may write to stdout (and, separately, stderr): the launcher sets
# it as the child's RLIMIT_FSIZE, so an endless writer stops there (killed by
# SIGXFSZ, or its writes fail) instead of filling /dev/shm, and the run fails
# with that reason. The largest output a valid run prints is a `bodies`
# client's: 100,000 calls (the config's cap) x about 60 bytes = 6 MB.
OUTPUT_LIMIT = 32 << 20
# The launcher's request buffer and argument count (polybench-launch.c):
# refused here, with one line, before anything is spawned.
MAX_REQUEST_BYTES = 1 << 20
MAX_ARGS = 4096
REQUEST_HEAD = 6  # fields before the arguments: timeout, output limit, repeat, stdout, stderr, argc
ANSWER_GRACE_S = 10.0  # how long a killed child may take to be reaped and reported


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
    output_exceeded: bool = False  # stdout or stderr reached OUTPUT_LIMIT: the run was cut off


def resolve_executable(name: str, env: Mapping[str, str] | None = None) -> str:
    """name's path as the child's PATH finds it (env None: the orchestrator's PATH)."""
    path = shutil.which(name, path=env.get("PATH", "") if env is not None else None)
    if path is None:
        if os.sep in name and os.path.isdir(name):
            raise PolybenchError(f"not an executable file: {name} is a directory")
        if os.sep in name and os.path.exists(name):
            raise PolybenchError(f"not an executable file: {name} (no execute permission)")
        raise PolybenchError(f"executable not found: {name}")
    return path


RUN_FOLDER_PREFIX = "polybench-run-"  # the launcher's folder of a run's stdout and stderr files


class _Launcher:
    """The long-lived polybench-launch --serve process and its request protocol.

    Its children get its own environment (posix_spawn with `environ`), so a
    launcher is started with exactly the environment its children must have:
    one launcher per distinct environment (orchestrator/provenance/process_env.py), with
    TMPDIR and its kin replaced by the launcher's private temporary folder,
    which it empties after every run.
    """

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        # In paths.scratch_dir, the orchestrator's $TMPDIR: the file system the
        # clients' temporary files went to before (not /dev/shm), 0700.
        self.tmp = Path(tempfile.mkdtemp(prefix="tmp-", dir=scratch_dir()))
        child_env = {**(os.environ if env is None else env), **dict.fromkeys(TMP_VARIABLES, str(self.tmp))}
        self.process = subprocess.Popen([str(ensure_launcher()), "--serve", str(self.tmp)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, bufsize=0, env=child_env)
        self.pending = b""
        # Memory-backed: what a SIGKILLed polybench left there holds memory until it is removed, so the folders
        # of dead processes go first (a reused pid's stays: sweep_folders_of_dead_processes).
        shm = _memory_backed_tmp()
        sweep_folders_of_dead_processes(RUN_FOLDER_PREFIX, Path(shm) if shm else None)
        self.scratch = Path(tempfile.mkdtemp(prefix=f"{RUN_FOLDER_PREFIX}{os.getpid()}-", dir=shm))

    def alive(self) -> bool:
        return self.process.poll() is None

    def _line(self, timeout_s: float | None) -> bytes | None:
        """The next answer line, or None if none came within timeout_s."""
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        while b"\n" not in self.pending:
            ready, _, _ = select.select([fd], [], [], timeout_s)
            if not ready:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                raise PolybenchError("polybench-launch stopped unexpectedly")
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return line

    def run(self, argv: Sequence[str], timeout_s: float, keep_stdout: bool = True,
            repeat: int = 1) -> tuple[list[dict[str, Any]], str, str, bool]:
        """Run argv up to `repeat` times back to back: one measurement dict per run made, then the
        last run's stdout and stderr and whether it filled an output file (the launcher stops the
        repeats after the first run that fails, times out or fills one, so that run is the last)."""
        out_path, err_path = self.scratch / "stdout", self.scratch / "stderr"
        stdout_target = out_path if keep_stdout else Path(os.devnull)
        fields = [str(max(1, int(timeout_s * 1000))), str(OUTPUT_LIMIT + 1), str(repeat), str(stdout_target),
                  str(err_path), str(len(argv)), *argv]
        request = request_bytes(fields)
        assert self.process.stdin is not None
        self.process.stdin.write(request)
        runs: list[dict[str, Any]] = []
        while True:
            # The launcher enforces the time limit itself; this is only a backstop. It writes
            # a batch's answers at the batch's end, so the wait covers every run still to come.
            answer = self._line(timeout_s * (repeat - len(runs)) + ANSWER_GRACE_S)
            if answer is None:
                raise PolybenchError(f"polybench-launch did not answer for {argv[0]}")
            measured = json.loads(answer)
            if "spawn_error" in measured:
                raise PolybenchError(f"cannot start {argv[0]}: {measured['spawn_error']}")
            runs.append(measured)
            if measured["last"]:
                break
        exceeded = any(_size(path) > OUTPUT_LIMIT for path in (out_path, err_path) if keep_stdout or path == err_path)
        stdout = _read_back(out_path) if keep_stdout else ""
        return runs, stdout, _read_back(err_path), exceeded

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()  # end of input: the launcher exits
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.scratch, ignore_errors=True)
        shutil.rmtree(self.tmp, ignore_errors=True)


def _memory_backed_tmp() -> str | None:
    """/dev/shm where it is usable: a client's writes to stdout then cost what a
    pipe's would, not a disk file system's (measured: docs/accuracy.md)."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else None


EnvKey = tuple[tuple[str, str], ...] | None  # None: the orchestrator's own environment
_launchers: dict[EnvKey, _Launcher] = {}
_client_cpus: frozenset[int] | None = None


def set_client_cpus(cpus: frozenset[int] | None) -> None:
    """Run every client on these CPUs (the launchers' affinity, which their children inherit); None: any."""
    global _client_cpus
    _client_cpus = cpus
    for launcher in _launchers.values():
        if launcher.alive():
            os.sched_setaffinity(launcher.process.pid, cpus if cpus is not None else os.sched_getaffinity(0))


def _env_key(env: Mapping[str, str] | None) -> EnvKey:
    return tuple(sorted(env.items())) if env is not None else None


def _shared_launcher(env: Mapping[str, str] | None = None) -> _Launcher:
    key = _env_key(env)
    launcher = _launchers.get(key)
    if launcher is None or not launcher.alive():
        launcher = _launchers[key] = _Launcher(env)
        atexit.register(launcher.close)
        if _client_cpus is not None:
            os.sched_setaffinity(launcher.process.pid, _client_cpus)
    return launcher


def _discard_launcher(env: Mapping[str, str] | None = None) -> None:
    """After an interruption mid-run the protocol state is unknown: start afresh next time."""
    launcher = _launchers.pop(_env_key(env), None)
    if launcher is not None:
        launcher.process.terminate()  # SIGTERM: it kills the running child's group, then itself
        launcher.close()


def request_bytes(fields: Sequence[str]) -> bytes:
    """The launcher request for fields (NUL-terminated, file-system encoding); one line if it cannot take it."""
    argc = len(fields) - REQUEST_HEAD
    if argc > MAX_ARGS:
        raise PolybenchError(f"{argc} arguments: more than the {MAX_ARGS} the launcher takes")
    encoded = [os.fsencode(field) for field in fields]  # non-UTF-8 arguments pass through as their bytes
    if any(b"\0" in field for field in encoded):
        raise PolybenchError("an argument contains a NUL byte, which no program can receive")
    request = b"".join(field + b"\0" for field in encoded)
    if len(request) > MAX_REQUEST_BYTES:
        raise PolybenchError(f"the command line is {len(request):,} bytes: more than the "
                             f"{MAX_REQUEST_BYTES:,} the launcher takes")
    return request


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _read_back(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            return handle.read(OUTPUT_LIMIT).decode("utf-8", errors="replace")
    except OSError:
        return ""


def run_process(argv: Sequence[str], *, timeout_s: float, env: Mapping[str, str] | None = None,
                keep_stdout: bool = True) -> ProcessResult:
    """Run argv (no shell) through the launcher and return its timing and output.

    env: the child's whole environment (process_env.EnvPolicy.for_process);
    None inherits the orchestrator's, for callers that time by hand.
    keep_stdout=False sends stdout to /dev/null (`invoke time`'s default, like hyperfine).
    """
    return run_repeated(argv, 1, timeout_s=timeout_s, env=env, keep_stdout=keep_stdout)[0]


def run_repeated(argv: Sequence[str], count: int, *, timeout_s: float, env: Mapping[str, str] | None = None,
                 keep_stdout: bool = True) -> list[ProcessResult]:
    """Run argv `count` times back to back in one launcher request; one ProcessResult per run made.

    Each run is timed exactly as by run_process (spawn to reap, its own
    rusage); the orchestrator does not wake between them. The runs stop early
    after the first one that exits non-zero, times out or fills an output file,
    which is then the last result. Only the last result carries output
    (stdout, stderr, output_exceeded): the others' output files were emptied
    for the next run, so theirs read "" (every one of them exited 0 within
    the limits). timeout_s applies to each run.
    """
    if count < 1:
        raise PolybenchError(f"cannot run a command {count} times")
    request_bytes(["0", "0", str(count), "", "", str(len(argv)), *argv])  # one clear line before anything starts
    resolve_executable(argv[0], env)  # a clear error before anything is timed
    launcher = _shared_launcher(env)
    try:
        runs, stdout, stderr, exceeded = launcher.run(argv, timeout_s, keep_stdout, count)
    except BaseException:
        # Ctrl-C or a broken launcher while a client runs: the client's group
        # dies with the launcher's state; the next run starts a new launcher.
        _discard_launcher(env)
        raise
    results = []
    for index, measured in enumerate(runs):
        last = index == len(runs) - 1
        results.append(ProcessResult(
            argv=tuple(argv),
            exit_code=measured["exit_code"],
            timed_out=measured["timed_out"],
            wall_ns=measured["wall_ns"],
            spawn_epoch_ns=measured["spawn_epoch_ns"],
            reap_epoch_ns=measured["reap_epoch_ns"],
            user_ns=measured["user_ns"],
            sys_ns=measured["sys_ns"],
            peak_rss_kib=measured["peak_rss_kib"],
            stdout=stdout if last else "",
            stderr=stderr if last else "",
            output_exceeded=exceeded if last else False,
        ))
    return results
