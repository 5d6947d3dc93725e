"""Every client, every scenario it supports, against the real server.

Each run goes through the same Runner as `invoke run` (spawn, /stats,
verify), and the tests then assert the contract's properties explicitly:
call counts, connection counts, concurrency actually overlapping, streaming
in bounded memory.
"""

from __future__ import annotations

import pytest

from orchestrator.config import Case, load_config
from orchestrator.runner import Runner
from orchestrator.scenarios import KEEPALIVE_MAX_CONNECTIONS, SCENARIOS, normalise_params

pytestmark = pytest.mark.slow

CLIENTS = [client.name for client in load_config().clients]  # every configured client, from polybench.yaml
STREAM_BYTES = 200 * 1024 * 1024
STREAM_RSS_LIMIT_KIB = 100 * 1024
CONCURRENT = {"requests": 50, "concurrency": 50, "delay_ms": 200}


def case(scenario: str, **params: int) -> Case:
    return Case(scenario, normalise_params(SCENARIOS[scenario], params))


def run_once(config, server, built, client_name: str, the_case: Case):
    client = config.client(client_name)
    if built[client_name]["status"] not in ("built", "up-to-date"):
        pytest.fail(f"{client_name} did not build: {built[client_name]['message']}")
    if not client.supports(the_case.scenario):
        pytest.skip(f"{client_name} does not declare {the_case.scenario}")
    return Runner(config, server, timeout_s=120).run(client, the_case, "counted", 0)


@pytest.mark.parametrize("client_name", CLIENTS)
def test_single(config, live_server, built, client_name):
    record = run_once(config, live_server, built, client_name, case("single"))
    assert record.verified, record.reason
    assert record.exit_code == 0
    assert record.server["requests"] == 1


@pytest.mark.parametrize("client_name", CLIENTS)
def test_sequential_opens_one_connection_per_call(config, live_server, built, client_name):
    record = run_once(config, live_server, built, client_name, case("sequential", requests=10))
    assert record.verified, record.reason
    assert record.server["requests"] == 10
    assert record.server["connections"] == 10


@pytest.mark.parametrize("client_name", CLIENTS)
def test_keepalive_reuses_its_connection(config, live_server, built, client_name):
    record = run_once(config, live_server, built, client_name, case("keepalive", requests=10))
    assert record.verified, record.reason
    assert record.server["requests"] == 10
    # 1, or 2 where a pool races a new connection (scenarios.KEEPALIVE_MAX_CONNECTIONS)
    assert record.server["connections"] <= KEEPALIVE_MAX_CONNECTIONS


@pytest.mark.parametrize("client_name", CLIENTS)
def test_concurrent_calls_overlap(config, live_server, built, client_name):
    record = run_once(config, live_server, built, client_name, case("concurrent", **CONCURRENT))
    assert record.verified, record.reason
    serial_ms = CONCURRENT["requests"] * CONCURRENT["delay_ms"]
    # Network phase where the client timestamps itself; whole process for curl.
    elapsed_ms = (record.phases_ns["network"] if record.phases_ns else record.wall_ns) / 1e6
    assert elapsed_ms < serial_ms / 4, f"{elapsed_ms:.0f} ms: calls did not overlap (serial would be {serial_ms} ms)"
    assert record.server["requests"] == CONCURRENT["requests"]


@pytest.mark.parametrize("client_name", CLIENTS)
def test_stream_200mb_in_bounded_memory(config, live_server, built, client_name):
    record = run_once(config, live_server, built, client_name, case("stream", bytes=STREAM_BYTES))
    assert record.verified, record.reason
    assert record.output["bytes"] == STREAM_BYTES
    assert record.peak_rss_kib < STREAM_RSS_LIMIT_KIB, f"peak RSS {record.peak_rss_kib / 1024:.0f} MiB"


@pytest.mark.parametrize("client_name", CLIENTS)
def test_rest_roundtrip(config, live_server, built, client_name):
    record = run_once(config, live_server, built, client_name, case("rest"))
    assert record.verified, record.reason
    assert record.server["statuses"] == {"201": 1, "200": 2, "204": 1, "404": 1}


def test_undeclared_scenario_exits_with_the_unsupported_code(config, live_server, built):
    client = config.client("python-requests-futures")
    record = Runner(config, live_server, timeout_s=60).run(client, case("single"), "counted", 0)
    assert record.unsupported
    assert record.exit_code == 3
    assert not record.verified
