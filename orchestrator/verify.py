"""Decide whether one run did the work it claims, and split it into phases.

A run counts only if the process, its JSON line and the server's own count
for its run id all agree (docs/contract.md, "How the orchestrator checks a
run"). The first failed check is the run's reason; a failed run is kept in
the results with that reason and never enters a statistic.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from server.payload import expected_sha256

from .config import Case, ClientSpec
from .scenarios import KEEPALIVE_MAX_CONNECTIONS, SCENARIOS
from .spawn import OUTPUT_LIMIT, ProcessResult

EXIT_UNSUPPORTED = 3
CLOCK_TOLERANCE_NS = 1_000_000  # the same epoch clock, read in two processes
CONTRACT_KEYS: dict[str, type | tuple[type, ...]] = {
    "client": str,
    "scenario": str,
    "requests": int,
    "ok": int,
    "bytes": int,
    "errors": list,
    "t_entry_ns": int,
    "t_ready_ns": int,
    "t_done_ns": int,
}
PHASES = ("runtime_start", "imports", "network", "exit")


class Rejected(Exception):
    """A check failed; the message is the run's reason."""


@dataclass(frozen=True)
class Verdict:
    verified: bool
    unsupported: bool
    reason: str | None
    output: Mapping[str, Any] | None  # the client's claims, trimmed
    phases_ns: Mapping[str, int] | None


def parse_contract_output(stdout: str) -> dict[str, Any]:
    lines = [line for line in stdout.splitlines() if line.strip()]
    if len(lines) != 1:
        raise Rejected(f"stdout has {len(lines)} non-empty lines, expected exactly 1 JSON line")
    try:
        output = json.loads(lines[0])
    except ValueError as exc:
        raise Rejected(f"stdout is not JSON ({exc.msg})") from None
    if not isinstance(output, dict):
        raise Rejected("stdout JSON is not an object")
    for key, kind in CONTRACT_KEYS.items():
        if key not in output:
            raise Rejected(f"output lacks key {key!r}")
        if not isinstance(output[key], kind) or isinstance(output[key], bool):
            raise Rejected(f"output key {key!r} has type {type(output[key]).__name__}")
    return output


def count_bodies(stdout: str, payload: object, calls: int) -> dict[str, Any]:
    """For `output: bodies` clients: count the concatenated JSON bodies equal to payload."""
    decoder = json.JSONDecoder()
    position, ok, seen = 0, 0, 0
    while True:
        while position < len(stdout) and stdout[position].isspace():
            position += 1
        if position >= len(stdout):
            break
        try:
            body, position = decoder.raw_decode(stdout, position)
        except ValueError:
            raise Rejected(f"body {seen + 1} of the output is not JSON") from None
        seen += 1
        ok += body == payload
    return {"requests": calls, "ok": ok, "bodies": seen, "bytes": len(stdout.encode()), "errors": []}


def _phases(result: ProcessResult, output: Mapping[str, Any]) -> dict[str, int]:
    entry, ready, done = output["t_entry_ns"], output["t_ready_ns"], output["t_done_ns"]
    spawn, reap = result.spawn_epoch_ns, result.reap_epoch_ns
    order = [spawn, entry, ready, done, reap]
    if any(later < earlier - CLOCK_TOLERANCE_NS for earlier, later in itertools.pairwise(order)):
        raise Rejected("timestamps out of order (spawn <= entry <= ready <= done <= reap)")
    return {
        "runtime_start": entry - spawn,
        "imports": ready - entry,
        "network": done - ready,
        "exit": reap - done,
    }


def _check_claims(client: ClientSpec, case: Case, output: Mapping[str, Any]) -> None:
    calls = case.calls
    if client.output == "contract":
        if output["client"] != client.name:
            raise Rejected(f"output says client {output['client']!r}, expected {client.name!r}")
        if output["scenario"] != case.scenario:
            raise Rejected(f"output says scenario {output['scenario']!r}, expected {case.scenario!r}")
    if output["requests"] != calls:
        raise Rejected(f"client attempted {output['requests']} calls, the scenario needs {calls}")
    if output["ok"] != output["requests"]:
        raise Rejected(f"client verified {output['ok']} of {output['requests']} calls")
    if output["errors"]:
        raise Rejected(f"client reported errors: {output['errors'][0]}")
    if case.scenario == "stream":
        size = case.params["bytes"]
        if output["bytes"] != size:
            raise Rejected(f"client read {output['bytes']} bytes, expected {size}")
        if output.get("sha256") != expected_sha256(size):
            raise Rejected("streamed body SHA-256 does not match the documented pattern")


def check_server(case: Case, stats: Mapping[str, Any] | None) -> None:
    """The server's own count for the run id must match what the scenario demands."""
    if stats is None:
        raise Rejected("server /stats unavailable for this run")
    scenario = SCENARIOS[case.scenario]
    calls = case.calls
    # More than the client's calls where the server calls itself (fanout_*).
    server_requests = scenario.expected_server_requests(case.params)
    prefix = scenario.path_prefix(case.params)
    on_path = sum(n for path, n in stats.get("paths", {}).items() if path == prefix or path.startswith(prefix + "/"))
    if on_path != calls:
        raise Rejected(f"server saw {on_path} requests on {prefix}, expected {calls}")
    if stats.get("requests", 0) != server_requests:
        raise Rejected(f"server saw {stats.get('requests', 0)} requests for the run, expected {server_requests}")
    connections = stats.get("connections", 0)
    if scenario.connections == "equal" and connections != calls:
        raise Rejected(f"server saw {connections} connections, expected one per call ({calls})")
    if scenario.connections == "at_most_one" and connections != 1:
        raise Rejected(f"server saw {connections} connections, expected 1")
    if scenario.connections == "pooled" and not 1 <= connections <= KEEPALIVE_MAX_CONNECTIONS:
        raise Rejected(f"server saw {connections} connections for {calls} calls, expected at most "
                       f"{KEEPALIVE_MAX_CONNECTIONS} (connection reuse)")
    if scenario.connections == "any" and not 1 <= connections <= server_requests:
        raise Rejected(f"server saw {connections} connections for {server_requests} requests")


def verify(result: ProcessResult, client: ClientSpec, case: Case,
           server_stats: Mapping[str, Any] | None) -> Verdict:
    """All checks for one run; never raises for a bad run, returns a Verdict instead."""
    phases = None
    output: dict[str, Any] | None = None
    try:
        if result.timed_out:
            raise Rejected("timed out (process group killed)")
        if result.output_exceeded:
            raise Rejected(f"output exceeded {OUTPUT_LIMIT >> 20} MiB (stopped by the launcher's file-size limit)")
        if result.exit_code == EXIT_UNSUPPORTED and client.output == "contract":
            return Verdict(False, True, "scenario not supported by this client (exit 3)", None, None)
        if client.output == "contract":
            try:
                output = parse_contract_output(result.stdout)
            except Rejected:
                if result.exit_code != 0:
                    raise Rejected(f"exit code {result.exit_code}: {_last_line(result.stderr)}") from None
                raise
        else:
            output = count_bodies(result.stdout, SCENARIOS[case.scenario].payload(case.params), case.calls)
        if result.exit_code != 0:
            detail = output["errors"][0] if output.get("errors") else _last_line(result.stderr)
            raise Rejected(f"exit code {result.exit_code}: {detail}")
        _check_claims(client, case, output)
        if client.output == "contract":
            phases = _phases(result, output)
        check_server(case, server_stats)
    except Rejected as rejected:
        return Verdict(False, False, str(rejected), _trim(output), phases)
    return Verdict(True, False, None, _trim(output), phases)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else "(no stderr)"


def _trim(output: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if output is None:
        return None
    keep = ("requests", "ok", "bytes", "sha256", "errors", "t_entry_ns", "t_ready_ns", "t_done_ns")
    return {key: output[key] for key in keep if key in output}
