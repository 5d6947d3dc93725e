"""A client that lies is rejected; an honest one passes (the control).

These run a real fake client against the real server through the same
Runner as `invoke run`, so they pin the whole verification path: process,
JSON line, claims, and the server's own /stats.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from orchestrator.config.model import BuildSpec, Case, ClientSpec
from orchestrator.config.scenarios import SCENARIOS, normalise_params
from tests.shared_runs import one_run

LIAR = Path(__file__).resolve().parents[1] / "fakes" / "liar.py"


def liar(mode: str) -> ClientSpec:
    return ClientSpec(name="liar", language="python", library_label="none", library_version={},
                      concurrency_model="-", build=BuildSpec(), run=(sys.executable, "-S", str(LIAR), mode))


def case(scenario: str, **params: int) -> Case:
    return Case(scenario, normalise_params(SCENARIOS[scenario], params))


def run(config, server, mode: str, the_case: Case, timeout_s: float = 30):
    return one_run(config, server, liar(mode), the_case, timeout_s=timeout_s)


@pytest.mark.parametrize("the_case", [case("keepalive", requests=5), case("sequential", requests=6), case("single")],
                         ids=["keepalive", "sequential", "single"])
def test_honest_control_is_verified(config, live_server, the_case):
    """The control of the liars below, in the scenarios they lie in (the wrong-sha liar's stream aside)."""
    record = run(config, live_server, "honest", the_case)
    assert record.verified, record.reason
    assert record.phases_ns and all(v >= 0 for v in record.phases_ns.values())


@pytest.mark.parametrize(
    ("mode", "the_case", "reason_part"),
    [
        ("no-calls", case("keepalive", requests=5), "server saw 0 requests"),
        ("no-calls", case("single"), "server saw 0 requests"),
        ("half-calls", case("sequential", requests=6), "server saw 3 requests"),
        ("new-connections", case("keepalive", requests=5), "connections"),
        ("wrong-sha", case("stream", bytes=100_000), "SHA-256"),
        ("bad-json", case("single"), "not JSON"),
        ("two-lines", case("single"), "expected exactly 1 JSON line"),
        ("exit-1", case("single"), "exit code 1"),
        ("sleep", case("single"), "timed out"),
    ],
)
def test_liars_are_rejected(config, live_server, mode, the_case, reason_part):
    # The sleeper sleeps 60 s: it times out at any limit, so 1 s (each other liar gets 3 s to finish its calls).
    record = run(config, live_server, mode, the_case, timeout_s=1 if mode == "sleep" else 3)
    assert not record.verified
    assert reason_part in record.reason


def test_fake_plausible_client_fails_conformance_even_with_perfect_json(config, live_server):
    """The issue's acceptance check: plausible JSON without the calls must not pass."""
    record = run(config, live_server, "no-calls", case("sequential", requests=10))
    assert record.output["ok"] == record.output["requests"] == 10  # it claims success...
    assert not record.verified  # ...and the server's count exposes it
