"""/api, /delay, /bytes, /health and the app-wide JSON errors, via Flask's test client."""

from __future__ import annotations

import hashlib
import types

import pytest
from flask.testing import FlaskClient

import server.probes
from server import limits
from server.app import create_app


def test_api_body_is_exactly_the_articles(client: FlaskClient) -> None:
    response = client.get("/api")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == {"message": "GET request received", "data": [1, 2, 3]}


@pytest.mark.parametrize("ms", [0, 1, 20])
def test_delay_echoes_its_delay(client: FlaskClient, ms: int) -> None:
    response = client.get(f"/delay/{ms}")
    assert response.status_code == 200
    assert response.get_json() == {"delay_ms": ms}


def test_delay_accepts_the_maximum(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    # Do not wait 10 s: the handler sleeps until a monotonic deadline, so a clock that sleeping advances
    # (a no-op sleep alone left it spinning on the real clock for the full 10 s, at 100% CPU).
    now = [0]

    def sleep(seconds: float) -> None:
        now[0] += max(1, round(seconds * 1e9))

    monkeypatch.setattr(server.probes, "time", types.SimpleNamespace(monotonic_ns=lambda: now[0], sleep=sleep))
    response = client.get(f"/delay/{limits.MAX_DELAY_MS}")
    assert response.status_code == 200
    assert response.get_json() == {"delay_ms": limits.MAX_DELAY_MS}
    assert now[0] >= limits.MAX_DELAY_MS * 1_000_000  # it waited the whole delay, on its clock


@pytest.mark.parametrize("ms", ["-1", "10001", "abc", "1.5", "+5", "1_000", "9" * 30])
def test_delay_rejects_out_of_range_or_non_integers(client: FlaskClient, ms: str) -> None:
    response = client.get(f"/delay/{ms}")
    assert response.status_code == 400
    assert "error" in response.get_json()


@pytest.mark.parametrize("n", [0, 1, 250, 251, 65_535, 65_536, 65_537, 3 * 65_536 + 17])
def test_bytes_body_length_and_headers_and_no_digest(client: FlaskClient, n: int) -> None:
    response = client.get(f"/bytes/{n}", headers={"X-Polybench-Run": "bytes-1"})
    assert response.status_code == 200
    assert response.mimetype == "application/octet-stream"
    assert response.headers["Content-Length"] == str(n)
    body = response.get_data()
    response.close()
    assert len(body) == n
    # The expected digest is never sent; the server records what it sent.
    assert not any("sha" in name.lower() for name in response.headers.keys())
    (stream,) = client.get("/stats?run=bytes-1").get_json()["streams"]
    assert stream == {"path": f"/bytes/{n}", "bytes": n, "bytes_sent": n, "completed": True,
                      "sha256": hashlib.sha256(body).hexdigest()}


def test_bytes_is_streamed_in_chunks_of_at_most_64_kib(client: FlaskClient) -> None:
    n = 5 * 65_536 + 3
    response = client.get(f"/bytes/{n}", buffered=False)
    chunks = list(response.response)
    response.close()
    assert len(chunks) == 6
    assert max(len(chunk) for chunk in chunks) == 65_536
    assert sum(len(chunk) for chunk in chunks) == n


def test_bytes_accepts_the_cap_without_building_the_body(client: FlaskClient) -> None:
    # Only the headers: the body is generated chunk by chunk as it is sent.
    response = client.get(f"/bytes/{limits.MAX_BYTES}", buffered=False)
    assert response.status_code == 200
    assert response.headers["Content-Length"] == str(1 << 30)
    response.close()


@pytest.mark.parametrize("n", [str((1 << 30) + 1), "-1", "abc", "1e6"])
def test_bytes_rejects_beyond_the_cap(client: FlaskClient, n: str) -> None:
    response = client.get(f"/bytes/{n}")
    assert response.status_code == 400
    assert "error" in response.get_json()


def test_health(client: FlaskClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    # The test client runs without gevent's monkey-patching.
    assert response.get_json() == {"status": "ok", "worker": "threaded", "workers": 1}


def test_unknown_path_is_a_json_404(client: FlaskClient) -> None:
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert response.get_json() == {"error": "not found"}


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_wrong_method_is_a_json_405_with_allow(client: FlaskClient, method: str) -> None:
    response = getattr(client, method)("/api")
    assert response.status_code == 405
    assert "error" in response.get_json()
    assert "GET" in response.headers["Allow"]


def test_unhandled_exception_is_a_json_500() -> None:
    app = create_app()

    def boom() -> str:
        raise RuntimeError("internal detail")

    app.add_url_rule("/boom", view_func=boom)
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert response.get_json() == {"error": "internal server error"}


def test_never_debug_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert create_app().debug is False
