"""Resident processes some clients' runs talk to (`service:` in polybench.yaml), e.g. a warm worker.

A service starts before its client's first run (in the client's clean
environment, without a shell, in a session and process group of its own),
must print one line on stdout when it is ready, and is stopped when the run
ends: its whole process group gets SIGTERM, then, once the service itself
has exited (or after STOP_TIMEOUT_S), SIGKILL, so nothing it started outlives
it; on every path: a normal end, an error, Ctrl-C and SIGTERM (cli.py turns both into
KeyboardInterrupt, so `close` runs), at interpreter exit, and (Linux) by the kernel if polybench is killed outright.
It is never timed: only the client's own process is.
"""

from __future__ import annotations

import atexit
import os
import select
import signal
import subprocess
import time
from collections.abc import Mapping

from ..config.model import ClientSpec, Config, expand
from ..errors import PolybenchError
from ..provenance.toolchains import placeholders

READY_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 5.0


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM it if polybench dies, even by SIGKILL (Linux prctl PR_SET_PDEATHSIG)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the normal stop paths still apply


class Services:
    """The running services of one `invoke run` (or one test), by client name."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        atexit.register(self.close)

    def ensure(self, client: ClientSpec, env: Mapping[str, str]) -> None:
        """Start the client's service unless it runs already; PolybenchError if it dies or never says ready."""
        if client.service is None:
            return
        process = self.running.get(client.name)
        if process is not None and process.poll() is None:
            return
        argv = expand(client.service, placeholders(self.config))
        try:
            process = subprocess.Popen(argv, env=dict(env), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL, cwd=self.config.root, start_new_session=True,
                                       preexec_fn=_die_with_parent)
        except OSError as exc:
            raise PolybenchError(f"{client.name}: cannot start its service {argv[0]}: {exc.strerror}") from None
        self.running[client.name] = process
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], READY_TIMEOUT_S)
        line = process.stdout.readline() if ready else b""
        if not line:
            # Its output ended: it is exiting, and its exit status can lag the end of its output (unreaped
            # meanwhile, so that stop() may still signal its group).
            exited = bool(ready) and _exited_unreaped(process.pid, STOP_TIMEOUT_S)
            self.stop(client.name)  # reaps it: its returncode is set
            if exited:
                raise PolybenchError(f"{client.name}: its service did not start: it exited with code "
                                     f"{process.returncode} before its ready line")
            if ready:
                raise PolybenchError(f"{client.name}: its service did not start: it closed its output before "
                                     "its ready line")
            raise PolybenchError(f"{client.name}: its service did not start (no ready line within "
                                 f"{READY_TIMEOUT_S:g} s)")

    def stop(self, name: str) -> None:
        """Stop one service and everything in its process group (idempotent)."""
        process = self.running.pop(name, None)
        if process is None:
            return
        group = process.pid  # start_new_session: it leads its own group (pgid == pid)
        _signal_group(group, signal.SIGTERM)
        _exited_unreaped(process.pid, STOP_TIMEOUT_S)
        # Still unreaped (a zombie keeps its pid, so the group id cannot be reused meanwhile):
        # whatever of the group ignored SIGTERM or outlived its leader goes now.
        _signal_group(group, signal.SIGKILL)
        process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def close(self) -> None:
        """Stop every service (idempotent)."""
        for name in list(self.running):
            self.stop(name)

    def pids(self) -> dict[str, int]:
        return {name: process.pid for name, process in self.running.items()}


def _signal_group(group: int, signo: int) -> None:
    try:
        os.killpg(group, signo)
    except (ProcessLookupError, PermissionError):
        pass  # the whole group is gone already


def _exited_unreaped(pid: int, timeout_s: float) -> bool:
    """Wait up to timeout_s for child `pid` to exit without reaping it (waitid WNOWAIT); True if it did."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                return True
        except ChildProcessError:
            return True  # reaped already
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.01)


def wait_gone(pid: int, timeout_s: float = STOP_TIMEOUT_S) -> bool:
    """True once no process has `pid` (for tests)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.02)
    return False
