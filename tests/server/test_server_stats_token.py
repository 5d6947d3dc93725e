"""/stats holds each run's receipt and stream digests: only the holder of the server's token may read it.

A client that could ask /stats for its own receipt would not need to read a
single response (found by an adversarial test: verified in every scenario
before the token). The orchestrator starts its server with a fresh token;
`invoke serve` takes one from POLYBENCH_STATS_TOKEN or runs open, and says so.
"""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from orchestrator.server_control.shared_server import SharedServer
from server.app import create_app
from server.limits import STATS_TOKEN_ENV, STATS_TOKEN_HEADER


def test_a_server_with_a_token_refuses_stats_without_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(STATS_TOKEN_ENV, "s3cret")
    client = create_app().test_client()
    assert client.get("/stats?run=r1").status_code == 403
    assert client.get("/stats?run=r1", headers={STATS_TOKEN_HEADER: "guess"}).status_code == 403
    answer = client.get("/stats?run=r1", headers={STATS_TOKEN_HEADER: "s3cret"})
    assert answer.status_code == 200 and answer.get_json()["run"] == "r1"


def test_a_server_without_a_token_answers_everyone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(STATS_TOKEN_ENV, raising=False)
    assert create_app().test_client().get("/stats?run=r1").status_code == 200


def test_the_orchestrators_own_server_is_closed_to_clients_but_not_to_it(live_server: SharedServer) -> None:
    server = live_server  # SharedServer() as the orchestrator starts it: a fresh token
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{server.url}/stats?run=token-closed", timeout=5)
    assert refused.value.code == 403
    assert server.stats("token-closed")["requests"] == 0
