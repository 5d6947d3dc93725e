"""Every configured client proves receipt, and its set-up is outside its network phase.

Proof of receipt (docs/contract.md): every client's `receipt` (for curl, the
XOR of the nonces its --write-out printed) must equal the server's, in every
scenario it supports. Set-up before `t_ready` (issue 10, section 4): one
call's network phase must be comparable to one call's share of a keep-alive
run, so no client builds its client object (and, for httpx, an SSL context)
inside the first request. The bound is generous, 10x plus 5 ms: a connection
set-up costs a fraction of a millisecond on loopback; a client built inside
the call costs tens of ms (httpx: about 40 ms).
"""

from __future__ import annotations

import pytest
from unbuilt import unbuilt

from orchestrator.config.model import Case
from orchestrator.config.scenarios import SCENARIOS, normalise_params
from tests.shared_runs import one_run
from tests.shipped import shipped_config

CLIENTS = [client.name for client in shipped_config().clients]  # every configured client

PROOF_CASES = {
    "single": {},
    "keepalive": {"requests": 10},
    "concurrent": {"requests": 12, "concurrency": 4, "delay_ms": 50},
    "stream": {"bytes": 4 << 20},
    "rest": {},
}
KEEPALIVE_CALLS = 20
REPEATS = 3
NETWORK_FACTOR, NETWORK_SLACK_NS = 10, 5_000_000


def case(scenario: str, **params: int) -> Case:
    return Case(scenario, normalise_params(SCENARIOS[scenario], params))


def run(config, server, built, client_name: str, the_case: Case):
    client = config.client(client_name)
    if built[client_name]["status"] not in ("built", "up-to-date"):
        unbuilt(client_name, built[client_name]['message'])
    if not client.supports(the_case.scenario):
        pytest.skip(f"{client_name} does not declare {the_case.scenario}")
    return one_run(config, server, client, the_case, timeout_s=120)


@pytest.mark.parametrize("scenario", list(PROOF_CASES))
@pytest.mark.parametrize("client_name", CLIENTS)
def test_receipt_matches_the_servers(config, live_server, built, client_name, scenario):
    record = run(config, live_server, built, client_name, case(scenario, **PROOF_CASES[scenario]))
    assert record.verified, record.reason
    assert record.output["receipt"] == record.server["receipt"] != "0" * 32
    expected = sum(record.server["completed"].values())
    assert (expected, record.server["aborted"]) == (record.output["requests"], 0)


@pytest.mark.parametrize("client_name", [name for name in CLIENTS if name != "curl"])  # curl has no phases
def test_single_network_phase_is_network_only(config, live_server, built, client_name):
    declared = config.client(client_name).setup_in_network
    if declared:  # said in polybench.yaml, recorded in the results, shown by the report
        pytest.skip(f"{client_name}: set-up in its network phase by nature: {declared}")
    singles, keepalives = [], []
    for _ in range(REPEATS):
        single = run(config, live_server, built, client_name, case("single"))
        keepalive = run(config, live_server, built, client_name, case("keepalive", requests=KEEPALIVE_CALLS))
        assert single.verified and keepalive.verified, single.reason or keepalive.reason
        singles.append(single.phases_ns["network"])
        keepalives.append(keepalive.phases_ns["network"] / KEEPALIVE_CALLS)
    one_call, per_call = min(singles), min(keepalives)
    assert one_call <= NETWORK_FACTOR * per_call + NETWORK_SLACK_NS, (
        f"{client_name}: one call's network phase {one_call / 1e6:.2f} ms against {per_call / 1e6:.2f} ms per "
        f"keep-alive call: is set-up done inside the first request?")
