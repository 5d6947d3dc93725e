"""Start-up cost against per-call cost: line fits and break-even points (pure, no I/O).

Per client, wall_ms = start-up + per_call x calls over `single` (1 call) and
`keepalive` (N calls on one connection), fitted by stats.fit_linear_ci
through the median of each N. Break-even points come from
stats.break_even_calls; their intervals from a bootstrap that resamples the
runs at every N (as fit_linear_ci does), refits, and recomputes the point.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .. import stats
from .data import Bench, Source

# Two points always fit a line exactly, so one `keepalive` request count besides
# `single` gives a slope with nothing to check it against (on a noisy machine it
# even comes out negative); three is the least that tests the straight line.
MIN_CALL_COUNTS = 3
CONFIDENCE = stats.DEFAULT_CONFIDENCE
RESAMPLES = stats.DEFAULT_RESAMPLES


@dataclass(frozen=True)
class ClientFit:
    client: str
    language: str
    groups: dict[int, list[float]]  # calls -> wall ms of every verified run
    fit: stats.LinearFitCI

    @property
    def calls(self) -> list[int]:
        return sorted(self.groups)

    @cached_property
    def draws(self) -> tuple[np.ndarray, np.ndarray]:
        """Bootstrap (intercepts, slopes): runs resampled within every N, medians refitted."""
        rng = np.random.default_rng([stats.DEFAULT_SEED, zlib.crc32(self.client.encode())])
        xs = np.asarray(self.calls, dtype=float)
        medians = np.column_stack([_bootstrap_medians(rng, self.groups[x]) for x in self.calls])
        slopes, intercepts = np.polyfit(xs, medians.T, 1)
        return intercepts, slopes


@dataclass(frozen=True)
class BreakEven:
    """The first n (real-valued) where a condition holds; None = never under the fitted lines."""

    n: float | None
    low: float | None
    high: float | None
    against: str  # the compiled client that decides it
    largest_measured: int

    @property
    def extrapolated(self) -> bool:
        return self.n is not None and self.n > self.largest_measured


def _bootstrap_medians(rng: np.random.Generator, values: list[float]) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    return np.median(array[rng.integers(0, array.size, size=(RESAMPLES, array.size))], axis=1)


def fit_groups(source: Source, client: str) -> dict[int, list[float]]:
    groups: dict[int, list[float]] = {}
    for bench in source.benches:
        if bench.client == client and bench.ok and bench.scenario in ("single", "keepalive"):
            groups.setdefault(bench.calls, []).extend(bench.walls_ms)
    return groups


def client_fits(source: Source) -> dict[str, ClientFit]:
    """Every client with at least MIN_CALL_COUNTS distinct call counts."""
    fits = {}
    for client in source.clients():
        groups = fit_groups(source, client)
        if len(groups) >= MIN_CALL_COUNTS:
            language = next(b.language for b in source.benches if b.client == client)
            fit = stats.fit_linear_ci({float(calls): walls for calls, walls in groups.items()})
            fits[client] = ClientFit(client, language, groups, fit)
    return fits


def _interval(draws: np.ndarray) -> tuple[float, float]:
    """Nearest-rank percentile interval; unlike interpolation it copes with infinite draws."""
    ordered = np.sort(draws)
    tail = (1.0 - CONFIDENCE) / 2.0
    low = ordered[int(math.floor(tail * (ordered.size - 1)))]
    high = ordered[int(math.ceil((1.0 - tail) * (ordered.size - 1)))]
    return float(low), float(high)


def _break_even_draws(a_i: np.ndarray, a_s: np.ndarray, b_i: np.ndarray, b_s: np.ndarray,
                      factor: float) -> np.ndarray:
    """stats.break_even_calls over arrays of draws; `inf` where it never holds."""
    c = a_i - factor * b_i
    d = a_s - factor * b_s
    with np.errstate(divide="ignore", invalid="ignore"):
        crossing = np.where(d < 0, -c / d, np.inf)
    return np.where(c + d <= 0, 1.0, crossing)


def _never_last(n: float | None) -> float:
    return math.inf if n is None else n


def within_factor(python: ClientFit, compiled: list[ClientFit], factor: float) -> BreakEven | None:
    """First n where one `python` process making n calls takes <= factor x every compiled client's."""
    if not compiled:
        return None
    points = {c.client: stats.break_even_calls(python.fit.fit.intercept, python.fit.fit.slope,
                                               c.fit.fit.intercept, c.fit.fit.slope, factor)
              for c in compiled}
    # Within f of the fastest compiled client at every n = within f of each: the latest point decides
    # (among clients never caught, the one with the cheapest call, the clearest reason why).
    slopes = {c.client: c.fit.fit.slope for c in compiled}
    against = max(points, key=lambda name: (_never_last(points[name]), -slopes[name]))
    a_i, a_s = python.draws
    draws = np.max([_break_even_draws(a_i, a_s, *c.draws, factor) for c in compiled], axis=0)
    low, high = _interval(draws)
    largest = max(max(python.calls), *(max(c.calls) for c in compiled))
    return BreakEven(points[against], low, high, against, largest)


def beats_spawning(python: ClientFit, compiled_single: Bench) -> BreakEven:
    """First n where one `python` process making n calls beats n runs of a compiled binary (one call each)."""
    walls = compiled_single.walls_ms
    per_call = float(np.median(walls))
    point = stats.break_even_calls(python.fit.fit.intercept, python.fit.fit.slope, 0.0, per_call)
    rng = np.random.default_rng([stats.DEFAULT_SEED, zlib.crc32(compiled_single.client.encode()), 1])
    spawn_draws = _bootstrap_medians(rng, walls)
    a_i, a_s = python.draws
    draws = _break_even_draws(a_i, a_s, np.zeros_like(spawn_draws), spawn_draws, 1.0)
    low, high = _interval(draws)
    return BreakEven(point, low, high, compiled_single.client, max(python.calls))


def fastest_compiled_single(source: Source) -> Bench | None:
    singles = [b for b in source.benches if b.scenario == "single" and b.ok and b.compiled]
    return min(singles, key=lambda b: b.wall.median, default=None)
