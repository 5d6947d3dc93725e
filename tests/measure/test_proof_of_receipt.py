"""Clients that send every request but do not read the responses are rejected.

Issue 9's fakes (tests/fakes/unread.py): (a) never reads, (b) reads headers
only, (c) reads half the stream, (d) replays an earlier verified run's receipt
and digest. Each prints a perfect JSON line and makes exactly the scenario's
requests; each must be rejected in every scenario it claims, with a reason that
names the proof that failed. The same fake in `honest` mode is the control: it
must be verified in every one of those scenarios, so a rejection is the proof
working, not the fake being broken.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from orchestrator.config.model import BuildSpec, Case, ClientSpec
from orchestrator.config.scenarios import SCENARIOS, normalise_params
from tests.shared_runs import one_run

UNREAD = Path(__file__).resolve().parents[1] / "fakes" / "unread.py"

CASES = {
    "single": {},
    "sequential": {"requests": 4},
    "keepalive": {"requests": 5},
    "concurrent": {"requests": 6, "concurrency": 3, "delay_ms": 100},
    "stream": {"bytes": 16 << 20},  # far beyond the socket buffers: the server sees the transfer cut
    "stream-small": {"bytes": 100_000},  # fits in the socket buffers: the digest catches it
    "rest": {},
}
RECEIPT = r"receipt [0-9a-f]{32} does not match the server's [0-9a-f]{32}"
ABORTED = r"server completed 0 of 1 responses \(none; expected 1 x 200\), 1 aborted"
WRONG_DIGEST = r"streamed body SHA-256 does not match what the server sent"
# What each fake claims, and the reason it must be rejected with there.
# For a tiny body a header-only read receives the body too (docs/contract.md,
# "What reading means for a tiny body"): (b) and (c) claim only `stream`.
# Closing at once, the requests the client pipelined on its connection may
# never reach the server, or its writes fail: whichever check notices first.
CLOSED_AT_ONCE = rf"{RECEIPT}|server completed \d of \d responses|server saw \d requests? on"
SHORTNET = r"t_ready is [\d.]+ ms after the server received the run's first request"
EXPECTED = {
    **{("never-read", name): CLOSED_AT_ONCE for name in ("single", "sequential", "keepalive", "concurrent", "rest")},
    ("never-read", "stream"): ABORTED,
    ("never-read", "stream-small"): rf"{RECEIPT}|{ABORTED}",
    ("never-read-wait", "single"): RECEIPT,
    ("never-read-wait", "sequential"): RECEIPT,
    ("never-read-wait", "keepalive"): RECEIPT,
    ("never-read-wait", "concurrent"): RECEIPT,
    ("never-read-wait", "stream"): ABORTED,
    ("never-read-wait", "stream-small"): rf"{RECEIPT}|{ABORTED}",
    ("never-read-wait", "rest"): r"server completed 5 of 5 responses \(1 x 201, 4 x 404; expected",
    ("headers-only", "stream"): ABORTED,
    ("headers-only", "stream-small"): rf"{WRONG_DIGEST}|{ABORTED}",
    ("half-stream", "stream"): ABORTED,
    ("half-stream", "stream-small"): rf"{WRONG_DIGEST}|{ABORTED}",
    ("replay", "single"): RECEIPT,
    ("replay", "sequential"): RECEIPT,
    ("replay", "keepalive"): RECEIPT,
    ("replay", "concurrent"): RECEIPT,
    ("replay", "stream"): ABORTED,
    ("replay", "stream-small"): rf"{RECEIPT}|{ABORTED}",
    ("replay", "rest"): r"server completed 5 of 5 responses \(1 x 201, 4 x 404; expected",
    # /stats is closed to clients (a token only the orchestrator holds), so asking it tells nothing.
    **{("oracle", name): RECEIPT for name in ("single", "sequential", "keepalive", "concurrent")},
    ("oracle", "stream"): ABORTED,
    ("oracle", "stream-small"): rf"{RECEIPT}|{ABORTED}",
    ("oracle", "rest"): r"server completed 5 of 5 responses \(1 x 201, 4 x 404; expected",
    # Every call made and read, but timestamps that hide the network phase.
    **{("shortnet", name): SHORTNET for name in CASES},
    # A microsecond network phase for calls of 100 ms: the delay floor says so first.
    ("shortnet", "concurrent"): rf"{SHORTNET}|shorter than the server's delays allow",
}


def unread(mode: str) -> ClientSpec:
    return ClientSpec(name="unread", language="python", library_label="none", library_version={},
                      concurrency_model="threads", build=BuildSpec(), run=(sys.executable, "-S", str(UNREAD), mode))


def case(name: str) -> Case:
    scenario = name.removesuffix("-small")
    return Case(scenario, normalise_params(SCENARIOS[scenario], CASES[name]))


def run(config, server, mode: str, case_name: str):
    return one_run(config, server, unread(mode), case(case_name), timeout_s=60)


@pytest.mark.parametrize("case_name", list(CASES))
def test_the_honest_control_is_verified(config, live_server, case_name):
    record = run(config, live_server, "honest", case_name)
    assert record.verified, record.reason


@pytest.mark.parametrize(("mode", "case_name"), [key for key in EXPECTED if key[0] != "replay"])
def test_a_client_that_does_not_read_is_rejected(config, live_server, mode, case_name):
    record = run(config, live_server, mode, case_name)
    assert record.output["ok"] == record.output["requests"]  # it claims success...
    assert not record.verified  # ...and the server's records expose it
    assert re.search(EXPECTED[mode, case_name], record.reason), record.reason


@pytest.mark.parametrize("case_name", [name for mode, name in EXPECTED if mode == "replay"])
def test_a_replayed_receipt_is_rejected(config, live_server, tmp_path, case_name):
    saved = tmp_path / "proof.json"
    earlier = run(config, live_server, f"record:{saved}", case_name)
    assert earlier.verified, earlier.reason  # a real, verified receipt...
    record = run(config, live_server, f"replay:{saved}", case_name)
    assert record.output["receipt"] == earlier.output["receipt"]
    assert not record.verified  # ...is worth nothing in another run
    assert re.search(EXPECTED["replay", case_name], record.reason), record.reason
