"""Section: the headline findings, written from the data with their intervals.

A sentence whose inputs are missing is replaced by one that says what is
missing; nothing is claimed that the results do not support.
"""

from __future__ import annotations

from ... import stats
from ...results.model import stopping_looks
from .. import fmt
from ..analysis.concurrency import elapsed
from ..analysis.costs import NEVER, RANGE, BreakEven, ClientCosts, SpawnComparison
from ..analysis.crossover import NEAR_FACTORS, Crossover, analyse
from ..analysis.escapes import best_escape
from ..analysis.shares import phase_shares
from ..analysis.singles import singles
from ..analysis.speed import speedup
from ..context import Context
from ..data import Bench, Source
from ..fmt import NOT_DETERMINABLE_TEXT, verdict_text
from ..markdown import blocks, heading

# The client the findings are about is the config's `report.focus`, recorded in the results file.


def fastest_compiled_single(source: Source) -> Bench | None:
    found = [b for b in singles(source) if source.compiled_contender(b.client)]
    return found[0] if found else None


def _language_name(source: Source, client: str | None) -> str:
    language = source.language(client) if client else None
    return language.capitalize() if language else "interpreted"


def _compare_single(python: Bench, compiled: Bench, lead: str) -> str:
    """`lead` + which is faster and by how much (k = slower median / faster median), with k's interval."""
    found = speedup(compiled.client, compiled.walls_ms, python.client, python.walls_ms)
    medians = {b.client: b.wall.median for b in (python, compiled)}
    times = f"{fmt.ms(medians[found.faster])} ms against {fmt.ms(medians[found.slower])} ms"
    return f"{lead}{fmt.speedup_sentence(found)}: {times}."


def _single_call(source: Source) -> list[str]:
    compiled = fastest_compiled_single(source)
    # contenders only: a variant (another way to run a client) has its own sentence, _best_escape
    pythons = [b for b in singles(source) if source.focus_side(b.client) and source.role(b.client) == "contender"]
    name = _language_name(source, source.focus)
    if compiled is None:
        return [f"No compiled contender's single-call result in this run, so no compiled-against-{name} "
                "comparison for one call."]
    if not pythons:
        return [f"No {name} single-call result in this run, so no compiled-against-{name} comparison for one call."]
    focus_name = source.focus
    focus = source.single(focus_name) if focus_name else None
    lines = [_compare_single(focus, compiled, "For one call, ") if focus is not None
             else f"No {focus_name or 'focus client (report.focus)'} single-call result in this run."]
    lightest = pythons[0]
    if lightest.client != focus_name:
        lines.append(_compare_single(lightest, compiled, f"Against the fastest {name} client for one call, "))
    return lines


def _share(summary: stats.Summary) -> str:
    interval = f"{fmt.pct(summary.median_ci_low)}–{fmt.pct(summary.median_ci_high)}"
    if summary.median_ci_coverage < stats.DEFAULT_CONFIDENCE:  # too few runs for 95%: say what it covers
        interval += f", covers {fmt.pct(summary.median_ci_coverage)}"
    return f"**{fmt.pct(summary.median)}** ({interval})"


def _startup_share(source: Source) -> list[str]:
    focus = source.focus
    bench = source.single(focus) if focus else None
    if bench is None:
        return []
    shares = phase_shares(bench, stopping_looks(source.settings))
    if shares is None:
        return [f"{focus} recorded no phase timestamps, so where its single call's time goes is unknown."]
    network = bench.phases["network"]  # type: ignore[index]
    setup = source.setup_in_network(bench.client)
    if setup:  # the one rule (Source.setup_in_network): its phases do not split fixed from per-call cost
        return [f"Of {focus}' single call, runtime start takes {_share(shares['runtime_start'])}, imports + "
                f"set-up {_share(shares['imports'])}, the network phase ({fmt.ms(network.median)} ms, set-up as "
                f"well as the call: {setup}) {_share(shares['network'])} and exit {_share(shares['exit'])} "
                "(medians over runs of each share of the wall time, 95% CIs in brackets)."]
    return [f"Of {focus}' single call, runtime start takes {_share(shares['runtime_start'])}, imports + set-up "
            f"{_share(shares['imports'])}, the network phase (the call itself, {fmt.ms(network.median)} ms) "
            f"{_share(shares['network'])} and exit {_share(shares['exit'])}: interpreter start plus imports "
            f"{_share(shares['start_imports'])}, and with exit, the fixed cost a long-lived process pays once, "
            f"{_share(shares['fixed'])} (medians over runs of each share of the wall time, 95% CIs in brackets)."]


def _per_call_words(costs: ClientCosts) -> str:
    """A client's per-call cost, and its own share with the server's handling taken out run by run.

    Both are medians over runs (of network / N, and of (network - server
    time) / N); no server median is quoted beside them, since medians of
    parts do not add up to the median of the whole.
    """
    per_call = costs.per_call
    text = f"{fmt.ms(per_call.point)} ms" if per_call else fmt.MISSING
    if costs.own_per_call is not None:
        text += (f" ({fmt.ms(costs.own_per_call.point)} ms of it the client's own, the server's handling taken "
                 f"out of each run before the median)")
    return text


def _within_sentence(result: Crossover, python: ClientCosts, point: BreakEven, factor: float) -> str:
    label = f"{factor:g}x" if factor >= 2 else f"{round((factor - 1) * 100):d}%"
    lead = f"Making all its calls in one process over keep-alive, {python.client}"
    if point.verdict == RANGE:
        return f"{lead} comes within {label} of every compiled client from **{verdict_text(point)}** calls."
    if point.verdict == NEVER:
        rival = result.costs[point.b]
        return (f"{lead} **never** comes within {label} of {point.b}: its cost per call, {_per_call_words(python)}, "
                f"is more than {factor:g}x {point.b}'s {_per_call_words(rival)}, so the gap it starts with only "
                f"grows.")
    return (f"Whether one {python.client} process making all its calls over keep-alive comes within {label} of "
            f"{point.b} "
            f"is {NOT_DETERMINABLE_TEXT}: {point.reason}.")


def _crossover(ctx: Context, source: Source) -> list[str]:
    result = analyse(ctx, source)
    focus = source.focus
    if focus is None:
        return []
    python = result.costs.get(focus)
    if python is None or python.per_call is None:
        return [f"No crossover estimate for {focus}: it needs its `single` runs and at least one `keepalive` "
                "request count, and this run has fewer."]
    lines = []
    within = result.within.get(focus)
    if within:
        sentences = []
        for factor in NEAR_FACTORS:
            if factor in within:
                sentences.append(_within_sentence(result, python, within[factor], factor))
                if within[factor].verdict == NEVER:
                    break  # never within 2x: never within any tighter factor either
        lines.append(" ".join(sentences))
    else:
        lines.append(f"No compiled contender has keep-alive runs here, so there is no keep-alive comparison for "
                     f"{focus}.")
    spawning = result.spawning.get(focus)
    if spawning is not None:
        spawned = spawning.b.removesuffix(" spawned per call")
        if spawning.verdict == RANGE:
            lines.append(f"One long-lived {focus} process beats spawning {spawned} once per call (computed from "
                         f"its single-call runs) from **{verdict_text(spawning)}** calls (the span of three "
                         f"estimators' 95% intervals, inside the measured N {spawning.smallest_measured}–"
                         f"{spawning.largest_measured}; fitted to the same runs, they are not independent "
                         f"checks); for fewer calls, a fresh compiled process per call is faster.")
        elif spawning.verdict == NEVER:
            lines.append(f"One long-lived {focus} process never beats spawning {spawned} once per call: "
                         f"{spawning.reason}.")
        else:
            lines.append(f"Whether one long-lived {focus} process beats spawning {spawned} once per call, and from "
                         f"which n, is {NOT_DETERMINABLE_TEXT}: {spawning.reason}.")
    return lines


def _computed_spawning(ctx: Context, source: Source) -> list[str]:
    """At the largest keep-alive N: one focus process (measured) against N spawns (computed)."""
    found = [c for c in analyse(ctx, source).computed if c.python == source.focus]
    if not found:
        return []
    return [computed_spawning_sentence(max(found, key=lambda c: c.calls))]


def computed_spawning_sentence(item: SpawnComparison) -> str:
    """One measured process against N computed spawns; a winner is named (and bolded) only if k's CI excludes 1."""
    n = item.calls
    one, spawns = fmt.ms(item.one_process_ms), fmt.rounded(item.spawns_ms, item.spawns_low, item.spawns_high)
    lead = (f"One {item.python} process making {n} calls over keep-alive took {one} ms (measured); {n} spawns of "
            f"{item.spawned} would take {spawns.replace(' (', ' ms (95% range ', 1).removesuffix(')')}; "
            "computed, as the sum "
            f"of {n} draws from its single-call runs, not {n} × the median)")
    if not item.distinguishable:  # a tie is not a win
        return (f"{lead}: the data cannot tell which is faster (k {fmt.times(item.k)}, 95% CI "
                f"{fmt.span(item.low, item.high)}x).")
    winner = f"one {item.python} process" if item.faster == "one process" else f"spawning {item.spawned}"
    return f"{lead}: {winner} is **{fmt.times(item.k)} faster** (95% CI {fmt.span(item.low, item.high)}x)."


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


def _best_escape(source: Source) -> list[str]:
    """One sentence: the fastest variant (an escape from the start-up tax) against the fastest compiled client."""
    found = best_escape(source)
    if found is None:
        return []
    variant, bench, _, compiled = found
    label = source.variant_label(variant) or variant
    return [_compare_single(bench, compiled, f"The best escape from the start-up tax ({label}): ")]


def sentences(ctx: Context, source: Source) -> list[str]:
    return [*_single_call(source), *_startup_share(source), *_crossover(ctx, source),
            *_computed_spawning(ctx, source), *_concurrency(source), *_best_escape(source)]


def render(ctx: Context) -> str:
    parts = [heading(2, "Findings")]
    for source in ctx.sources:
        bullets = "\n".join(f"- {line}" for line in sentences(ctx, source))
        parts.append(f"On **{source.label}**:\n\n{bullets}" if ctx.multi_host else bullets)
    parts.append("Each figure is a median over verified runs unless it says *computed*; intervals of medians are "
                 "95% order-statistic intervals, of ratios and computed figures 95% bootstrap intervals. *A is kx "
                 "faster than B* means k = B's median / A's median. The tables and charts behind every sentence are in "
                 "the details (linked below).")
    return blocks(*parts)
