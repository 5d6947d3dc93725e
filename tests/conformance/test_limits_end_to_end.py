"""The largest values the config allows really run, verified, against the real server (issue 13).

A cap is only honest if the largest value under it works: the config allowed
concurrency 1024 while the server had 1000 connection slots, and 1024 calls
stalled. Here the largest allowed concurrency runs end to end through the
same Runner as `invoke run`, on the compiled clients (cheap to start), and
curl at its declared limit; beyond it curl is skipped, never silently capped.
"""

from __future__ import annotations

import runpy

import pytest
from unbuilt import unbuilt

from orchestrator.config.model import Case
from orchestrator.config.scenarios import PARAMETER_RANGES, SCENARIOS, normalise_params
from orchestrator.server_control.shared_server import GUNICORN_CONF
from tests.shared_runs import one_run

MAX_CONCURRENCY = PARAMETER_RANGES["concurrency"][1]
DELAY_MS = 100


def concurrent(concurrency: int) -> Case:
    params = {"requests": concurrency, "concurrency": concurrency, "delay_ms": DELAY_MS}
    return Case("concurrent", normalise_params(SCENARIOS["concurrent"], params))


def test_server_slots_hold_the_largest_concurrency_with_headroom():
    slots = runpy.run_path(str(GUNICORN_CONF))["worker_connections"]
    assert slots >= MAX_CONCURRENCY * 3 // 2, (slots, MAX_CONCURRENCY)


@pytest.mark.parametrize("client_name", ["go-nethttp", "rust-reqwest"])
def test_the_largest_allowed_concurrency_runs_verified(config, live_server, built, client_name):
    if built[client_name]["status"] not in ("built", "up-to-date"):
        unbuilt(client_name, built[client_name]['message'])
    record = one_run(config, live_server, config.client(client_name), concurrent(MAX_CONCURRENCY), timeout_s=120)
    assert record.verified, record.reason
    assert record.server["requests"] == MAX_CONCURRENCY


def test_curl_runs_at_its_declared_limit_and_is_skipped_beyond(config, live_server, built):
    curl = config.client("curl")
    limit = curl.limits["concurrency"]
    assert curl.beyond_limits(concurrent(limit + 1))
    record = one_run(config, live_server, curl, concurrent(limit), timeout_s=120)
    assert record.verified, record.reason
