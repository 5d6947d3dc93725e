"""The sync-vs-async fan-out section shows the measured medians and the ratio's CI."""

from __future__ import annotations

import numpy as np
from markdown_tables import assert_range, assert_shows, find_table, parse_tables, read_report
from synthetic import SETTINGS, environment, write_results

from orchestrator import stats
from orchestrator.report import generate_report
from orchestrator.results.model import assemble
from orchestrator.results.runlog import LoggedRun

MS = 1_000_000


def _runs(case: str, median_ms: float, rng: np.random.Generator) -> list[LoggedRun]:
    return [
        LoggedRun(run_id=f"pb-{case}-{i}", client="curl", case=case, kind="counted", index=i,
                  wall_ns=int(median_ms * MS * rng.lognormal(0, 0.02)), user_ns=MS, sys_ns=MS, peak_rss_kib=5000,
                  exit_code=0, timed_out=False, verified=True, server={"requests": 3, "connections": 1})
        for i in range(8)
    ]


def _fanout_report(tmp_path, seed: int):
    """A results file with one client's fan-out cells (sync about 410 ms, async about 215 ms) and its report."""
    rng = np.random.default_rng(seed)
    params = {"requests": 2, "delay_ms": 200}
    cases = {mode: f"{mode}[delay_ms=200,requests=2]" for mode in ("fanout_sync", "fanout_async")}
    records = _runs(cases["fanout_sync"], 410, rng) + _runs(cases["fanout_async"], 215, rng)
    plan = [{"client": "curl", "language": "c", "library": "curl", "concurrency_model": "-", "scenario": s,
             "case": c, "params": dict(params), "calls": 1, "skipped": None, "stop_reason": "max-runs"}
            for s, c in cases.items()]
    meta = {"profile": "t", "config_sha256": "ab" * 32, "settings": dict(SETTINGS)}
    data = assemble(meta, records, plan, environment("host"), finished=True).to_json()
    report = generate_report([write_results(tmp_path / "r", data)], output_root=tmp_path / "out", quiet=True)
    return data, report


def test_fanout_section_matches_the_results(tmp_path):
    data, report = _fanout_report(tmp_path, 3)
    table = find_table(parse_tables(read_report(report)), "Server side: sync vs async Flask view")
    row = table.rows[0]
    sync_walls = [r["wall_ns"] / MS for r in data["benchmarks"][0]["runs"]]
    async_walls = [r["wall_ns"] / MS for r in data["benchmarks"][1]["runs"]]
    assert_shows(row["sync ms"], stats.summarize(sync_walls).median)
    assert_shows(row["async ms"], stats.summarize(async_walls).median)
    expected = stats.ratio_ci(sync_walls, async_walls)
    assert_shows(row["async speed-up"], expected.ratio)
    assert_range(row["95% CI"], expected.low, expected.high)
    assert row["sync ideal"].startswith("400") and row["async ideal"].startswith("200")


def test_fanout_is_one_chart_with_both_views(tmp_path):
    data, report = _fanout_report(tmp_path, 4)
    charts = sorted(p.name for p in report.parent.glob("*.svg"))
    assert charts == ["fanout.svg"]  # not one chart per case
    svg = (report.parent / "fanout.svg").read_text(encoding="utf-8")
    assert "sync (ideal 400)" in svg and "async (ideal 200)" in svg and "delay_ms=" not in svg
    assert "![" in read_report(report) and "(fanout.svg)" in read_report(report)
