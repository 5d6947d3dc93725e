"""Section: N slow calls with C in flight, against the ideal ceil(N/C) x delay."""

from __future__ import annotations

from ...words import counted
from .. import fmt
from ..analysis.concurrency import elapsed, ideal_ms
from ..context import Context
from ..markdown import blocks, heading, table
from .cases import all_cases, ordered


def render(ctx: Context) -> str:
    parts = [
        heading(2, "Concurrency"),
        "N calls to `/delay/D` with C in flight. No client can finish before ceil(N/C) × D, the *ideal*. "
        "*Elapsed* is the median network phase (from the client's own timestamps, so start-up is left out) "
        "or, for clients that cannot timestamp themselves, the median wall time of the whole process. "
        "*Overhead* = elapsed − ideal; *efficiency* = ideal / elapsed.",
    ]
    cases = [c for c in all_cases(ctx) if c.startswith("concurrent")]
    if not cases:
        parts.append("No concurrent case in these results.")
        return blocks(*parts)
    for case in cases:
        body = []
        measured = [(s, b, result) for s, b in ordered(ctx, case) if (result := elapsed(b)) is not None]
        for source, bench, result in sorted(measured, key=lambda item: item[2].elapsed_ms):
            body.append([*ctx.host_cells(source), bench.client, bench.concurrency_model, fmt.ms(result.elapsed_ms),
                         fmt.ms(result.ideal_ms), fmt.ms(result.overhead_ms), fmt.pct(result.efficiency),
                         fmt.ms(bench.wall.median), result.basis])
        any_bench = next(b for s in ctx.sources for b in s.in_case(case))
        p = any_bench.params
        parts += [
            heading(3, f"`{case}`"),
            f"{counted(p['requests'], 'call')}, {p['concurrency']} in flight, "
            f"{p['delay_ms']} ms server delay each: "
            f"ideal {fmt.ms(ideal_ms(p))} ms.",
            table([*ctx.host_headers(), "client", "concurrency model", "elapsed ms", "ideal ms", "overhead ms",
                   "efficiency", "wall ms", "elapsed from"], body)
            if body else "No verified runs in this case.",
        ]
    return blocks(*parts)
