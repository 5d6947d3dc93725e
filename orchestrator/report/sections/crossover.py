"""Section: when does one long-lived Python process beat spawning a compiled client per call?

The numbers come from report/analysis/costs.py and the comparisons from
report/analysis/crossover.py (both pure); this module renders the tables and the chart.
"""

from __future__ import annotations

from typing import Any

from .. import fmt
from ..analysis.costs import (
    ESTIMATORS,
    LEAST_SQUARES,
    MIN_LEAST_SQUARES_COUNTS,
    PHASE_MODEL,
    RANGE,
    BreakEven,
    ClientCosts,
    Estimate,
    residuals,
    spawn_totals,
)
from ..analysis.crossover import NEAR_FACTORS, Crossover, analyse
from ..charts import crossover as crossover_chart
from ..context import Context
from ..data import Source
from ..fmt import verdict_text
from ..markdown import blocks, heading, image, table

MAX_SERIES = 8  # lines a reader can still tell apart; the tables hold every client


def _estimate_cells(point: BreakEven) -> list[str]:
    """Each estimator's "n (95% interval)", rounded to what its interval supports, never beyond the measured N."""
    by_name = {p.estimator: p for p in point.estimates}
    cells = []
    for name in ESTIMATORS:
        found = by_name.get(name)
        cells.append(fmt.MISSING if found is None else
                     fmt.calls_estimate(found.n, found.low, found.high, point.smallest_measured,
                                        point.largest_measured))
    return cells


def _interval(estimate: Estimate) -> str:
    return fmt.span(*estimate.interval)


def _costs_table(ctx: Context) -> str:
    headers = [*ctx.host_headers(), "client", "language", "call counts", "fixed ms", "fixed 95% CI",
               "per call ms", "per call 95% CI", "server per call ms", "own per call ms",
               "own per call 95% CI",
               "least-squares fixed ms", "least-squares per call ms"]
    body = []
    for source in ctx.sources:
        for costs in analyse(ctx, source).costs.values():
            if not costs.runs.keepalive_calls:
                continue  # one call count: nothing to split into fixed and per-call
            phases, fit = costs.lines.get(PHASE_MODEL), costs.lines.get(LEAST_SQUARES)
            body.append([
                *ctx.host_cells(source),
                f"{costs.client} (set-up in its network phase: no phase split)" if costs.runs.setup_in_network
                else costs.client,
                costs.runs.language, ", ".join(map(str, costs.runs.calls)),
                fmt.ms(phases.fixed.point) if phases else fmt.MISSING,
                _interval(phases.fixed) if phases else fmt.MISSING,
                fmt.ms(phases.per_call.point) if phases else fmt.MISSING,
                _interval(phases.per_call) if phases else fmt.MISSING,
                fmt.ms(costs.server_per_call.point) if costs.server_per_call else fmt.MISSING,
                fmt.ms(costs.own_per_call.point) if costs.own_per_call else fmt.MISSING,
                _interval(costs.own_per_call) if costs.own_per_call else fmt.MISSING,
                fmt.ms(fit.fixed.point) if fit else fmt.MISSING,
                fmt.ms(fit.per_call.point) if fit else fmt.MISSING,
            ])
    return table(headers, body)


def _residual_table(ctx: Context) -> str | None:
    counts = sorted({n for s in ctx.sources for c in analyse(ctx, s).costs.values() for n in c.runs.calls})
    body = []
    for source in ctx.sources:
        for costs in analyse(ctx, source).costs.values():
            found = {r.calls: r for r in residuals(costs)}
            if not found:
                continue
            body.append([*ctx.host_cells(source), costs.client,
                         *(f"{fmt.ms(found[n].residual_ms)} ({fmt.pct(found[n].relative)})" if n in found
                           else fmt.MISSING for n in counts)])
    if not body:
        return None
    return blocks(
        heading(3, "Cross-check: the phase model against the measured totals"),
        "Residual = measured median wall time at N − (fixed + per call × N), in ms and as a share of the "
        "measured median. A model that fits leaves residuals near zero at every N; a residual that changes sign "
        "with N means the cost of a call depends on how many came before (first-call work, connection set-up, "
        "caches), which is model uncertainty the break-even ranges below include.",
        table([*ctx.host_headers(), "client", *(f"N={n} residual ms (%)" for n in counts)], body),
    )


def _spawning_table(ctx: Context) -> str | None:
    headers = [*ctx.host_headers(), "Python client", "spawned binary",
               *(f"{name}: n (95% CI)" for name in ESTIMATORS), "beats spawning from", "why"]
    body = []
    for source in ctx.sources:
        for name, point in analyse(ctx, source).spawning.items():
            body.append([*ctx.host_cells(source), name, point.b.removesuffix(" spawned per call"),
                         *_estimate_cells(point), verdict_text(point), point.reason])
    return table(headers, body) if body else None


def _within_table(ctx: Context) -> str | None:
    headers = [*ctx.host_headers(), "Python client"]
    for factor in NEAR_FACTORS:
        label = _factor_label(factor)
        headers += [f"within {label} from", f"{label}: decided by", f"{label}: why"]
    body = []
    for source in ctx.sources:
        for name, per_factor in analyse(ctx, source).within.items():
            row = [*ctx.host_cells(source), name]
            for factor in NEAR_FACTORS:
                point = per_factor.get(factor)
                row += [verdict_text(point), point.b, point.reason] if point else [fmt.MISSING] * 3
            body.append(row)
    return table(headers, body) if body else None


def _factor_label(factor: float) -> str:
    return f"{factor:g}x" if factor >= 2 else f"{round((factor - 1) * 100):d}%"


def _computed_table(ctx: Context) -> str | None:
    body = []
    for source in ctx.sources:
        for item in analyse(ctx, source).computed:
            spawns = fmt.rounded(item.spawns_ms, item.spawns_low, item.spawns_high)
            body.append([*ctx.host_cells(source), item.python, str(item.calls), fmt.ms(item.one_process_ms),
                         item.spawned, spawns.split(" (")[0], spawns.split(" (")[1].rstrip(")"),
                         item.faster if item.distinguishable else "tie (k's CI includes 1)",
                         fmt.times(item.k), fmt.span(item.low, item.high)])
    if not body:
        return None
    return blocks(
        heading(3, "One Python process against N spawns (computed)"),
        "*One process ms* is measured: the median wall time of one Python process making N calls over "
        "keep-alive. *N spawns ms* is **computed, not measured**: from the single-call runs of the fastest "
        "compiled client, the sum of N draws (with replacement, each from a bootstrap resample of those runs, "
        "so the range also holds the uncertainty of the single-call distribution), not N × the median; the "
        "same computation as the spawning break-even above. Figures are rounded to what their range supports. "
        "*Faster*: which of the two takes less time; it is *k*x faster (k = the slower median / the faster "
        "one), with the 95% interval of k; a *tie* where that interval includes 1.",
        table([*ctx.host_headers(), "Python client", "calls N", "one process ms", "spawned client", "N spawns ms",
               "N spawns 95% range", "faster", "k", "k 95% CI"], body),
    )


def _marks(result: Crossover, colours: dict[str, str]) -> list[crossover_chart.BreakEvenMark]:
    """The break-even ranges against spawning that the data decide, one per Python client."""
    return [crossover_chart.BreakEvenMark(f"{name} beats spawning: {verdict_text(point)}", point.low, point.high,
                                          colours.get(name))
            for name, point in result.spawning.items()
            if name in colours and point.verdict == RANGE and point.low is not None and point.high is not None]


def _charted(result: Crossover) -> list[ClientCosts]:
    """At most MAX_SERIES clients, those the break-even is about first: the spawned binary, then the clients
    with a break-even against it, then the others by their single-call median."""
    def single(costs: ClientCosts) -> float:
        return costs.totals[1].point if 1 in costs.totals else float("inf")
    drawable = [c for c in result.costs.values()
                if (c.lines.get(PHASE_MODEL) or c.lines.get(LEAST_SQUARES)) and len(c.runs.calls) >= 2]
    def priority(costs: ClientCosts) -> tuple[Any, ...]:
        point = result.spawning.get(costs.client)
        return (result.spawned is None or costs.client != result.spawned.client,
                point is None or point.verdict != RANGE, point is None, single(costs))
    return sorted(drawable, key=priority)[:MAX_SERIES]


def _chart(ctx: Context, source: Source, result: Crossover) -> str | None:
    series = []
    charted = _charted(result)
    for costs in sorted(charted, key=lambda c: list(result.costs).index(c.client)):
        line = costs.lines.get(PHASE_MODEL) or costs.lines.get(LEAST_SQUARES)
        if line is None:  # _charted keeps only clients with a line
            continue
        points = []
        for n in costs.runs.calls:
            bench = next(b for b in source.benches if b.client == costs.client and b.ok and b.calls == n
                         and b.scenario in ("single", "keepalive"))
            points.append((n, bench.wall.median, bench.wall.median_ci_low, bench.wall.median_ci_high))
        style = source.chart_style(costs.client)
        series.append(crossover_chart.CrossoverSeries(
            costs.client, line.fixed.draws, line.per_call.draws, line.fixed.point, line.per_call.point, points,
            style.get("color"), style.get("marker")))
    if not series:
        return None
    spawn = None
    point = next(iter(result.spawning.values()), None)
    if result.spawned is not None and point is not None:
        # The computed N spawns (sum of N draws) at the largest N, per spawn: the chart's straight line.
        largest = point.largest_measured
        per_spawn = spawn_totals(result.spawned.runs, largest).at(largest).point / largest
        spawn = crossover_chart.SpawnLine(result.spawned.client, per_spawn)
    suffix = f" ({source.label})" if ctx.multi_host else ""
    path, name = ctx.chart_file(f"crossover{'-' + source.label if ctx.multi_host else ''}",
                                section="Crossover: one long-lived process against spawning per call",
                                caption=f"total time against calls per process, and the break-even{suffix}")
    colours = {s.label: crossover_chart.colour_of(i, s) for i, s in enumerate(series)}
    drawable = sum(1 for c in result.costs.values() if len(c.runs.calls) >= 2)
    shown = f" ({len(series)} of {drawable} clients: those the break-even is about)" if drawable > len(series) else ""
    crossover_chart.render(series, spawn, _marks(result, colours), path,
                           f"Total time against calls per process{suffix}" + (f"\n{shown.strip()}" if shown else ""),
                           "lines: fixed + per call x n from the phases (no phases: least squares)")
    return image(name, f"Log-log: measured wall time against calls per process, with the phase model, per client"
                       f"{suffix}{shown}")


def render(ctx: Context) -> str:
    results = {source.label: analyse(ctx, source) for source in ctx.sources}
    parts: list[str | None] = [
        heading(2, "Crossover: one long-lived process against spawning per call"),
        "Model: one process making n calls over keep-alive takes *fixed + per call × n*. Both terms are measured "
        "per run, not fitted: *fixed* = runtime start + imports + set-up + exit (median over every `single` and "
        "`keepalive` run of the client), *per call* = network phase / N in the largest `keepalive` case. "
        "*Server per call* is the median over runs of the server's own handling time / N in that case; *own per "
        "call* = the median over runs of (network phase − server time) / N, the client's share: a median of "
        "per-run differences, so it need not equal *per call* − *server per call* (a difference of medians). "
        "The least-squares line through the median totals at every N is shown for comparison. Intervals: 95% "
        "bootstrap (runs resampled within every cell).",
    ]
    if not any(c.runs.keepalive_calls for r in results.values() for c in r.costs.values()):
        return blocks(*parts, "No `keepalive` runs in these results: splitting a process's time into a fixed and "
                              "a per-call cost needs them (with `single`), so there is no crossover to compute.")
    parts += [heading(3, "Fixed and per-call costs"), _costs_table(ctx), _residual_table(ctx)]
    parts += [_chart(ctx, source, results[source.label]) for source in ctx.sources]
    spawning, within = _spawning_table(ctx), _within_table(ctx)
    ranges = (
        "Each break-even is estimated three ways: *phases* (the measured fixed and per-call costs above), "
        "*interpolation* (straight segments between the measured medians at consecutive N, so it never "
        "extrapolates; *>N*: the segments do not cross inside the measured N) and *least squares* (one line "
        "through every N), each as *n (95% bootstrap interval)*, rounded to what that interval supports; *>N*: "
        "beyond the largest N measured, never shown as a number. The three are fitted to the same runs, so "
        "their agreement is not independent confirmation: the answer is the range from the lowest to the "
        "highest end of their intervals (sampling uncertainty plus the spread between these models), and only "
        "if it lies inside the N measured. It is *not determinable from this run* when the range reaches "
        "outside the measured N, when the per-call costs of the two sides cannot be told apart (their 95% "
        "intervals overlap), or when the per-call costs say never but an estimator finds a crossing in part "
        "of its bootstrap. *never*: the Python client's per-call cost is clearly the higher one and no "
        f"estimator's interval holds a crossing. Least squares needs {MIN_LEAST_SQUARES_COUNTS} call counts, "
        "interpolation 2."
    )
    if spawning is None and within is None:
        parts.append("No Python client and compiled client both have runs at several call counts "
                     "here, so there is no break-even point to compute.")
    else:
        parts.append(heading(3, "Break-even points"))
        parts.append(ranges)
        if spawning is not None:
            parts += ["*Beats spawning from*: the first n at which one Python process making n calls is faster "
                      "than starting the fastest compiled binary n times, one call each. Those n spawns are "
                      "**computed**, not measured: the sum of n draws from its single-call runs, the same "
                      "computed total in all three estimators (only the Python side's model differs between "
                      "them, and it too comes from one set of runs).", spawning]
        if within is not None:
            parts += ["*Within 2x / 10% from*: the first n at which one Python process making n calls takes at "
                      "most 2x / 1.1x the time of every compiled client making the same n calls "
                      "in one process (*decided by*: the compiled client caught last).", within]
    parts.append(_computed_table(ctx))
    return blocks(*parts)
