"""Pure statistics for polybench: medians, their intervals, outliers, modes, drift, fits.

Everything here takes plain sequences of floats and returns values; nothing
does I/O or starts a process, so the tests need neither. Units are whatever
the caller passes (ns, ms, bytes); nothing here converts them.

Medians, not means, are the headline numbers: process wall times are skewed to
the right (a page-cache miss or a scheduler hiccup only ever adds time), and
the median is the estimate a single slow run cannot drag.

The interval of a median is the distribution-free order-statistic
(binomial) interval, whose coverage is guaranteed at every n (``median_ci``);
the stopping rule and every reported median interval are that one function.
The bootstrap lives here too, for what has no exact interval (ratios of
medians, fits). Every random procedure takes a ``seed`` and draws from
``numpy.random.default_rng(seed)``, so the same input always gives the same
interval (on the same numpy version) and a re-rendered report never changes.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from fractions import Fraction
from functools import cache, lru_cache
from typing import Any, NamedTuple, TypeAlias

import numpy as np

# A sample of numbers: a list (or any sequence) of floats, or a numpy array of them.
Samples: TypeAlias = Sequence[float] | np.ndarray

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
    scaled by 1.4826. ``median_ci_low``/``median_ci_high`` bound the
    order-statistic interval of the median (``median_ci``) and
    ``median_ci_coverage`` is its exact coverage: at least the requested
    confidence once n allows it (n >= 6 for 95%), below it for smaller n,
    where the interval is [min, max]. With ``looks`` (a sequentially stopped
    sample, see ``median_ci``) the interval and its coverage are the
    sequential ones and ``median_ci_sequential`` is True. ``multimodal`` is
    ``is_multimodal``; ``outliers`` are indices into the input flagged by
    modified Z-score, and empty when the sample is multimodal (a Z-score
    against one centre would call a whole mode outlying) or has fewer than
    OUTLIERS_MIN_N values (``outliers_assessed`` False: a second mode cannot
    be detected there, so a flag could be half of a bimodal sample); flagged
    runs are still counted in every other field. ``noisy`` is ``cv >
    NOISY_CV`` (or the threshold given).
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
    # Defaults keep Summary(...) calls and v1 summaries working.
    median_ci_coverage: float = 0.0
    multimodal: bool = False
    # False below OUTLIERS_MIN_N runs: ``outliers`` is then empty because
    # nobody looked, not because none were found ("not assessed").
    outliers_assessed: bool = True
    # True when the interval is the sequential one (median_ci with ``looks``).
    median_ci_sequential: bool = False

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


def _as_array(values: Samples, *, allow_empty: bool = False) -> np.ndarray:
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
    medians: np.ndarray = np.median(array[indices], axis=1)
    return medians


def bootstrap_medians(values: Samples, resamples: int = DEFAULT_RESAMPLES, *,
                      rng: np.random.Generator | None = None, seed: int = DEFAULT_SEED) -> np.ndarray:
    """``resamples`` medians of resamples (with replacement) of ``values``: shape (resamples,).

    The one bootstrap of a median, for callers that combine draws (a ratio,
    a break-even point); pass ``rng`` to share one generator across samples.
    """
    if resamples < 1:
        raise ValueError(f"resamples must be >= 1, got {resamples}")
    return _bootstrap_medians(rng if rng is not None else np.random.default_rng(seed), _as_array(values), resamples)


def bootstrap_sum_draws(values: Sequence[float], max_n: int, resamples: int = DEFAULT_RESAMPLES, *,
                        seed: int = DEFAULT_SEED) -> np.ndarray:
    """Totals of n draws for n = 1 .. max_n, each row from its own bootstrap resample: shape (resamples, max_n).

    ``result[b, n - 1]`` sums n draws (with replacement) from resample b (with
    replacement) of ``values``, so the spread holds both the run-to-run spread
    of n draws and the uncertainty of the sample itself. Seeded: reproducible.
    Raises ValueError on an empty or non-finite sample, or max_n/resamples < 1.
    """
    if resamples < 1 or max_n < 1:
        raise ValueError(f"resamples and max_n must be >= 1, got {resamples} and {max_n}")
    array = _as_array(values)
    rng = np.random.default_rng(seed)
    resampled = rng.integers(0, array.size, size=(resamples, array.size))  # one bootstrap resample per row
    picks = rng.integers(0, array.size, size=(resamples, max_n))  # n draws from that row's resample
    return np.cumsum(array[np.take_along_axis(resampled, picks, axis=1)], axis=1)


def _percentile_interval(draws: np.ndarray, confidence: float) -> tuple[float, float]:
    tail = (1.0 - confidence) / 2.0 * 100.0
    low, high = np.percentile(draws, [tail, 100.0 - tail])
    return float(low), float(high)


def bootstrap_median_ci(
    values: Samples,
    confidence: float = DEFAULT_CONFIDENCE,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> tuple[float, float]:
    """Percentile bootstrap confidence interval of the median, as ``(low, high)``.

    Resample the values with replacement ``resamples`` times, take each
    resample's median, and return the (1-c)/2 and (1+c)/2 percentiles of those
    medians. With one value there is nothing to resample: ``(v, v)``.
    It undercovers at small n (about 74% at n = 3 for "95%"): the median
    intervals polybench reports and stops on are ``median_ci``'s.
    """
    _check_bootstrap_args(confidence, resamples)
    array = _as_array(values)
    if array.size == 1:
        return float(array[0]), float(array[0])
    medians = _bootstrap_medians(np.random.default_rng(seed), array, resamples)
    return _percentile_interval(medians, confidence)


# --- the median's interval: order statistics, exact coverage ------------------


@dataclass(frozen=True)
class MedianInterval:
    """[low, high] for the median, with the exact probability that it covers it.

    ``coverage`` is the interval's actual coverage for any continuous
    distribution (ties only raise it). ``meets_confidence`` is False when the
    sample is too small for the requested confidence (n < 6 for 95%): the
    interval is then the widest there is, [min, max], and covers less.
    ``sequential``: a confidence sequence's interval (median_ci's ``looks``),
    whose coverage holds at a data-dependent stopping time.
    """

    low: float
    high: float
    coverage: float
    confidence: float
    sequential: bool = False

    @property
    def meets_confidence(self) -> bool:
        return self.coverage >= self.confidence


@lru_cache(maxsize=4096)
def order_statistic_ranks(n: int, confidence: float = DEFAULT_CONFIDENCE) -> tuple[int, float]:
    """The rank k (1-based) of the interval [x(k), x(n+1-k)] and its exact coverage.

    For sorted x(1) <= ... <= x(n), the median m is below x(k) only if fewer
    than k values are below m: with B ~ Binomial(n, 1/2),
    P(x(k) <= m <= x(n+1-k)) = P(k <= B <= n-k) = 1 - 2 * sum_{i<k} C(n, i) / 2^n
    (Conover, *Practical Nonparametric Statistics*, 3rd ed., 1999, §3.2;
    Hahn & Meeker, *Statistical Intervals*, 1991, §5.2). k is the largest
    rank whose coverage still reaches ``confidence``; when even k = 1
    ([min, max]) does not, k is 1 and the coverage is what it is
    (1 - 2^(1-n): 75% at n = 3, 93.75% at n = 5). n = 1 has coverage 0.
    Exact integer arithmetic (math.comb), so any n works.
    """
    if n < 1:
        raise ValueError(f"need n >= 1, got {n}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    total = 2**n
    best_k, best_coverage = 1, float(Fraction(total - 2, total))
    tail = 1  # sum of C(n, i) for i < k, at k = 1
    for k in range(2, (n + 1) // 2 + 1):  # x(k) must not pass the middle: k <= n + 1 - k
        tail += math.comb(n, k - 1)
        coverage = Fraction(total - 2 * tail, total)
        if coverage < confidence:
            break
        best_k, best_coverage = k, float(coverage)
    return best_k, best_coverage


def median_ci(values: Samples, confidence: float = DEFAULT_CONFIDENCE,
              looks: tuple[int, int] | None = None) -> MedianInterval:
    """The distribution-free order-statistic interval of the median (see order_statistic_ranks).

    The one interval of a median in polybench: the stopping rule, the
    summaries and ``invoke time`` all call this. ``looks = (first, last)``
    says the sample was stopped sequentially: after every run from the
    first-th to the last-th, a rule that reads the values could have stopped
    it (the scheduler's min and max runs). An interval chosen for a fixed n
    covers less than it says at such a stopping time (simulated: 93.6% for
    "95%" with the default profile's rule), so for first <= n <= last the
    interval is the confidence sequence's (``sequential_ranks``), which
    covers the median at every look at once, and so at whichever look the
    sample stopped. Outside that range (an interrupted run) it is the
    fixed-n interval. Raises ValueError on an empty or non-finite sample.
    """
    array = np.sort(_as_array(values))
    n = int(array.size)
    sequential = looks is not None and looks[0] <= n <= looks[1]
    if sequential:
        ranks, coverage = sequential_ranks(max(looks[0], 1), looks[1], confidence)  # type: ignore[index]
        k = ranks[n - max(looks[0], 1)]  # type: ignore[index]
    else:
        k, coverage = order_statistic_ranks(n, confidence)
    return MedianInterval(float(array[k - 1]), float(array[n - k]), coverage, confidence, sequential)


@cache
def _rank_coverages(n: int) -> tuple[float, ...]:
    """Minus the exact fixed-n coverage of [x(k), x(n+1-k)] for k = 1 .. (n+1)//2 (ascending; order_statistic_ranks).

    int / int is correctly rounded in Python, so no float overflow at large n.
    """
    total, tail, term, found = 2**n, 0, 1, []
    for k in range(1, (n + 1) // 2 + 1):
        tail += term  # term = C(n, k - 1)
        term = term * (n - k + 1) // k
        found.append(-((total - 2 * tail) / total))
    return tuple(found)


def _ranks_at(first: int, last: int, per_look: float) -> tuple[int, ...]:
    """Per n in first..last, the largest rank whose fixed-n coverage reaches ``per_look`` (at least 1)."""
    ranks = []
    for n in range(first, last + 1):
        # how many ranks reach per_look (coverage falls as k grows)
        ranks.append(max(bisect.bisect_right(_rank_coverages(n), -per_look), 1))
    return tuple(ranks)


def simultaneous_coverage(first: int, ranks: Sequence[int]) -> float:
    """P(the median lies in [x(k_n), x(n+1-k_n)] at every n = first .. first + len(ranks) - 1 at once).

    With B_n the number of the first n values below the median (continuous
    data), the interval at n covers it iff k_n <= B_n <= n - k_n, and B_n is
    a random walk that steps up with probability 1/2 whatever the
    distribution: the probability that the walk stays inside every band,
    computed exactly by propagating its distribution step by step (the
    reduction of Darling & Robbins, "Confidence sequences for mean, variance,
    and median", PNAS 58(1), 1967; Howard & Ramdas, "Sequential estimation
    of quantiles with applications to A/B-testing and best-arm
    identification", Bernoulli 28(3), 2022). Ties only raise it.
    """
    last = first + len(ranks) - 1
    dist = np.zeros(last + 2)
    dist[0] = 1.0
    for n in range(1, last + 1):
        dist[1:n + 1] = 0.5 * dist[1:n + 1] + 0.5 * dist[:n]
        dist[0] *= 0.5
        if n >= first:
            k = ranks[n - first]
            dist[:k] = 0.0
            dist[n - k + 1:] = 0.0
    return float(dist.sum())


@lru_cache(maxsize=64)
def sequential_ranks(first: int, last: int, confidence: float = DEFAULT_CONFIDENCE) -> tuple[tuple[int, ...], float]:
    """Ranks k_n for n = first .. last whose intervals cover the median simultaneously, and that coverage.

    A confidence sequence for the median: every look uses the rank of one
    common per-look level, the lowest level (found by bisection) whose
    ``simultaneous_coverage`` reaches ``confidence``. Because the random
    walk's steps are strongly correlated, each interval is only about one
    order statistic wider per side than the fixed-n one (n = 30 of looks
    10..30: rank 9 instead of 10). If even [min, max] at every look does
    not reach ``confidence`` (first < 6 for 95%), the ranks are all 1 and
    the coverage is what it is. Raises ValueError unless 1 <= first <= last.
    """
    if not 1 <= first <= last:
        raise ValueError(f"need 1 <= first <= last, got {first}, {last}")
    widest = (1,) * (last - first + 1)
    if simultaneous_coverage(first, widest) < confidence:
        return widest, simultaneous_coverage(first, widest)
    low, high = confidence, 1.0
    best = widest
    for _ in range(50):
        middle = (low + high) / 2
        ranks = _ranks_at(first, last, middle)
        if simultaneous_coverage(first, ranks) >= confidence:
            high, best = middle, ranks
        else:
            low = middle
    return best, simultaneous_coverage(first, best)


# --- modes ------------------------------------------------------------------------

# Below this many values a second mode cannot be told from noise.
MODES_MIN_N = 10
# A valley separates two modes when the density there is at most this
# fraction of the lower of the two peaks beside it, and each side holds at
# least this share of the values and this many of them. Chosen by simulation
# (200 samples each, n = 10..120): lognormal (sigma 0.5 and 1), exponential,
# normal and "normal plus 5% slow runs" are called multimodal in <= 5% of
# samples; a 50/50 or 70/30 mixture of modes 10 sigma apart in >= 94% from
# n = 30, an 85/15 one in 50% at n = 30 and 79% at n = 120.
MODES_DIP_RATIO = 0.6
MODES_MIN_SHARE = 0.12
MODES_MIN_COUNT = 5
_MODES_GRID = 512


def modes(values: Samples) -> list[float]:
    """Where a sample's distinct modes are (ascending); one entry if unimodal.

    The rule: a Gaussian kernel density estimate with Silverman's robust
    bandwidth h = 0.9 * min(sd, IQR / 1.349) * n^(-1/5) (Silverman, *Density
    Estimation*, 1986, eq. 3.31), evaluated on a 512-point grid. Its local
    maxima are candidate modes. Neighbouring candidates are merged while the
    valley between them is shallow (density above MODES_DIP_RATIO of the
    lower peak) or a side holds fewer than max(MODES_MIN_COUNT,
    MODES_MIN_SHARE * n) values; what remains are the modes. Fewer than MODES_MIN_N values, or no
    spread, count as one mode (at the median). Silverman's bandwidth
    oversmooths a mixture, so the rule errs towards "unimodal".
    """
    array = np.sort(_as_array(values))
    n = int(array.size)
    median = float(np.median(array))
    if n < MODES_MIN_N:
        return [median]
    sd = float(np.std(array, ddof=1))
    q1, q3 = np.percentile(array, [25, 75])
    spread = min(sd, float(q3 - q1) / 1.349) or sd
    if spread <= 0.0:
        return [median]
    h = 0.9 * spread * n ** (-0.2)
    grid = np.linspace(array[0] - 3 * h, array[-1] + 3 * h, _MODES_GRID)
    density = np.exp(-0.5 * ((grid[:, np.newaxis] - array[np.newaxis, :]) / h) ** 2).sum(axis=1)
    slope = np.diff(density)
    peaks = [i for i in range(1, _MODES_GRID - 1) if slope[i - 1] > 0 and slope[i] <= 0]
    if len(peaks) < 2:
        return [float(grid[peaks[0]])] if peaks else [median]
    # Segments between consecutive peaks' valleys: (peak index, valley index to its right).
    valleys = [int(peaks[j] + np.argmin(density[peaks[j]:peaks[j + 1] + 1])) for j in range(len(peaks) - 1)]
    min_count = max(MODES_MIN_COUNT, math.ceil(MODES_MIN_SHARE * n))
    while valleys:
        bounds = [-math.inf, *(float(grid[v]) for v in valleys), math.inf]
        counts = [int(np.sum((array > lo) & (array <= hi))) for lo, hi in zip(bounds, bounds[1:], strict=False)]
        # The worst valley: the shallowest (highest density relative to the lower peak beside it).
        depth = [density[v] / min(density[peaks[j]], density[peaks[j + 1]]) for j, v in enumerate(valleys)]
        small = [j for j in range(len(valleys)) if min(counts[j], counts[j + 1]) < min_count]
        candidates = [j for j in range(len(valleys)) if depth[j] > MODES_DIP_RATIO] + small
        if not candidates:
            break
        worst = max(candidates, key=lambda j: (depth[j], -min(counts[j], counts[j + 1])))
        keep = peaks[worst] if density[peaks[worst]] >= density[peaks[worst + 1]] else peaks[worst + 1]
        peaks[worst:worst + 2] = [keep]
        del valleys[worst]
    return [float(grid[p]) for p in peaks]


def is_multimodal(values: Samples) -> bool:
    """True when ``modes`` finds more than one mode."""
    return len(modes(values)) > 1


# --- drift ------------------------------------------------------------------------

# Fewer runs than this cannot show drift (each half needs 5).
DRIFT_MIN_N = 10
# Two-sided p-value below which the halves are called different.
DRIFT_ALPHA = 0.01


@dataclass(frozen=True)
class Drift:
    """First half of a cell's runs (in the order they ran) against the second half.

    ``shift`` = median(second) / median(first) - 1 (0.05: the later runs
    were 5% slower). ``p_value`` is the two-sided Mann-Whitney test of the
    halves; ``drifted`` is ``p_value < DRIFT_ALPHA``. Both are None below
    DRIFT_MIN_N runs.
    """

    n: int
    first_median: float
    second_median: float
    shift: float
    p_value: float | None
    drifted: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def mann_whitney_p(a: Samples, b: Samples) -> float:
    """Two-sided p-value of the Mann-Whitney U test, normal approximation.

    U = R_a - n_a (n_a + 1) / 2 with R_a the sum of a's mid-ranks in the
    pooled sample; E[U] = n_a n_b / 2; Var[U] = n_a n_b / 12 * ((N + 1) -
    sum(t^3 - t) / (N (N - 1))) over tie groups of size t; a continuity
    correction of 1/2 (Conover, *Practical Nonparametric Statistics*, 3rd ed.,
    1999, §5.1). Good from about 5 values a side. 1.0 when every value ties.
    """
    first, second = _as_array(a), _as_array(b)
    n_a, n_b = first.size, second.size
    pooled = np.concatenate([first, second])
    total = n_a + n_b
    order = np.argsort(pooled, kind="mergesort")
    ranks = np.empty(total, dtype=float)
    ranks[order] = np.arange(1, total + 1)
    _, inverse, counts = np.unique(pooled, return_inverse=True, return_counts=True)
    # mid-ranks for ties: the mean rank of each tie group
    sums = np.bincount(inverse, weights=ranks)
    ranks = (sums / counts)[inverse]
    u = float(np.sum(ranks[:n_a])) - n_a * (n_a + 1) / 2
    ties = float(np.sum(counts.astype(float) ** 3 - counts))
    variance = n_a * n_b / 12 * ((total + 1) - ties / (total * (total - 1)))
    if variance <= 0.0:
        return 1.0
    z = max(abs(u - n_a * n_b / 2) - 0.5, 0.0) / math.sqrt(variance)
    return math.erfc(z / math.sqrt(2))


def permutation_median_p(
    a: Samples, b: Samples, *, resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED
) -> float:
    """Two-sided p-value of "a and b come from one distribution", by permuting the pooled values.

    Statistic: |median(b) - median(a)|. Every split of the pooled values into groups of a's and b's
    sizes is enumerated when there are at most ``resamples`` of them (an exact test); otherwise
    ``resamples`` random splits, p = (1 + #{T* >= T}) / (1 + resamples) (Phipson & Smyth, "Permutation
    P-values Should Never Be Zero", 2010). Either way P(p <= alpha) <= alpha under the null at every n,
    which a percentile bootstrap does not give at small n. At 3 runs a side the smallest p is 0.2
    (4 of the 20 splits keep the medians' gap): too few runs to flag anything.
    Raises ValueError for an empty sample.
    """
    first, second = _as_array(a), _as_array(b)
    pooled = np.concatenate([first, second])
    n_a, total = first.size, pooled.size
    observed = abs(float(np.median(second)) - float(np.median(first)))
    tolerance = 1e-12 * max(observed, 1.0)  # the observed split recomputed must count as >= itself
    if math.comb(total, n_a) <= resamples:
        splits = np.array(list(itertools.combinations(range(total), n_a)), dtype=int)
        mask = np.zeros((len(splits), total), dtype=bool)
        mask[np.arange(len(splits))[:, None], splits] = True
        values = np.broadcast_to(pooled, mask.shape)
        in_a = values[mask].reshape(len(splits), n_a)
        in_b = values[~mask].reshape(len(splits), total - n_a)
        stats_ = np.abs(np.median(in_b, axis=1) - np.median(in_a, axis=1))
        return float(np.mean(stats_ >= observed - tolerance))
    rng = np.random.default_rng(seed)
    shuffled = rng.permuted(np.broadcast_to(pooled, (resamples, total)), axis=1)
    stats_ = np.abs(np.median(shuffled[:, n_a:], axis=1) - np.median(shuffled[:, :n_a], axis=1))
    return float((1 + np.sum(stats_ >= observed - tolerance)) / (1 + resamples))


def drift(values_in_run_order: Samples) -> Drift:
    """Did the cell's level move while it ran? Halves compared, see ``Drift``.

    With an odd n the middle run is left out so the halves are equal.
    Interleaved rounds spread drift over every cell alike; this says where
    some is left.
    """
    array = _as_array(values_in_run_order)
    half = array.size // 2
    first, second = array[:half], array[array.size - half:]
    if half == 0:
        value = float(array[0])
        return Drift(1, value, value, 0.0, None, False)
    first_median, second_median = float(np.median(first)), float(np.median(second))
    shift = second_median / first_median - 1.0 if first_median != 0.0 else 0.0
    if array.size < DRIFT_MIN_N:
        return Drift(int(array.size), first_median, second_median, shift, None, False)
    p_value = mann_whitney_p(first, second)
    return Drift(int(array.size), first_median, second_median, shift, p_value, p_value < DRIFT_ALPHA)


def modified_z_scores(values: Samples) -> list[float]:
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


# Below this many values even a 65/35 mixture of two well-separated modes is
# detected by ``is_multimodal`` in fewer than 90% of samples (simulated, modes
# 11 sd apart: 61% at n = 15, 91% at n = 20; a 50/50 one 88% and 99.7%), and an
# undetected second mode is flagged as outliers by a Z-score against one centre
# (in 38% of 65/35 samples at n = 15). So below it outliers are not assessed.
OUTLIERS_MIN_N = 20


def outlier_indices(values: Samples, threshold: float = OUTLIER_Z) -> tuple[int, ...]:
    """Indices whose |modified Z-score| exceeds ``threshold``; flagged, never removed."""
    return tuple(i for i, z in enumerate(modified_z_scores(values)) if abs(z) > threshold)


def summarize(
    values: Samples,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    noisy_cv: float = NOISY_CV,
    outlier_threshold: float = OUTLIER_Z,
    looks: tuple[int, int] | None = None,
) -> Summary:
    """Summarise one sample; raises ValueError on an empty or non-finite one.

    The median's interval is ``median_ci`` (exact, no resampling), with
    ``looks`` for a sequentially stopped sample; ``resamples`` and ``seed``
    are kept for callers and no longer used. Outliers are assessed only from
    OUTLIERS_MIN_N values and only in a unimodal sample.

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
    interval = median_ci(array, confidence, looks)
    multimodal = is_multimodal(array)
    assessed = array.size >= OUTLIERS_MIN_N
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
        median_ci_low=interval.low,
        median_ci_high=interval.high,
        outliers=outlier_indices(array, outlier_threshold) if assessed and not multimodal else (),
        noisy=cv > noisy_cv,
        median_ci_coverage=interval.coverage,
        multimodal=multimodal,
        outliers_assessed=assessed,
        median_ci_sequential=interval.sequential,
    )


def ratio_ci(
    numerator_values: Samples,
    denominator_values: Samples,
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
    old_values: Samples,
    new_values: Samples,
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
    values: Samples,
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
    >= budget_s; ``None`` = no budget); ``"ci-target"`` (the ``median_ci``
    interval reaches the confidence and its relative half-width is <=
    target_rel_ci). Otherwise ``(False, "ci-wide")``. The interval is the
    sequential one over the looks (min_runs, max_runs), the very one
    ``summarize(values, looks=(min_runs, max_runs))`` reports, so a cell
    stopped on "ci-target" always shows an interval within the target, and
    that interval's coverage survives the stopping. ``resamples`` and
    ``seed`` are kept for callers and no longer used.
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
    if n >= 2 and ci_target_met(values, target_rel_ci, confidence, looks=stopping_looks(min_runs, max_runs)):
        return StopDecision(True, "ci-target")
    return StopDecision(False, "ci-wide")


def first_possible_stop(confidence: float = DEFAULT_CONFIDENCE) -> int:
    """The smallest n whose widest order-statistic interval, [min, max], covers the median with ``confidence``.

    [min, max] of n runs misses the median with probability 2 * 0.5**n, so for 95% that is n = 6
    (96.9%). ci_target_met never stops a sample below it, so a stop there is impossible and must not
    be counted as a look of the confidence sequence (it would only widen every interval).
    """
    n = 1
    while 1.0 - 2.0 * 0.5**n < confidence:
        n += 1
    return n


def stopping_looks(min_runs: int, max_runs: int, confidence: float = DEFAULT_CONFIDENCE) -> tuple[int, int]:
    """The run counts at which should_stop may stop a sample on what it has seen.

    (first, max_runs): first is the larger of min_runs and first_possible_stop(confidence), since
    the target can never be met below that; max_runs is where the rule stops regardless.
    """
    first = max(min_runs, first_possible_stop(confidence), 1)
    return min(first, max(max_runs, 1)), max(max_runs, min_runs, 1)


def ci_target_met(values: Samples, target_rel_ci: float, confidence: float = DEFAULT_CONFIDENCE,
                  looks: tuple[int, int] | None = None) -> bool:
    """Whether the median's ``median_ci`` reaches ``confidence`` with relative half-width <= target."""
    array = np.sort(_as_array(values))
    interval = median_ci(array, confidence, looks)
    if not interval.meets_confidence:
        return False
    n = array.size  # the median of the sorted sample, as np.median computes it (the rule runs after every run)
    median = float(array[(n - 1) // 2] + array[n // 2]) / 2.0
    return _relative_half_width(median, interval.low, interval.high) <= target_rel_ci


def fit_linear(xs: Samples, ys: Samples) -> LinearFit:
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
    groups: Mapping[float, Samples],
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


# --- CPU time ---------------------------------------------------------------------

# Linux measures a process's total CPU time precisely but splits it into user
# and system by sampling at scheduler ticks (1-10 ms: HZ = 1000..100; 4 ms at
# the usual HZ = 250). A run of a few ticks gets all of it booked to one side
# (measured: Go `single` user 3.3, 3.6, 0, 0 ms; sys 0, 0, 3.6, 3.5 ms). At
# 100 ms of CPU a run spans >= 10 ticks even at HZ = 100 (25 at HZ = 250),
# so one tick's misbooking moves the split by at most ~10% (~4%).
CPU_SPLIT_MIN_MS = 100.0


def cpu_split_resolvable(cpu_ms: Samples) -> bool:
    """Whether user and system time, each on its own, mean something for these runs.

    ``cpu_ms`` is user + system time per run, in ms. True when their median
    is at least CPU_SPLIT_MIN_MS; below that only the sum is reported.
    """
    array = _as_array(cpu_ms)
    return float(np.median(array)) >= CPU_SPLIT_MIN_MS


def bootstrap_median_draws(
    samples: Sequence[Samples],
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


def draws_interval(draws: Samples, confidence: float = DEFAULT_CONFIDENCE) -> tuple[float, float]:
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
