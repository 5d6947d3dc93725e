"""Pure statistics for polybench: medians, bootstrap intervals, outliers, fits.

Everything here takes plain sequences of floats and returns values; nothing
does I/O or starts a process, so the tests need neither. Units are whatever
the caller passes (ns, ms, bytes); nothing here converts them.

Medians, not means, are the headline numbers: process wall times are skewed to
the right (a page-cache miss or a scheduler hiccup only ever adds time), and
the median is the estimate a single slow run cannot drag.

Every random procedure takes a ``seed`` and draws from
``numpy.random.default_rng(seed)``, so the same input always gives the same
interval (on the same numpy version) and a re-rendered report never changes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

import numpy as np

DEFAULT_SEED = 20261121
DEFAULT_CONFIDENCE = 0.95
DEFAULT_RESAMPLES = 2000
# should_stop runs after every single run; 500 resamples keeps it to a few ms
# and the CI end points it yields move by well under 1 % against 2000.
STOP_RESAMPLES = 500
# A coefficient of variation above 10 % means the machine, not the client, is
# probably what we are measuring; the report flags such cells rather than hiding them.
NOISY_CV = 0.10
# Iglewicz & Hoaglin's recommended cut-off for |modified Z|.
OUTLIER_Z = 3.5
# 0.6745 is the 0.75 quantile of N(0, 1): it makes MAD comparable to a standard
# deviation for normal data. 0.7979 = sqrt(2/pi) does the same for the mean
# absolute deviation, the fallback when more than half the values are identical.
_MAD_Z_FACTOR = 0.6745
_MEAN_AD_Z_FACTOR = 0.7979


@dataclass(frozen=True)
class Summary:
    """Descriptive statistics of one cell (client x scenario x parameters).

    ``mad`` is the raw median absolute deviation, median(|x - median(x)|), not
    scaled by 1.4826. ``median_ci_low``/``median_ci_high`` bound a percentile
    bootstrap confidence interval of the median. ``outliers`` are indices into
    the input that were flagged by modified Z-score; they are still counted in
    every other field. ``noisy`` is ``cv > NOISY_CV`` (or the threshold given).
    """

    n: int
    mean: float
    median: float
    stdev: float
    min: float
    max: float
    mad: float
    p95: float
    cv: float
    median_ci_low: float
    median_ci_high: float
    outliers: tuple[int, ...]
    noisy: bool

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (``outliers`` becomes a list)."""
        data = asdict(self)
        data["outliers"] = list(self.outliers)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Summary:
        """Inverse of :meth:`to_dict`, for reading a results file back."""
        fields = dict(data)
        fields["outliers"] = tuple(int(i) for i in fields["outliers"])
        return cls(**fields)


@dataclass(frozen=True)
class RatioEstimate:
    """A point estimate with its bootstrap interval, ``low <= ratio <= high`` usually."""

    ratio: float
    low: float
    high: float

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in the interval; ``not contains(1.0)`` = a real difference."""
        return self.low <= value <= self.high

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True)
class LinearFit:
    """y = intercept + slope * x by ordinary least squares."""

    intercept: float
    slope: float
    r2: float
    n: int

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True)
class LinearFitCI:
    """A fit of per-x medians with bootstrap intervals of intercept and slope."""

    fit: LinearFit
    intercept_low: float
    intercept_high: float
    slope_low: float
    slope_high: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class StopDecision(NamedTuple):
    """Unpacks as ``(stop, reason)``."""

    stop: bool
    reason: str


def _as_array(values: Sequence[float], *, allow_empty: bool = False) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1:
        raise ValueError("values must be a flat sequence of numbers")
    if array.size == 0 and not allow_empty:
        raise ValueError("need at least one value")
    # A NaN would silently turn every median and interval into NaN.
    if not np.all(np.isfinite(array)):
        raise ValueError("values must be finite numbers")
    return array


def _check_bootstrap_args(confidence: float, resamples: int) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    if resamples < 1:
        raise ValueError(f"resamples must be >= 1, got {resamples}")


def _bootstrap_medians(rng: np.random.Generator, array: np.ndarray, resamples: int) -> np.ndarray:
    # One (resamples, n) index matrix and one vectorised median: ~5 ms for
    # 2000 x 200, against ~100 ms for a Python loop over resamples.
    indices = rng.integers(0, array.size, size=(resamples, array.size))
    return np.median(array[indices], axis=1)


def _percentile_interval(draws: np.ndarray, confidence: float) -> tuple[float, float]:
    tail = (1.0 - confidence) / 2.0 * 100.0
    low, high = np.percentile(draws, [tail, 100.0 - tail])
    return float(low), float(high)


def bootstrap_median_ci(
    values: Sequence[float],
    confidence: float = DEFAULT_CONFIDENCE,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> tuple[float, float]:
    """Percentile bootstrap confidence interval of the median, as ``(low, high)``.

    Resample the values with replacement ``resamples`` times, take each
    resample's median, and return the (1-c)/2 and (1+c)/2 percentiles of those
    medians. With one value there is nothing to resample: ``(v, v)``.
    """
    _check_bootstrap_args(confidence, resamples)
    array = _as_array(values)
    if array.size == 1:
        return float(array[0]), float(array[0])
    medians = _bootstrap_medians(np.random.default_rng(seed), array, resamples)
    return _percentile_interval(medians, confidence)


def modified_z_scores(values: Sequence[float]) -> list[float]:
    """Iglewicz-Hoaglin modified Z-scores, 0.6745 * (x - median) / MAD.

    When MAD is 0 (more than half the values identical, common with coarse
    timers) the scores use the mean absolute deviation around the median
    instead: 0.7979 * (x - median) / meanAD, the usual fallback (e.g. IBM SPSS;
    0.7979 = 1/1.2533 = sqrt(2/pi)). If that is 0 too, every value equals the
    median and every score is 0.
    """
    array = _as_array(values, allow_empty=True)
    if array.size == 0:
        return []
    deviations = array - np.median(array)
    mad = float(np.median(np.abs(deviations)))
    if mad > 0.0:
        return [float(z) for z in _MAD_Z_FACTOR * deviations / mad]
    mean_ad = float(np.mean(np.abs(deviations)))
    if mean_ad > 0.0:
        return [float(z) for z in _MEAN_AD_Z_FACTOR * deviations / mean_ad]
    return [0.0] * array.size


def outlier_indices(values: Sequence[float], threshold: float = OUTLIER_Z) -> tuple[int, ...]:
    """Indices whose |modified Z-score| exceeds ``threshold``; flagged, never removed."""
    return tuple(i for i, z in enumerate(modified_z_scores(values)) if abs(z) > threshold)


def summarize(
    values: Sequence[float],
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    noisy_cv: float = NOISY_CV,
    outlier_threshold: float = OUTLIER_Z,
) -> Summary:
    """Summarise one sample; raises ValueError on an empty or non-finite one.

    ``stdev`` is the sample standard deviation (ddof=1), 0 for one value.
    ``p95`` uses numpy's default linear interpolation. ``cv`` is stdev/mean,
    0 when both are 0 and infinite when only the mean is (never for times).
    """
    array = _as_array(values)
    mean = float(np.mean(array))
    median = float(np.median(array))
    stdev = float(np.std(array, ddof=1)) if array.size > 1 else 0.0
    if mean != 0.0:
        cv = stdev / abs(mean)
    else:
        cv = 0.0 if stdev == 0.0 else math.inf
    ci_low, ci_high = bootstrap_median_ci(array, confidence, resamples, seed)
    return Summary(
        n=int(array.size),
        mean=mean,
        median=median,
        stdev=stdev,
        min=float(np.min(array)),
        max=float(np.max(array)),
        mad=float(np.median(np.abs(array - median))),
        p95=float(np.percentile(array, 95)),
        cv=cv,
        median_ci_low=ci_low,
        median_ci_high=ci_high,
        outliers=outlier_indices(array, outlier_threshold),
        noisy=cv > noisy_cv,
    )


def ratio_ci(
    numerator_values: Sequence[float],
    denominator_values: Sequence[float],
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> RatioEstimate:
    """Ratio of medians, median(num) / median(den), with a bootstrap interval.

    Each sample is resampled independently (they come from different
    processes, so there is no pairing to keep) and the interval is the
    percentile interval of the resampled medians' ratio. Unlike 1-sigma error
    propagation this needs no normality and stays asymmetric where the data is.
    Raises ValueError if median(den) is 0.
    """
    _check_bootstrap_args(confidence, resamples)
    numerator = _as_array(numerator_values)
    denominator = _as_array(denominator_values)
    denominator_median = float(np.median(denominator))
    if denominator_median == 0.0:
        raise ValueError("denominator median is 0; the ratio is undefined")
    ratio = float(np.median(numerator)) / denominator_median
    rng = np.random.default_rng(seed)
    numerator_medians = _bootstrap_medians(rng, numerator, resamples)
    denominator_medians = _bootstrap_medians(rng, denominator, resamples)
    # A resample of a sample containing zeros may have median 0; its ratio is
    # ±inf and lands in a tail, which is the honest answer.
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = numerator_medians / denominator_medians
    low, high = _percentile_interval(ratios, confidence)
    return RatioEstimate(ratio=ratio, low=low, high=high)


def relative_change_ci(
    old_values: Sequence[float],
    new_values: Sequence[float],
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> RatioEstimate:
    """median(new)/median(old) - 1 with its interval: ``ratio_ci(new, old)`` shifted by -1.

    The fields keep RatioEstimate's names, but hold changes: 0.1 means 10 %
    slower (for times), -0.2 means 20 % faster; ``not contains(0.0)`` = a real change.
    """
    estimate = ratio_ci(new_values, old_values, confidence=confidence, resamples=resamples, seed=seed)
    return RatioEstimate(estimate.ratio - 1.0, estimate.low - 1.0, estimate.high - 1.0)


def ci_half_width_relative(summary: Summary) -> float:
    """Half the median's CI width as a fraction of the median: (high - low) / 2 / median."""
    return _relative_half_width(summary.median, summary.median_ci_low, summary.median_ci_high)


def _relative_half_width(median: float, low: float, high: float) -> float:
    half_width = (high - low) / 2.0
    if median == 0.0:
        return 0.0 if half_width == 0.0 else math.inf
    return half_width / abs(median)


def should_stop(
    values: Sequence[float],
    *,
    min_runs: int,
    max_runs: int,
    target_rel_ci: float,
    elapsed_s: float = 0.0,
    budget_s: float | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
    resamples: int = STOP_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> StopDecision:
    """Whether the scheduler has enough runs of one cell, and why.

    Checked in order: ``"max-runs"`` (n >= max_runs); ``"min-runs"`` (n <
    min_runs: keep going, even past the budget); ``"time-budget"`` (elapsed_s
    >= budget_s; ``None`` = no budget); ``"ci-target"`` (ci_half_width_relative
    <= target_rel_ci). Otherwise ``(False, "ci-wide")``. The CI test needs at
    least 2 values, since one value's interval is (v, v) and says nothing.
    """
    if min_runs < 0 or max_runs < max(min_runs, 1):
        raise ValueError(f"need 0 <= min_runs <= max_runs and max_runs >= 1, got {min_runs}, {max_runs}")
    n = len(values)
    if n >= max_runs:
        return StopDecision(True, "max-runs")
    if n < min_runs:
        return StopDecision(False, "min-runs")
    if budget_s is not None and elapsed_s >= budget_s:
        return StopDecision(True, "time-budget")
    if n >= 2:
        # Only the median and its interval, not a full summarize(): this runs
        # after every run and outliers or p95 would be wasted work.
        array = _as_array(values)
        low, high = bootstrap_median_ci(array, confidence, resamples, seed)
        if _relative_half_width(float(np.median(array)), low, high) <= target_rel_ci:
            return StopDecision(True, "ci-target")
    return StopDecision(False, "ci-wide")


def fit_linear(xs: Sequence[float], ys: Sequence[float]) -> LinearFit:
    """Ordinary least squares y = intercept + slope * x.

    Over request counts, the intercept estimates start-up cost (process,
    imports, first connection) and the slope the cost per call. ``r2`` is
    1 - SS_res / SS_tot, and 1 when every y is equal (a flat line fits exactly).
    Raises ValueError unless there are >= 2 points with at least 2 distinct xs.
    """
    x = _as_array(xs)
    y = _as_array(ys)
    if x.size != y.size:
        raise ValueError(f"xs and ys differ in length ({x.size} != {y.size})")
    intercepts, slopes = _ols(x, y[np.newaxis, :])
    intercept, slope = float(intercepts[0]), float(slopes[0])
    residual = float(np.sum((y - (intercept + slope * x)) ** 2))
    total = float(np.sum((y - np.mean(y)) ** 2))
    r2 = 1.0 - residual / total if total > 0.0 else 1.0
    return LinearFit(intercept=intercept, slope=slope, r2=r2, n=int(x.size))


def _ols(x: np.ndarray, y_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # Centred closed form, one row of ys per fit, so a bootstrap's thousands
    # of fits are one matrix product rather than a loop.
    x_centred = x - np.mean(x)
    sxx = float(np.sum(x_centred**2))
    if x.size < 2 or sxx == 0.0:
        raise ValueError("a line needs at least two distinct x values")
    slopes = (y_rows - y_rows.mean(axis=1, keepdims=True)) @ x_centred / sxx
    intercepts = y_rows.mean(axis=1) - slopes * np.mean(x)
    return intercepts, slopes


def fit_linear_ci(
    groups: Mapping[float, Sequence[float]],
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> LinearFitCI:
    """Fit a line through the median y of each x, with bootstrap CIs.

    ``groups`` maps x (e.g. request count) to the runs measured there. The
    point fit is ``fit_linear`` over (x, median of its runs), medians for the
    same reason as everywhere else here. Each bootstrap round resamples the
    runs within every x independently, refits, and the intervals are the
    percentile intervals of the refitted intercepts and slopes.
    """
    _check_bootstrap_args(confidence, resamples)
    levels = sorted(groups)
    samples = [_as_array(groups[x]) for x in levels]
    x = np.asarray(levels, dtype=float)
    fit = fit_linear(x, [float(np.median(s)) for s in samples])
    rng = np.random.default_rng(seed)
    medians = np.column_stack([_bootstrap_medians(rng, s, resamples) for s in samples])
    intercepts, slopes = _ols(x, medians)
    intercept_low, intercept_high = _percentile_interval(intercepts, confidence)
    slope_low, slope_high = _percentile_interval(slopes, confidence)
    return LinearFitCI(fit, intercept_low, intercept_high, slope_low, slope_high)


def break_even_calls(
    a_intercept: float,
    a_slope: float,
    b_intercept: float,
    b_slope: float,
    factor: float = 1.0,
) -> float | None:
    """Smallest n >= 1 with a(n) <= factor * b(n), for a(n) = a_i + a_s*n, b likewise.

    Algebra: a(n) <= f*b(n)  <=>  c + d*n <= 0  with  c = a_i - f*b_i,
    d = a_s - f*b_s. If c + d <= 0 it already holds at n = 1: return 1.0.
    Otherwise it fails at 1, and the left side only falls if d < 0, reaching
    0 at n = -c/d (> 1 because c > -d); return that. If d >= 0 it never holds
    (this covers equal slopes with factor 1): return None. The result is the
    real-valued crossing; ``math.ceil`` it for a whole number of calls.
    """
    c = a_intercept - factor * b_intercept
    d = a_slope - factor * b_slope
    if c + d <= 0.0:
        return 1.0
    if d >= 0.0:
        return None
    return -c / d


def bootstrap_median_draws(
    samples: Sequence[Sequence[float]],
    *,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> np.ndarray:
    """Bootstrap medians of several independent samples, shape ``(len(samples), resamples)``.

    Row i holds the medians of ``resamples`` resamples (with replacement, same
    size) of ``samples[i]``. All rows come from one generator seeded once, so
    the samples are resampled independently of each other (different
    processes: nothing to pair) and the same input always gives the same draws.
    Derived estimates (a fitted slope, a break-even point) computed draw by
    draw from these rows give bootstrap distributions that
    :func:`draws_interval` turns into intervals. Raises ValueError on an
    empty or non-finite sample.
    """
    _check_bootstrap_args(DEFAULT_CONFIDENCE, resamples)
    rng = np.random.default_rng(seed)
    rows = [_bootstrap_medians(rng, _as_array(sample), resamples) for sample in samples]
    return np.vstack(rows) if rows else np.empty((0, resamples))


def draws_interval(draws: Sequence[float] | np.ndarray, confidence: float = DEFAULT_CONFIDENCE) -> tuple[float, float]:
    """Nearest-rank percentile interval of bootstrap draws, as ``(low, high)``.

    Unlike interpolated percentiles it copes with infinite draws (``inf`` =
    "never" in a break-even draw): an end is infinite only if that share of
    the draws is. NaN draws are not allowed.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    ordered = np.sort(np.asarray(draws, dtype=float).ravel())
    if ordered.size == 0 or np.isnan(ordered).any():
        raise ValueError("need at least one draw and no NaN")
    tail = (1.0 - confidence) / 2.0
    low = ordered[int(math.floor(tail * (ordered.size - 1)))]
    high = ordered[int(math.ceil((1.0 - tail) * (ordered.size - 1)))]
    return float(low), float(high)


def sum_of_draws(
    values: Sequence[float],
    count: int,
    *,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> np.ndarray:
    """``resamples`` totals of ``count`` values drawn with replacement from ``values``.

    The distribution of the sum of ``count`` independent runs, computed from
    the runs measured once each (for example N spawns of a client from its
    single-call runs): not ``count`` x the median, which a skewed sample
    misstates. Shape ``(resamples,)``.
    """
    _check_bootstrap_args(DEFAULT_CONFIDENCE, resamples)
    if count < 1:
        raise ValueError(f"count must be >= 1, got {count}")
    array = _as_array(values)
    rng = np.random.default_rng(seed)
    return array[rng.integers(0, array.size, size=(resamples, count))].sum(axis=1)
