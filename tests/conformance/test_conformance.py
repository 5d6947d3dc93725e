"""Every client, every scenario it supports, against the real server.

Each run goes through the same Runner as `invoke run` (spawn, /stats,
verify), and the tests then assert the contract's properties explicitly:
call counts, connection counts, concurrency actually overlapping, streaming
in bounded memory.

Bounded memory is relative to the client's own baseline, not absolute: a
runtime's size is not streaming (Node's `single` peaks at about 80 MiB, a JVM's
at about 150 MiB). `stream` of 200 MiB may peak at most STREAM_RSS_ALLOWANCE
above the same client's `single`, measured in the same test; a client that
holds the body whole exceeds it by about 200 MiB (the buffering fake below).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from unbuilt import unbuilt

from orchestrator.config.model import BuildSpec, Case, ClientSpec
from orchestrator.config.scenarios import KEEPALIVE_MAX_CONNECTIONS, SCENARIOS, normalise_params
from orchestrator.measure.one_run import Runner
from tests.shared_runs import one_run
from tests.shipped import shipped_config

CLIENTS = [client.name for client in shipped_config().clients]  # every configured client, from polybench.yaml
STREAM_BYTES = 200 * 1024 * 1024
STREAM_RSS_ALLOWANCE_KIB = 64 * 1024  # stream's peak RSS over the same client's single
UNREAD = Path(__file__).resolve().parent.parent / "fakes" / "unread.py"
CONCURRENT = {"requests": 50, "concurrency": 50, "delay_ms": 200}


def case(scenario: str, **params: int) -> Case:
    return Case(scenario, normalise_params(SCENARIOS[scenario], params))


def run_once(config, server, built, client_name: str, the_case: Case):
    client = config.client(client_name)
    if built[client_name]["status"] not in ("built", "up-to-date"):
        unbuilt(client_name, built[client_name]['message'])
    if not client.supports(the_case.scenario):
        pytest.skip(f"{client_name} does not declare {the_case.scenario}")
    return one_run(config, server, client, the_case, timeout_s=120)


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


def stream_memory_excess_kib(config, server, client: ClientSpec) -> int:
    """How far a verified 200 MiB stream's peak RSS exceeds the client's own single-call peak (KiB)."""
    with Runner(config, server, timeout_s=120) as runner:
        single = runner.run(client, case("single"), "counted", 0)
        stream = runner.run(client, case("stream", bytes=STREAM_BYTES), "counted", 0)
    assert single.verified, single.reason
    assert stream.verified, stream.reason
    assert stream.output["bytes"] == STREAM_BYTES
    return stream.peak_rss_kib - single.peak_rss_kib


@pytest.mark.parametrize("client_name", CLIENTS)
def test_stream_200mb_in_bounded_memory(config, live_server, built, client_name):
    client = config.client(client_name)
    if built[client_name]["status"] not in ("built", "up-to-date"):
        unbuilt(client_name, built[client_name]['message'])
    if not (client.supports("stream") and client.supports("single")):
        pytest.skip(f"{client_name} does not declare both stream and single (its baseline)")
    excess = stream_memory_excess_kib(config, live_server, client)
    assert excess <= STREAM_RSS_ALLOWANCE_KIB, f"stream peaks {excess / 1024:.0f} MiB above single"


def buffering_fake(mode: str) -> ClientSpec:
    return ClientSpec(name="unread", language="python", library_label="none", library_version={},
                      concurrency_model="none", build=BuildSpec(), run=(sys.executable, "-S", str(UNREAD), mode))


def test_the_memory_bound_catches_a_client_that_holds_the_stream_whole(config, live_server):
    honest = stream_memory_excess_kib(config, live_server, buffering_fake("honest"))
    buffered = stream_memory_excess_kib(config, live_server, buffering_fake("buffered"))
    assert honest <= STREAM_RSS_ALLOWANCE_KIB < buffered, (honest, buffered)


@pytest.mark.parametrize("client_name", CLIENTS)
def test_rest_roundtrip(config, live_server, built, client_name):
    record = run_once(config, live_server, built, client_name, case("rest"))
    assert record.verified, record.reason
    assert record.server["statuses"] == {"201": 1, "200": 2, "204": 1, "404": 1}


def test_undeclared_scenario_exits_with_the_unsupported_code(config, live_server, built):
    client = config.client("python-requests-futures")
    record = one_run(config, live_server, client, case("single"), timeout_s=60)
    assert record.unsupported
    assert record.exit_code == 3
    assert not record.verified


def test_no_client_s_build_leaves_another_out_of_date(config, built):
    """After one `invoke build`, `run` finds every built client current: a build that listed another client's
    output as its own made that client's stamp stale, and `run` then skipped it (found by CI)."""
    from orchestrator.build.clients import is_current, read_manifest

    manifest = read_manifest(config)
    stale = [name for name, outcome in built.items() if outcome["status"] in ("built", "up-to-date")
             and not is_current(config, config.client(name), manifest)]
    assert not stale, stale
