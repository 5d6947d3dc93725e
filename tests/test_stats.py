"""Pins orchestrator.stats to hand-computed values and textbook definitions."""

import json
import math
import time

import numpy as np
import pytest

from orchestrator import stats
from orchestrator.stats import (
    LinearFit,
    Summary,
    bootstrap_median_ci,
    break_even_calls,
    ci_half_width_relative,
    fit_linear,
    fit_linear_ci,
    modified_z_scores,
    outlier_indices,
    ratio_ci,
    relative_change_ci,
    should_stop,
    summarize,
)

PLANTED = [10, 10, 11, 10, 9, 10, 100]


def normal_sample(mean: float, sd: float, n: int, seed: int) -> list[float]:
    return list(np.random.default_rng(seed).normal(mean, sd, n))


# --- summarize ---------------------------------------------------------------


def test_summary_of_one_to_five():
    s = summarize([1, 2, 3, 4, 5])
    assert s.n == 5
    assert s.mean == 3.0
    assert s.median == 3.0
    assert s.stdev == pytest.approx(math.sqrt(2.5))  # sum of squares 10, / (n-1)
    assert (s.min, s.max) == (1.0, 5.0)
    assert s.mad == 1.0  # |x - 3| = 2,1,0,1,2
    assert s.p95 == pytest.approx(4.8)  # rank 0.95 * 4 = 3.8: 4 + 0.8 * (5 - 4)
    assert s.cv == pytest.approx(math.sqrt(2.5) / 3)
    assert s.outliers == ()
    assert s.noisy is True  # cv 0.53 > 0.10


def test_summary_of_even_length_sample():
    s = summarize([2, 4, 4, 4, 5, 5, 7, 9])
    assert s.mean == 5.0
    assert s.median == 4.5
    assert s.stdev == pytest.approx(math.sqrt(32 / 7))
    assert s.mad == 0.5  # |x - 4.5| sorted: .5 .5 .5 .5 .5 2.5 2.5 4.5
    assert s.p95 == pytest.approx(8.3)  # rank 6.65: 7 + 0.65 * (9 - 7)


def test_summary_of_one_value():
    s = summarize([42.0])
    assert (s.n, s.mean, s.median, s.stdev, s.mad, s.p95) == (1, 42.0, 42.0, 0.0, 0.0, 42.0)
    assert (s.median_ci_low, s.median_ci_high) == (42.0, 42.0)
    assert s.cv == 0.0 and not s.noisy and s.outliers == ()


@pytest.mark.parametrize("bad", [[], [1.0, math.nan], [math.inf]])
def test_summarize_rejects_empty_and_non_finite(bad):
    with pytest.raises(ValueError):
        summarize(bad)


def test_noisy_threshold_is_the_named_constant():
    quiet = summarize([100, 101, 99, 100, 100])
    assert quiet.cv < stats.NOISY_CV and not quiet.noisy
    assert summarize([100, 101, 99, 100, 100], noisy_cv=0.001).noisy


def test_summary_round_trips_through_json():
    s = summarize(PLANTED)
    data = json.loads(json.dumps(s.to_dict()))
    assert data["outliers"] == [] and data["outliers_assessed"] is False  # 7 values: too few to assess
    assert Summary.from_dict(data) == s
    many = summarize([*PLANTED[:6] * 4, PLANTED[6]])
    data = json.loads(json.dumps(many.to_dict()))
    assert data["outliers"] == [24] and Summary.from_dict(data) == many


def test_summarize_is_fast_enough_for_200_values():
    values = normal_sample(1e6, 5e4, 200, seed=1)
    best = min(_timed(lambda: summarize(values)) for _ in range(3))
    assert best < 0.05


def _timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


# --- bootstrap CI of the median ------------------------------------------------


def test_median_ci_contains_median_and_is_deterministic():
    values = normal_sample(100, 10, 50, seed=2)
    low, high = bootstrap_median_ci(values)
    assert low <= float(np.median(values)) <= high
    assert bootstrap_median_ci(values) == (low, high)
    assert bootstrap_median_ci(values, seed=7) != (low, high)


def test_median_ci_shrinks_with_n():
    small = bootstrap_median_ci(normal_sample(100, 10, 20, seed=3))
    large = bootstrap_median_ci(normal_sample(100, 10, 500, seed=3))
    assert large[1] - large[0] < (small[1] - small[0]) / 2


def test_median_ci_of_one_value_and_constant_sample():
    assert bootstrap_median_ci([7.5]) == (7.5, 7.5)
    assert bootstrap_median_ci([3, 3, 3, 3]) == (3.0, 3.0)


def test_median_ci_widens_with_confidence():
    values = normal_sample(100, 10, 50, seed=4)
    low80, high80 = bootstrap_median_ci(values, confidence=0.80)
    low99, high99 = bootstrap_median_ci(values, confidence=0.99)
    assert low99 <= low80 and high80 <= high99


def test_ci_half_width_relative():
    s = summarize(normal_sample(100, 10, 50, seed=5))
    expected = (s.median_ci_high - s.median_ci_low) / 2 / s.median
    assert ci_half_width_relative(s) == pytest.approx(expected)
    assert ci_half_width_relative(summarize([5.0])) == 0.0


# --- outliers ----------------------------------------------------------------


def test_modified_z_scores_by_hand():
    # median 3, MAD 1: z = 0.6745 * (x - 3)
    assert modified_z_scores([1, 2, 3, 4, 5]) == pytest.approx([-1.349, -0.6745, 0, 0.6745, 1.349])


def test_planted_outlier_is_flagged_via_mean_ad_fallback():
    # |x - 10| = 0,0,1,0,1,0,90: MAD is 0, so meanAD = 92/7 is used.
    scores = modified_z_scores(PLANTED)
    assert scores[6] == pytest.approx(0.7979 * 90 / (92 / 7))  # 5.46
    assert scores[2] == pytest.approx(0.7979 * 1 / (92 / 7))
    assert outlier_indices(PLANTED) == (6,)
    assert summarize(PLANTED).outliers == ()  # below OUTLIERS_MIN_N values: not assessed


def test_outlier_flagged_with_nonzero_mad_and_not_removed():
    values = [10.0, 10.2, 9.9, 10.1, 9.8, 10.05, 14.0]
    assert outlier_indices(values) == (6,)
    assert summarize(values).max == 14.0  # flagged, still counted


def test_clean_sample_has_no_outliers():
    assert outlier_indices([10.0, 10.2, 9.9, 10.1, 9.8, 10.05]) == ()
    assert outlier_indices(normal_sample(100, 5, 100, seed=6)) == ()


def test_all_equal_values_have_no_outliers():
    assert modified_z_scores([4, 4, 4, 4]) == [0.0, 0.0, 0.0, 0.0]
    assert outlier_indices([4, 4, 4, 4]) == ()
    assert modified_z_scores([]) == []


def test_outlier_threshold_is_adjustable():
    assert outlier_indices([1, 2, 3, 4, 5], threshold=1.0) == (0, 4)


# --- ratio of medians ----------------------------------------------------------


def test_ratio_of_exact_double_is_two_with_tight_interval():
    base = normal_sample(100, 1, 50, seed=7)
    estimate = ratio_ci([2 * v for v in base], base)
    assert estimate.ratio == pytest.approx(2.0)
    assert estimate.contains(2.0)
    assert estimate.high - estimate.low < 0.02


def test_ratio_of_noisy_samples_excludes_one():
    old = normal_sample(100, 10, 100, seed=8)
    new = normal_sample(120, 12, 100, seed=9)
    estimate = ratio_ci(new, old)
    assert estimate.ratio == pytest.approx(1.2, abs=0.05)
    assert estimate.low > 1.0


def test_ratio_of_same_distribution_contains_one():
    estimate = ratio_ci(normal_sample(100, 10, 100, seed=10), normal_sample(100, 10, 100, seed=11))
    assert estimate.contains(1.0)


def test_ratio_is_deterministic_and_rejects_zero_denominator():
    a, b = normal_sample(100, 10, 30, seed=12), normal_sample(90, 10, 30, seed=13)
    assert ratio_ci(a, b) == ratio_ci(a, b)
    with pytest.raises(ValueError):
        ratio_ci([1.0, 2.0], [0.0, 0.0, 1.0])


def test_relative_change_is_ratio_minus_one():
    old, new = normal_sample(100, 10, 40, seed=14), normal_sample(110, 10, 40, seed=15)
    ratio, change = ratio_ci(new, old), relative_change_ci(old, new)
    assert change.ratio == pytest.approx(ratio.ratio - 1)
    assert (change.low, change.high) == pytest.approx((ratio.low - 1, ratio.high - 1))


# --- should_stop ---------------------------------------------------------------

TIGHT = [100.0, 100.1, 99.9, 100.05, 99.95, 100.0]
WIDE = [100.0, 150.0, 70.0, 120.0, 90.0, 60.0]


def test_stop_at_max_runs():
    assert should_stop(WIDE, min_runs=3, max_runs=6, target_rel_ci=0.01) == (True, "max-runs")


def test_keep_going_below_min_runs_even_past_budget():
    decision = should_stop(TIGHT[:2], min_runs=3, max_runs=10, target_rel_ci=0.5, elapsed_s=99, budget_s=1)
    assert decision == (False, "min-runs")


def test_stop_on_time_budget():
    decision = should_stop(WIDE, min_runs=3, max_runs=100, target_rel_ci=0.01, elapsed_s=60, budget_s=60)
    assert decision == (True, "time-budget")


def test_stop_on_ci_target():
    stop, reason = should_stop(TIGHT, min_runs=6, max_runs=100, target_rel_ci=0.01)
    assert (stop, reason) == (True, "ci-target")


def test_continue_while_ci_wide():
    decision = should_stop(WIDE, min_runs=5, max_runs=100, target_rel_ci=0.01, elapsed_s=1, budget_s=60)
    assert decision == (False, "ci-wide")


def test_one_value_never_meets_the_ci_target():
    assert should_stop([5.0], min_runs=1, max_runs=10, target_rel_ci=0.5) == (False, "ci-wide")


def test_should_stop_rejects_inverted_limits():
    with pytest.raises(ValueError):
        should_stop(TIGHT, min_runs=10, max_runs=5, target_rel_ci=0.01)


# --- linear fit and break-even ---------------------------------------------------


def test_fit_exact_line():
    fit = fit_linear([1, 2, 3, 4, 10], [5 + 2 * x for x in [1, 2, 3, 4, 10]])
    assert fit.intercept == pytest.approx(5.0)
    assert fit.slope == pytest.approx(2.0)
    assert fit.r2 == pytest.approx(1.0)
    assert fit.n == 5


def test_fit_by_hand():
    # x mean 1, y mean 2: slope = ((-1)(-1) + 0 + (1)(0)) / 2 = 0.5, intercept 1.5;
    # residuals -0.5, 1, -0.5 -> SS_res 1.5; SS_tot 2 -> r2 0.25
    assert fit_linear([0, 1, 2], [1, 3, 2]) == LinearFit(1.5, 0.5, pytest.approx(0.25), 3)


def test_fit_flat_line_and_bad_input():
    assert fit_linear([1, 2, 3], [4, 4, 4]) == LinearFit(4.0, 0.0, 1.0, 3)
    with pytest.raises(ValueError):
        fit_linear([1, 1, 1], [1, 2, 3])
    with pytest.raises(ValueError):
        fit_linear([1, 2], [1, 2, 3])


def test_fit_linear_ci_brackets_true_line():
    rng = np.random.default_rng(16)
    groups = {n: list(50 + 3 * n + rng.normal(0, 2, 30)) for n in (1, 10, 50, 100)}
    result = fit_linear_ci(groups)
    assert result.intercept_low <= 50 <= result.intercept_high
    assert result.slope_low <= 3 <= result.slope_high
    assert result.fit.slope == pytest.approx(3, abs=0.05)
    assert fit_linear_ci(groups) == result


def test_break_even_of_crossing_lines():
    # a = 100 + n, b = 10 + 4n: 90 - 3n <= 0 from n = 30 (both 130 there)
    assert break_even_calls(100, 1, 10, 4) == pytest.approx(30.0)


def test_break_even_with_factor():
    # a <= 2b: (100 - 20) + (1 - 8)n <= 0 from n = 80/7
    assert break_even_calls(100, 1, 10, 4, factor=2.0) == pytest.approx(80 / 7)


def test_break_even_parallel_lines():
    assert break_even_calls(10, 1, 5, 1) is None
    assert break_even_calls(5, 1, 10, 1) == 1.0


def test_break_even_already_holds_at_one():
    assert break_even_calls(1, 2, 10, 1) == 1.0  # 3 <= 11 at n = 1


def test_break_even_never():
    assert break_even_calls(100, 5, 10, 4) is None  # slower start, slower per call
