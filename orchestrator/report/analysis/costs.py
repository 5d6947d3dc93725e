"""Fixed and per-call cost per client, and break-even ranges, from measured quantities (pure, no I/O).

The model: one process making n calls over keep-alive takes
T(n) = fixed + per_call x n. Three defensible estimators of the two terms:

- *phases*: fixed = median over runs of runtime start + imports + exit
  (pooled over every `single` and `keepalive` run of the client), per_call =
  median over runs of network phase / N in the largest keep-alive case. Both
  measured directly, no fit.
- *interpolation*: straight lines between the measured median totals at
  consecutive N; a break-even point is where those segments cross, so it is
  only ever found inside the measured range.
- *least squares*: one line through the median totals at every N.

Each is recomputed on bootstrap draws (stats.bootstrap_median_draws, runs
resampled within every cell, one generator for all clients of a results
file). The three reuse the same runs, so their agreement is not independent
confirmation: a break-even is stated as the range spanned by every
estimator's interval (model spread plus sampling uncertainty), and only
where that range lies inside the measured N and the per-call costs of the
two sides are distinguishable (their intervals do not overlap); otherwise
it is "not determinable from this run". "Never" needs the per-call costs and
every estimator's whole interval to agree.

N spawns of a client are never measured here: ``spawn_totals`` computes them,
the one formula for every use (break-even and comparison), as the sum of N
draws from the client's single-call runs.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from ... import stats
from ...units import NS_PER_MS, PHASES
from ..data import Source

PHASE_MODEL = "phases"  # the estimator that adds up the measured phases
INTERPOLATION = "interpolation"
LEAST_SQUARES = "least squares"
ESTIMATORS = (PHASE_MODEL, INTERPOLATION, LEAST_SQUARES)
# A line fit needs a third point to test anything (two always fit exactly).
MIN_LEAST_SQUARES_COUNTS = 3
# The sum-of-draws simulation uses its own stream, independent of the bootstrap's.
SUM_SEED = stats.DEFAULT_SEED + 1

RANGE = "range"
NEVER = "never"
NOT_DETERMINABLE = "not determinable"


@dataclass(frozen=True)
class CellRuns:
    """One client's verified runs at one call count, in ms."""

    calls: int
    walls_ms: tuple[float, ...]
    fixed_ms: tuple[float, ...] | None = None  # runtime start + imports + exit, per run
    network_ms: tuple[float, ...] | None = None
    server_ms: tuple[float, ...] | None = None  # the server's handling time of the run's requests


@dataclass(frozen=True)
class ClientRuns:
    client: str
    language: str
    cells: dict[int, CellRuns]  # calls -> runs (1: `single`, N: `keepalive` with N requests)
    setup_in_network: str | None = None  # why its network phase holds set-up too (then no phase model)

    @property
    def calls(self) -> list[int]:
        return sorted(self.cells)

    @property
    def has_phases(self) -> bool:
        return all(c.fixed_ms is not None and c.network_ms is not None for c in self.cells.values())

    @property
    def keepalive_calls(self) -> list[int]:
        return [n for n in self.calls if n > 1]


@dataclass(frozen=True)
class Estimate:
    """A point estimate (ms, or calls) and its bootstrap draws."""

    point: float
    draws: np.ndarray

    @property
    def interval(self) -> tuple[float, float]:
        return stats.draws_interval(self.draws)

    def scaled(self, factor: float) -> Estimate:
        return Estimate(self.point * factor, self.draws * factor)


@dataclass(frozen=True)
class Line:
    fixed: Estimate
    per_call: Estimate


@dataclass(frozen=True)
class ClientCosts:
    runs: ClientRuns
    totals: dict[int, Estimate]  # median wall ms at each N
    lines: dict[str, Line]  # PHASE_MODEL and LEAST_SQUARES, where the data allow
    server_per_call: Estimate | None  # median over runs of server time / N, at the largest keep-alive N
    own_per_call: Estimate | None  # median over runs of (network - server time) / N, same case

    @property
    def client(self) -> str:
        return self.runs.client

    @property
    def per_call(self) -> Estimate | None:
        """The cost of one more call: measured (phases) where possible, else the least-squares slope."""
        line = self.lines.get(PHASE_MODEL) or self.lines.get(LEAST_SQUARES)
        return line.per_call if line else None


@dataclass(frozen=True)
class Residual:
    calls: int
    measured_ms: float  # median wall at this N
    predicted_ms: float  # fixed + per_call x N (phases)

    @property
    def residual_ms(self) -> float:
        return self.measured_ms - self.predicted_ms

    @property
    def relative(self) -> float:
        return self.residual_ms / self.measured_ms if self.measured_ms else math.nan


@dataclass(frozen=True)
class EstimatorPoint:
    """One estimator's break-even: n (real-valued, inf = never / beyond the measured N) and its 95% interval."""

    estimator: str
    n: float
    low: float
    high: float


@dataclass(frozen=True)
class BreakEven:
    """The first n at which side A takes at most factor x side B, as a range over estimators."""

    a: str
    b: str  # a client, or "<client> spawned per call"
    factor: float
    estimates: tuple[EstimatorPoint, ...]
    verdict: str  # RANGE | NEVER | NOT_DETERMINABLE
    reason: str  # why, in words (the per-call intervals, or the measured range)
    low: float | None  # the range, real-valued calls (RANGE only)
    high: float | None
    smallest_measured: int
    largest_measured: int
    a_per_call: tuple[float, float]  # the per-call intervals compared (ms; B's multiplied by factor)
    b_per_call: tuple[float, float]


@dataclass(frozen=True)
class SpawnComparison:
    """One process making N calls (measured) against N spawns of a client (computed: sum of N draws)."""

    python: str
    spawned: str
    calls: int
    one_process_ms: float  # median of the measured runs
    spawns_ms: float  # median of the computed sums
    spawns_low: float  # 2.5th and 97.5th percentiles of the computed sums
    spawns_high: float
    faster: str  # "one process" | "spawning"
    k: float  # median_slower / median_faster
    low: float
    high: float

    @property
    def distinguishable(self) -> bool:
        """k's interval excludes 1: the data tell which is faster (else a tie, not a win)."""
        return self.low > 1.0


# --- from runs to costs --------------------------------------------------------------


def _per_call(cell: CellRuns) -> tuple[float, ...]:
    return tuple(v / cell.calls for v in cell.network_ms or ())


def _own_per_call(cell: CellRuns) -> tuple[float, ...] | None:
    if cell.network_ms is None or cell.server_ms is None:
        return None
    return tuple((n - s) / cell.calls for n, s in zip(cell.network_ms, cell.server_ms, strict=True))


def _samples(runs: ClientRuns) -> dict[str, tuple[float, ...]]:
    """Every sample whose median this module needs for one client, by key."""
    samples = {f"total:{n}": runs.cells[n].walls_ms for n in runs.calls}
    largest = runs.cells[max(runs.calls)]
    if runs.has_phases and runs.keepalive_calls:
        samples["fixed"] = tuple(v for n in runs.calls for v in runs.cells[n].fixed_ms or ())
        samples["per_call"] = _per_call(largest)
        own = _own_per_call(largest)
        if own is not None:
            samples["own_per_call"] = own
            samples["server_per_call"] = tuple(v / largest.calls for v in largest.server_ms or ())
    return samples


def client_runs(source: Source) -> list[ClientRuns]:
    """Every client's verified `single` (N = 1) and `keepalive` (N) runs, in ms.

    A client whose network phase holds set-up by its own account (Source.setup_in_network) gets no
    phases here: its start + imports + exit is not its fixed cost, so it has no phase model (its
    least-squares line, from the totals alone, stays).
    """
    found: dict[str, ClientRuns] = {}
    for bench in source.benches:
        if not bench.ok or bench.scenario not in ("single", "keepalive"):
            continue
        setup = source.setup_in_network(bench.client)
        runs = found.setdefault(bench.client, ClientRuns(bench.client, bench.language, {}, setup))
        phases = {p: bench.phase_ms(p) for p in PHASES}
        has_phases = all(phases.values()) and setup is None
        server = [run.server.server_ns / NS_PER_MS for run in bench.runs
                  if run.server is not None and run.server.server_ns is not None]
        runs.cells[bench.calls] = CellRuns(
            calls=bench.calls,
            walls_ms=tuple(bench.walls_ms),
            fixed_ms=tuple(s + i + e for s, i, e in zip(phases["runtime_start"], phases["imports"], phases["exit"],
                                                         strict=True)) if has_phases else None,
            network_ms=tuple(phases["network"]) if has_phases else None,
            server_ms=tuple(server) if len(server) == len(bench.runs) else None,
        )
    return list(found.values())


def analyse_costs(clients: list[ClientRuns]) -> dict[str, ClientCosts]:
    """Costs of every client with at least one call count; one bootstrap for all of them."""
    keyed = [(runs, key, sample) for runs in clients if runs.cells for key, sample in _samples(runs).items()]
    draws = stats.bootstrap_median_draws([sample for _, _, sample in keyed])
    estimates: dict[str, dict[str, Estimate]] = {}
    for (runs, key, sample), row in zip(keyed, draws, strict=True):
        estimates.setdefault(runs.client, {})[key] = Estimate(float(np.median(sample)), row)
    return {runs.client: _client_costs(runs, estimates[runs.client]) for runs in clients if runs.cells}


def _client_costs(runs: ClientRuns, found: dict[str, Estimate]) -> ClientCosts:
    totals = {n: found[f"total:{n}"] for n in runs.calls}
    lines: dict[str, Line] = {}
    if "fixed" in found:
        lines[PHASE_MODEL] = Line(found["fixed"], found["per_call"])
    if len(runs.calls) >= MIN_LEAST_SQUARES_COUNTS:
        lines[LEAST_SQUARES] = _least_squares(totals)
    return ClientCosts(runs, totals, lines, found.get("server_per_call"), found.get("own_per_call"))


def _least_squares(totals: dict[int, Estimate]) -> Line:
    xs = np.asarray(sorted(totals), dtype=float)
    point = stats.fit_linear(xs, [totals[int(x)].point for x in xs])
    medians = np.vstack([totals[int(x)].draws for x in xs])  # (counts, resamples)
    slopes, intercepts = np.polyfit(xs, medians, 1)
    return Line(Estimate(point.intercept, intercepts), Estimate(point.slope, slopes))


def residuals(costs: ClientCosts) -> list[Residual]:
    """The phase-based line against the measured median total at every N (empty without phases)."""
    line = costs.lines.get(PHASE_MODEL)
    if line is None:
        return []
    return [Residual(n, costs.totals[n].point, line.fixed.point + line.per_call.point * n) for n in costs.runs.calls]


# --- break-even ---------------------------------------------------------------------


@dataclass(frozen=True)
class SpawnTotals:
    """N spawns of one client, computed (never measured): the sum of N draws from its single-call runs.

    ``draws[b, n - 1]`` is one total of n spawns drawn from bootstrap resample
    b of the single-call runs, so its spread holds both the run-to-run spread
    of n spawns and the uncertainty of the single-call distribution itself;
    ``point[n - 1]`` is the median over b. Not n x the median: for a skewed
    sample the sum grows with the mean. Shapes (max_calls,) and (resamples, max_calls).
    """

    client: str
    point: np.ndarray
    draws: np.ndarray

    def at(self, calls: int) -> Estimate:
        return Estimate(float(self.point[calls - 1]), self.draws[:, calls - 1])


def spawn_totals(spawned: ClientRuns, max_calls: int, resamples: int = stats.DEFAULT_RESAMPLES) -> SpawnTotals:
    """The one formula for "N spawns of X", N = 1 .. max_calls (see SpawnTotals); seeded, so reproducible.

    Raises KeyError if the client has no single-call runs. The arrays are read-only: the same arguments
    give the same object (a report asks for one client's totals up to some 30 times, at about 20 ms each,
    at three sizes). Four are kept: resamples x max_calls x 8 bytes each, 6.4 MB at the shipped profiles'
    400 calls.
    """
    return _spawn_totals(spawned.client, tuple(spawned.cells[1].walls_ms), max_calls, resamples)


@functools.lru_cache(maxsize=4)
def _spawn_totals(client: str, walls_ms: tuple[float, ...], max_calls: int, resamples: int) -> SpawnTotals:
    totals = stats.bootstrap_sum_draws(walls_ms, max_calls, resamples, seed=SUM_SEED)
    point = np.median(totals, axis=0)
    totals.setflags(write=False)
    point.setflags(write=False)
    return SpawnTotals(client, point, totals)


@dataclass(frozen=True)
class _Side:
    name: str
    totals: dict[int, Estimate]
    lines: dict[str, Line]
    per_call: Estimate
    spawns: SpawnTotals | None = None  # set when this side is spawning a client once per call


def _client_side(costs: ClientCosts) -> _Side | None:
    per_call = costs.per_call
    return _Side(costs.client, costs.totals, costs.lines, per_call) if per_call is not None else None


def _spawn_side(spawned: SpawnTotals, calls: list[int]) -> _Side:
    """Spawning a client once per call: the computed totals of ``spawn_totals`` at every n."""
    largest = max(calls)
    per_call = Estimate(spawned.at(largest).point / largest, spawned.at(largest).draws / largest)
    return _Side(f"{spawned.client} spawned per call", {n: spawned.at(n) for n in calls}, {}, per_call, spawned)


def _line_crossing(a: Line, b: Line, factor: float, point: bool) -> np.ndarray:
    """First n >= 1 with a(n) <= factor x b(n) (stats.break_even_calls, vectorised); inf = never."""
    pick = (lambda e: np.asarray(e.point)) if point else (lambda e: e.draws)
    c = pick(a.fixed) - factor * pick(b.fixed)
    d = pick(a.per_call) - factor * pick(b.per_call)
    with np.errstate(divide="ignore", invalid="ignore"):
        crossing = np.where(d < 0, -c / np.where(d < 0, d, -1.0), np.inf)
    return np.where(c + d <= 0, 1.0, crossing)


def _grid_crossing(a: Line, spawns: SpawnTotals, largest: int, factor: float, point: bool) -> np.ndarray:
    """First whole n in 1..largest with a's line <= factor x the computed spawns' total; inf = not inside."""
    n = np.arange(1, largest + 1, dtype=float)
    if point:
        line = (a.fixed.point + a.per_call.point * n)[np.newaxis, :]
        spawned = spawns.point[np.newaxis, :largest]
    else:
        line = a.fixed.draws[:, np.newaxis] + a.per_call.draws[:, np.newaxis] * n[np.newaxis, :]
        spawned = spawns.draws[:, :largest]
    holds = line <= factor * spawned
    return np.where(holds.any(axis=1), np.argmax(holds, axis=1) + 1.0, np.inf)


def _interpolated_crossing(calls: list[int], a: dict[int, np.ndarray], b: dict[int, np.ndarray],
                           factor: float) -> np.ndarray:
    """First n where the segments between measured medians cross; inf = not inside the measured N."""
    gaps = np.vstack([a[n] - factor * b[n] for n in calls])  # (counts, draws)
    result = np.full(gaps.shape[1], np.inf)
    result[gaps[0] <= 0] = calls[0]
    for i in range(1, len(calls)):
        found = np.isinf(result) & (gaps[i] <= 0)
        before, after = gaps[i - 1, found], gaps[i, found]
        result[found] = calls[i - 1] + before / (before - after) * (calls[i] - calls[i - 1])
    return result


def _estimator_points(a: _Side, b: _Side, calls: list[int], factor: float) -> list[EstimatorPoint]:
    points = []
    for name in ESTIMATORS:
        if name == INTERPOLATION:
            if len(calls) < 2:
                continue
            point = _interpolated_crossing(calls, {n: np.asarray([a.totals[n].point]) for n in calls},
                                           {n: np.asarray([b.totals[n].point]) for n in calls}, factor)[0]
            draws = _interpolated_crossing(calls, {n: a.totals[n].draws for n in calls},
                                           {n: b.totals[n].draws for n in calls}, factor)
        elif name in a.lines and b.spawns is not None:
            point = float(_grid_crossing(a.lines[name], b.spawns, max(calls), factor, point=True)[0])
            draws = _grid_crossing(a.lines[name], b.spawns, max(calls), factor, point=False)
        elif name in a.lines and name in b.lines:
            point = float(_line_crossing(a.lines[name], b.lines[name], factor, point=True))
            draws = _line_crossing(a.lines[name], b.lines[name], factor, point=False)
        else:
            continue
        low, high = stats.draws_interval(draws)
        points.append(EstimatorPoint(name, float(point), low, high))
    return points


def _overlap(first: tuple[float, float], second: tuple[float, float]) -> bool:
    return first[0] <= second[1] and second[0] <= first[1]


def _break_even(a: _Side, b: _Side, factor: float) -> BreakEven:
    calls = sorted(set(a.totals) & set(b.totals))
    points = tuple(_estimator_points(a, b, calls, factor))
    a_per_call = a.per_call.interval
    b_low, b_high = b.per_call.interval
    b_per_call = (factor * b_low, factor * b_high)
    smallest, largest = (min(calls), max(calls)) if calls else (0, 0)

    def result(verdict: str, reason: str, low: float | None = None, high: float | None = None) -> BreakEven:
        return BreakEven(a.name, b.name, factor, points, verdict, reason, low, high, smallest, largest,
                         a_per_call, b_per_call)

    holds_at_start = bool(points) and all(p.high <= smallest for p in points)
    if not points:
        return result(NOT_DETERMINABLE, "no estimator applies: too few call counts in common")
    if _overlap(a_per_call, b_per_call) and not holds_at_start:
        return result(NOT_DETERMINABLE, "the per-call costs cannot be told apart (their 95% intervals overlap)")
    if a_per_call[0] > b_per_call[1] and not holds_at_start:
        crossing = [p for p in points if math.isfinite(p.low)]
        if crossing:  # the per-call costs say never, but an estimator finds a crossing in part of its bootstrap
            return result(NOT_DETERMINABLE, "its per-call cost is the higher one, but the "
                          f"{', '.join(p.estimator for p in crossing)} estimate"
                          f"{'s find' if len(crossing) > 1 else ' finds'} a crossing in part of the bootstrap")
        return result(NEVER, "its per-call cost is the higher one and no estimator finds a crossing in 95% of "
                             "the bootstrap, so the gap it starts with only grows")
    low, high = min(p.low for p in points), max(p.high for p in points)
    if not math.isfinite(high) or high > largest:
        return result(NOT_DETERMINABLE, f"the estimates reach beyond the largest N measured, {largest}")
    if low < smallest:
        return result(NOT_DETERMINABLE, f"the estimates reach below the smallest N measured, {smallest}")
    return result(RANGE, "every estimator's 95% interval lies inside the measured N", low, high)


def break_even_keepalive(a: ClientCosts, b: ClientCosts, factor: float = 1.0) -> BreakEven | None:
    """First n at which one process of `a` making n calls takes <= factor x one process of `b` making them."""
    sides = _client_side(a), _client_side(b)
    if sides[0] is None or sides[1] is None:
        return None
    return _break_even(sides[0], sides[1], factor)


def break_even_spawning(a: ClientCosts, spawned: ClientCosts) -> BreakEven | None:
    """First n at which one process of `a` making n calls beats spawning `spawned` once per call (computed)."""
    side = _client_side(a)
    if side is None or 1 not in spawned.totals:
        return None
    totals = spawn_totals(spawned.runs, max(a.runs.calls), resamples=side.per_call.draws.size)
    return _break_even(side, _spawn_side(totals, a.runs.calls), 1.0)


def latest(points: list[BreakEven]) -> BreakEven | None:
    """Against several rivals at once (within f of each): the one that is caught last decides.

    Any "never" decides (the rival with the cheapest call, the clearest reason
    why), then any "not determinable"; among ranges the one whose upper end is
    the latest.
    """
    for verdict in (NEVER, NOT_DETERMINABLE):
        found = [p for p in points if p.verdict == verdict]
        if found:
            return min(found, key=lambda p: p.b_per_call[0])
    return max(points, key=lambda p: (p.high or 0.0, p.low or 0.0), default=None)


# --- N spawns, computed --------------------------------------------------------------


def spawn_comparison(python: ClientCosts, spawned: ClientRuns, calls: int) -> SpawnComparison:
    """One measured process making `calls` calls against `calls` spawns computed by ``spawn_totals``.

    k follows the report's convention (median of the slower / median of the
    faster); its interval pairs each bootstrap median of the one process
    with one computed total.
    """
    one = python.totals[calls]
    spawns = spawn_totals(spawned, calls, resamples=one.draws.size).at(calls)
    spawns_low, spawns_high = spawns.interval
    ratio_draws = spawns.draws / one.draws  # > 1: the one process is faster
    if spawns.point >= one.point:
        faster, k, (low, high) = "one process", spawns.point / one.point, stats.draws_interval(ratio_draws)
    else:
        faster, k, (low, high) = "spawning", one.point / spawns.point, stats.draws_interval(1.0 / ratio_draws)
    return SpawnComparison(python.client, spawned.client, calls, one.point, spawns.point, spawns_low, spawns_high,
                           faster, k, low, high)
