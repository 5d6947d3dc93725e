"""The TLS tax section: differences of the measured medians, TLS minus plain, with their intervals."""

from __future__ import annotations

import statistics

import numpy as np
import pytest
from markdown_tables import assert_shows, find_table, parse_tables, read_report
from synthetic import SETTINGS, environment, write_results

from orchestrator import stats
from orchestrator.report import generate_report
from orchestrator.report.sections.tls import NETWORK, WHOLE, difference
from orchestrator.results.model import assemble
from orchestrator.results.runlog import LoggedRun

MS = 1_000_000
SECTION = "The TLS tax"
# case -> (scenario, params, calls, imports ms, network ms)
CELLS = {
    "single": ("single", {}, 1, 2.0, 0.5),
    "tls_single": ("tls_single", {}, 1, 5.0, 2.5),
    "sequential[requests=10]": ("sequential", {"requests": 10}, 10, 2.0, 5.0),
    "tls_sequential[requests=10]": ("tls_sequential", {"requests": 10}, 10, 5.0, 25.0),
}

pytestmark = pytest.mark.usefixtures("charts_not_rendered")  # the markdown is under test (conftest.py)


def _runs(client: str, case: str, imports_ms: float, network_ms: float, calls: int, phases: bool,
          rng: np.random.Generator) -> list[LoggedRun]:
    records = []
    for i in range(8):
        noise = lambda: float(rng.lognormal(0, 0.03))  # noqa: E731
        phases_ns = {"runtime_start": int(1.0 * MS * noise()), "imports": int(imports_ms * MS * noise()),
                     "network": int(network_ms * MS * noise()), "exit": int(0.3 * MS * noise())}
        records.append(LoggedRun(
            run_id=f"pb-{client}-{case}-{i}", client=client, case=case, kind="counted", index=i,
            wall_ns=sum(phases_ns.values()), user_ns=MS, sys_ns=MS, peak_rss_kib=5000, exit_code=0,
            timed_out=False, verified=True, server={"requests": calls, "connections": calls},
            phases_ns=phases_ns if phases else None))
    return records


def _results(tmp_path):
    rng = np.random.default_rng(5)
    records, plan = [], []
    for client, phases in (("go-nethttp", True), ("curl", False)):
        for case, (scenario, params, calls, imports_ms, network_ms) in CELLS.items():
            records += _runs(client, case, imports_ms, network_ms, calls, phases, rng)
            plan.append({"client": client, "language": "go" if phases else "c", "library": client,
                         "concurrency_model": "-", "scenario": scenario, "case": case, "params": dict(params),
                         "calls": calls, "skipped": None, "stop_reason": "max-runs"})
    meta = {"profile": "t", "config_sha256": "ab" * 32, "settings": dict(SETTINGS)}
    data = assemble(meta, records, plan, environment("host"), finished=True).to_json()
    return data, write_results(tmp_path / "r", data)


def _values(data, client: str, case: str, phase: str | None) -> list[float]:
    bench = next(b for b in data["benchmarks"] if b["client"] == client and b["case"] == case)
    return [(run["phases_ns"][phase] if phase else run["wall_ns"]) / MS for run in bench["runs"]]


def test_tls_section_shows_computed_differences(tmp_path):
    data, path = _results(tmp_path)
    report = read_report(generate_report([path], output_root=tmp_path / "out", quiet=True))
    table = find_table(parse_tables(report), SECTION)
    rows = {row["client"]: row for row in table.rows}
    assert "(computed)" in " ".join(table.headers)

    go = rows["go-nethttp"]
    setup = difference(_values(data, "go-nethttp", "tls_single", "imports"),
                       _values(data, "go-nethttp", "single", "imports"), "imports + set-up")
    assert_shows(go["extra set-up ms (computed)"], setup.value)
    handshake = difference(_values(data, "go-nethttp", "tls_sequential[requests=10]", "network"),
                           _values(data, "go-nethttp", "sequential[requests=10]", "network"), NETWORK, per=10)
    assert_shows(go["per handshake ms (computed)"], handshake.value)
    assert 1.5 < handshake.value < 2.5  # (25 - 5) / 10 ms, by construction
    assert go["N (sequential)"] == "10"

    # curl has no phases: no set-up figure, and the handshake from whole-process times, marked †
    curl = rows["curl"]
    assert curl["extra set-up ms (computed)"] == "—"
    assert "†" in curl["per handshake ms (computed)"]


def test_difference_is_the_difference_of_medians_with_a_bootstrap_interval():
    rng = np.random.default_rng(1)
    tls = list(rng.normal(30.0, 1.0, 20))
    plain = list(rng.normal(10.0, 1.0, 20))
    diff = difference(tls, plain, WHOLE, per=10)
    assert diff.value == (statistics.median(tls) - statistics.median(plain)) / 10
    draws = stats.bootstrap_median_draws([tls, plain])
    assert (diff.low, diff.high) == stats.draws_interval((draws[0] - draws[1]) / 10)
    assert diff.low < diff.value < diff.high and diff.resolved
    assert not difference(plain, plain, WHOLE).resolved


def test_no_tls_cells_no_section(tmp_path):
    from synthetic import make_results

    data = make_results()
    report = generate_report([write_results(tmp_path / "r", data)], output_root=tmp_path / "out", quiet=True)
    assert SECTION not in read_report(report)
