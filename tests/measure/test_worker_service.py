"""The persistent worker (python-requests-worker): its service starts and stops with the runner, its runs
verify, and a worker that answers without making the calls is caught by the server's records."""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from orchestrator.config.model import Case
from orchestrator.measure.launcher import ensure_launcher
from orchestrator.measure.one_run import Runner
from orchestrator.measure.services import wait_gone
from orchestrator.paths import short_temp_root
from tests.tiers import build_clients

NAME = "python-requests-worker"


@pytest.fixture
def socket_dir():
    """A private folder for a Unix socket whose path fits in sun_path even under a long TMPDIR (pytest's
    tmp_path there does not: paths.short_temp_root), removed after the test."""
    folder = tempfile.mkdtemp(prefix="pb-test-", dir=short_temp_root())
    yield Path(folder)
    shutil.rmtree(folder, ignore_errors=True)

# Answers every run at once with a well-formed, plausible line: ok == requests, a receipt of its own
# making, no HTTP call at all. Only the server's records can tell.
FAKE_WORKER = textwrap.dedent('''
    import json, os, socket, sys, time
    path = sys.argv[1]
    if os.path.exists(path):
        os.unlink(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)
    print("ready", flush=True)
    while True:
        connection, _ = listener.accept()
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
        fields = data.split(b"\\0")
        t_entry = int(fields[0])
        now = time.time_ns()
        line = {"client": "python-requests", "scenario": fields[1].decode(), "requests": 1, "ok": 1, "bytes": 48,
                "sha256": None, "receipt": os.urandom(16).hex(), "errors": [], "t_entry_ns": t_entry,
                "t_ready_ns": now, "t_done_ns": now + 1000}
        connection.sendall(("0\\n" + json.dumps(line) + "\\n").encode())
        connection.close()
''')


@pytest.fixture(autouse=True)
def own_scratch(monkeypatch):
    """A `{scratch}` folder of this test's own: a Runner elsewhere in this pytest process (a session
    fixture's, under xdist) may still hold a live worker on the process's one socket path, which a new
    worker rightly refuses to take over."""
    from orchestrator import paths

    monkeypatch.setattr(paths, "_scratch", None)


@pytest.fixture(scope="module")
def worker_config(config):
    ensure_launcher()
    manifest = build_clients(config, [config.client("python-requests"), config.client(NAME)])
    assert manifest["clients"][NAME]["status"] in ("built", "up-to-date")
    return config


def test_the_worker_verifies_and_stops_with_the_runner(worker_config, live_server):
    runner = Runner(worker_config, live_server, timeout_s=60)
    client = worker_config.client(NAME)
    try:
        single = runner.run(client, Case("single", {}), "counted", 0)
        keepalive = runner.run(client, Case("keepalive", {"requests": 5}), "counted", 1)
        assert single.verified, single.reason
        assert keepalive.verified, keepalive.reason
        assert keepalive.server["connections"] <= 2  # a fresh Session per run, one connection for the run
        (pid,) = runner.services.pids().values()
    finally:
        runner.close()
    assert wait_gone(pid)


def test_a_worker_that_skips_the_calls_is_caught(worker_config, live_server, tmp_path, socket_dir):
    fake = tmp_path / "fake_worker.py"
    fake.write_text(FAKE_WORKER)
    socket_path = str(socket_dir / "w.sock")
    real = worker_config.client(NAME)
    client = dataclasses.replace(real, service=(sys.executable, str(fake), socket_path),
                                 run=(real.run[0], socket_path))
    runner = Runner(worker_config, live_server, timeout_s=60)
    try:
        record = runner.run(client, Case("single", {}), "counted", 0)
    finally:
        runner.close()
    assert record.exit_code == 0 and not record.verified
    assert "request" in record.reason or "receipt" in record.reason


CACHING_WORKER = """
import runpy, sys
sys.path.insert(0, {clients!r})
import requests
import client_requests
shared = requests.Session()
shared.close = lambda: None  # never closed: its pooled connection outlives the run
client_requests.requests.Session = lambda: shared  # every run gets the same Session
sys.argv = [{worker!r}, sys.argv[1]]
runpy.run_path({worker!r}, run_name="__main__")
"""


def test_a_worker_that_keeps_its_connection_from_run_to_run_is_caught(worker_config, live_server, tmp_path,
                                                                      socket_dir):
    """A resident process could reuse one connection for every run; the server sees the connection's first run."""
    clients = worker_config.root / "clients" / "python"
    fake = tmp_path / "caching_worker.py"
    fake.write_text(CACHING_WORKER.format(clients=str(clients), worker=str(clients / "worker_requests.py")))
    socket_path = str(socket_dir / "w.sock")
    real = worker_config.client(NAME)
    python = real.service[0].replace("{root}", str(worker_config.root))
    client = dataclasses.replace(real, service=(python, str(fake), socket_path), run=(real.run[0], socket_path))
    runner = Runner(worker_config, live_server, timeout_s=60)
    try:
        first = runner.run(client, Case("keepalive", {"requests": 3}), "counted", 0)
        second = runner.run(client, Case("keepalive", {"requests": 3}), "counted", 1)
    finally:
        runner.close()
    assert first.verified, first.reason  # the first run opened its connection itself
    assert not second.verified and "opened by an earlier run" in second.reason


def test_a_service_that_never_gets_ready_fails_that_clients_runs_only(worker_config, live_server, tmp_path,
                                                                      capsys):
    real = worker_config.client(NAME)
    client = dataclasses.replace(real, service=(sys.executable, "-c", "pass"), run=(real.run[0], str(tmp_path / "s")))
    runner = Runner(worker_config, live_server, timeout_s=30)
    try:
        record = runner.run(client, Case("single", {}), "counted", 0)
    finally:
        runner.close()
    assert not record.verified and record.exit_code == 2
    assert "did not start" in capsys.readouterr().err


def _worker_pids(socket_path: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    argv = handle.read().split(b"\0")
            except OSError:
                continue
            if any(arg.endswith(b"worker_requests.py") for arg in argv) and any(
                    arg.startswith(socket_path.encode()) for arg in argv):
                found.append(int(entry))
    return found


@pytest.mark.parametrize("signo", [signal.SIGTERM, signal.SIGKILL])
def test_the_worker_does_not_outlive_a_stopped_run(worker_config, tmp_path, signo):
    """`invoke run` stopped by SIGTERM (its Ctrl-C path) or killed outright leaves no worker behind."""
    run = subprocess.Popen([sys.executable, "-m", "orchestrator", "run", "--profile", "quick", "--scenarios",
                            "single,keepalive", "--clients", NAME, "--quiet", "--results-root", str(tmp_path)],
                           cwd=worker_config.root,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        # the socket is in that run's own scratch folder (paths.scratch_dir: named by its pid)
        socket_path = os.path.join(short_temp_root(), f"polybench-{run.pid}-")
        while not _worker_pids(socket_path) and time.monotonic() < deadline and run.poll() is None:
            time.sleep(0.05)
        pids = _worker_pids(socket_path)
        assert pids, "the worker never started"
        run.send_signal(signo)
        run.wait(30)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert all(wait_gone(pid) for pid in pids)


def _start_worker(config, socket_path: str) -> subprocess.Popen:
    python = str(config.root / "build" / "venvs" / "python-requests" / "bin" / "python")
    return subprocess.Popen([python, str(config.root / "clients" / "python" / "worker_requests.py"), socket_path],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_the_worker_never_removes_a_file_it_did_not_create(worker_config, socket_dir):
    """Something already at its socket path (another worker's socket, any file) is not the worker's to unlink."""
    taken = socket_dir / "w.sock"
    taken.write_text("someone else's")
    worker = _start_worker(worker_config, str(taken))
    _, err = worker.communicate(timeout=60)
    assert worker.returncode != 0 and len(err.strip().splitlines()) == 1 and "cannot listen on" in err
    assert taken.read_text() == "someone else's"


def _round_trip(socket_path: str) -> bytes:
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.connect(socket_path)
        connection.shutdown(socket.SHUT_WR)  # an empty request: a usage error comes back
        return connection.recv(65536)


def test_the_worker_removes_its_own_socket_only(worker_config, socket_dir):
    path = socket_dir / "w.sock"
    for replaced in (False, True):
        worker = _start_worker(worker_config, str(path))
        try:
            assert worker.stdout.readline().strip() == "ready"
            _round_trip(str(path))  # it is in its serving loop
            if replaced:  # its socket was replaced by someone else's file meanwhile
                path.unlink()
                path.write_text("someone else's")
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.communicate(timeout=30)
        assert worker.returncode == 0
        assert (path.read_text() == "someone else's") if replaced else not path.exists()


def test_a_service_is_stopped_with_everything_it_started(worker_config, tmp_path):
    """The whole process group gets the signals: a grandchild the service started does not outlive it."""
    from orchestrator.measure.services import Services
    from orchestrator.provenance.process_env import EnvPolicy

    pid_file = tmp_path / "grandchild.pid"
    # sh dies of SIGTERM at once; its background sleep would be orphaned if only sh were signalled
    script = f'sleep 300 & echo $! > "{pid_file}"; echo ready; wait'
    client = dataclasses.replace(worker_config.client(NAME), service=("/bin/sh", "-c", script))
    services = Services(worker_config)
    try:
        services.ensure(client, EnvPolicy().for_process())
        grandchild = int(pid_file.read_text())
        (service_pid,) = services.pids().values()
    finally:
        services.close()
    assert wait_gone(service_pid)
    assert wait_gone(grandchild, 10), "the service's child outlived it"


def test_a_dead_workers_socket_is_taken_over_and_a_live_ones_is_not(worker_config, socket_dir):
    """A worker killed outright leaves its socket behind: the next one replaces it (nobody listens on it),
    but never a socket that still answers."""
    import socket

    path = socket_dir / "w.sock"
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(path))
    dead.close()  # the file stays, nobody listens: what SIGKILL leaves
    worker = _start_worker(worker_config, str(path))
    try:
        assert worker.stdout.readline().strip() == "ready"
        _round_trip(str(path))
        second = _start_worker(worker_config, str(path))  # the first one is live: not the second's to remove
        _, err = second.communicate(timeout=60)
        assert second.returncode != 0 and "cannot listen on" in err
        _round_trip(str(path))  # the first still serves
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.communicate(timeout=30)
    assert worker.returncode == 0 and not path.exists()


def test_a_live_socket_that_accepts_nothing_is_refused_without_waiting(worker_config, socket_dir):
    """A live worker accepts no connection while it serves a run, and once its backlog is full a blocking
    connect to it waits: the next worker's probe does not wait (it fails at once) and refuses the path, where
    it had waited until the listener accepted."""
    import socket

    path = socket_dir / "w.sock"
    busy = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    busy.bind(str(path))
    busy.listen(0)  # never accepts: the backlog fills with the connections below
    waiting = []
    try:
        for _ in range(4):
            queued = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            queued.setblocking(False)
            try:
                queued.connect(str(path))
            except BlockingIOError:  # EAGAIN: the backlog is full, as the worker's probe would find it
                queued.close()
                break
            waiting.append(queued)
        else:
            pytest.fail("a backlog of 0 took four connections: this kernel queues differently")
        worker = _start_worker(worker_config, str(path))
        try:
            _, err = worker.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.communicate()
            pytest.fail("the second worker waited on a live socket that accepts nothing")
        assert worker.returncode != 0 and "cannot listen on" in err
        assert path.exists()  # not the second worker's to remove
    finally:
        for queued in waiting:
            queued.close()
        busy.close()


def test_a_run_whose_own_worker_did_not_start_fails_though_another_answers(worker_config, live_server, capsys):
    """Two runners in one process share its one socket path: the second one's worker rightly refuses the
    first one's live socket, and the second runner's runs fail for that reason, though the first one's worker
    (started with the first runner's environment) would answer them."""
    client = worker_config.client(NAME)
    with Runner(worker_config, live_server, timeout_s=60) as first, \
            Runner(worker_config, live_server, timeout_s=60) as second:
        assert first.run(client, Case("single", {}), "counted", 0).verified
        record = second.run(client, Case("single", {}), "counted", 0)
    assert not record.verified and "its service did not start" in record.reason
    assert "its service did not start" in capsys.readouterr().err


def test_a_service_that_exits_at_once_is_reported_with_its_exit_code(config):
    """Its output ends before its exit status is known: the report waits for the status, not "no ready line
    within 30 s" (a race it lost about one time in three)."""
    from orchestrator.errors import PolybenchError
    from orchestrator.measure.services import Services
    from orchestrator.provenance.process_env import EnvPolicy

    client = dataclasses.replace(config.client(NAME), service=(sys.executable, "-S", "-c", "raise SystemExit(4)"))
    services = Services(config)
    try:
        for _ in range(8):
            with pytest.raises(PolybenchError, match="exited with code 4 before its ready line"):
                services.ensure(client, EnvPolicy().for_process())
    finally:
        services.close()
