"""Synthetic results files for the report tests, built the way `invoke run` builds real ones.

Fabricated LoggedRuns go through orchestrator.results.model.assemble, so the
summaries and ratios in the file are the real code's. The model behind the
numbers: wall = runtime start + imports + network + exit, with network =
first connection + per-call cost x calls, and a few percent of noise.
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from orchestrator.results.model import assemble
from orchestrator.results.records import SCHEMA, Results
from orchestrator.results.runlog import LoggedRun

MS = 1_000_000  # ns per ms
NS_PER_MS = 1e6
PHASES = ("runtime_start", "imports", "network", "exit")
RUNS_PER_CELL = 8
FAILED_REASON = "server counted 2 connections for the run, keepalive allows at most 1"

# name -> language, library, concurrency model, runtime start ms, imports ms, per-call ms, exit ms
CLIENTS: dict[str, tuple[str, str, str, float, float, float, float]] = {
    "python-urllib": ("python", "urllib (stdlib)", "threads", 14.0, 38.0, 0.45, 4.0),
    "python-requests": ("python", "requests", "threads", 14.0, 105.0, 0.60, 6.0),
    "python-aiohttp": ("python", "aiohttp", "asyncio", 14.0, 150.0, 0.50, 7.0),
    "go-nethttp": ("go", "net/http", "goroutines", 0.9, 0.4, 0.12, 0.3),
    "rust-ureq": ("rust", "ureq", "threads", 0.6, 0.1, 0.09, 0.2),
    "curl": ("c", "curl", "curl --parallel", 2.5, 1.0, 0.15, 0.6),  # phases hidden: curl cannot report them
}
CASES: list[tuple[str, dict[str, int], int]] = [  # scenario, params, calls
    ("single", {}, 1),
    ("sequential", {"requests": 10}, 10),
    ("keepalive", {"requests": 10}, 10),
    ("keepalive", {"requests": 100}, 100),
    ("keepalive", {"requests": 400}, 400),
    ("concurrent", {"concurrency": 10, "delay_ms": 100, "requests": 50}, 50),
    ("stream", {"bytes": 16 << 20}, 1),
]
UNSUPPORTED = {("curl", "stream")}
SETTINGS = {"warmup": 1, "min_runs": 5, "max_runs": 8, "target_rel_ci": 0.03, "budget_s": 5.0, "timeout_s": 60.0}


def case_id(scenario: str, params: dict[str, int]) -> str:
    if not params:
        return scenario
    return f"{scenario}[{','.join(f'{k}={v}' for k, v in sorted(params.items()))}]"


def _network_ms(spec: tuple, scenario: str, params: dict[str, int], calls: int) -> float:
    per_call = spec[5]
    if scenario == "concurrent":
        waves = math.ceil(params["requests"] / params["concurrency"])
        return waves * params["delay_ms"] + 2.0 + per_call * calls * (3.0 if spec[0] == "python" else 1.0)
    if scenario == "stream":
        mb_per_s = {"python": 400.0, "go": 1500.0, "rust": 1800.0, "c": 1200.0}.get(spec[0], 1000.0)
        return params["bytes"] / 1e6 / mb_per_s * 1000
    if scenario == "sequential":
        return calls * (per_call + 0.25)  # a new connection per call
    return 0.3 + per_call * calls


def _record(client: str, case: str, scenario: str, params: dict[str, int], calls: int, kind: str, index: int,
            rng: np.random.Generator, spec: tuple[str, str, str, float, float, float, float],
            verified: bool = True, reason: str | None = None) -> LoggedRun:
    language, _, _, start, imports, _, exit_ms = spec
    noise = lambda: float(rng.lognormal(0.0, 0.03))  # noqa: E731
    phases_ms = {"runtime_start": start * noise(), "imports": imports * noise(),
                 "network": _network_ms(spec, scenario, params, calls) * noise(), "exit": exit_ms * noise()}
    phases_ns = {name: int(value * MS) for name, value in phases_ms.items()}
    wall_ns = sum(phases_ns.values())
    rss_kib = int((9000 if language == "python" else 4000) * noise())
    server = {"requests": calls, "connections": 2 if not verified else 1, "server_ns": int(0.05 * calls * MS),
              "server_max_ns": int(0.08 * MS), "statuses": {"200": calls}}
    imports_list = None
    if kind == "importtime":
        imports_list = [{"module": name, "self_us": int(us * 0.2 * noise()), "cumulative_us": int(us * noise()),
                         "depth": depth} for name, us, depth in _imports(client, spec)]
    return LoggedRun(
        run_id=f"pb-{rng.integers(0, 2**63):016x}", client=client, case=case, kind=kind, index=index,
        wall_ns=wall_ns, user_ns=int(wall_ns * 0.7), sys_ns=int(wall_ns * 0.15), peak_rss_kib=rss_kib,
        exit_code=0, timed_out=False, verified=verified, reason=reason,
        phases_ns=None if language == "c" else phases_ns,
        output={"requests": calls, "ok": calls, "bytes": 48 * calls, "sha256": None, "errors": []},
        server=server, started_epoch_ns=1_763_700_000_000_000_000 + index * 10 * MS, imports=imports_list,
    )


def _imports(client: str, spec: tuple) -> list[tuple[str, int, int]]:
    if spec[0] != "python":
        return []
    library = client.removeprefix("python-")
    top = int(spec[4] * 1000)
    modules = [(library, top, 0), ("http.client", top // 3, 1), ("ssl", top // 4, 2), ("email.parser", top // 5, 2),
               ("json", top // 8, 1), ("socket", top // 9, 2), ("selectors", top // 10, 3), ("base64", top // 12, 3),
               ("re", top // 14, 2), ("encodings.idna", top // 20, 1)]
    return modules


def environment(hostname: str, clients: dict[str, tuple] | None = None) -> dict[str, Any]:
    return {
        "host": {"hostname": hostname, "cpu_model": "Synthetic CPU @ 3.0GHz", "cpu_count": 2, "cpu_affinity": 2,
                 "cpu_governor": None, "memory_bytes": 4 << 30, "kernel": "6.1.0-test", "os": "Debian GNU/Linux 12",
                 "machine": "x86_64", "load_average": [0.31, 0.22, 0.1]},
        "toolchains": {"python": "Python 3.11.2", "go": "go version go1.22.1 linux/amd64",
                       "rustc": "rustc 1.85.0", "cargo": "cargo 1.85.0", "curl": "curl 7.88.1",
                       "python_orchestrator": "3.11.2"},
        "clients": {
            name: {"language": spec[0], "library": spec[1], "library_version": "1.0", "concurrency_model": spec[2],
                   "build": {"status": "up-to-date", "outputs": {f"build/bin/{name}": 6_500_000}
                             if spec[0] in ("go", "rust") else {}, "message": "", "seconds": 0.0}}
            for name, spec in (clients or CLIENTS).items()
        },
        "python_packages": {"requests": "2.32.3", "urllib3": "2.2.3", "aiohttp": "3.10.10", "flask": "3.0.3"},
        "git": {"commit": "0123456789abcdef0123456789abcdef01234567", "dirty": True},
        "container": None,
        "server": {"url": "http://127.0.0.1:8123", "remote": False, "worker_model": "gunicorn gevent x2"},
        "system": {"cpu_model_name": "Synthetic CPU Model 9000 @ 3.0GHz", "cpu_freq": "0-1=3000 MHz",
                   "cpu_config": "0-1=driver:acpi-cpufreq, governor:performance; idle:none",
                   "aslr": "Full randomization",
                   "smt": "off", "boost": "off", "isolated_cpus": [1], "virtualization": "none detected",
                   "clocksource": "tsc", "pyperf_version": "2.11.0"},
        "interpreters": {"orchestrator": {"version": "3.11.2", "compiler": "GCC 12.2.0", "config_args":
                                          "'--prefix=/opt/py' '--enable-optimizations' '--with-lto'", "cflags": "-O3",
                                          "pgo": True, "lto": True}},
        "steal_during_run": {"steal_ticks": 30, "total_ticks": 12000, "steal_share": 0.0025},
    }


def make_results(hostname: str = "bench-a", seed: int = 1, failed_run: bool = True,
                 cases: list[tuple[str, dict[str, int], int]] | None = None,
                 clients: list[str] | None = None,
                 extra_clients: dict[str, tuple[str, str, str, float, float, float, float]] | None = None,
                 extra_scenarios: tuple[str, ...] = ("single", "keepalive")) -> dict[str, Any]:
    """A results.json dict: every client in every case, one failed run unless failed_run=False.

    extra_clients (name -> a CLIENTS-style spec) run only extra_scenarios, as a client
    with `scenarios:` in polybench.yaml does. Each call returns a fresh dict; the same arguments are
    assembled once per process (0.1-0.5 s each, and the tests ask for the same few files many times).
    """
    arguments = json.dumps([hostname, seed, failed_run, cases, clients, extra_clients, extra_scenarios])
    return json.loads(_assembled(arguments))


@cache
def _assembled(arguments: str) -> str:
    """make_results' file for its arguments (as JSON), as JSON text."""
    hostname, seed, failed_run, cases, clients, extra_clients, extra_scenarios = json.loads(arguments)
    all_clients = {**CLIENTS, **(extra_clients or {})}
    rng = np.random.default_rng(seed)
    records, plan = [], []
    for scenario, params, calls in cases or CASES:
        case = case_id(scenario, params)
        for client, spec in all_clients.items():
            if clients is not None and client not in clients:
                continue
            if client in (extra_clients or {}) and scenario not in extra_scenarios:
                continue
            if client == "python-aiohttp" and scenario not in ("single", "concurrent"):
                continue
            plan.append({"client": client, "language": spec[0], "library": spec[1], "concurrency_model": spec[2],
                         "scenario": scenario, "case": case, "params": dict(params), "calls": calls,
                         "skipped": None, "stop_reason": "max-runs"})
            if (client, scenario) in UNSUPPORTED:
                records.append(LoggedRun(run_id="pb-unsupported", client=client, case=case, kind="warmup",
                                         index=0, wall_ns=MS, user_ns=0, sys_ns=0, peak_rss_kib=1000, exit_code=3,
                                         timed_out=False, verified=False, unsupported=True,
                                         reason="client does not support this scenario"))
                continue
            records.append(_record(client, case, scenario, params, calls, "warmup", 0, rng, spec))
            if spec[0] == "python":
                records.append(_record(client, case, scenario, params, calls, "importtime", 1, rng, spec))
            for index in range(RUNS_PER_CELL):
                records.append(_record(client, case, scenario, params, calls, "counted", index + 2, rng, spec))
            if failed_run and client == "python-requests" and case == "keepalive[requests=10]":
                records.append(_record(client, case, scenario, params, calls, "counted", 99, rng, spec,
                                       verified=False, reason=FAILED_REASON))
    meta = {"profile": "synthetic", "config_sha256": "ab" * 32, "settings": dict(SETTINGS)}
    return json.dumps(assemble(meta, records, plan, environment(hostname, all_clients), finished=True).to_json())


def write_results(directory: Path, data: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "results.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# --- reading a results file back, the plain way (for expected values) --------------


def benches(data: dict[str, Any], **match: Any) -> list[dict[str, Any]]:
    return [b for b in data["benchmarks"] if all(b[k] == v for k, v in match.items())]


def bench(data: dict[str, Any], client: str, case: str) -> dict[str, Any]:
    (found,) = benches(data, client=client, case=case)
    return found


def walls(b: dict[str, Any]) -> list[float]:
    return [r["wall_ns"] / NS_PER_MS for r in b["runs"]]


def ratio(data: dict[str, Any], case: str, client: str) -> dict[str, Any]:
    (found,) = [r for r in data["ratios"] if r["case"] == case and r["client"] == client]
    return found


def fit_groups(data: dict[str, Any], client: str) -> dict[int, list[float]]:
    groups: dict[int, list[float]] = {}
    for b in data["benchmarks"]:
        if b["client"] == client and b["runs"] and b["scenario"] in ("single", "keepalive"):
            groups.setdefault(b["calls"], []).extend(walls(b))
    return groups


def whole_calls(n: float | None) -> str:
    return "never" if n is None else str(math.ceil(n - 1e-9))


def results_of(benchmarks: list[dict[str, Any]], env_keys: dict[str, Any] | None = None) -> Results:
    """A results model from partial cells and environment keys: what a test does not give is filled with
    neutral values (a cell with no runs, a host named "host"), so a test states only what it is about."""
    cell = {"language": "python", "library": "lib", "concurrency_model": "threads", "scenario": "single",
            "params": {}, "calls": 1, "status": "ok", "status_reason": None, "stop_reason": None, "warmup_runs": 0,
            "runs": [], "failed_runs": [], "summary": None, "imports": None}
    env = {**environment("host"), **(env_keys or {})}
    env["clients"] = {name: {"language": "python", "library": "lib", "library_version": None,
                             "concurrency_model": "threads", "build": None, **record}
                      for name, record in env["clients"].items()}
    data = {"schema": SCHEMA, "created": "2026-01-01T00:00:00Z", "finished": True, "profile": "test",
            "settings": dict(SETTINGS), "config_sha256": "ab" * 32, "schedule": None, "environment": env,
            "benchmarks": [{**cell, **bench} for bench in benchmarks], "ratios": []}
    return Results.from_json(data)
