"""The median's order-statistic interval (coverage by simulation), modes, drift and the CPU split rule."""

from __future__ import annotations

import math

import numpy as np
import pytest

from orchestrator import stats
from orchestrator.stats import (
    ci_half_width_relative,
    cpu_split_resolvable,
    drift,
    is_multimodal,
    mann_whitney_p,
    median_ci,
    order_statistic_ranks,
    should_stop,
    summarize,
)

# --- the interval by hand -------------------------------------------------------------


@pytest.mark.parametrize(("n", "k", "coverage"), [
    (1, 1, 0.0),
    (2, 1, 0.5),
    (3, 1, 0.75),  # [min, max] of three: 1 - 2/8
    (5, 1, 0.9375),  # 1 - 2/32: still below 95%
    (6, 1, 0.96875),  # the first n where [min, max] reaches 95%
    (10, 2, 1 - 2 * 11 / 1024),  # C(10,0) + C(10,1) = 11; k = 3 would cover 1 - 2*56/1024 = 89%
    (30, 10, 1 - 2 * sum(math.comb(30, i) for i in range(10)) / 2**30),
])
def test_ranks_and_exact_coverage(n, k, coverage):
    assert order_statistic_ranks(n) == (k, pytest.approx(coverage))


def test_interval_uses_those_order_statistics():
    values = [9.0, 1.0, 8.0, 2.0, 7.0, 3.0, 6.0, 4.0, 5.0, 10.0]
    interval = median_ci(values)
    assert (interval.low, interval.high) == (2.0, 9.0)  # x(2), x(9)
    assert interval.meets_confidence
    small = median_ci([3.0, 1.0, 2.0])
    assert (small.low, small.high, small.coverage) == (1.0, 3.0, 0.75)
    assert not small.meets_confidence


def test_large_n_needs_no_float_overflow():
    k, coverage = order_statistic_ranks(2000)
    assert 0.95 <= coverage < 0.96 and 950 < k < 1000


# --- coverage by simulation on skewed samples ------------------------------------------

TRIALS = 4000


def _mixture_median(weight_high: float, low: float, high: float, sd: float) -> float:
    def cdf(x: float) -> float:
        phi = lambda m: 0.5 * (1 + math.erf((x - m) / (sd * math.sqrt(2))))  # noqa: E731
        return (1 - weight_high) * phi(low) + weight_high * phi(high)

    a, b = low - 10 * sd, high + 10 * sd
    for _ in range(200):
        mid = (a + b) / 2
        a, b = (mid, b) if cdf(mid) < 0.5 else (a, mid)
    return (a + b) / 2


def _lognormal(rng, shape):
    return rng.lognormal(0.0, 1.0, shape), 1.0  # median e^0


def _bimodal(rng, shape):
    # Python's runtime start on the development machine: ~10 ms, or ~14.5 ms in 35% of runs.
    high = rng.random(shape) < 0.35
    values = np.where(high, rng.normal(14.5, 0.4, shape), rng.normal(10.0, 0.4, shape))
    return values, _mixture_median(0.35, 10.0, 14.5, 0.4)


@pytest.mark.parametrize("draw", [_lognormal, _bimodal])
@pytest.mark.parametrize("n", [3, 5, 10, 30])
def test_coverage_is_at_least_what_is_stated(draw, n):
    rng = np.random.default_rng(20261130 + n)
    samples, true_median = draw(rng, (TRIALS, n))
    intervals = [median_ci(row) for row in samples]
    covered = np.mean([i.low <= true_median <= i.high for i in intervals])
    stated = intervals[0].coverage
    # Monte Carlo error: 3 standard errors of a proportion over TRIALS samples.
    slack = 3 * math.sqrt(stated * (1 - stated) / TRIALS)
    assert covered >= stated - slack
    if n >= 6:  # where 95% is achievable, it is achieved
        assert stated >= stats.DEFAULT_CONFIDENCE and covered >= 0.93
    else:  # and where it is not, the interval says so
        assert not intervals[0].meets_confidence and stated == 1 - 2 ** (1 - n)


def test_stopping_rule_and_reported_interval_are_one_computation():
    rng = np.random.default_rng(3)
    stopped = 0
    for _ in range(300):
        values = list(rng.lognormal(4.0, rng.uniform(0.005, 0.05), int(rng.integers(6, 40))))
        decision = should_stop(values, min_runs=6, max_runs=1000, target_rel_ci=0.01)
        summary = summarize(values, looks=stats.stopping_looks(6, 1000))  # the sequential interval it stops on
        half_width = ci_half_width_relative(summary)
        if decision.reason == "ci-target":
            stopped += 1
            assert half_width <= 0.01
        else:
            assert half_width > 0.01
    assert stopped > 20


def test_small_samples_never_stop_on_the_ci_target():
    tight = [100.0, 100.0, 100.0, 100.0, 100.0]  # zero width, but [min, max] of 5 covers only 93.75%
    assert should_stop(tight, min_runs=2, max_runs=100, target_rel_ci=0.5) == (False, "ci-wide")
    assert should_stop([*tight, 100.0], min_runs=6, max_runs=100, target_rel_ci=0.5) == (True, "ci-target")
    # The target cannot be met below 6 runs ([min, max] of 5 covers 93.75%), so a minimum below 6 adds no
    # look to the confidence sequence: min_runs=2 stops where min_runs=6 does (counting impossible stops
    # made every interval [min, max] and the rule never stopped).
    assert should_stop([*tight, 100.0], min_runs=2, max_runs=100, target_rel_ci=0.5) == (True, "ci-target")


def test_summary_records_coverage():
    s = summarize([5.0, 6.0, 7.0])
    assert s.median_ci_coverage == 0.75 and (s.median_ci_low, s.median_ci_high) == (5.0, 7.0)


# --- modes and outliers --------------------------------------------------------------


def test_bimodal_sample_is_flagged_and_not_called_outliers():
    rng = np.random.default_rng(11)
    values = list(np.concatenate([rng.normal(10.0, 0.3, 26), rng.normal(14.5, 0.3, 14)]))
    assert len(stats.modes(values)) == 2 and is_multimodal(values)
    # Against one centre, the slow mode's runs are far out; as a mode they are not outliers.
    assert stats.outlier_indices(values) != ()
    summary = summarize(values)
    assert summary.multimodal and summary.outliers == ()


@pytest.mark.parametrize("seed", range(5))
def test_skewed_unimodal_samples_are_not_multimodal(seed):
    rng = np.random.default_rng(seed)
    assert not is_multimodal(list(rng.lognormal(3.0, 0.5, 40)))
    assert not is_multimodal(list(rng.normal(100.0, 5.0, 40)))


def test_a_lone_slow_run_stays_an_outlier():
    values = [10.0, 10.2, 9.9, 10.1, 9.8, 10.05, 10.1, 9.95, 10.0, 10.15] * 2 + [14.0]  # n >= OUTLIERS_MIN_N
    summary = summarize(values)
    assert not summary.multimodal and summary.outliers == (20,)


def test_too_few_values_are_one_mode():
    assert stats.modes([1.0, 1.0, 9.0, 9.0]) == [5.0]


# --- drift ------------------------------------------------------------------------


def test_mann_whitney_by_hand():
    # U = 0, E[U] = 12.5, Var = 25 * 11 / 12; z = (12.5 - 0.5) / sqrt(22.917) = 2.5067
    assert mann_whitney_p([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]) == pytest.approx(math.erfc(2.5067 / math.sqrt(2)),
                                                                               rel=1e-3)
    assert mann_whitney_p([1, 1, 1], [1, 1, 1]) == 1.0


def test_a_step_is_drift_and_noise_is_not():
    rng = np.random.default_rng(4)
    steady = list(rng.normal(100, 2, 30))
    stepped = steady[:15] + [v * 1.1 for v in steady[15:]]
    assert not drift(steady).drifted
    moved = drift(stepped)
    assert moved.drifted and moved.shift == pytest.approx(0.1, abs=0.03) and moved.p_value < 0.01
    assert drift(stepped[:8]).p_value is None  # too few runs to say


# --- CPU split ---------------------------------------------------------------------


def test_cpu_split_needs_enough_ticks():
    assert not cpu_split_resolvable([3.3, 3.6, 3.6, 3.5])
    assert cpu_split_resolvable([150.0, 160.0, 140.0])


def test_bootstrap_medians_are_the_shared_bootstrap():
    draws = stats.bootstrap_medians([1.0, 2.0, 3.0, 4.0, 100.0], 500)
    assert draws.shape == (500,) and set(np.unique(draws)) <= {1.0, 2.0, 3.0, 4.0, 100.0}
    assert np.array_equal(draws, stats.bootstrap_medians([1.0, 2.0, 3.0, 4.0, 100.0], 500))


# --- compare's test: its level holds at every n (the percentile bootstrap flagged 9% at n=3) --------------

@pytest.mark.slow  # 4,300 simulated comparisons: about 2 s of CPU (tests/tiers.py)
@pytest.mark.parametrize(("n", "trials"), [(3, 2000), (5, 2000), (10, 300)])
def test_permutation_test_flags_at_most_its_level_of_same_distribution_cells(n, trials):
    rng = np.random.default_rng(20261201 + n)
    old, new = rng.lognormal(0.0, 1.0, (trials, n)), rng.lognormal(0.0, 1.0, (trials, n))
    flagged = np.mean([stats.permutation_median_p(a, b, resamples=500, seed=i) < 0.05
                       for i, (a, b) in enumerate(zip(old, new, strict=True))])
    assert flagged <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / trials)  # 3 standard errors of Monte Carlo slack


def test_permutation_test_sees_a_clear_shift_and_is_exact_at_small_n():
    rng = np.random.default_rng(7)
    base = rng.normal(10.0, 0.3, 12)
    assert stats.permutation_median_p(base, base * 1.2) < 0.01
    # 3 a side: 20 splits; 4 of them (the two extremes, and each with one value swapped across) have the
    # same median gap, so even a 5x change has p = 0.2: at n=3 compare cannot flag anything, honestly
    assert stats.permutation_median_p([1.0, 1.1, 1.2], [5.0, 5.1, 5.2]) == pytest.approx(0.2)
