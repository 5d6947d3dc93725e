"""Verification rules and phase arithmetic, on hand-made inputs (no processes)."""

from __future__ import annotations

import json

import pytest

from orchestrator.config import BuildSpec, Case, ClientSpec
from orchestrator.scenarios import SCENARIOS, normalise_params
from orchestrator.spawn import ProcessResult
from orchestrator.verify import Rejected, check_server, count_bodies, verify
from server.payload import expected_sha256

CLIENT = ClientSpec(name="c", language="x", library_label="l", library_version={}, concurrency_model="-",
                    build=BuildSpec(), run=("c",))


def case(scenario, **params):
    return Case(scenario, normalise_params(SCENARIOS[scenario], params))


def process(output: dict | str, exit_code=0, spawn=1_000, reap=10_000) -> ProcessResult:
    stdout = output if isinstance(output, str) else json.dumps(output) + "\n"
    return ProcessResult(argv=("c",), exit_code=exit_code, timed_out=False, wall_ns=reap - spawn,
                         spawn_epoch_ns=spawn, reap_epoch_ns=reap, user_ns=0, sys_ns=0, peak_rss_kib=0,
                         stdout=stdout, stderr="")


def claims(scenario="keepalive", n=3, **extra):
    return {"client": "c", "scenario": scenario, "requests": n, "ok": n, "bytes": 10, "sha256": None,
            "errors": [], "t_entry_ns": 2_000, "t_ready_ns": 5_000, "t_done_ns": 9_000, **extra}


def stats(n=3, connections=1, path="/api"):
    return {"requests": n, "paths": {path: n}, "connections": connections, "server_ns": 5}


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


def test_missing_key_is_rejected():
    data = claims()
    del data["t_done_ns"]
    assert "lacks key 't_done_ns'" in verify(process(data), CLIENT, case("keepalive", requests=3), stats()).reason


def test_stream_checksum_is_recomputed_not_trusted():
    size = 70_000
    good = claims("stream", 1, bytes=size, sha256=expected_sha256(size))
    the_case = case("stream", bytes=size)
    assert verify(process(good), CLIENT, the_case, stats(1, path=f"/bytes/{size}")).verified
    bad = claims("stream", 1, bytes=size, sha256="0" * 64)
    assert "SHA-256" in verify(process(bad), CLIENT, the_case, stats(1, path=f"/bytes/{size}")).reason
    short = claims("stream", 1, bytes=size - 1, sha256=expected_sha256(size))
    assert "read 69999 bytes" in verify(process(short), CLIENT, the_case, stats(1, path=f"/bytes/{size}")).reason


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
        (case("keepalive", requests=4), {"requests": 5, "paths": {"/api": 4, "/x": 1}, "connections": 1},
         "server saw 5 requests for the run"),
        (case("concurrent", requests=4, concurrency=2, delay_ms=5), stats(4, 2, "/delay/6"), "on /delay/5"),
        (case("rest"), {"requests": 5, "paths": {"/users": 1, "/users/7": 3}, "connections": 1},
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
