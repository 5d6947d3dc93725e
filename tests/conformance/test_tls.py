"""Every configured client over TLS, and every one refusing a CA that did not sign the server's certificate.

The TLS cases go through the same Runner as `invoke run`: the client gets the
server's https:// URL, `--ca-file` and the plain scenario name, and is
verified exactly as over plain http (counts, connections, receipt). The
wrong-CA test gives each client a CA made the same way but never used by the
server: a client that verifies fails before any request reaches the server;
a client that skipped verification would pass, which the fake in
tests/fakes/insecure.py proves the test catches.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from unbuilt import unbuilt

from orchestrator.config.model import BuildSpec, Case, ClientSpec
from orchestrator.config.scenarios import KEEPALIVE_MAX_CONNECTIONS, SCENARIOS, TLS_PREFIX, normalise_params
from orchestrator.results.runlog import LoggedRun
from orchestrator.server_control.tls import make_tls_files
from tests.shared_runs import one_run
from tests.shipped import shipped_config

CLIENTS = [client.name for client in shipped_config().clients]  # every configured client, from polybench.yaml
INSECURE = Path(__file__).resolve().parents[1] / "fakes" / "insecure.py"
TLS_CASES = {"tls_single": {}, "tls_sequential": {"requests": 5}, "tls_keepalive": {"requests": 5}}


def case(scenario: str, **params: int) -> Case:
    return Case(scenario, normalise_params(SCENARIOS[scenario], params))


class OtherCA:
    """The live server, but the clients are told to trust `ca_file` (a CA that did not sign its certificate)."""

    shares_clock = True

    def __init__(self, server, ca_file: str) -> None:
        self._server, self.ca_file = server, ca_file
        self.url, self.tls_url = server.url, server.tls_url

    def stats(self, run_id: str):
        return self._server.stats(run_id)


@pytest.fixture(scope="module")
def wrong_ca():
    files = make_tls_files()
    yield str(files.ca_file)
    files.remove()


def run_once(config, server, built, client: ClientSpec, the_case: Case) -> LoggedRun:
    if client.name in built and built[client.name]["status"] not in ("built", "up-to-date"):
        unbuilt(client.name, built[client.name]['message'])
    if not client.supports(the_case.scenario):
        pytest.skip(f"{client.name} does not declare {the_case.scenario}")
    return one_run(config, server, client, the_case, timeout_s=120)


def assert_refused(record: LoggedRun) -> None:
    """The run failed, and no request of it reached the server: the handshake was refused."""
    assert not record.verified, "a client trusted a CA that did not sign the server's certificate"
    assert record.exit_code != 0, f"exit code {record.exit_code} after a failed handshake"
    assert record.server is not None and record.server["requests"] == 0, (
        f"the server answered {record.server and record.server['requests']} requests: "
        "the client skipped certificate verification")


@pytest.mark.parametrize("scenario", list(TLS_CASES))
@pytest.mark.parametrize("client_name", CLIENTS)
def test_tls_case_verified(config, live_server, built, client_name, scenario):
    the_case = case(scenario, **TLS_CASES[scenario])
    record = run_once(config, live_server, built, config.client(client_name), the_case)
    assert record.verified, record.reason
    assert record.exit_code == 0
    calls = the_case.calls
    assert record.server["requests"] == calls
    if scenario == "tls_sequential":
        assert record.server["connections"] == calls  # a handshake per call
    else:
        assert record.server["connections"] <= KEEPALIVE_MAX_CONNECTIONS


def first_tls_case(client: ClientSpec) -> Case | None:
    for name, scenario in SCENARIOS.items():
        if scenario.tls and client.supports(name):
            return case(name, **TLS_CASES.get(name, {"requests": 2} if "requests" in scenario.parameters else {}))
    return None


@pytest.mark.parametrize("client_name", CLIENTS)
def test_wrong_ca_fails(config, live_server, built, wrong_ca, client_name):
    client = config.client(client_name)
    the_case = first_tls_case(client)
    if the_case is None:
        pytest.skip(f"{client_name} declares no TLS scenario")
    assert_refused(run_once(config, OtherCA(live_server, wrong_ca), built, client, the_case))


def insecure_client() -> ClientSpec:
    return ClientSpec(name="insecure", language="python", library_label="http.client", library_version={},
                      concurrency_model="none", build=BuildSpec(), run=(sys.executable, str(INSECURE)),
                      scenarios=tuple(f"{TLS_PREFIX}{name}" for name in ("single", "sequential", "keepalive")))


def test_a_client_that_skips_verification_is_caught(config, live_server, wrong_ca):
    fake = insecure_client()
    the_case = case("tls_single")
    # The control: with the right CA the fake is an honest, verified client...
    assert one_run(config, live_server, fake, the_case, timeout_s=60).verified
    # ...and with the wrong CA it still "passes", which the wrong-CA check must refuse.
    record = one_run(config, OtherCA(live_server, wrong_ca), fake, the_case, timeout_s=60)
    assert record.verified  # it did the work: only the check below can tell
    with pytest.raises(AssertionError, match="trusted a CA"):
        assert_refused(record)


@pytest.mark.parametrize("client_name", CLIENTS)
def test_the_environment_cannot_add_trust(config, live_server, built, wrong_ca, client_name):
    """With --ca-file naming the wrong CA, the server's real CA in the usual environment variables must not help.

    REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE override requests' Session.verify (psf/requests#3829);
    SSL_CERT_FILE changes OpenSSL's default store. A client trusts exactly --ca-file.
    """
    import dataclasses

    client = config.client(client_name)
    the_case = first_tls_case(client)
    if the_case is None:
        pytest.skip(f"{client_name} declares no TLS scenario")
    real = str(live_server.ca_file)
    client = dataclasses.replace(client, env={**client.env, "REQUESTS_CA_BUNDLE": real, "CURL_CA_BUNDLE": real,
                                              "SSL_CERT_FILE": real})
    assert_refused(run_once(config, OtherCA(live_server, wrong_ca), built, client, the_case))
