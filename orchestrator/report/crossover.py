"""Section: when does one long Python process catch up with a compiled client?"""

from __future__ import annotations

from dataclasses import dataclass

from .. import stats
from . import fmt
from .charts import crossover as crossover_chart
from .context import Context
from .data import COMPILED_LANGUAGES, Bench, Source
from .fits import (
    MIN_CALL_COUNTS,
    BreakEven,
    ClientFit,
    beats_spawning,
    client_fits,
    fastest_compiled_single,
    fit_groups,
    within_factor,
)
from .markdown import blocks, heading, image, table

NEAR_FACTORS = (2.0, 1.1)  # "within 2x" and "within 10%"


@dataclass(frozen=True)
class PythonCatchUp:
    python: ClientFit
    within: dict[float, BreakEven | None]  # factor -> first n within factor x the fastest compiled client
    spawning: BreakEven | None  # first n where it beats spawning the fastest compiled binary per call


@dataclass(frozen=True)
class Crossover:
    fits: dict[str, ClientFit]
    spawned: Bench | None  # the compiled client with the fastest single call
    catch_up: dict[str, PythonCatchUp]


def analyse(ctx: Context, source: Source) -> Crossover:
    def compute() -> Crossover:
        fits = client_fits(source)
        compiled = [f for f in fits.values() if f.language in COMPILED_LANGUAGES]
        spawned = fastest_compiled_single(source)
        catch_up = {
            name: PythonCatchUp(
                fit,
                {factor: within_factor(fit, compiled, factor) for factor in NEAR_FACTORS},
                beats_spawning(fit, spawned) if spawned else None,
            )
            for name, fit in fits.items() if fit.language == "python"
        }
        return Crossover(fits, spawned, catch_up)

    return ctx.cached(("crossover", source.label), compute)


def _counts_seen(ctx: Context) -> str:
    counts = sorted({n for s in ctx.sources for c in s.clients() for n in fit_groups(s, c)})
    return f"call counts {', '.join(map(str, counts))} only" if counts else "no `single` or `keepalive` runs"


def n_cells(point: BreakEven | None) -> list[str]:
    """A break-even n and its interval, as whole calls; `*` marks a point beyond the measured range."""
    if point is None:
        return [fmt.MISSING, fmt.MISSING]
    mark = "*" if point.extrapolated else ""
    low, high = fmt.calls(point.low), fmt.calls(point.high)
    return [fmt.calls(point.n) + mark, "never" if low == high == "never" else f"{low}–{high}"]


def _deciders(*points: BreakEven | None) -> str:
    names = list(dict.fromkeys(p.against for p in points if p is not None))
    return " / ".join(names) if names else fmt.MISSING


def _measured_table(ctx: Context) -> str | None:
    """Measured, no fit: one Python process making N calls against N fresh processes of the fastest compiled client."""
    body = []
    for source in ctx.sources:
        spawned = fastest_compiled_single(source)
        if spawned is None:
            continue
        for case in source.cases("keepalive"):
            for bench in source.in_case(case):
                if bench.language != "python" or not bench.ok:
                    continue
                n = bench.calls
                estimate = stats.ratio_ci(bench.walls_ms, spawned.walls_ms)
                body.append([*ctx.host_cells(source), bench.client, str(n), fmt.ms(bench.wall.median),
                             spawned.client, fmt.ms(n * spawned.wall.median), fmt.times(estimate.ratio / n),
                             fmt.span(estimate.low / n, estimate.high / n)])
    if not body:
        return None
    return blocks(
        heading(3, "Measured: one Python process against a compiled process per call"),
        "No fit needed: the median wall time of one Python process making N calls over keep-alive, against N "
        "times the single-call median of the fastest compiled client (what a script that spawns the binary once "
        "per call pays). *Ratio* below 1: the one Python process is faster.",
        table([*ctx.host_headers(), "Python client", "calls N", "one process ms", "spawned client",
               "N spawns ms", "ratio", "ratio 95% CI"], body),
    )


def _fit_table(ctx: Context) -> str:
    headers = [*ctx.host_headers(), "client", "language", "call counts", "start-up ms", "start-up 95% CI",
               "per call ms", "per call 95% CI", "r²"]
    body = []
    for source in ctx.sources:
        for fit in analyse(ctx, source).fits.values():
            f = fit.fit
            body.append([*ctx.host_cells(source), fit.client, fit.language, ", ".join(map(str, fit.calls)),
                         fmt.ms(f.fit.intercept), fmt.span(f.intercept_low, f.intercept_high),
                         fmt.num(f.fit.slope), fmt.span(f.slope_low, f.slope_high), f"{f.fit.r2:.4f}"])
    return table(headers, body)


def _catch_up_table(ctx: Context) -> str | None:
    headers = [*ctx.host_headers(), "Python client", "within 2x from n", "2x 95% CI", "within 10% from n",
               "10% 95% CI", "decided by (2x / 10%)", "beats spawning per call from n", "spawning 95% CI",
               "spawned binary"]
    body = []
    for source in ctx.sources:
        result = analyse(ctx, source)
        for name, item in result.catch_up.items():
            twice, near = (item.within[factor] for factor in NEAR_FACTORS)
            body.append([*ctx.host_cells(source), name, *n_cells(twice), *n_cells(near),
                         _deciders(twice, near), *n_cells(item.spawning),
                         item.spawning.against if item.spawning else fmt.MISSING])
    if not body:
        return None
    return table(headers, body)


def _chart(ctx: Context, source: Source, result: Crossover) -> str:
    series = [crossover_chart.CrossoverSeries(
        label=fit.client, intercept_ms=fit.fit.fit.intercept, slope_ms=fit.fit.fit.slope,
        points=[(n, *_median_ci(source, fit.client, n)) for n in fit.calls],
    ) for fit in result.fits.values()]
    spawn = None
    if result.spawned is not None:
        spawn = crossover_chart.SpawnLine(result.spawned.client, result.spawned.wall.median)
    suffix = f" ({source.label})" if ctx.multi_host else ""
    path, name = ctx.chart_file(f"crossover{'-' + source.label if ctx.multi_host else ''}")
    crossover_chart.render(series, spawn, path, f"Total time against calls per process{suffix}")
    return image(name, f"Log-log lines: wall time against number of calls per client{suffix}")


def _median_ci(source: Source, client: str, calls: int) -> tuple[float, float, float]:
    bench = next(b for b in source.benches if b.client == client and b.ok and b.calls == calls
                 and b.scenario in ("single", "keepalive"))
    wall = bench.wall
    return wall.median, wall.median_ci_low, wall.median_ci_high


def _fitted(ctx: Context, results: dict[str, Crossover]) -> list[str | None]:
    parts: list[str | None] = [heading(3, "Fitted lines")]
    if not any(r.fits for r in results.values()):
        parts.append(f"No fit: it needs at least {MIN_CALL_COUNTS} call counts per client (`single` plus two or "
                     f"more `keepalive` request counts, as in the default profile), and these results have "
                     f"{_counts_seen(ctx)}. Two points always fit a line exactly, so they would test nothing.")
        return parts
    parts.append(_fit_table(ctx))
    unfitted = sorted({c for s in ctx.sources for c in s.clients()
                       if c not in results[s.label].fits and fit_groups(s, c)})
    if unfitted:
        parts.append(f"Too few call counts with verified runs for a fit: {', '.join(unfitted)}.")
    parts += [_chart(ctx, source, results[source.label]) for source in ctx.sources if results[source.label].fits]
    catch_up = _catch_up_table(ctx)
    if catch_up is None:
        parts.append("No Python client and compiled (Go or Rust) client both have a fit here, so there is no "
                     "break-even point to compute.")
        return parts
    return parts + [
        heading(3, "Break-even points"),
        "*Within 2x* / *within 10%*: the first number of calls n at which one Python process making all n "
        "calls over keep-alive takes at most 2x / 1.1x the time of the fastest compiled (Go or Rust) client "
        "making the same n calls (*decided by*: the compiled client that is caught last, for each; one name "
        "if the same). *Beats spawning per call*: the first n at which that one Python process is faster than "
        "starting the fastest compiled binary n times, one call each (n × its single-call median). *never*: "
        "the fitted lines do not cross, because the Python client's cost per call is the higher one. `*`: "
        "beyond the largest call count measured, so an extrapolation of the line.",
        catch_up,
    ]


def render(ctx: Context) -> str:
    results = {source.label: analyse(ctx, source) for source in ctx.sources}
    return blocks(
        heading(2, "Crossover: start-up cost against per-call cost"),
        "Per client, a line *wall ms = start-up + per call × calls* through the median wall time of `single` "
        "(1 call) and of each `keepalive` case (N calls over one connection), fitted by least squares; the "
        "intervals come from refitting 2000 bootstrap resamples of the runs at every call count. The "
        "intercept is what a process pays before and after its calls (runtime, imports, first connection, "
        "exit); the slope is the cost of one more call.",
        *_fitted(ctx, results),
        _measured_table(ctx),
    )
