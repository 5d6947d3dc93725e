"""The crossover's pure computations: measured fixed and per-call costs, residuals, break-even ranges."""

from __future__ import annotations

from statistics import median

import numpy as np
import pytest

from orchestrator.report.analysis import costs
from orchestrator.report.analysis.costs import CellRuns, ClientRuns

RUNS = 12


def _client(name: str, language: str, fixed_ms: float, per_call_ms: float, calls: list[int], *, seed: int,
            server_per_call_ms: float = 0.1, connect_ms: float = 0.0, noise: float = 0.02) -> ClientRuns:
    """Runs of a client that follows the model exactly, plus a little lognormal noise per phase."""
    rng = np.random.default_rng(seed)
    cells = {}
    for n in calls:
        fixed = tuple(float(v) for v in fixed_ms * rng.lognormal(0.0, noise, RUNS))
        network = tuple(float(v) for v in (connect_ms + per_call_ms * n) * rng.lognormal(0.0, noise, RUNS))
        server = tuple(server_per_call_ms * n for _ in range(RUNS))
        walls = tuple(f + w for f, w in zip(fixed, network, strict=True))
        cells[n] = CellRuns(n, walls, fixed, network, server)
    return ClientRuns(name, language, cells)


def _costs(*clients: ClientRuns) -> dict[str, costs.ClientCosts]:
    return costs.analyse_costs(list(clients))


CALLS = [1, 10, 100, 400]


def test_fixed_and_per_call_costs_come_from_the_phases() -> None:
    runs = _client("py", "python", 100.0, 0.5, CALLS, seed=1, server_per_call_ms=0.2)
    found = _costs(runs)["py"]
    line = found.lines[costs.PHASE_MODEL]
    pooled_fixed = [v for n in CALLS for v in runs.cells[n].fixed_ms]  # type: ignore[union-attr]
    largest = runs.cells[400]
    assert line.fixed.point == pytest.approx(median(pooled_fixed))
    assert line.per_call.point == pytest.approx(median(v / 400 for v in largest.network_ms))  # type: ignore[union-attr]
    assert found.server_per_call.point == pytest.approx(0.2)  # type: ignore[union-attr]
    own = [(n - s) / 400 for n, s in zip(largest.network_ms, largest.server_ms, strict=True)]  # type: ignore[arg-type]
    assert found.own_per_call.point == pytest.approx(median(own))  # type: ignore[union-attr]
    for estimate in (line.fixed, line.per_call, found.own_per_call):
        low, high = estimate.interval  # type: ignore[union-attr]
        assert low <= estimate.point <= high  # type: ignore[union-attr]
    assert found.lines[costs.LEAST_SQUARES].per_call.point == pytest.approx(0.5, rel=0.05)


def test_no_phases_means_no_phase_line_but_a_least_squares_one() -> None:
    runs = _client("curl", "c", 5.0, 0.3, CALLS, seed=2)
    bare = ClientRuns("curl", "c", {n: CellRuns(n, c.walls_ms) for n, c in runs.cells.items()})
    found = _costs(bare)["curl"]
    assert costs.PHASE_MODEL not in found.lines and found.server_per_call is None and found.own_per_call is None
    assert found.per_call is found.lines[costs.LEAST_SQUARES].per_call
    assert costs.residuals(found) == []


def test_residuals_are_measured_median_minus_the_phase_model() -> None:
    # 3 ms of connection set-up in every network phase: the model (per call from N=400) misses it at small N.
    runs = _client("py", "python", 50.0, 0.4, CALLS, seed=3, connect_ms=3.0, noise=0.0)
    found = _costs(runs)["py"]
    for residual in costs.residuals(found):
        per_call = (3.0 + 0.4 * 400) / 400
        assert residual.measured_ms == pytest.approx(median(runs.cells[residual.calls].walls_ms))
        assert residual.predicted_ms == pytest.approx(50.0 + per_call * residual.calls)
        assert residual.residual_ms == pytest.approx(3.0 - 3.0 / 400 * residual.calls)
        assert residual.relative == pytest.approx(residual.residual_ms / residual.measured_ms)


def test_break_even_against_spawning_is_a_range_inside_the_measured_calls() -> None:
    found = _costs(_client("py", "python", 100.0, 0.5, CALLS, seed=4),
                   _client("rs", "rust", 1.5, 0.05, CALLS, seed=5, server_per_call_ms=0.0))
    spawns = costs.spawn_totals(found["rs"].runs, 400)
    point = costs.break_even_spawning(found["py"], found["rs"])
    assert point is not None and point.verdict == costs.RANGE
    assert {p.estimator for p in point.estimates} == set(costs.ESTIMATORS)
    phases = next(p for p in point.estimates if p.estimator == costs.PHASE_MODEL)
    line = found["py"].lines[costs.PHASE_MODEL]
    # The first whole n at which the phase line is at most the computed total of n spawns.
    first = next(n for n in range(1, 401) if line.fixed.point + line.per_call.point * n <= spawns.at(n).point)
    assert phases.n == first
    # The range spans every estimator's interval, and only the measured calls.
    assert point.low == min(p.low for p in point.estimates) and point.high == max(p.high for p in point.estimates)
    assert 1 <= point.low <= min(p.n for p in point.estimates) <= max(p.n for p in point.estimates) <= point.high
    assert point.high <= 400
    assert point.b == "rs spawned per call"


def test_a_crossing_beyond_the_largest_measured_calls_is_not_determinable() -> None:
    found = _costs(_client("py", "python", 100.0, 0.5, [1, 10], seed=4),
                   _client("rs", "rust", 1.5, 0.05, [1, 10], seed=5))
    point = costs.break_even_spawning(found["py"], found["rs"])
    assert point is not None
    assert point.verdict == costs.NOT_DETERMINABLE and point.low is None and point.high is None
    assert point.reason == "the estimates reach beyond the largest N measured, 10"
    interpolation = next(p for p in point.estimates if p.estimator == costs.INTERPOLATION)
    assert interpolation.n == np.inf  # segments between measured N never extrapolate
    assert costs.LEAST_SQUARES not in {p.estimator for p in point.estimates}  # two counts: no line to test


def test_indistinguishable_per_call_costs_are_not_determinable() -> None:
    # Keep-alive against keep-alive: 0.50 against 0.51 ms per call with 20% noise cannot be told apart,
    # however far apart the fixed costs are.
    found = _costs(_client("py", "python", 100.0, 0.50, CALLS, seed=6, noise=0.2),
                   _client("rs", "rust", 2.0, 0.51, CALLS, seed=7, noise=0.2))
    point = costs.break_even_keepalive(found["py"], found["rs"], 1.0)
    assert point is not None and point.verdict == costs.NOT_DETERMINABLE
    assert "cannot be told apart" in point.reason
    assert point.a_per_call[0] <= point.b_per_call[1] and point.b_per_call[0] <= point.a_per_call[1]


def test_a_higher_per_call_cost_never_catches_up() -> None:
    found = _costs(_client("py", "python", 100.0, 1.0, CALLS, seed=8),
                   _client("rs", "rust", 2.0, 0.3, CALLS, seed=9))
    point = costs.break_even_keepalive(found["py"], found["rs"], 2.0)
    assert point is not None and point.verdict == costs.NEVER
    assert point.a_per_call[0] > point.b_per_call[1]  # B's interval already multiplied by the factor
    assert point.b_per_call == pytest.approx(tuple(2.0 * v for v in found["rs"].per_call.interval))  # type: ignore


def test_latest_rival_decides_and_never_wins() -> None:
    found = _costs(_client("py", "python", 30.0, 0.2, CALLS, seed=10),
                   _client("go", "go", 3.0, 0.15, CALLS, seed=11),
                   _client("rs", "rust", 1.0, 0.05, CALLS, seed=12))
    caught = costs.break_even_keepalive(found["py"], found["go"], 2.0)
    never = costs.break_even_keepalive(found["py"], found["rs"], 2.0)
    assert caught is not None and caught.verdict == costs.RANGE
    assert never is not None and never.verdict == costs.NEVER
    assert costs.latest([caught, never]) is never
    assert costs.latest([caught]) is caught
    assert costs.latest([]) is None


def test_computed_spawns_are_a_sum_of_draws_not_n_times_the_median() -> None:
    # A skewed single-call sample: the median is 1 ms, the mean 3 ms; 100 spawns cost about 300 ms, not 100.
    walls = (1.0,) * 8 + (7.0,) * 4
    spawned = ClientRuns("rs", "rust", {1: CellRuns(1, walls)})
    python = _client("py", "python", 100.0, 0.5, [1, 100], seed=13)
    found = _costs(python)
    item = costs.spawn_comparison(found["py"], spawned, 100)
    assert item.spawns_ms > 250.0  # far from 100 x the median
    assert item.spawns_low <= item.spawns_ms <= item.spawns_high
    one = found["py"].totals[100].point
    assert item.one_process_ms == pytest.approx(one)
    # 150 ms for one process against about 300 ms of spawns; by N x the median, spawning (100 ms) would win.
    assert item.faster == "one process" and item.k == pytest.approx(item.spawns_ms / one)
    assert item.low <= item.k <= item.high


def test_n_spawns_have_one_formula_the_sum_of_draws_everywhere() -> None:
    # Skewed single-call runs (median 1 ms, mean 3 ms): n x the median says spawning 200 times costs 200 ms,
    # the sum of 200 draws about 600 ms. The break-even and the comparison must both use the sum.
    walls = (1.0,) * 40 + (7.0,) * 20
    spawned = ClientRuns("rs", "rust", {1: CellRuns(1, walls), 10: CellRuns(10, (9.0,) * 12),
                                        200: CellRuns(200, (180.0,) * 12)})
    python = _client("py", "python", 150.0, 0.5, [1, 10, 200], seed=14, noise=0.01)
    found = _costs(python, spawned)
    spawns = costs.spawn_totals(spawned, 200)
    assert spawns.at(200).point > 500.0 and spawns.at(1).point == pytest.approx(np.median(spawns.draws[:, 0]))
    item = costs.spawn_comparison(found["py"], spawned, 200)
    assert item.spawns_ms == spawns.at(200).point  # the same computation
    point = costs.break_even_spawning(found["py"], found["rs"])
    assert point is not None and point.verdict == costs.RANGE
    interpolation = next(p for p in point.estimates if p.estimator == costs.INTERPOLATION)
    # Python: 150 + 0.5 n. Spawns: about 3 n (the mean), so they cross near n = 60, inside 10..200;
    # n x the median (1 ms) would cross at n = 300, outside the measured N.
    assert 40 < interpolation.n < 90 and 30 < point.low <= point.high < 150


def test_never_needs_every_estimator_to_agree() -> None:
    # The per-call costs are clearly apart (python's higher), but python starts so close that the estimators'
    # bootstrap intervals reach a crossing: that is not "never".
    found = _costs(_client("py", "python", 11.5, 0.50, CALLS, seed=15, noise=0.3),
                   _client("rs", "rust", 9.0, 0.20, CALLS, seed=16, noise=0.3))
    point = costs.break_even_keepalive(found["py"], found["rs"], 1.2)
    assert point is not None and point.a_per_call[0] > point.b_per_call[1]
    assert any(np.isfinite(p.low) for p in point.estimates)
    assert point.verdict == costs.NOT_DETERMINABLE and "a crossing in part of the bootstrap" in point.reason
