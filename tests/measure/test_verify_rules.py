"""Verification rules and phase arithmetic, on hand-made inputs (no processes)."""

from __future__ import annotations

import json

import pytest

from orchestrator.config.model import BuildSpec, Case, ClientSpec
from orchestrator.config.scenarios import SCENARIOS, normalise_params
from orchestrator.measure.process import ProcessResult
from orchestrator.measure.verify import Rejected, check_server, count_bodies, verify

CLIENT = ClientSpec(name="c", language="x", library_label="l", library_version={}, concurrency_model="-",
                    build=BuildSpec(), run=("c",))


def case(scenario, **params):
    return Case(scenario, normalise_params(SCENARIOS[scenario], params))


def process(output: dict | str, exit_code=0, spawn=1_000, reap=10_000) -> ProcessResult:
    stdout = output if isinstance(output, str) else json.dumps(output) + "\n"
    return ProcessResult(argv=("c",), exit_code=exit_code, timed_out=False, wall_ns=reap - spawn,
                         spawn_epoch_ns=spawn, reap_epoch_ns=reap, user_ns=0, sys_ns=0, peak_rss_kib=0,
                         stdout=stdout, stderr="")


RECEIPT = "0123456789abcdef" * 2


def claims(scenario="keepalive", n=3, **extra):
    return {"client": "c", "scenario": scenario, "requests": n, "ok": n, "bytes": 10, "sha256": None,
            "receipt": RECEIPT, "errors": [], "t_entry_ns": 2_000, "t_ready_ns": 5_000, "t_done_ns": 9_000,
            **extra}


def stats(n=3, connections=1, path="/api", **extra):
    return {"requests": n, "paths": {path: n}, "connections": connections, "server_ns": 5,
            "completed": {"200": n}, "aborted": 0, "receipt": RECEIPT, "max_in_flight": 1, "streams": [], **extra}


def test_phases_split_spawn_to_reap_exactly():
    verdict = verify(process(claims()), CLIENT, case("keepalive", requests=3), stats())
    assert verdict.verified, verdict.reason
    assert verdict.phases_ns == {"runtime_start": 1_000, "imports": 3_000, "network": 4_000, "exit": 1_000}
    assert sum(verdict.phases_ns.values()) == 10_000 - 1_000


def test_timestamps_out_of_order_are_rejected():
    verdict = verify(process(claims(t_ready_ns=9_000 + 2_000_000)), CLIENT, case("keepalive", requests=3), stats())
    assert not verdict.verified and "out of order" in verdict.reason


def test_timestamp_before_spawn_is_rejected():
    bad = claims(t_entry_ns=-5_000_000)
    verdict = verify(process(bad), CLIENT, case("keepalive", requests=3), stats())
    assert "out of order" in verdict.reason


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        ({"ok": 2}, "verified 2 of 3"),
        ({"requests": 2, "ok": 2}, "attempted 2 calls"),
        ({"errors": ["boom"]}, "reported errors: boom"),
        ({"scenario": "single"}, "output says scenario"),
        ({"client": "other"}, "output says client"),
        ({"ok": True}, "type bool"),
    ],
)
def test_false_claims_are_rejected(override, reason):
    verdict = verify(process(claims(**override)), CLIENT, case("keepalive", requests=3), stats())
    assert not verdict.verified and reason in verdict.reason


def test_a_count_of_one_is_said_in_the_singular():
    verdict = verify(process(claims("single", n=1, ok=0)), CLIENT, case("single"), stats(1))
    assert "verified 0 of 1 call" in verdict.reason and "1 calls" not in verdict.reason
    with pytest.raises(Rejected, match="server saw 3 connections for 1 call,"):
        check_server(case("keepalive", requests=1), stats(1, connections=3))


def test_missing_key_is_rejected():
    data = claims()
    del data["t_done_ns"]
    assert "lacks key 't_done_ns'" in verify(process(data), CLIENT, case("keepalive", requests=3), stats()).reason


def test_stream_checksum_is_compared_with_what_the_server_sent():
    size = 70_000
    sent = "ab" * 32
    server = stats(1, path=f"/bytes/{size}",
                   streams=[{"path": f"/bytes/{size}", "bytes": size, "bytes_sent": size, "completed": True,
                             "sha256": sent}])
    the_case = case("stream", bytes=size)
    assert verify(process(claims("stream", 1, bytes=size, sha256=sent)), CLIENT, the_case, server).verified
    bad = claims("stream", 1, bytes=size, sha256="0" * 64)
    assert "does not match what the server sent" in verify(process(bad), CLIENT, the_case, server).reason
    short = claims("stream", 1, bytes=size - 1, sha256=sent)
    assert "read 69999 bytes" in verify(process(short), CLIENT, the_case, server).reason
    unrecorded = stats(1, path=f"/bytes/{size}")
    assert "0 completed streams" in verify(process(claims("stream", 1, bytes=size, sha256=sent)), CLIENT,
                                           the_case, unrecorded).reason


def test_nonzero_exit_fails_even_with_good_json():
    verdict = verify(process(claims(), exit_code=1), CLIENT, case("keepalive", requests=3), stats())
    assert "exit code 1" in verdict.reason


def test_exit_3_means_unsupported_not_failed():
    verdict = verify(process("", exit_code=3), CLIENT, case("single"), None)
    assert verdict.unsupported and not verdict.verified


@pytest.mark.parametrize(
    ("the_case", "server", "reason"),
    [
        (case("sequential", requests=4), stats(4, connections=1), "expected one per call (4)"),
        (case("keepalive", requests=4), stats(4, connections=4), "expected at most 2"),
        (case("single"), stats(1, connections=2), "expected 1"),
        (case("keepalive", requests=4), {**stats(4), "requests": 5, "paths": {"/api": 4, "/x": 1}},
         "server saw 5 requests for the run"),
        (case("concurrent", requests=4, concurrency=2, delay_ms=5), stats(4, 2, "/delay/6"), "on /delay/5"),
        (case("rest"), {**stats(5), "paths": {"/users": 1, "/users/7": 3}},
         "server saw 4 requests on /users"),
    ],
)
def test_server_counts_must_match_the_scenario(the_case, server, reason):
    with pytest.raises(Rejected, match=reason.replace("(", r"\(").replace(")", r"\)")):
        check_server(the_case, server)


def test_rest_counts_the_whole_resource():
    check_server(case("rest"), {"requests": 5, "paths": {"/users": 1, "/users/7": 4}, "connections": 1})


def test_bodies_output_counts_matching_payloads():
    payload = {"message": "GET request received", "data": [1, 2, 3]}
    text = json.dumps(payload) + "\n" + json.dumps(payload) + json.dumps({"other": 1})
    counted = count_bodies(text, payload, 3)
    assert (counted["requests"], counted["ok"], counted["bodies"]) == (3, 2, 3)


# --- proof of receipt (docs/contract.md, "Proof of receipt") -----------------

@pytest.mark.parametrize(
    ("server", "reason"),
    [
        (stats(3, completed={"200": 2}, aborted=1), "server completed 2 of 3 responses"),
        (stats(3, completed={"200": 2, "500": 1}), "1 x 500"),
        (stats(3, completed={}), "server completed 0 of 3"),
        (stats(3, receipt="f" * 32), "does not match the server's"),
        ({k: v for k, v in stats(3).items() if k != "completed"}, "no completion records"),
    ],
)
def test_completion_and_receipt_must_match(server, reason):
    verdict = verify(process(claims()), CLIENT, case("keepalive", requests=3), server)
    assert not verdict.verified and reason in verdict.reason


@pytest.mark.parametrize("receipt", ["", "0" * 31, "0" * 33, "A" * 32, "g" * 32, 7])
def test_malformed_receipts_are_rejected(receipt):
    verdict = verify(process(claims(receipt=receipt)), CLIENT, case("keepalive", requests=3), stats())
    assert not verdict.verified and "receipt" in verdict.reason


def test_rest_needs_its_five_statuses_completed():
    rest_stats = {**stats(5), "paths": {"/users": 1, "/users/7": 4}, "completed": {"201": 1, "200": 2, "204": 1}}
    verdict = verify(process(claims("rest", 5)), CLIENT, case("rest"), rest_stats)
    assert "server completed 4 of 5" in verdict.reason
    rest_stats["completed"]["404"] = 1
    assert verify(process(claims("rest", 5)), CLIENT, case("rest"), rest_stats).verified


def concurrent_run(network_ns: int, max_in_flight: int, n=20, c=10, d=100):
    the_case = case("concurrent", requests=n, concurrency=c, delay_ms=d)
    output = claims("concurrent", n, t_entry_ns=2_000, t_ready_ns=5_000, t_done_ns=5_000 + network_ns)
    server = stats(n, connections=c, path=f"/delay/{d}", max_in_flight=max_in_flight)
    return verify(process(output, reap=network_ns + 10_000), CLIENT, the_case, server)


def test_concurrent_faster_than_its_delays_is_impossible():
    # 20 calls of 100 ms, 10 at once: at least 200 ms.
    assert concurrent_run(200_000_000, 10).verified
    too_fast = concurrent_run(150_000_000, 10)
    assert "shorter than the server's delays allow (200 ms)" in too_fast.reason


def test_concurrency_must_overlap_and_stay_within_its_limit():
    assert "did not overlap" in concurrent_run(2_000_000_000, 1).reason
    assert "more than the concurrency 10" in concurrent_run(300_000_000, 11).reason
    assert concurrent_run(300_000_000, 2).verified  # a slow starter, not a cap: its time shows it


def test_fanout_wall_time_must_cover_the_servers_delays():
    bodies = ClientSpec(name="b", language="x", library_label="l", library_version={}, concurrency_model="-",
                        build=BuildSpec(), run=None, output="bodies", scenario_argv={})
    the_case = case("fanout_sync", requests=2, delay_ms=100)
    payload = {"mode": "sync", "calls": 2, "delay_ms": 100, "statuses": [200, 200]}
    stdout = json.dumps(payload) + "\npolybench-nonce: " + RECEIPT + "\n"
    server = {**stats(3, path="/fanout/sync/2/100"), "paths": {"/fanout/sync/2/100": 1, "/delay/100": 2},
              "completed": {"200": 1}}
    assert verify(process(stdout, reap=1_000 + 200_000_000), bodies, the_case, server).verified
    verdict = verify(process(stdout, reap=1_000 + 150_000_000), bodies, the_case, server)
    assert "whole run 150.0 ms is shorter than the server's delays allow (200 ms)" in verdict.reason


def test_bodies_output_needs_one_nonce_line_per_call():
    bodies = ClientSpec(name="b", language="x", library_label="l", library_version={}, concurrency_model="-",
                        build=BuildSpec(), run=None, output="bodies", scenario_argv={})
    payload = json.dumps({"message": "GET request received", "data": [1, 2, 3]})
    one = "polybench-nonce: " + "0f" * 16
    two = "polybench-nonce: " + "f0" * 16
    server = stats(2, receipt="ff" * 16)
    good = f"{payload}\n{one}\n{payload}\n{two}\n"
    assert verify(process(good), bodies, case("keepalive", requests=2), server).verified
    missing = f"{payload}\n{one}\n{payload}\n"
    assert "1 nonce lines, expected one per call (2)" in verify(process(missing), bodies,
                                                              case("keepalive", requests=2), server).reason
    empty = f"{payload}\n{one}\n{payload}\npolybench-nonce: \n"
    assert "not 32 lowercase hex" in verify(process(empty), bodies, case("keepalive", requests=2), server).reason
