"""The shared server's TLS port: a CA per start, a certificate for 127.0.0.1 and localhost, the same records.

Against the real gunicorn worker (server/tls_worker.py), with the standard
library's ssl as the client: verification on, trusting only the start's CA.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import ssl
import stat
import sys
from pathlib import Path

import pytest

from orchestrator.measure.one_run import settled_stats
from orchestrator.server_control import shared_server as server_module
from orchestrator.server_control.shared_server import ServerError, SharedServer
from orchestrator.server_control.tls import make_tls_files

RUN = "X-Polybench-Run"


def _tls_get(server: SharedServer, path: str, run_id: str, *, host: str = "127.0.0.1",
             context: ssl.SSLContext | None = None) -> tuple[int, bytes]:
    context = context or ssl.create_default_context(cafile=server.ca_file)
    connection = http.client.HTTPSConnection(host, server.tls_port, timeout=10, context=context)
    try:
        connection.request("GET", path, headers={RUN: run_id})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_tls_port_serves_the_app_and_counts_in_the_same_records(live_server: SharedServer) -> None:
    assert live_server.tls_url == f"https://127.0.0.1:{live_server.tls_port}"
    assert live_server.tls_port != live_server.port
    status, body = _tls_get(live_server, "/api", "tls-run-1")
    assert (status, json.loads(body)) == (200, {"message": "GET request received", "data": [1, 2, 3]})
    # the same run id over the plain port: one run, two connections, both completed
    plain = http.client.HTTPConnection("127.0.0.1", live_server.port, timeout=10)
    plain.request("GET", "/api", headers={RUN: "tls-run-1"})
    assert plain.getresponse().read()
    plain.close()
    stats = settled_stats(live_server, "tls-run-1")
    assert (stats["requests"], stats["connections"], stats["completed"]) == (2, 2, {"200": 2})


def test_certificate_names_127_0_0_1_and_localhost_only(live_server: SharedServer) -> None:
    assert _tls_get(live_server, "/health", "tls-names", host="localhost")[0] == 200
    context = ssl.create_default_context(cafile=live_server.ca_file)
    with socket.create_connection(("127.0.0.1", live_server.tls_port), timeout=10) as raw:
        with pytest.raises(ssl.SSLCertVerificationError, match="mismatch|doesn't match"):
            context.wrap_socket(raw, server_hostname="example.com")


def test_a_client_with_another_ca_is_refused_and_the_server_lives_on(live_server: SharedServer) -> None:
    other = make_tls_files()
    try:
        with pytest.raises(ssl.SSLCertVerificationError):
            wrong = ssl.create_default_context(cafile=str(other.ca_file))
            _tls_get(live_server, "/api", "tls-wrong-ca", context=wrong)
    finally:
        other.remove()
    # garbage instead of a ClientHello, then plain http on the TLS port: both dropped, nothing counted
    for junk in (b"\x00" * 64, b"GET /api HTTP/1.1\r\nHost: x\r\nX-Polybench-Run: tls-wrong-ca\r\n\r\n"):
        with socket.create_connection(("127.0.0.1", live_server.tls_port), timeout=10) as raw:
            raw.sendall(junk)
            raw.settimeout(10)
            try:
                raw.recv(1024)
            except OSError:
                pass
    assert live_server.stats("tls-wrong-ca")["requests"] == 0
    assert live_server.tls_health()["status"] == "ok"


def test_tls_files_are_private_and_removed_on_stop() -> None:
    server = SharedServer().start()
    try:
        folder = Path(server.ca_file).parent
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert sorted(p.name for p in folder.iterdir()) == ["ca.pem", "server.pem"]
        assert "PRIVATE KEY" not in Path(server.ca_file).read_text()  # clients get the certificate only
    finally:
        server.stop()
    assert not folder.exists()
    assert server.ca_file is None


def test_tls_files_are_removed_when_the_server_fails_to_start(monkeypatch) -> None:
    made: list[Path] = []

    def recording():
        files = make_tls_files()
        made.append(files.directory)
        return files

    monkeypatch.setattr(server_module, "make_tls_files", recording)
    monkeypatch.setattr(SharedServer, "_argv", lambda self, fds: [sys.executable, "-c", "raise SystemExit(3)"])
    with pytest.raises(ServerError, match="exited with code 3"):
        SharedServer(startup_timeout_s=5).start()
    assert made and not any(folder.exists() for folder in made)


def test_no_tls_port_without_tls_or_on_the_dev_server() -> None:
    assert SharedServer(tls=False).tls is False
    assert SharedServer(dev=True).tls is False
    with SharedServer(tls=False) as server:
        assert (server.tls_url, server.ca_file) == (None, None)
        with pytest.raises(ServerError, match="no TLS port"):
            server.tls_health()


def test_each_start_makes_a_new_ca() -> None:
    first, second = make_tls_files(), make_tls_files()
    try:
        assert first.ca_file.read_text() != second.ca_file.read_text()
        assert os.path.commonpath([first.directory, second.directory]) != str(first.directory)
    finally:
        first.remove()
        second.remove()


def test_a_killed_start_s_tls_folder_is_swept_by_the_next_start(tmp_path):
    import subprocess
    import sys

    from orchestrator.server_control.tls import PREFIX, sweep_stale

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(gone.stdout)  # exited: its pid is free (a reuse within this test is vanishingly unlikely)
    stale = tmp_path / f"{PREFIX}{dead_pid}-abc"
    stale.mkdir()
    (stale / "server.pem").write_text("key")
    live = tmp_path / f"{PREFIX}{os.getpid()}-def"
    live.mkdir()
    unrelated = tmp_path / f"{PREFIX}notapid"
    unrelated.mkdir()
    assert sweep_stale(tmp_path) == [stale]
    assert not stale.exists() and live.exists() and unrelated.exists()


def test_the_certificate_names_every_loopback_host_serve_binds() -> None:
    """`serve --host` takes 127.0.0.1, ::1 or localhost without a warning: the certificate is valid for each
    (it lacked ::1, so a server on ::1 never passed its own TLS health check)."""
    import ipaddress

    from cryptography import x509

    files = make_tls_files()
    try:
        leaf = x509.load_pem_x509_certificates(files.server_file.read_bytes())
        names = next(c for c in leaf if not c.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
        san = names.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        ips = {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}
        dns = set(san.get_values_for_type(x509.DNSName))
    finally:
        files.remove()
    assert {"127.0.0.1", str(ipaddress.ip_address("::1"))} <= ips and "localhost" in dns
