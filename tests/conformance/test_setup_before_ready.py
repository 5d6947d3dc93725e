"""No Python client imports a module after `t_ready` (issue 10 section 4; docs/contract.md, "What counts as set-up").

Deterministic, beside the timing bound of test_conformance_proof.py (which
let python-niquests pass with 14 modules imported inside its first request):
each Python client runs every scenario it supports under
modules_at_ready.py, in its own venv, and reports the modules in sys.modules
at `t_done` that were not there at `t_ready`. Any module at all fails: a lazy
import in the first request is set-up the network phase would be charged
for, whatever package it comes from (the stdlib `idna` codec that Python's
socket module loads at the first connect counts too).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from unbuilt import unbuilt

from orchestrator.config.model import Case
from orchestrator.config.scenarios import SCENARIOS, normalise_params
from orchestrator.measure.one_run import Runner, client_argv, new_run_id
from tests.shipped import shipped_config
from tests.tiers import build_clients

HARNESS = Path(__file__).with_name("modules_at_ready.py")
MARKER = "polybench-modules-after-ready: "
PARAMS = {
    "single": {}, "sequential": {"requests": 3}, "keepalive": {"requests": 5},
    "concurrent": {"requests": 8, "concurrency": 4, "delay_ms": 100}, "stream": {"bytes": 1 << 20}, "rest": {},
    "tls_single": {}, "tls_keepalive": {"requests": 5},
}


def python_script_clients() -> list[str]:
    """The Python clients run as `<venv python> clients/python/client_*.py` (variants run the same scripts)."""
    return [client.name for client in shipped_config().clients
            if client.role != "variant" and client.run is not None and len(client.run) == 2
            and Path(client.run[1]).name.startswith("client_") and client.run[1].endswith(".py")]


@pytest.fixture(scope="module")
def python_built(config):
    """Only these clients' venvs (seconds), not the session's `built` (which makes every bundle too)."""
    manifest = build_clients(config, [config.client(name) for name in python_script_clients()])
    return manifest["clients"]


@pytest.mark.parametrize("client_name", python_script_clients())
def test_no_module_is_imported_after_t_ready(config, live_server, python_built, client_name):
    client = config.client(client_name)
    if python_built[client_name]["status"] not in ("built", "up-to-date"):
        unbuilt(client_name, python_built[client_name]["message"])
    env = Runner(config, live_server, timeout_s=120).client_env(client)
    late = {}
    for scenario, params in PARAMS.items():
        if not client.supports(scenario):
            continue
        tls = SCENARIOS[scenario].tls
        argv = client_argv(config, client, Case(scenario, normalise_params(SCENARIOS[scenario], params)),
                           live_server.tls_url if tls else live_server.url, new_run_id(), (str(HARNESS),),
                           ca_file=live_server.ca_file if tls else None)
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, check=False)
        reports = [line[len(MARKER):] for line in done.stderr.splitlines() if line.startswith(MARKER)]
        assert done.returncode == 0 and len(reports) == 1, f"{client_name} {scenario}: {done.stderr[-500:]}"
        if modules := json.loads(reports[0]):
            late[scenario] = modules
    assert not late, f"{client_name} imports inside its network phase (set-up after t_ready): {late}"
