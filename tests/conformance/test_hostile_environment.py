"""A hostile environment in the orchestrator reaches neither the clients nor the server.

Proxy variables point at a closed port (127.0.0.1:9, discard) and interpreter
tracing variables are set: if any of them leaked, a client would fail, slow
down or print traces. Every configured client must still verify, with none of
the traces on its stderr; inheriting the variables on purpose (the control)
shows the traces do appear when they are passed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestrator.config.model import Case
from orchestrator.config.scenarios import SCENARIOS, normalise_params
from orchestrator.measure import one_run as runner_module
from orchestrator.provenance.process_env import EnvPolicy
from orchestrator.server_control.shared_server import SharedServer
from tests.shared_runs import one_run
from tests.shipped import shipped_config

CLOSED = "http://127.0.0.1:9"
HOSTILE = {
    "http_proxy": CLOSED, "https_proxy": CLOSED, "all_proxy": CLOSED,
    "HTTP_PROXY": CLOSED, "HTTPS_PROXY": CLOSED, "ALL_PROXY": CLOSED, "NO_PROXY": "", "no_proxy": "",
    "PYTHONVERBOSE": "1", "PYTHONPROFILEIMPORTTIME": "1", "PYTHONDEVMODE": "1", "PYTHONPATH": "/nonexistent",
    "GODEBUG": "inittrace=1,http2debug=2", "GOMAXPROCS": "1", "GOGC": "1",
    "RUST_LOG": "trace", "RUST_BACKTRACE": "full",
    "LD_PRELOAD": "/nonexistent/polybench-preload.so",
    "MALLOC_ARENA_MAX": "1", "LC_ALL": "C",
}
# What each variable prints when it does reach a process.
TRACE_MARKERS = ("import time:", "# installing", "import _frozen_importlib", "init internal/", "init runtime",
                 "ld.so", "TRACE", "http2:")
SMALL = {"single": {}, "concurrent": {"requests": 4, "concurrency": 4, "delay_ms": 100}}


@pytest.fixture(scope="module")
def hostile_server():
    with pytest.MonkeyPatch.context() as patch:
        for name, value in HOSTILE.items():
            patch.setenv(name, value)
        with SharedServer() as server:
            yield server


@pytest.fixture
def hostile(monkeypatch):
    for name, value in HOSTILE.items():
        monkeypatch.setenv(name, value)


def _first_case(client) -> Case:
    scenario = next(s for s in SMALL if client.supports(s))
    return Case(scenario, normalise_params(SCENARIOS[scenario], SMALL[scenario]))


def _run(config, server, client_name: str, policy: EnvPolicy, monkeypatch):
    """One verified-or-not run through the real Runner, and the stderr the client printed."""
    seen = []
    real = runner_module.run_process

    def keep(*args, **kwargs):
        result = real(*args, **kwargs)
        seen.append(result)
        return result

    monkeypatch.setattr(runner_module, "run_process", keep)
    client = config.client(client_name)
    record = one_run(config, server, client, _first_case(client), timeout_s=120, env_policy=policy)
    return record, seen[-1].stderr


def test_the_server_gets_none_of_it(hostile_server):
    environ = Path(f"/proc/{hostile_server.pid}/environ").read_bytes().split(b"\0")
    names = {item.split(b"=", 1)[0].decode() for item in environ if item}
    assert not names & set(HOSTILE), names & set(HOSTILE)


CLIENTS = [client.name for client in shipped_config().clients]  # every configured client, from polybench.yaml


@pytest.mark.parametrize("client_name", CLIENTS)
def test_every_client_verifies_untraced(config, built, hostile_server, hostile, monkeypatch, client_name):
    assert built[client_name]["status"] in ("built", "up-to-date"), built[client_name]["message"]
    record, stderr = _run(config, hostile_server, client_name, EnvPolicy(), monkeypatch)
    assert record.verified, record.reason
    assert record.server["requests"] >= 1
    leaked = [marker for marker in TRACE_MARKERS if marker in stderr]
    assert not leaked, f"{client_name} stderr shows {leaked}: {stderr[:500]}"


@pytest.mark.parametrize(("client_name", "variable", "marker"), [
    ("python-urllib", "PYTHONPROFILEIMPORTTIME", "import time:"),
    ("go-nethttp", "GODEBUG", "init "),
])
def test_control_an_inherited_variable_does_reach_the_client(config, built, hostile_server, hostile, monkeypatch,
                                                            client_name, variable, marker):
    record, stderr = _run(config, hostile_server, client_name, EnvPolicy(inherit=(variable,)), monkeypatch)
    assert marker in stderr


def test_an_inherited_proxy_never_proxies_loopback(config, built, hostile_server, hostile, monkeypatch):
    policy = EnvPolicy(inherit=("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"))
    for client_name in ("curl", "python-requests", "rust-reqwest", "go-nethttp"):
        record, _ = _run(config, hostile_server, client_name, policy, monkeypatch)
        assert record.verified, f"{client_name}: {record.reason}"
