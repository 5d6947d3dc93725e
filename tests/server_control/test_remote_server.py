"""orchestrator/server_control/remote_server.py against a stand-in server: what it accepts and refuses."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from orchestrator.errors import PolybenchError
from orchestrator.server_control.checks import require_alive
from orchestrator.server_control.remote_server import RemoteServer, checked_ca_file, checked_tls_url
from server.limits import STATS_TOKEN_ENV, STATS_TOKEN_HEADER

STATS = {"requests": 1, "connections": 1, "paths": {"/api": 1}, "statuses": {"200": 1}}


class StandIn(BaseHTTPRequestHandler):
    answers: dict[str, object] = {}
    seen: list[tuple[str, str | None]] = []

    def do_GET(self):  # noqa: N802 (the stdlib's name)
        self.seen.append((self.path, self.headers.get(STATS_TOKEN_HEADER)))
        body = json.dumps(self.answers.get(self.path.split("?")[0], {})).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def stand_in():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    StandIn.answers = {"/health": {"status": "ok", "worker": "gevent", "workers": 2}, "/stats": STATS}
    StandIn.seen = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_healthy_server_is_described_and_its_stats_read_with_the_token(stand_in, monkeypatch):
    monkeypatch.setenv(STATS_TOKEN_ENV, "secret")
    server = RemoteServer(stand_in + "/")
    assert server.url == stand_in and server.pid is None and server.exit_code() is None
    assert server.stats("run 1") == STATS
    assert StandIn.seen[-1] == ("/stats?run=run%201", "secret")
    described = server.describe()
    assert described["remote"] and described["stats_token"] and "gevent, 2 worker" in described["worker_model"]
    require_alive(server)  # answers /health: alive


def test_a_server_that_is_not_polybench_is_one_line(stand_in, monkeypatch):
    monkeypatch.delenv(STATS_TOKEN_ENV, raising=False)
    StandIn.answers["/health"] = ["not", "an", "object"]
    with pytest.raises(PolybenchError, match="not a JSON object"):
        RemoteServer(stand_in)
    StandIn.answers["/health"] = {"status": "ok"}
    StandIn.answers["/stats"] = {"requests": -1, "connections": 1}
    server = RemoteServer(stand_in)
    assert StandIn.seen[-1][1] is None  # no token: none sent
    with pytest.raises(PolybenchError, match="'requests' is not a count"):
        server.stats("r")


def test_nothing_listening_is_one_line():
    with pytest.raises(PolybenchError, match="cannot read http://127.0.0.1:9/health"):
        RemoteServer("http://127.0.0.1:9")


@pytest.mark.parametrize("url", ["http://h:1", "https://h:1/path", "ftp://h:1", "https://h:1?q"])
def test_a_tls_url_must_be_https_host_port(url):
    with pytest.raises(PolybenchError, match="--server-tls-url must look like https://HOST:PORT"):
        checked_tls_url(url)


def test_tls_url_and_ca_file_go_together(stand_in, tmp_path):
    assert checked_tls_url("https://h:8443/") == "https://h:8443"
    with pytest.raises(PolybenchError, match="go together"):
        RemoteServer(stand_in, tls_url="https://127.0.0.1:1")
    with pytest.raises(PolybenchError, match="no such file"):
        checked_ca_file(str(tmp_path / "missing.pem"))
    (tmp_path / "ca.pem").write_text("x")
    assert checked_ca_file(str(tmp_path / "ca.pem")) == str((tmp_path / "ca.pem").resolve())
