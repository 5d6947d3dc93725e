"""orchestrator/server_control/live_server.py against the real gunicorn gevent worker.

These pin behaviour the benchmark depends on (keep-alive, one connection per
fresh client, no queueing of slow requests, a clean stop), not speed.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from orchestrator.measure.one_run import settled_stats
from orchestrator.server_control import shared_server as server_module
from orchestrator.server_control.shared_server import ServerError, SharedServer


def _get(connection: http.client.HTTPConnection, path: str, run_id: str) -> http.client.HTTPResponse:
    connection.request("GET", path, headers={"X-Polybench-Run": run_id})
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    return response


def _connect(server: SharedServer) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)


def _children(pid: int) -> list[int]:
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    # Field 4 is the parent pid; split after the ")" closing the name.
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        children.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return children


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_health_reports_the_gevent_worker(live_server: SharedServer) -> None:
    assert live_server.url == f"http://127.0.0.1:{live_server.port}"
    assert live_server.health() == {"status": "ok", "worker": "gevent", "workers": 1}
    assert live_server.worker_model.startswith("gunicorn ")


def test_keepalive_serves_many_requests_on_one_connection(live_server: SharedServer) -> None:
    connection = _connect(live_server)
    for _ in range(5):
        response = _get(connection, "/api", "keepalive-1")
        assert response.status == 200
        assert response.getheader("Connection", "").lower() != "close"
    connection.close()
    stats = live_server.stats("keepalive-1")
    assert (stats["requests"], stats["connections"]) == (5, 1)


def test_fresh_connections_are_counted_apart(live_server: SharedServer) -> None:
    for i in range(5):
        connection = _connect(live_server)
        assert _get(connection, f"/api?i={i}", "fresh-1").status == 200
        connection.close()
    stats = live_server.stats("fresh-1")
    assert (stats["requests"], stats["paths"], stats["connections"]) == (5, {"/api": 5}, 5)


def test_slow_requests_are_served_concurrently_not_queued(live_server: SharedServer) -> None:
    calls, delay_s = 256, 0.2

    def one(_: int) -> int:
        connection = _connect(live_server)
        try:
            return _get(connection, "/delay/200", "concurrent-1").status
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=calls) as pool:
        started = time.perf_counter()
        statuses = list(pool.map(one, range(calls)))
        elapsed = time.perf_counter() - started
    assert statuses == [200] * calls
    # Queued one at a time this would take 51 s; measured about 0.4 s.
    assert elapsed < 5.0 < calls * delay_s
    stats = live_server.stats("concurrent-1")
    assert (stats["requests"], stats["statuses"]) == (calls, {"200": calls})


def test_bytes_over_the_wire(live_server: SharedServer) -> None:
    n = 3 * 65_536 + 123
    connection = _connect(live_server)
    connection.request("GET", f"/bytes/{n}", headers={"X-Polybench-Run": "stream-1"})
    response = connection.getresponse()
    assert response.getheader("Content-Length") == str(n)
    assert response.getheader("Transfer-Encoding") is None
    digest, size = hashlib.sha256(), 0
    while chunk := response.read(65_536):
        digest.update(chunk)
        size += len(chunk)
    nonce = response.getheader("X-Polybench-Nonce")
    connection.close()
    assert size == n
    assert response.getheader("X-Polybench-SHA256") is None
    stats = settled_stats(live_server, "stream-1")  # the server's close() may come just after
    assert [stream["sha256"] for stream in stats["streams"]] == [digest.hexdigest()]
    assert stats["receipt"] == nonce and stats["completed"] == {"200": 1}


def test_stop_leaves_no_process() -> None:
    server = SharedServer().start()
    arbiter = server.pid
    assert arbiter is not None
    workers = _children(arbiter)
    assert len(workers) == 1  # one worker process, by design
    # An idle keep-alive connection must not hold the stop up for 75 s.
    idle = _connect(server)
    _get(idle, "/api", "stop-1")
    server.stop()
    idle.close()
    assert not _alive(arbiter)
    assert not any(_alive(pid) for pid in workers)
    server.stop()  # idempotent


def test_a_busy_port_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(ServerError, match="cannot listen on 127.0.0.1"):
            SharedServer(port=taken.getsockname()[1]).start()


def test_a_server_that_cannot_start_reports_its_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server_module, "APP_SPEC", "server.no_such_module:create_app()")
    with pytest.raises(ServerError, match="(?s)exited with code.*no_such_module"):
        SharedServer().start()


def test_dev_server_is_an_explicit_opt_in_without_keepalive() -> None:
    with SharedServer(dev=True) as server:
        assert server.health()["worker"] == "threaded"
        assert "development server" in server.worker_model
        connection = _connect(server)
        response = _get(connection, "/api", "dev-1")
        connection.close()
        # Why the dev server is not the default: no keep-alive to measure.
        assert response.getheader("Connection") == "close"
