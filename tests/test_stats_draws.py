"""stats' bootstrap draws for derived estimates, their interval, and sums of draws."""

from __future__ import annotations

import numpy as np
import pytest

from orchestrator import stats


def test_median_draws_are_one_row_per_sample_and_reproducible() -> None:
    samples = [[1.0, 2.0, 3.0, 4.0], [10.0, 20.0, 30.0, 40.0, 50.0]]
    draws = stats.bootstrap_median_draws(samples, resamples=300)
    assert draws.shape == (2, 300)
    assert np.array_equal(draws, stats.bootstrap_median_draws(samples, resamples=300))
    for row, sample in zip(draws, samples, strict=True):
        assert row.min() >= min(sample) and row.max() <= max(sample)
    # Same-sized samples are resampled independently, not with the same indices.
    twin = stats.bootstrap_median_draws([[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]], resamples=300)
    assert not np.array_equal(twin[0], twin[1])
    with pytest.raises(ValueError):
        stats.bootstrap_median_draws([[1.0], []])


def test_draws_interval_copes_with_never() -> None:
    draws = np.concatenate([np.linspace(10, 20, 90), np.full(10, np.inf)])
    low, high = stats.draws_interval(draws)
    assert low == pytest.approx(10.0, abs=0.5) and high == np.inf
    assert stats.draws_interval(np.linspace(0, 100, 1001)) == pytest.approx((2.5, 97.5))
    with pytest.raises(ValueError):
        stats.draws_interval([1.0, np.nan])


def test_bootstrap_sum_draws_is_the_distribution_of_a_total() -> None:
    values = [1.0] * 8 + [7.0] * 4  # median 1, mean 3
    totals = stats.bootstrap_sum_draws(values, 200, resamples=500)[:, -1]  # totals of 200 draws
    assert totals.shape == (500,)
    assert np.median(totals) == pytest.approx(600.0, rel=0.1)  # about 200 x the mean, not 200 x the median
    assert totals.min() >= 200.0 and totals.max() <= 1400.0


def test_bootstrap_sum_draws_has_one_row_per_resample_and_is_seeded() -> None:
    values = [1.0, 2.0, 10.0]
    draws = stats.bootstrap_sum_draws(values, 4, resamples=50)
    assert draws.shape == (50, 4)
    assert np.all(np.diff(draws, axis=1) >= 1.0)  # each total adds one more draw, every value >= 1
    assert np.all((draws[:, 0] >= 1.0) & (draws[:, 0] <= 10.0))
    assert np.array_equal(draws, stats.bootstrap_sum_draws(values, 4, resamples=50))
    with pytest.raises(ValueError):
        stats.bootstrap_sum_draws(values, 0)
    with pytest.raises(ValueError):
        stats.bootstrap_sum_draws([], 3)
