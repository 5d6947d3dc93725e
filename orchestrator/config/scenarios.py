"""The scenarios (docs/contract.md), as data: the contract's six, their TLS
versions (`tls_single`, `tls_sequential`, ...: the same scenario on the
server's TLS port), and the server-side fan-out pair that only clients with a
`scenario_argv` for it run.

Config validation, the scheduler and the verifier all read from this table,
so what a scenario means (its parameters, how many calls it makes, what the
server must have seen) is written down once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from server.limits import MAX_FANOUT_CALLS, MAX_FANOUT_DELAY_MS

from ..errors import ConfigError

# Caps mirror the server's own (server/limits.py); a config asking for more
# would only produce 400s, so it is refused at load time with a clear line.
# concurrency: every call in flight holds one of the gevent worker's
# connection slots (server/gunicorn_conf.py worker_connections = 1000); at
# 1024 the last 24 waited for a slot and failed. 512 leaves the other half
# for /stats, fan-out's inner calls and a previous run's closing connections
# (tests/conformance/test_limits_end_to_end.py runs the largest value).
PARAMETER_RANGES: dict[str, tuple[int, int]] = {
    "requests": (1, 100_000),
    "concurrency": (1, 512),
    "delay_ms": (0, 10_000),
    "bytes": (0, 1 << 30),
}

DEFAULT_STREAM_BYTES = 1 << 20
# `keepalive` must reuse its connection, but a pooled client may open one
# more: hyper's pool (under reqwest) races a new connection against waiting
# for the idle one to come back (hyperium/hyper#4134), measured here in about
# 1 run in 6. Two still rejects a client that reconnects for every call.
KEEPALIVE_MAX_CONNECTIONS = 2
REST_CALLS = 5  # POST, GET (follow _links), PUT, DELETE, GET -> 404
REST_STATUSES = {"201": 1, "200": 2, "204": 1, "404": 1}  # the responses of those calls
# fanout_*: the article's two calls of one second each.
DEFAULT_FANOUT_CALLS = 2
DEFAULT_FANOUT_DELAY_MS = 1_000
# Tighter than PARAMETER_RANGES: `requests` is the server's inner calls here.
FANOUT_RANGES: dict[str, tuple[int, int]] = {
    "requests": (1, MAX_FANOUT_CALLS),
    "delay_ms": (0, MAX_FANOUT_DELAY_MS),
}


@dataclass(frozen=True)
class Scenario:
    """What one scenario takes and what the server must see for it."""

    name: str
    parameters: tuple[str, ...]  # which of PARAMETER_RANGES it accepts
    expected_calls: Callable[[Mapping[str, int]], int]
    path_prefix: Callable[[Mapping[str, int]], str]
    # Connection rule: "equal" (== calls), "at_most_one", "pooled"
    # (<= KEEPALIVE_MAX_CONNECTIONS), or "any" (<= the server's requests).
    connections: str
    description: str
    # Requests the server counts for the run, when it is not expected_calls:
    # the fan-out scenarios' one call makes the server call itself N times.
    server_requests: Callable[[Mapping[str, int]], int] | None = None
    # False: not part of the client contract (the contract's clients do not
    # implement it); only clients with a `scenario_argv` for it run it.
    contract: bool = True
    # A TLS scenario runs the contract scenario `over` on the server's TLS
    # port: the client gets the plain name, an https:// URL and --ca-file.
    over: str | None = None

    @property
    def tls(self) -> bool:
        return self.over is not None

    @property
    def client_scenario(self) -> str:
        """The name the client is given: the plain scenario, also for a TLS one."""
        return self.over or self.name

    def expected_server_requests(self, params: Mapping[str, int]) -> int:
        """What /stats must count for the run: the client's calls plus any the server makes."""
        return (self.server_requests or self.expected_calls)(params)

    def payload(self, params: Mapping[str, int]) -> object | None:
        """The JSON body every call must return, where it is fixed."""
        if self.client_scenario in ("single", "sequential", "keepalive"):
            return API_PAYLOAD
        if self.client_scenario == "concurrent":
            return {"delay_ms": params["delay_ms"]}
        if self.name in FANOUT_MODES:
            calls = params["requests"]
            return {"mode": FANOUT_MODES[self.name], "calls": calls, "delay_ms": params["delay_ms"],
                    "statuses": [200] * calls}
        return None


TLS_PREFIX = "tls_"
# Every contract scenario has a TLS version; the profiles run tls_single
# (start-up with one handshake), tls_sequential (a handshake per call) and
# tls_keepalive (one handshake for many calls).
TLS_OF = ("single", "sequential", "keepalive", "concurrent", "stream", "rest")
API_PAYLOAD = {"message": "GET request received", "data": [1, 2, 3]}
FANOUT_MODES = {"fanout_sync": "sync", "fanout_async": "async"}


def _over_tls(plain: Scenario) -> Scenario:
    """`plain` on the TLS port: the same calls, parameters, connection rule and checks."""
    return replace(plain, name=f"{TLS_PREFIX}{plain.name}", over=plain.name,
                   description=f"{plain.description}, over TLS")


def _fanout(name: str, description: str) -> Scenario:
    """One GET /fanout/<mode>/N/D; the server then makes N GET /delay/D of its own."""
    mode = FANOUT_MODES[name]
    return Scenario(
        name, ("requests", "delay_ms"), lambda p: 1,
        lambda p: f"/fanout/{mode}/{p['requests']}/{p['delay_ms']}",
        # The client's connection plus the server's own: 1 (sync, keep-alive)
        # up to N (async, or any server that closes connections).
        "any", description, server_requests=lambda p: 1 + p["requests"], contract=False,
    )


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            "single", (), lambda p: 1, lambda p: "/api", "at_most_one",
            "one GET /api: the start-up case",
        ),
        Scenario(
            "sequential", ("requests",), lambda p: p["requests"], lambda p: "/api", "equal",
            "N GET /api, each on a new connection",
        ),
        Scenario(
            "keepalive", ("requests",), lambda p: p["requests"], lambda p: "/api", "pooled",
            "N GET /api over one persistent connection",
        ),
        Scenario(
            "concurrent", ("requests", "concurrency", "delay_ms"), lambda p: p["requests"],
            lambda p: f"/delay/{p['delay_ms']}", "any",
            "N GET /delay/D with C in flight",
        ),
        Scenario(
            "stream", ("bytes",), lambda p: 1, lambda p: f"/bytes/{p['bytes']}", "at_most_one",
            "one GET /bytes/B read in chunks, SHA-256 on the fly",
        ),
        Scenario(
            "rest", (), lambda p: REST_CALLS, lambda p: "/users", "any",
            "create, follow _links, update, delete, confirm 404",
        ),
        _fanout("fanout_sync", "one GET /fanout/sync/N/D: a sync view calls /delay/D N times in series"),
        _fanout("fanout_async", "one GET /fanout/async/N/D: an async view gathers N calls to /delay/D"),
    )
}
SCENARIOS.update({s.name: s for s in (_over_tls(SCENARIOS[name]) for name in TLS_OF)})


def normalise_params(scenario: Scenario, params: Mapping[str, int]) -> dict[str, int]:
    """Fill a scenario's parameters with the contract's defaults."""
    filled = {name: params[name] for name in scenario.parameters if name in params}
    if scenario.client_scenario == "stream":
        filled.setdefault("bytes", DEFAULT_STREAM_BYTES)
    if scenario.client_scenario == "concurrent":
        filled.setdefault("requests", 1)
        filled.setdefault("concurrency", 1)
        filled.setdefault("delay_ms", 0)
    if scenario.client_scenario in ("sequential", "keepalive"):
        filled.setdefault("requests", 1)
    if scenario.name in FANOUT_MODES:
        filled.setdefault("requests", DEFAULT_FANOUT_CALLS)
        filled.setdefault("delay_ms", DEFAULT_FANOUT_DELAY_MS)
        for name, (low, high) in FANOUT_RANGES.items():
            if not low <= filled[name] <= high:
                raise ConfigError(f"{scenario.name}.{name}: expected an integer from {low} to {high} "
                                  f"(the server's fan-out cap), got {filled[name]}")
    return filled
