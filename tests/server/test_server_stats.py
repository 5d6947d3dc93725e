"""/stats: what is counted, for which run, and what never is."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from server import limits
from server.connections import ConnectionIds
from server.run_stats import RunStats, empty_snapshot

RUN = {"X-Polybench-Run": "run-1"}


def _stats(client: FlaskClient, run_id: str = "run-1") -> dict:
    response = client.get("/stats", query_string={"run": run_id})
    assert response.status_code == 200
    return response.get_json()


def test_counts_by_path_and_status(client: FlaskClient) -> None:
    responses = [client.get("/api", headers=RUN) for _ in range(3)]
    responses += [
        client.get("/api?i=7", headers=RUN),  # curl's URL globbing: same path
        client.get("/delay/0", headers=RUN),
        client.get("/delay/abc", headers=RUN),
        client.get("/missing", headers=RUN),
        client.post("/users", json={"name": "n", "email": "e"}, headers=RUN),
        client.get("/users/1", headers=RUN),
    ]
    for response in responses:  # the WSGI server's close(): handling time is added then
        response.close()
    stats = _stats(client)
    assert stats["run"] == "run-1"
    assert stats["requests"] == 9
    assert stats["paths"] == {"/api": 4, "/delay/0": 1, "/delay/abc": 1, "/missing": 1, "/users": 1, "/users/1": 1}
    assert stats["statuses"] == {"200": 6, "201": 1, "400": 1, "404": 1}
    assert stats["connections"] == 1  # the test client: one peer address, no port
    assert 0 < stats["server_max_ns"] <= stats["server_ns"]


def test_exact_shape_of_an_unknown_run(client: FlaskClient) -> None:
    assert _stats(client, "never-seen") == {
        "run": "never-seen", "requests": 0, "paths": {}, "statuses": {},
        "connections": 0, "foreign_connections": 0, "server_ns": 0, "server_max_ns": 0,
        "internal_requests": 0, "completed": {}, "aborted": 0, "in_flight": 0, "max_in_flight": 0,
        "receipt": "0" * 32, "server_median_ns": 0, "timed_responses": 0, "streams": [],
        "first_arrival_epoch_ns": None, "last_response_epoch_ns": None,
    }


def test_runs_are_counted_apart(client: FlaskClient) -> None:
    client.get("/api", headers={"X-Polybench-Run": "a"})
    client.get("/api", headers={"X-Polybench-Run": "b"})
    client.get("/api", headers={"X-Polybench-Run": "b"})
    assert _stats(client, "a")["requests"] == 1
    assert _stats(client, "b")["requests"] == 2


def test_connections_are_distinct_peers(client: FlaskClient) -> None:
    for port in ("40001", "40002", "40002", "40003"):
        client.get("/api", headers=RUN, environ_base={"REMOTE_PORT": port})
    assert _stats(client)["connections"] == 3


def test_request_is_counted_before_its_body_is_closed(client: FlaskClient) -> None:
    response = client.get("/bytes/10", headers=RUN, buffered=False)
    stats = _stats(client)
    assert (stats["requests"], stats["statuses"], stats["server_ns"]) == (1, {"200": 1}, 0)
    response.close()
    assert _stats(client)["server_ns"] > 0


def test_stats_and_health_are_never_counted(client: FlaskClient, run_stats: RunStats) -> None:
    client.get("/stats?run=run-1", headers=RUN)
    client.get("/health", headers=RUN)
    assert len(run_stats) == 0


@pytest.mark.parametrize("bad_id", ["", "has space", "semi;colon", "a" * 65, "ünïcode", "slash/y"])
def test_invalid_run_ids_are_served_but_not_counted(client: FlaskClient, run_stats: RunStats, bad_id: str) -> None:
    response = client.get("/api", headers={"X-Polybench-Run": bad_id})
    assert response.status_code == 200
    assert len(run_stats) == 0


def test_longest_valid_run_id_is_counted(client: FlaskClient) -> None:
    run_id = "A.z_9-" + "x" * 58
    client.get("/api", headers={"X-Polybench-Run": run_id})
    assert _stats(client, run_id)["requests"] == 1


def test_requests_without_the_header_are_not_counted(client: FlaskClient, run_stats: RunStats) -> None:
    client.get("/api")
    assert len(run_stats) == 0


def test_missing_run_parameter_is_400(client: FlaskClient) -> None:
    response = client.get("/stats")
    assert response.status_code == 400
    assert "error" in response.get_json()


def test_invalid_run_parameter_is_400(client: FlaskClient) -> None:
    assert client.get("/stats", query_string={"run": "bad id"}).status_code == 400


def test_least_recently_active_run_is_evicted() -> None:
    stats = RunStats(max_runs=2)
    stats.request_started("a", "/api", "c1")
    stats.request_started("b", "/api", "c1")
    stats.request_started("a", "/api", "c1")  # a is now the most recent
    stats.request_started("c", "/api", "c1")
    assert stats.snapshot("b") == empty_snapshot("b")
    assert stats.snapshot("a")["requests"] == 2
    assert stats.snapshot("c")["requests"] == 1
    # A request still running when its run was evicted is dropped quietly.
    stats.response_started("b", "200")
    stats.request_finished("b", 5)
    assert stats.snapshot("b") == empty_snapshot("b")


def test_paths_beyond_the_cap_are_pooled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_PATHS_PER_RUN", 2)
    stats = RunStats()
    for path in ("/a", "/b", "/c", "/d", "/a"):
        stats.request_started("r", path, "c1")
    assert stats.snapshot("r")["paths"] == {"/a": 2, "/b": 1, limits.OVERFLOW_PATH: 2}


def test_a_reused_port_on_a_new_socket_is_a_new_connection() -> None:
    class FakeSocket:
        pass

    ids = ConnectionIds()
    first, second = FakeSocket(), FakeSocket()
    peer = {"REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "40000"}
    assert ids.key({**peer, "gunicorn.socket": first}) == ids.key({**peer, "gunicorn.socket": first})
    assert ids.key({**peer, "gunicorn.socket": first}) != ids.key({**peer, "gunicorn.socket": second})
    assert ids.key(peer) == ("127.0.0.1", "40000")
