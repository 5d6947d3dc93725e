"""The command line of docs/contract.md, for every configured client, in any language.

A new client gets these checks by being in polybench.yaml: usage errors exit 2
with the reason in one line on stderr (a usage synopsis may follow it, as
the Go and Rust clients print, never anything else) and nothing on stdout, a scenario it does not know
(or does not declare) exits 3, and a good call prints exactly one line: the
contract's JSON object, with every key of the right type. Clients with
`output: bodies` (curl) do not parse the contract's command line: the config
gives their argv per scenario, so for them only the output applies (the
bodies, each followed by its nonce line).
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from unbuilt import unbuilt

from orchestrator.config.model import Case, ClientSpec, Config, expand, load_config
from orchestrator.config.scenarios import SCENARIOS, normalise_params
from orchestrator.measure.one_run import client_argv, new_run_id, settled_stats
from orchestrator.measure.services import Services
from orchestrator.provenance.process_env import EnvPolicy, config_env
from orchestrator.provenance.toolchains import placeholders
from tests.shared_runs import one_run
from tests.shipped import shipped_config

CONFIG = shipped_config()
CONTRACT = [c.name for c in CONFIG.clients if c.output == "contract"]
BODIES = [c.name for c in CONFIG.clients if c.output == "bodies"]
TIMEOUT_S = 60
NOWHERE = "http://127.0.0.1:9"  # the discard port: a usage error must be found before any connection
# key -> the types the contract allows (docs/contract.md, "Output")
OUTPUT_KEYS: dict[str, tuple[type, ...]] = {
    "client": (str,), "scenario": (str,), "requests": (int,), "ok": (int,), "bytes": (int,),
    "sha256": (str, type(None)), "receipt": (str,), "errors": (list,),
    "t_entry_ns": (int,), "t_ready_ns": (int,), "t_done_ns": (int,),
}
# Each a usage error (exit 2) for every contract client; `SCENARIO` is one the client supports.
USAGE_ERRORS = {
    "no arguments": [],
    "no --url": ["SCENARIO", "--run-id", "cli-1"],
    "no --run-id": ["SCENARIO", "--url", NOWHERE],
    "unknown flag": ["SCENARIO", "--url", NOWHERE, "--run-id", "cli-1", "--no-such-flag", "1"],
    "flag without its value": ["SCENARIO", "--url", NOWHERE, "--run-id"],
    "a count that is not a number": ["SCENARIO", "--url", NOWHERE, "--run-id", "cli-1", "--requests", "many"],
    "https without --ca-file": ["SCENARIO", "--url", "https://127.0.0.1:9", "--run-id", "cli-1"],
}


def first_scenario(client: ClientSpec) -> str:
    """The first contract scenario the client declares (a plain one, as a TLS case passes its plain name)."""
    return next(name for name, s in SCENARIOS.items() if s.contract and not s.tls and client.supports(name))


def small_case(scenario: str) -> Case:
    # delay 200 ms: the verification asks that the server saw the two calls in flight at once, and at 10 ms a
    # loaded machine let one thread's call finish before the other's began (a CI run failed so)
    params = {"requests": 2, "concurrency": 2, "delay_ms": 200, "bytes": 65536}
    wanted = {k: v for k, v in params.items() if k in SCENARIOS[scenario].parameters}
    return Case(scenario, normalise_params(SCENARIOS[scenario], wanted))


_SERVICES: dict[str, Services] = {}


@pytest.fixture(scope="module", autouse=True)
def _services_stop_with_the_module():
    """The warm workers this module started stop when it ends: one left running holds its socket path
    (`{scratch}/NAME.sock`, one per process), where a later test's Runner would start its own."""
    yield
    for services in _SERVICES.values():
        services.close()
    _SERVICES.clear()


def _with_service(config: Config, client: ClientSpec, env: dict[str, str]) -> None:
    """Start the client's resident process (`service:`, e.g. the warm worker) as a run would, once for the
    module's tests (the fixture above stops it)."""
    if client.service is not None:
        _SERVICES.setdefault(str(config.path), Services(config)).ensure(client, env)


def _without_service(config: Config, client: ClientSpec) -> None:
    """Stop the module's worker of `client`, so that a Runner starts (and stops) its own, as every run does."""
    services = _SERVICES.get(str(config.path))
    if services is not None:
        services.stop(client.name)


def spawn(config: Config, client: ClientSpec, args: list[str]) -> subprocess.CompletedProcess[str]:
    """The client's own argv (from its `run:`) plus `args`, in the environment every run gets."""
    base = expand(client.run, {**placeholders(config), "url": NOWHERE, "run_id": "cli-1"})
    env = EnvPolicy().for_process(config_env(config, client))
    _with_service(config, client, env)
    return subprocess.run([*base, *args], capture_output=True, text=True, timeout=TIMEOUT_S, env=env,
                          stdin=subprocess.DEVNULL, check=False)


def require_built(built, name: str) -> None:
    if built[name]["status"] not in ("built", "up-to-date"):
        unbuilt(name, built[name]['message'])


def check_usage_error(config: Config, client: ClientSpec, mistake: str) -> None:
    args = [first_scenario(client) if a == "SCENARIO" else a for a in USAGE_ERRORS[mistake]]
    done = spawn(config, client, args)
    assert done.returncode == 2, f"{mistake}: exit {done.returncode}, stderr {done.stderr!r}"
    assert done.stdout == "", f"{mistake}: stdout must stay empty, got {done.stdout!r}"
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines and not lines[0].lower().startswith("usage"), f"{mistake}: no reason first: {done.stderr!r}"
    synopsis = lines[1:]
    assert not synopsis or (synopsis[0].lower().startswith("usage:") and len(synopsis) <= 3), \
        f"{mistake}: expected the reason in one line (then at most a usage synopsis), got {done.stderr!r}"


def check_good_call(config: Config, server, client: ClientSpec) -> None:
    """One small call of the client's first scenario: exactly the contract's line, and the server agrees."""
    case = small_case(first_scenario(client))
    run_id = new_run_id()
    argv = client_argv(config, client, case, server.url, run_id)
    env = EnvPolicy().for_process(config_env(config, client))
    _with_service(config, client, env)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT_S, env=env,
                          stdin=subprocess.DEVNULL, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("\n") and done.stdout.count("\n") == 1, f"not one line: {done.stdout!r}"
    line = json.loads(done.stdout)
    assert isinstance(line, dict)
    for key, types in OUTPUT_KEYS.items():
        assert key in line, f"missing {key!r}"
        assert isinstance(line[key], types) and not isinstance(line[key], bool), f"{key}: {line[key]!r}"
    # a variant runs its original's program another way and may name either (docs/contract.md)
    assert line["client"] in {client.name, client.variant_of} - {None} and line["scenario"] == case.scenario
    assert line["requests"] == line["ok"] == case.calls and line["errors"] == []
    assert re.fullmatch(r"[0-9a-f]{32}", line["receipt"]) and line["receipt"] != "0" * 32
    assert line["t_entry_ns"] <= line["t_ready_ns"] <= line["t_done_ns"]
    stats = settled_stats(server, run_id)
    assert stats is not None
    assert stats["receipt"] == line["receipt"], "the printed receipt is not the server's: the calls were not read"
    # and the same call, checked end to end the way every run is
    _without_service(config, client)
    record = one_run(config, server, client, case, timeout_s=TIMEOUT_S)
    assert record.verified, record.reason


@pytest.mark.parametrize("mistake", list(USAGE_ERRORS))
@pytest.mark.parametrize("client_name", CONTRACT)
def test_usage_error_exits_2_with_one_line(built, client_name, mistake):
    require_built(built, client_name)
    check_usage_error(CONFIG, CONFIG.client(client_name), mistake)


@pytest.mark.parametrize("client_name", CONTRACT)
def test_unknown_scenario_exits_3(built, client_name):
    require_built(built, client_name)
    done = spawn(CONFIG, CONFIG.client(client_name), ["no_such_scenario", "--url", NOWHERE, "--run-id", "cli-1"])
    assert done.returncode == 3, f"exit {done.returncode}, stderr {done.stderr!r}"
    assert done.stdout == ""


# A variant declares a subset of what its original's program can do (to keep the profiles short), so its
# program does not refuse the others: the check is for clients whose declared list is what they can do.
@pytest.mark.parametrize("client_name", [n for n in CONTRACT if CONFIG.client(n).scenarios is not None
                                         and CONFIG.client(n).role != "variant"])
def test_undeclared_scenario_exits_3(built, client_name):
    """A client that declares only some scenarios says so for the others (exit 3), so none is failed."""
    require_built(built, client_name)
    client = CONFIG.client(client_name)
    others = [n for n, s in SCENARIOS.items() if s.contract and not s.tls and not client.supports(n)]
    done = spawn(CONFIG, client, [others[0], "--url", NOWHERE, "--run-id", "cli-1"])
    assert done.returncode == 3, f"{others[0]}: exit {done.returncode}, stderr {done.stderr!r}"


@pytest.mark.parametrize("client_name", CONTRACT)
def test_good_call_prints_exactly_the_contract_line(config, live_server, built, client_name):
    require_built(built, client_name)
    check_good_call(config, live_server, config.client(client_name))


FAKES = """
toolchains:
  python: {version: ["{python}", --version], fix: "the project's .venv"}
clients:
  - {name: honest, language: fake, run: ["{python}", "-S", "{root}/tests/fakes/liar.py", "honest:honest"]}
  - {name: no-calls, language: fake, run: ["{python}", "-S", "{root}/tests/fakes/liar.py", "no-calls:no-calls"]}
  - {name: two-lines, language: fake, run: ["{python}", "-S", "{root}/tests/fakes/liar.py", "two-lines:two-lines"]}
profiles:
  p: {scenarios: {single: {}}}
"""


@pytest.fixture(scope="module")
def fakes(tmp_path_factory):
    path = tmp_path_factory.mktemp("fakes") / "polybench.yaml"
    path.write_text(FAKES)
    return load_config(path)


def test_the_checks_catch_fakes(fakes, live_server):
    """tests/fakes/liar.py: the honest mode passes the good call; a client that makes no calls (and
    prints a made-up line) or prints two lines fails it; one that parses no flags (a traceback) fails
    the usage check."""
    check_good_call(fakes, live_server, fakes.client("honest"))
    for name in ("no-calls", "two-lines"):
        with pytest.raises(AssertionError):
            check_good_call(fakes, live_server, fakes.client(name))
    with pytest.raises(AssertionError, match="exit 1"):
        check_usage_error(fakes, fakes.client("honest"), "no --url")


@pytest.mark.parametrize("client_name", BODIES)
def test_bodies_client_prints_each_body_and_its_nonce(config, live_server, built, client_name):
    """What applies to a client that prints bodies: its own argv, bodies, one nonce line per transfer."""
    require_built(built, client_name)
    client = config.client(client_name)
    for scenario in ("single", "keepalive"):
        if not client.supports(scenario):
            continue
        case = small_case(scenario)
        done = subprocess.run(client_argv(config, client, case, live_server.url, new_run_id()),
                              capture_output=True, text=True, timeout=TIMEOUT_S, stdin=subprocess.DEVNULL,
                              env=EnvPolicy().for_process(config_env(config, client)), check=False)
        assert done.returncode == 0, done.stderr
        nonces = re.findall(r"^polybench-nonce: ([0-9a-f]{32})$", done.stdout, flags=re.MULTILINE)
        assert len(nonces) == case.calls, done.stdout
        record = one_run(config, live_server, client, case, timeout_s=TIMEOUT_S)
        assert record.verified, record.reason
