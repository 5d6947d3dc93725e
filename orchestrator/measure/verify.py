"""Decide whether one run did the work it claims, and split it into phases.

A run counts only if the process, its JSON line and the server's own count
for its run id all agree (docs/contract.md, "How the orchestrator checks a
run"). The first failed check is the run's reason; a failed run is kept in
the results with that reason and never enters a statistic.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..config.model import Case, ClientSpec
from ..config.scenarios import FANOUT_MODES, KEEPALIVE_MAX_CONNECTIONS, REST_STATUSES, SCENARIOS
from ..units import CLOCK_TOLERANCE_NS, NS_PER_MS
from ..words import counted
from .process import OUTPUT_LIMIT, ProcessResult

EXIT_UNSUPPORTED = 3
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
    "receipt": str,
}
RECEIPT = re.compile(r"[0-9a-f]{32}")
NO_RECEIPT = "0" * 32
# `output: bodies` clients print this line after every transfer (curl's
# --write-out); the orchestrator XORs the nonces into their receipt.
NONCE_LINE_PREFIX = "polybench-nonce:"


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
    except ValueError as exc:  # JSONDecodeError, or an integer with too many digits to convert
        raise Rejected(f"stdout is not JSON ({exc.msg if isinstance(exc, json.JSONDecodeError) else exc})") from None
    if not isinstance(output, dict):
        raise Rejected("stdout JSON is not an object")
    for key, kind in CONTRACT_KEYS.items():
        if key not in output:
            raise Rejected(f"output lacks key {key!r}")
        if not isinstance(output[key], kind) or isinstance(output[key], bool):
            raise Rejected(f"output key {key!r} has type {type(output[key]).__name__}")
    return output


def xor_receipt(nonces: list[str]) -> str:
    """The contract's receipt: the XOR of 16-byte hex nonces, as 32 lowercase hex chars.

    Raises Rejected for a nonce that is not 32 lowercase hex chars (a missing
    header, in curl's output, is an empty one).
    """
    receipt = 0
    for nonce in nonces:
        if RECEIPT.fullmatch(nonce) is None:
            raise Rejected(f"response nonce {nonce[:40]!r} is not 32 lowercase hex chars")
        receipt ^= int(nonce, 16)
    return f"{receipt:032x}"


def count_bodies(stdout: str, payload: object, calls: int) -> dict[str, Any]:
    """For `output: bodies` clients: count the concatenated JSON bodies equal to
    payload, and XOR the `polybench-nonce:` lines between them into a receipt."""
    decoder = json.JSONDecoder()
    position, ok, seen = 0, 0, 0
    nonces: list[str] = []
    while True:
        while position < len(stdout) and stdout[position].isspace():
            position += 1
        if position >= len(stdout):
            break
        if stdout.startswith(NONCE_LINE_PREFIX, position):
            end = stdout.find("\n", position)
            end = len(stdout) if end < 0 else end
            nonces.append(stdout[position + len(NONCE_LINE_PREFIX):end].strip())
            position = end
            continue
        try:
            body, position = decoder.raw_decode(stdout, position)
        except ValueError:
            raise Rejected(f"body {seen + 1} of the output is not JSON") from None
        seen += 1
        ok += body == payload
    return {"requests": calls, "ok": ok, "bodies": seen, "bytes": len(stdout.encode()), "errors": [],
            "nonces": len(nonces), "receipt": xor_receipt(nonces)}


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
        # A variant runs its contender's program (compiled, bundled, other flags), which names itself.
        named = {client.name, client.variant_of} if client.variant_of else {client.name}
        if output["client"] not in named:
            raise Rejected(f"output says client {output['client']!r}, expected {' or '.join(map(repr, sorted(named)))}")
        told = contract_scenario(case)  # a TLS case's client is given the plain name
        if output["scenario"] != told:
            raise Rejected(f"output says scenario {output['scenario']!r}, expected {told!r}")
    if output["requests"] != calls:
        raise Rejected(f"client attempted {counted(output['requests'], 'call')}, the scenario needs {calls}")
    if output["ok"] != output["requests"]:
        raise Rejected(f"client verified {output['ok']} of {counted(output['requests'], 'call')}")
    if output["errors"]:
        raise Rejected(f"client reported errors: {output['errors'][0]}")
    if RECEIPT.fullmatch(output["receipt"]) is None:
        raise Rejected(f"receipt {output['receipt'][:40]!r} is not 32 lowercase hex chars")
    if client.output == "bodies" and output["nonces"] != calls:
        raise Rejected(f"output has {output['nonces']} nonce lines, expected one per call ({calls})")
    if contract_scenario(case) == "stream":
        size = case.params["bytes"]
        if output["bytes"] != size:
            raise Rejected(f"client read {counted(output['bytes'], 'byte')}, expected {size}")


def contract_scenario(case: Case) -> str:
    """The scenario the client ran: a TLS case (tls_single) is checked exactly as its plain one (single)."""
    return SCENARIOS[case.scenario].client_scenario


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
        raise Rejected(f"server saw {counted(on_path, 'request')} on {prefix}, expected {calls}")
    if stats.get("requests", 0) != server_requests:
        raise Rejected(f"server saw {counted(stats.get('requests', 0), 'request')} for the run, "
                       f"expected {server_requests}")
    connections = stats.get("connections", 0)
    foreign = stats.get("foreign_connections", 0)  # absent from older servers: 0
    if foreign:
        raise Rejected(f"server saw {foreign} connection(s) opened by an earlier run: every run opens its own "
                       "(a resident process kept a connection from one run to the next)")
    if scenario.connections == "equal" and connections != calls:
        raise Rejected(f"server saw {counted(connections, 'connection')}, expected one per call ({calls})")
    if scenario.connections == "at_most_one" and connections != 1:
        raise Rejected(f"server saw {counted(connections, 'connection')}, expected 1")
    if scenario.connections == "pooled" and not 1 <= connections <= KEEPALIVE_MAX_CONNECTIONS:
        raise Rejected(f"server saw {counted(connections, 'connection')} for {counted(calls, 'call')}, "
                       f"expected at most {KEEPALIVE_MAX_CONNECTIONS} (connection reuse)")
    if scenario.connections == "any" and not 1 <= connections <= server_requests:
        raise Rejected(f"server saw {counted(connections, 'connection')} for {counted(server_requests, 'request')}")


def expected_completions(case: Case) -> dict[str, int]:
    """The client's own responses the server must have completed, by status."""
    if contract_scenario(case) == "rest":
        return dict(REST_STATUSES)
    return {"200": case.calls}


def check_proof(case: Case, output: Mapping[str, Any], stats: Mapping[str, Any]) -> None:
    """Completion, receipt and stream digest (docs/contract.md, "Proof of receipt")."""
    if "completed" not in stats or "receipt" not in stats:
        raise Rejected("server /stats has no completion records (a server without proof of receipt)")
    completed = {status: n for status, n in stats["completed"].items() if n}
    expected = expected_completions(case)
    aborted = stats.get("aborted", 0)
    if completed != expected or aborted:
        done = sum(completed.values())
        raise Rejected(f"server completed {done} of {sum(expected.values())} responses "
                       f"({_statuses(completed)}; expected {_statuses(expected)}), {aborted} aborted")
    if output["receipt"] != stats["receipt"]:
        raise Rejected(f"receipt {output['receipt']} does not match the server's {stats['receipt']}: "
                       "the client did not receive every response of this run")
    if contract_scenario(case) == "stream":
        sent = [stream for stream in stats.get("streams", []) if stream.get("completed")]
        if len(sent) != 1 or sent[0].get("sha256") is None:
            raise Rejected(f"server recorded {len(sent)} completed streams, expected 1")
        if output.get("sha256") != sent[0]["sha256"]:
            raise Rejected("streamed body SHA-256 does not match what the server sent")


def minimum_network_ns(case: Case) -> int:
    """The least time the server's delays allow for the case's calls, ns (0: no bound).

    `concurrent`: N calls of D ms, at most C at once, need ceil(N / C) waves of D.
    Fan-out: the server's own calls, in series (sync) or at once (async).
    """
    params = case.params
    if contract_scenario(case) == "concurrent":
        return int(math.ceil(params["requests"] / params["concurrency"]) * params["delay_ms"] * NS_PER_MS)
    if case.scenario in FANOUT_MODES:
        calls = params["requests"] if FANOUT_MODES[case.scenario] == "sync" else 1
        return int(calls * params["delay_ms"] * NS_PER_MS)
    return 0


def check_timestamps_against_server(output: Mapping[str, Any], stats: Mapping[str, Any]) -> None:
    """The client's own t_ready / t_done against the server's records (docs/contract.md, check 10).

    The server notes (Unix-epoch ns, the clients' clock) when the run's first
    request arrived and when it started the run's last response. An honest
    client is ready before it sends its first request and done after it has
    read its last response, so a client cannot shorten its network phase by
    printing other timestamps. Only where the server shares this machine's
    clock (not a server on another host).
    """
    first, last = stats.get("first_arrival_epoch_ns"), stats.get("last_response_epoch_ns")
    if isinstance(first, int) and output["t_ready_ns"] > first + CLOCK_TOLERANCE_NS:
        raise Rejected(f"t_ready is {(output['t_ready_ns'] - first) / NS_PER_MS:.1f} ms after the server received the "
                       "run's first request: the network phase is misreported")
    if isinstance(last, int) and output["t_done_ns"] + CLOCK_TOLERANCE_NS < last:
        raise Rejected(f"t_done is {(last - output['t_done_ns']) / NS_PER_MS:.1f} ms before the server started the "
                       "run's last response: the network phase is misreported")


def check_plausible(case: Case, result: ProcessResult, phases: Mapping[str, int] | None,
                    stats: Mapping[str, Any]) -> None:
    """Physical plausibility and the concurrency actually reached (docs/contract.md, checks 8-9)."""
    floor_ns = minimum_network_ns(case)
    # A client that timestamps itself: its network phase; otherwise the whole process.
    elapsed_ns, what = (phases["network"], "network phase") if phases else (result.wall_ns, "whole run")
    if elapsed_ns + CLOCK_TOLERANCE_NS < floor_ns:
        raise Rejected(f"{what} {elapsed_ns / NS_PER_MS:.1f} ms is shorter than the server's delays allow "
                       f"({floor_ns / NS_PER_MS:.0f} ms): physically impossible")
    if contract_scenario(case) == "concurrent":
        # Not a share of C: how many calls an honest client gets in flight
        # depends on how fast it can start them within one delay (measured
        # under load at C = N = 100, D = 100 ms: 39 to 100 for Python thread
        # pools, 100 for aiohttp; docs/contract.md, check 9).
        concurrency, wanted = case.params["concurrency"], min(case.params["concurrency"], case.params["requests"])
        reached = stats.get("max_in_flight", 0)
        if wanted > 1 and reached < 2:
            raise Rejected(f"server never had two requests of the run in flight at once: the calls did not "
                           f"overlap (concurrency {concurrency})")
        if reached > concurrency:
            raise Rejected(f"server had {reached} requests of the run in flight at once, more than the "
                           f"concurrency {concurrency}")


def _statuses(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{n} x {status}" for status, n in sorted(counts.items())) or "none"


def verify(result: ProcessResult, client: ClientSpec, case: Case,
           server_stats: Mapping[str, Any] | None, *, same_clock: bool = True) -> Verdict:
    """All checks for one run; never raises for a bad run, returns a Verdict instead.

    same_clock: the server reads this machine's clock (it does unless it runs
    on another host), so the client's timestamps are checked against its records.
    """
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
        assert server_stats is not None  # check_server rejects a missing one
        check_proof(case, output, server_stats)
        check_plausible(case, result, phases, server_stats)
        if phases is not None and same_clock:
            check_timestamps_against_server(output, server_stats)
    except Rejected as rejected:
        return Verdict(False, False, str(rejected), _trim(output), phases)
    return Verdict(True, False, None, _trim(output), phases)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else "(no stderr)"


def _trim(output: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if output is None:
        return None
    keep = ("requests", "ok", "bytes", "sha256", "receipt", "errors", "t_entry_ns", "t_ready_ns", "t_done_ns")
    return {key: output[key] for key in keep if key in output}
