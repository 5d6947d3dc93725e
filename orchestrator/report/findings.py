"""Section: the headline findings, written from the data with their intervals.

A sentence whose inputs are missing is replaced by one that says what is
missing; nothing is claimed that the results do not support.
"""

from __future__ import annotations

from .. import stats
from . import fmt
from .concurrency import elapsed
from .context import Context
from .crossover import Crossover, analyse
from .data import Bench, Source
from .fits import MIN_CALL_COUNTS, BreakEven, ClientFit, fastest_compiled_single
from .markdown import blocks, heading
from .startup import singles, startup_share

FOCUS = "python-requests"  # the article's client, and the one the question is usually asked about


def _compare_single(python: Bench, compiled: Bench, lead: str) -> str:
    """`lead` + how much faster the compiled client is, with the ratio's interval."""
    estimate = stats.ratio_ci(python.walls_ms, compiled.walls_ms)
    py, cc = f"**{python.client}**", f"**{compiled.client}**"
    times = f"{fmt.ms(compiled.wall.median)} ms against {fmt.ms(python.wall.median)} ms"
    if estimate.low > 1:
        return (f"{lead}{cc} is **{fmt.times(estimate.ratio)} faster** than {py} "
                f"(95% CI {fmt.span(estimate.low, estimate.high)}x): {times}.")
    if estimate.high < 1:
        return (f"{lead}{py} is **{fmt.times(1 / estimate.ratio)} faster** than {cc} "
                f"(95% CI {fmt.span(1 / estimate.high, 1 / estimate.low)}x): {times}.")
    return (f"{lead}{cc} and {py} take times the data cannot tell apart (ratio {fmt.times(estimate.ratio)}, "
            f"95% CI {fmt.span(estimate.low, estimate.high)}x): {times}.")


def _single_call(source: Source) -> list[str]:
    compiled = fastest_compiled_single(source)
    pythons = [b for b in singles(source) if b.language == "python"]
    if compiled is None:
        return ["No Go or Rust single-call result in this run, so no compiled-against-Python comparison for one call."]
    if not pythons:
        return ["No Python single-call result in this run, so no compiled-against-Python comparison for one call."]
    focus = source.single(FOCUS)
    lines = [_compare_single(focus, compiled, "For one call, ") if focus is not None
             else f"No {FOCUS} single-call result in this run."]
    lightest = pythons[0]
    if lightest.client != FOCUS:
        lines.append(_compare_single(lightest, compiled, "Against the fastest Python client for one call, "))
    return lines


def _startup_share(source: Source) -> list[str]:
    bench = source.single(FOCUS)
    if bench is None:
        return []
    share = startup_share(bench)
    if share is None:
        return [f"{FOCUS} recorded no phase timestamps, so its start-up share is unknown."]
    network = bench.phases["network"]  # type: ignore[index]
    return [f"Interpreter start plus imports take **{fmt.pct(share.median)}** of {FOCUS}' single call "
            f"(median over runs, 95% CI {fmt.pct(share.median_ci_low)}–{fmt.pct(share.median_ci_high)}); "
            f"the network phase, the call itself, takes {fmt.ms(network.median)} ms "
            f"(95% CI {fmt.span(network.median_ci_low, network.median_ci_high)})."]


def _interval(point: BreakEven) -> str:
    low, high = fmt.calls(point.low), fmt.calls(point.high)
    return "95% CI: never" if low == high == "never" else f"95% CI {low} to {high}"


def _from(point: BreakEven) -> str:
    beyond = f"; extrapolated beyond the largest N measured, {point.largest_measured}" if point.extrapolated else ""
    return f"from **n = {fmt.calls(point.n)}** calls ({_interval(point)}{beyond})"


def _keepalive_sentence(twice: BreakEven, near: BreakEven, result: Crossover, python: ClientFit) -> str:
    lead = f"Making all its calls in one process over keep-alive, {FOCUS}"
    if twice.n is not None and near.n is not None:
        return (f"{lead} comes within 2x of the fastest compiled client {_from(twice)}, and within 10% "
                f"{_from(near)}.")
    never = near if twice.n is not None else twice
    factor = 1.1 if twice.n is not None else 2.0
    rival = result.fits[never.against].fit.fit
    why = (f"its cost per call, {fmt.ms(python.fit.fit.slope)} ms, is at least {factor:g}x {never.against}'s "
           f"{fmt.ms(rival.slope)} ms, so the gap it starts with is never made up")
    if twice.n is not None:
        return f"{lead} comes within 2x of the fastest compiled client {_from(twice)}, but **never** within 10%: {why}."
    return f"{lead} **never** comes within 2x of the fastest compiled client ({_interval(twice)}): {why}."


def _crossover(ctx: Context, source: Source) -> list[str]:
    result = analyse(ctx, source)
    if not result.fits:
        return [f"No crossover estimate: separating start-up from per-call cost needs at least {MIN_CALL_COUNTS} "
                "call counts per client (`single` plus several `keepalive` request counts, as in the default "
                "profile), and this run has fewer."]
    catch_up = result.catch_up.get(FOCUS)
    if catch_up is None:
        return [f"No crossover estimate for {FOCUS}: it has no fit in this run."]
    lines = []
    twice, near = catch_up.within[2.0], catch_up.within[1.1]
    if twice is None or near is None:
        lines.append(f"No Go or Rust client has a fit in this run, so there is no break-even point for {FOCUS}.")
    else:
        lines.append(_keepalive_sentence(twice, near, result, catch_up.python))
    if catch_up.spawning is not None:
        spawned = catch_up.spawning.against
        if catch_up.spawning.n is None:
            lines.append(f"One long-lived {FOCUS} process never beats spawning {spawned} once per call under the "
                         f"fitted lines ({_interval(catch_up.spawning)}).")
        else:
            lines.append(f"One long-lived {FOCUS} process beats spawning {spawned} once per call "
                         f"{_from(catch_up.spawning)}; for fewer calls, a fresh compiled process per call is faster.")
    return lines


def _measured_spawning(source: Source) -> list[str]:
    """Measured, no fit: at the largest keep-alive N, one FOCUS process against N compiled processes."""
    spawned = fastest_compiled_single(source)
    cases = [b for b in source.benches if b.client == FOCUS and b.scenario == "keepalive" and b.ok]
    if spawned is None or not cases:
        return []
    bench = max(cases, key=lambda b: b.calls)
    n = bench.calls
    estimate = stats.ratio_ci(bench.walls_ms, spawned.walls_ms)
    ratio, low, high = estimate.ratio / n, estimate.low / n, estimate.high / n
    measured = (f"one {FOCUS} process making {n} calls over keep-alive takes {fmt.ms(bench.wall.median)} ms, "
                f"against {fmt.ms(n * spawned.wall.median)} ms for {n} runs of {spawned.client}")
    if high < 1:
        verdict = f"the one Python process is **{fmt.times(1 / ratio)} faster** (95% CI {fmt.span(1 / high, 1 / low)}x)"
    elif low > 1:
        verdict = (f"spawning the compiled binary per call is still **{fmt.times(ratio)} faster** "
                   f"(95% CI {fmt.span(low, high)}x)")
    else:
        verdict = f"the data cannot tell them apart (ratio {fmt.times(ratio)}, 95% CI {fmt.span(low, high)}x)"
    return [f"Measured: {measured}; {verdict}."]


def _concurrency(source: Source) -> list[str]:
    cases = source.cases("concurrent")
    if not cases:
        return []
    case = max(cases, key=lambda c: source.in_case(c)[0].params.get("concurrency", 0))
    results = [(b, result) for b in source.in_case(case) if (result := elapsed(b)) is not None]
    if len(results) < 2:
        return []
    results.sort(key=lambda item: item[1].efficiency, reverse=True)
    (best, b), (worst, w) = results[0], results[-1]
    p = best.params
    return [f"With {p['concurrency']} calls in flight ({p['requests']} calls of {p['delay_ms']} ms; ideal "
            f"{fmt.ms(b.ideal_ms)} ms), **{best.client}** ({best.concurrency_model}) takes "
            f"{fmt.ms(b.elapsed_ms)} ms ({fmt.pct(b.efficiency)} efficient) and **{worst.client}** "
            f"({worst.concurrency_model}) {fmt.ms(w.elapsed_ms)} ms ({fmt.pct(w.efficiency)})."]


def sentences(ctx: Context, source: Source) -> list[str]:
    return [*_single_call(source), *_startup_share(source), *_crossover(ctx, source), *_measured_spawning(source),
            *_concurrency(source)]


def render(ctx: Context) -> str:
    parts = [heading(2, "Findings")]
    for source in ctx.sources:
        bullets = "\n".join(f"- {line}" for line in sentences(ctx, source))
        parts.append(f"On **{source.label}**:\n\n{bullets}" if ctx.multi_host else bullets)
    parts.append("Each figure is a median over verified runs; intervals of medians are 95% order-statistic "
                 "intervals, of ratios 95% bootstrap intervals. The sections below hold the tables and charts "
                 "behind every sentence.")
    return blocks(*parts)
