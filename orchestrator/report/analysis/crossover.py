"""Who beats whom from which call count: the crossover between one long-lived process and spawning per call (pure).

The fits and break-even points come from analysis/costs.py; this picks the clients to compare: each
Python client against spawning the compiled client with the fastest single call, and against every
compiled client within a factor. Computed once per report (Context.cached).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..context import Context
from ..data import Source
from .costs import (
    BreakEven,
    ClientCosts,
    SpawnComparison,
    analyse_costs,
    break_even_keepalive,
    break_even_spawning,
    client_runs,
    latest,
    spawn_comparison,
)

NEAR_FACTORS = (2.0, 1.1)  # "within 2x" and "within 10%"


@dataclass(frozen=True)
class Crossover:
    costs: dict[str, ClientCosts]
    spawned: ClientCosts | None  # the compiled client with the fastest single call
    spawning: dict[str, BreakEven]  # Python client -> beats spawning `spawned` per call
    within: dict[str, dict[float, BreakEven]]  # Python client -> factor -> within factor of every compiled client
    computed: list[SpawnComparison]  # one Python process at each keep-alive N against N computed spawns


def _fastest_compiled(source: Source, costs: dict[str, ClientCosts]) -> ClientCosts | None:
    singles = [c for c in costs.values() if source.compiled_contender(c.client) and 1 in c.totals]
    return min(singles, key=lambda c: c.totals[1].point, default=None)


def analyse(ctx: Context, source: Source) -> Crossover:
    def compute() -> Crossover:
        costs = analyse_costs(client_runs(source))
        spawned = _fastest_compiled(source, costs)
        compiled = [c for c in costs.values() if source.compiled_contender(c.client)]
        pythons = [c for c in costs.values() if source.focus_side(c.client)]  # the focus's language
        spawning, within, computed = {}, {}, []
        for python in pythons:
            if spawned is not None:
                point = break_even_spawning(python, spawned)
                if point is not None:
                    spawning[python.client] = point
                computed += [spawn_comparison(python, spawned.runs, n) for n in python.runs.keepalive_calls]
            per_factor = {}
            for factor in NEAR_FACTORS:
                found = [p for c in compiled if (p := break_even_keepalive(python, c, factor)) is not None]
                decided = latest(found)
                if decided is not None:
                    per_factor[factor] = decided
            if per_factor:
                within[python.client] = per_factor
        computed.sort(key=lambda c: (c.calls, c.python))
        return Crossover(costs, spawned, spawning, within, computed)

    return ctx.cached(("crossover", source.label), compute)
