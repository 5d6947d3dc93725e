"""/users: the `rest` scenario's five calls and every error status around them."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from server import limits
from server.app import create_app

ALICE = {"name": "polybench-r1", "email": "r1@example.invalid"}


def _create(client: FlaskClient, user: dict[str, Any] = ALICE) -> str:
    response = client.post("/users", json=user)
    assert response.status_code == 201
    return response.headers["Location"]


def test_rest_scenario_sequence(client: FlaskClient) -> None:
    created = client.post("/users", json=ALICE)
    assert created.status_code == 201
    body = created.get_json()
    href = body["_links"]["self"]["href"]
    assert created.headers["Location"] == href == f"/users/{body['id']}"
    assert body["_links"]["collection"] == {"href": "/users"}
    assert (body["name"], body["email"]) == (ALICE["name"], ALICE["email"])

    fetched = client.get(href)
    assert fetched.status_code == 200
    assert fetched.get_json() == body

    renamed = {"name": "polybench-r1-renamed", "email": ALICE["email"]}
    replaced = client.put(href, json=renamed)
    assert replaced.status_code == 200
    assert replaced.get_json()["name"] == "polybench-r1-renamed"

    deleted = client.delete(href)
    assert deleted.status_code == 204
    assert deleted.get_data() == b""

    gone = client.get(href)
    assert gone.status_code == 404
    assert "error" in gone.get_json()


def test_list_has_every_user_and_links(client: FlaskClient) -> None:
    first, second = _create(client), _create(client)
    body = client.get("/users").get_json()
    assert body["count"] == 2
    assert [user["_links"]["self"]["href"] for user in body["users"]] == [first, second]
    assert body["_links"]["self"] == {"href": "/users"}


def test_ids_are_never_reused(client: FlaskClient) -> None:
    first = _create(client)
    client.delete(first)
    assert _create(client) != first


@pytest.mark.parametrize("body", [
    {"name": "x"},
    {"email": "x@example.invalid"},
    {"name": "", "email": "x@example.invalid"},
    {"name": "x", "email": 5},
    {"name": "x" * (limits.MAX_USER_FIELD_CHARS + 1), "email": "x@example.invalid"},
    {"name": "x", "email": "y", "admin": True},
    ["x", "y"],
    "just a string",
])
def test_post_rejects_bad_bodies(client: FlaskClient, body: Any) -> None:
    response = client.post("/users", json=body)
    assert response.status_code == 400
    assert "error" in response.get_json()


def test_post_accepts_fields_at_the_length_cap(client: FlaskClient) -> None:
    longest = "x" * limits.MAX_USER_FIELD_CHARS
    assert client.post("/users", json={"name": longest, "email": longest}).status_code == 201


def test_post_rejects_malformed_json(client: FlaskClient) -> None:
    response = client.post("/users", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert "error" in response.get_json()


def test_body_over_64_kib_is_a_json_413(client: FlaskClient) -> None:
    padding = "x" * limits.MAX_BODY_BYTES
    response = client.post("/users", json={"name": padding, "email": "x@example.invalid"})
    assert response.status_code == 413
    assert "error" in response.get_json()


def test_put_rejects_a_bad_body_and_keeps_the_user(client: FlaskClient) -> None:
    href = _create(client)
    assert client.put(href, json={"name": ""}).status_code == 400
    assert client.get(href).get_json()["name"] == ALICE["name"]


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_missing_user_is_404(client: FlaskClient, method: str) -> None:
    response = getattr(client, method)("/users/999", json=ALICE)
    assert response.status_code == 404
    assert "error" in response.get_json()


def test_non_integer_id_is_404(client: FlaskClient) -> None:
    assert client.get("/users/abc").status_code == 404


@pytest.mark.parametrize(("method", "path"), [("delete", "/users"), ("put", "/users"), ("post", "/users/1")])
def test_wrong_method_is_405(client: FlaskClient, method: str, path: str) -> None:
    response = getattr(client, method)(path, json=ALICE)
    assert response.status_code == 405
    assert "error" in response.get_json()


def test_store_cap_answers_507_until_a_user_is_deleted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_USERS", 2)
    client = create_app().test_client()
    first = _create(client)
    _create(client)
    full = client.post("/users", json=ALICE)
    assert full.status_code == 507
    assert "full" in full.get_json()["error"]
    client.delete(first)
    assert client.post("/users", json=ALICE).status_code == 201


def test_bad_chunk_framing_is_a_400_behind_the_real_wsgi_server(live_server) -> None:
    """gunicorn parses chunked bodies itself; its parse error must not surface as a 500."""
    import socket

    with socket.create_connection(("127.0.0.1", live_server.port), timeout=10) as sock:
        sock.sendall(b"POST /users HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                     b"Content-Type: application/json\r\nConnection: close\r\n\r\nzz\r\nabc\r\n0\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status = answer.split(b"\r\n", 1)[0]
    assert status.split()[1].startswith(b"4"), status
