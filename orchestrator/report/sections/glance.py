"""Section: one compact table for the first screen: every client across the few cases that answer the question.

Rows are clients (fastest single call first), columns the cases that matter:
one call, the most calls over keep-alive, the most calls in flight and the
largest download, each the median with its 95% CI and how many times the
case's fastest client is faster. Cells a client did not run are blank (—),
so new clients that run only some cases still fit in one row each.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .. import fmt
from ..context import Context
from ..data import Bench, Source
from ..markdown import blocks, heading, table
from ..titles import case_title, short_title

TITLE = "At a glance"
DETAILS_FILE = "report-details.md"
# scenario -> which of its cases stands for it: the one with the largest value of this key
CASES_THAT_MATTER: dict[str, Callable[[Mapping[str, int]], int]] = {
    "single": lambda p: 0,
    "keepalive": lambda p: p.get("requests", 0),
    "concurrent": lambda p: p.get("concurrency", 0),
    "stream": lambda p: p.get("bytes", 0),
}


def chosen_cases(source: Source) -> list[str]:
    """One case per scenario in CASES_THAT_MATTER that has verified runs, in that order."""
    chosen = []
    for scenario, size in CASES_THAT_MATTER.items():
        cases = [c for c in source.cases(scenario) if any(b.ok for b in source.in_case(c))]
        if cases:
            chosen.append(max(cases, key=lambda c: size(source.in_case(c)[0].params)))
    return chosen


def resident_note(source: Source, clients: list[str]) -> str | None:
    """What a figure of a client with a resident process leaves out, for the clients shown (None if none has one)."""
    resident = [c for c in dict.fromkeys(clients) if source.resident(c)]
    if not resident:
        return None
    names = ", ".join(f"*{c}*" for c in resident)
    return (f"{names}: only the small launcher that each run spawns is timed as *the whole process*; the resident "
            "process it hands the calls to (started once before the client's first run, its interpreter start-up "
            "and imports paid then) is never timed, and its CPU time and memory are in none of these figures.")


def client_label(source: Source, client: str) -> str:
    """The client, with its role when it is not a contender (reference, floor, or what it is a variant of)."""
    role = source.role(client)
    if role == "contender":
        return client
    variant = source.variant_label(client)
    if role == "variant" and variant:
        return f"{client} ({variant})"
    return f"{client} ({role})"


def _cell(source: Source, bench: Bench | None) -> list[str]:
    if bench is None or not bench.ok:
        return [fmt.MISSING, fmt.MISSING]
    wall = bench.wall
    ratio = source.ratio(bench.case, bench.client)
    versus = fmt.MISSING if ratio is None else "fastest" if ratio.client == ratio.baseline \
        else fmt.times(ratio.ratio)
    return [f"{fmt.ms(wall.median)} ({fmt.span(wall.median_ci_low, wall.median_ci_high)})", versus]


def _order(source: Source, cases: list[str]) -> list[str]:
    """Clients with a verified cell in a chosen case: by the first chosen case's median, then the others'."""
    def key(client: str) -> tuple[Any, ...]:
        medians = []
        for case in cases:
            bench = source.bench(client, case)
            medians.append(bench.wall.median if bench is not None and bench.ok else float("inf"))
        return tuple(medians)
    clients = [c for c in source.clients() if any((b := source.bench(c, case)) and b.ok for case in cases)]
    return sorted(clients, key=key)


def render_source(ctx: Context, source: Source) -> str:
    cases = chosen_cases(source)
    if not cases:
        return "No verified runs in these results."
    headers = ["client"]
    titles = []
    for case in cases:
        bench = source.in_case(case)[0]
        title = case_title(bench.scenario, bench.params)
        titles.append(f"*{title}*: `{case}`")
        headers += [f"{short_title(bench.scenario, bench.params)} ms (95% CI)", "× fastest"]
    body = [[client_label(source, client), *(v for case in cases for v in _cell(source, source.bench(client, case)))]
            for client in _order(source, cases)]
    lead = f"On **{source.label}**: " if ctx.multi_host else ""
    return blocks(f"{lead}Median wall time of the whole process in ms, its 95% CI, and *× fastest*: how many "
                  f"times the case's fastest client is faster (its median / the fastest median). Cases: "
                  f"{'; '.join(titles)}. — : not run.", table(headers, body),
                  resident_note(source, _order(source, cases)))


def render(ctx: Context) -> str:
    return blocks(heading(2, TITLE), *(render_source(ctx, s) for s in ctx.sources),
                  f"Every case, every table, the method and the machine: [{DETAILS_FILE}]({DETAILS_FILE}).")
