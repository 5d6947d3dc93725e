"""Section: the headline findings, written from the data with their intervals.

A sentence whose inputs are missing is replaced by one that says what is
missing; nothing is claimed that the results do not support.
"""

from __future__ import annotations

from .. import stats
from . import fmt
from .concurrency import elapsed
from .context import Context
from .crossover import analyse
from .data import Bench, Source
from .fits import BreakEven, fastest_compiled_single
from .markdown import blocks, heading
from .startup import singles, startup_share

FOCUS = "python-requests"  # the article's client, and the one the question is usually asked about


def _compare_single(python: Bench, compiled: Bench, lead: str) -> str:
    estimate = stats.ratio_ci(python.walls_ms, compiled.walls_ms)
    times = f"**{compiled.client}** takes {fmt.ms(compiled.wall.median)} ms and **{python.client}** " \
            f"{fmt.ms(python.wall.median)} ms"  # type: ignore[union-attr]
    if estimate.low > 1:
        return (f"{lead}{times}: {compiled.client} is **{fmt.times(estimate.ratio)} faster** "
                f"(95% CI {fmt.span(estimate.low, estimate.high)}x).")
    if estimate.high < 1:
        return (f"{lead}{times}: {python.client} is **{fmt.times(1 / estimate.ratio)} faster** "
                f"(95% CI {fmt.span(1 / estimate.high, 1 / estimate.low)}x).")
    return (f"{lead}{times}: no difference the data can tell apart (ratio {fmt.times(estimate.ratio)}, "
            f"95% CI {fmt.span(estimate.low, estimate.high)}x).")


def _single_call(source: Source) -> list[str]:
    compiled = fastest_compiled_single(source)
    pythons = [b for b in singles(source) if b.language == "python"]
    if compiled is None:
        return ["No Go or Rust single-call result in this run, so no compiled-against-Python comparison for one call."]
    if not pythons:
        return ["No Python single-call result in this run, so no compiled-against-Python comparison for one call."]
    focus = source.single(FOCUS)
    lines = []
    if focus is not None:
        lines.append(_compare_single(focus, compiled, "For one call, "))
    else:
        lines.append(f"No {FOCUS} single-call result in this run.")
    lightest = pythons[0]
    if lightest.client != FOCUS:
        lines.append(_compare_single(lightest, compiled, "The fastest Python client for one call: "))
    return lines


def _startup_share(source: Source) -> list[str]:
    bench = source.single(FOCUS)
    if bench is None:
        return []
    share = startup_share(bench)
    if share is None:
        return [f"{FOCUS} recorded no phase timestamps, so its start-up share is unknown."]
    network = bench.phases["network"]  # type: ignore[index]
    return [f"Of {FOCUS}'s single call, **{fmt.pct(share.median)}** is interpreter start plus imports "
            f"(median over runs, 95% CI {fmt.pct(share.median_ci_low)}–{fmt.pct(share.median_ci_high)}); "
            f"the network phase, the call itself, takes {fmt.ms(network.median)} ms "
            f"(95% CI {fmt.span(network.median_ci_low, network.median_ci_high)})."]


def _n(point: BreakEven) -> str:
    beyond = f", extrapolated beyond the largest N measured ({point.largest_measured})" if point.extrapolated else ""
    if point.n is None:
        return f"never under the fitted lines (95% CI {fmt.calls(point.low)}–{fmt.calls(point.high)})"
    return f"**n = {fmt.calls(point.n)}** calls (95% CI {fmt.calls(point.low)}–{fmt.calls(point.high)}{beyond})"


def _crossover(ctx: Context, source: Source) -> list[str]:
    result = analyse(ctx, source)
    if not result.fits:
        return ["No crossover estimate: the fit of start-up against per-call cost needs several call counts "
                "(`single` plus `keepalive` cases), and this run has fewer."]
    catch_up = result.catch_up.get(FOCUS)
    if catch_up is None:
        return [f"No crossover estimate for {FOCUS}: it has no fit in this run."]
    lines = []
    twice, near = catch_up.within[2.0], catch_up.within[1.1]
    if twice is None or near is None:
        lines.append(f"No Go or Rust client has a fit in this run, so there is no break-even point for {FOCUS}.")
    else:
        fit = catch_up.python.fit.fit
        rival = result.fits[near.against].fit.fit
        tail = ""
        if near.n is None:
            tail = (f" (its cost per call, {fmt.ms(fit.slope)} ms, stays above {near.against}'s "
                    f"{fmt.ms(rival.slope)} ms)")
        lines.append(f"One {FOCUS} process making all its calls over keep-alive comes within 2x of the fastest "
                     f"compiled client from {_n(twice)}, and within 10% from {_n(near)}{tail}.")
    if catch_up.spawning is not None:
        spawned = catch_up.spawning.against
        lines.append(f"One long-lived {FOCUS} process beats spawning {spawned} once per call from "
                     f"{_n(catch_up.spawning)}; below that, the compiled binary per call is faster.")
    return lines


def _concurrency(source: Source) -> list[str]:
    cases = source.cases("concurrent")
    if not cases:
        return []
    case = max(cases, key=lambda c: source.in_case(c)[0].params.get("concurrency", 0))
    results = [(b, elapsed(b)) for b in source.in_case(case) if elapsed(b) is not None]
    if len(results) < 2:
        return []
    results.sort(key=lambda item: item[1].efficiency, reverse=True)  # type: ignore[union-attr]
    (best, b), (worst, w) = results[0], results[-1]
    p = best.params
    return [f"With {p['concurrency']} calls in flight ({p['requests']} calls of {p['delay_ms']} ms; ideal "
            f"{fmt.ms(b.ideal_ms)} ms), **{best.client}** ({best.concurrency_model}) takes "
            f"{fmt.ms(b.elapsed_ms)} ms ({fmt.pct(b.efficiency)} efficient) and **{worst.client}** "
            f"({worst.concurrency_model}) {fmt.ms(w.elapsed_ms)} ms ({fmt.pct(w.efficiency)})."]


def sentences(ctx: Context, source: Source) -> list[str]:
    return [*_single_call(source), *_startup_share(source), *_crossover(ctx, source), *_concurrency(source)]


def render(ctx: Context) -> str:
    parts = [heading(2, "Findings")]
    for source in ctx.sources:
        bullets = "\n".join(f"- {line}" for line in sentences(ctx, source))
        parts.append(f"On **{source.label}**:\n\n{bullets}" if ctx.multi_host else bullets)
    parts.append("Each figure is a median over verified runs; intervals are 95% bootstrap intervals. The sections "
                 "below hold the tables and charts behind every sentence.")
    return blocks(*parts)
