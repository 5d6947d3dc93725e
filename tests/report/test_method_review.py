"""The statistician's review of the method (issue 10 follow-up): each fault pinned on the code that renders it."""

from __future__ import annotations

import numpy as np

from orchestrator import stats
from orchestrator.report import fmt
from orchestrator.report.analysis import costs
from orchestrator.report.analysis.costs import CellRuns, ClientRuns, SpawnComparison
from orchestrator.report.fmt import verdict_text
from orchestrator.report.sections.crossover import _estimate_cells
from orchestrator.report.sections.findings import _per_call_words, _share, computed_spawning_sentence


def _comparison(low: float, high: float) -> SpawnComparison:
    return SpawnComparison("python-requests", "rust-ureq", 500, 1517.2, 1530.0, 1480.0, 1590.0,
                           "one process", 1.008, low, high)


def test_a_tie_is_not_bolded_or_called_a_win() -> None:
    tie = computed_spawning_sentence(_comparison(0.95, 1.07))
    assert "**" not in tie and "faster**" not in tie and "cannot tell which is faster" in tie
    win = computed_spawning_sentence(_comparison(1.01, 1.07))
    assert "one python-requests process is **1.01x faster**" in win


def test_an_interval_that_covers_less_than_95_percent_says_so() -> None:
    assert fmt.median_span(5.0, 7.0, 0.75) == "5.00–7.00 (covers 75.0%)"
    assert fmt.median_span(5.0, 7.0, 0.96) == "5.00–7.00"
    few = stats.summarize([0.1, 0.2, 0.3])  # a share of wall time from 3 runs: [min, max], 75%
    assert "covers 75.0%" in _share(few)


def _estimate(point: float, n: float, low: float, high: float) -> costs.BreakEven:
    return costs.BreakEven("py", "rs", 1.0, (costs.EstimatorPoint(costs.PHASE_MODEL, point, low, high),),
                           costs.RANGE, "", n, high, 1, 500, (0.0, 0.0), (0.0, 0.0))


def test_break_evens_are_rounded_to_their_interval_and_never_beyond_the_measured_calls() -> None:
    # 116.2–209.5 supports tens: 110–210, not 116–210.
    assert verdict_text(_estimate(150.0, 116.2, 116.2, 209.5)) == "n = 110–210"
    assert _estimate_cells(_estimate(153.0, 118.0, 118.0, 209.0))[0] == "150 (110–210)"
    # A crossing of two nearly parallel lines at n = 7582, 15x beyond the largest N measured (500): no number.
    cells = _estimate_cells(_estimate(7582.0, 3000.0, 3000.0, np.inf))
    assert "7582" not in cells[0] and cells[0] == ">500 (>500)"
    assert _estimate_cells(_estimate(450.0, 300.0, 300.0, 9000.0))[0] == "500 (300 to >500)"  # supports hundreds
    # Rounding outward never passes the largest N.
    assert fmt.calls_span(412.0, 496.0, 1, 498) == "410–498"  # not 500
    # Computed totals too: 2286.0 (2237.4–2338.2) supports tens.
    assert fmt.rounded(2286.0, 2237.4, 2338.2) == "2290 (2230–2340)"


def test_per_call_words_do_not_add_medians_that_do_not_add_up() -> None:
    # Per run: network 10 ms / 10 calls, server time anti-correlated with it, so the median of the differences
    # is not the median per call minus the median server time.
    network = (10.0, 20.0, 30.0, 40.0, 50.0)
    server = (9.0, 1.0, 25.0, 2.0, 3.0)
    walls = tuple(100.0 + v for v in network)
    runs = ClientRuns("py", "python", {
        1: CellRuns(1, (101.0,) * 5, (100.0,) * 5, (1.0,) * 5, (0.5,) * 5),
        10: CellRuns(10, walls, (100.0,) * 5, network, server),
    })
    found = costs.analyse_costs([runs])["py"]
    per_call, own, srv = found.per_call.point, found.own_per_call.point, found.server_per_call.point  # type: ignore
    assert abs(per_call - (own + srv)) > 0.1  # the medians do not add up here
    words = _per_call_words(found)
    assert fmt.ms(srv) not in words  # so no server median is quoted as the rest of the per-call cost
    assert f"{fmt.ms(per_call)} ms ({fmt.ms(own)} ms of it the client's own" in words
    assert "taken out of each run before the median" in words
