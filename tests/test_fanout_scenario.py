"""The fan-out scenarios (orchestrator/config/scenarios.py) end to end: curl through
the same Runner as `invoke run`, verified against the server's /stats.

One client call makes the server call its own /delay N times, so the run is
verified on 1 + N server requests (Scenario.expected_server_requests), and
only clients with a `scenario_argv` for it run it (Scenario.contract).
"""

from __future__ import annotations

import sys

import pytest

from orchestrator.config.model import BuildSpec, Case, ClientSpec
from orchestrator.config.scenarios import SCENARIOS, normalise_params
from orchestrator.errors import ConfigError
from server import limits
from tests.shared_runs import one_run

MODES = {"fanout_sync": "sync", "fanout_async": "async"}


def case(scenario: str, **params: int) -> Case:
    return Case(scenario, normalise_params(SCENARIOS[scenario], params))


def run(config, server, client: ClientSpec, the_case: Case):
    return one_run(config, server, client, the_case, timeout_s=30)


def bodies_client(scenario: str, argv: list[str]) -> ClientSpec:
    return ClientSpec(name="fake", language="-", library_label="-", library_version={}, concurrency_model="-",
                      build=BuildSpec(), run=None, output="bodies", scenario_argv={scenario: tuple(argv)})


# --- the table ------------------------------------------------------------------


@pytest.mark.parametrize("scenario", MODES)
def test_one_client_call_and_one_plus_n_server_requests(scenario: str) -> None:
    the_case = case(scenario, requests=4, delay_ms=250)
    spec = SCENARIOS[scenario]
    assert the_case.calls == 1
    assert spec.expected_server_requests(the_case.params) == 5
    assert spec.path_prefix(the_case.params) == f"/fanout/{MODES[scenario]}/4/250"
    assert spec.payload(the_case.params) == {"mode": MODES[scenario], "calls": 4, "delay_ms": 250,
                                             "statuses": [200, 200, 200, 200]}
    assert not spec.contract


def test_contract_scenarios_count_what_the_client_calls() -> None:
    the_case = case("sequential", requests=7)
    assert SCENARIOS["sequential"].expected_server_requests(the_case.params) == the_case.calls == 7
    assert all(SCENARIOS[name].contract for name in ("single", "sequential", "keepalive", "concurrent",
                                                     "stream", "rest"))


def test_defaults_are_the_articles_two_calls_of_one_second() -> None:
    assert case("fanout_async").params == {"requests": 2, "delay_ms": 1000}


@pytest.mark.parametrize(("params", "key"), [
    ({"requests": limits.MAX_FANOUT_CALLS + 1}, "requests"),
    ({"requests": 2, "delay_ms": limits.MAX_FANOUT_DELAY_MS + 1}, "delay_ms"),
])
def test_profiles_beyond_the_servers_caps_are_refused(params: dict[str, int], key: str) -> None:
    with pytest.raises(ConfigError, match=f"fanout_sync.{key}"):
        case("fanout_sync", **params)


def test_only_curl_runs_the_fanout_scenarios(config) -> None:
    # Contract clients do not implement them (python and rust exit 2 on an
    # unknown scenario, go exits 3); ClientSpec.supports honours Scenario.contract.
    runners = [client.name for client in config.clients if client.supports("fanout_sync")]
    assert runners == ["curl"]


# --- curl against the real server -------------------------------------------------


@pytest.mark.slow  # runs the configured curl client (tests/tiers.py)
@pytest.mark.parametrize("scenario", MODES)
def test_curl_run_is_verified(config, live_server, scenario: str) -> None:
    record = run(config, live_server, config.client("curl"), case(scenario, requests=2, delay_ms=100))
    assert record.verified, record.reason
    assert record.output["requests"] == record.output["ok"] == 1
    assert record.server["requests"] == 3
    assert record.server["statuses"] == {"200": 3}


@pytest.mark.slow  # runs the configured curl client (tests/tiers.py)
def test_sync_waits_in_series_and_async_overlaps(config, live_server) -> None:
    curl = config.client("curl")
    calls, ms = 4, 300
    serial_ns = calls * ms * 1_000_000
    sync = run(config, live_server, curl, case("fanout_sync", requests=calls, delay_ms=ms))
    async_ = run(config, live_server, curl, case("fanout_async", requests=calls, delay_ms=ms))
    assert sync.verified and async_.verified, (sync.reason, async_.reason)
    assert sync.wall_ns >= serial_ns  # calls in series cannot beat serial_ns: the bound for overlap below
    assert async_.wall_ns < serial_ns, f"{async_.wall_ns / 1e6:.0f} ms: the calls did not overlap"


# --- liars are rejected -------------------------------------------------------------


def test_a_forged_body_without_the_calls_is_rejected(config, live_server) -> None:
    # The body and a well-formed nonce line: only the server's records can tell.
    forge = [sys.executable, "-c",
             "import json; print(json.dumps(dict(mode='sync', calls=2, delay_ms=100, statuses=[200, 200])));"
             "print('polybench-nonce: ' + '0' * 32)"]
    the_case = case("fanout_sync", requests=2, delay_ms=100)
    record = run(config, live_server, bodies_client("fanout_sync", forge), the_case)
    assert not record.verified
    assert "server saw 0 requests" in record.reason


def test_a_smaller_fanout_topped_up_by_the_client_is_rejected(config, live_server) -> None:
    # A fan-out of one, plus the missing inner call made by the client itself:
    # /stats adds up to 1 + 2, but the bodies are not the one expected.
    argv = ["curl", "--silent", "--show-error", "--fail", "-H", "X-Polybench-Run: {run_id}",
            "{url}/fanout/sync/1/{delay_ms}", "{url}/delay/{delay_ms}"]
    the_case = case("fanout_sync", requests=2, delay_ms=10)
    record = run(config, live_server, bodies_client("fanout_sync", argv), the_case)
    assert not record.verified
    assert "verified 0 of 1" in record.reason


def test_a_fanout_of_the_wrong_size_is_rejected(config, live_server) -> None:
    argv = ["curl", "--silent", "--show-error", "--fail", "-H", "X-Polybench-Run: {run_id}",
            "{url}/fanout/async/3/{delay_ms}"]
    the_case = case("fanout_async", requests=2, delay_ms=10)
    record = run(config, live_server, bodies_client("fanout_async", argv), the_case)
    assert not record.verified
    assert "verified 0 of 1" in record.reason
