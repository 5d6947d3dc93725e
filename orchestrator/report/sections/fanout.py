"""Section: the server side of the asyncio article: a sync view vs an async view fanning out.

One client call to /fanout/sync/N/D makes the server call its own /delay/D
N times in series; /fanout/async/N/D gathers them. The client is the same
(curl) for both, so the ratio of the two medians is the server-side effect.
"""

from __future__ import annotations

from orchestrator import stats

from .. import fmt
from ..charts import medians as median_chart
from ..context import Context
from ..data import Bench, Source
from ..markdown import blocks, heading, image, table

SCENARIOS = ("fanout_sync", "fanout_async")


def _pairs(source: Source) -> list[tuple[Bench, Bench]]:
    """(sync, async) benches of one client with equal parameters."""
    by_key: dict[tuple[str, int | None, int | None], dict[str, Bench]] = {}
    for bench in source.benches:
        if bench.scenario in SCENARIOS and bench.ok:
            key = (bench.client, bench.params.get("requests"), bench.params.get("delay_ms"))
            by_key.setdefault(key, {})[bench.scenario] = bench
    return [(pair["fanout_sync"], pair["fanout_async"]) for _, pair in sorted(by_key.items())
            if len(pair) == 2]


def _chart(ctx: Context) -> str | None:
    """One dot plot for every pair: the sync and async view of each N, one above the other."""
    from .cases import dot  # cases imports nothing from here; imported late to keep the sections independent

    dots = []
    clients = {sync.client for source in ctx.sources for sync, _ in _pairs(source)}
    for source in ctx.sources:
        for sync, async_ in _pairs(source):
            calls, delay = sync.params["requests"], sync.params["delay_ms"]
            what = f"{calls} x {delay} ms" + (f", {sync.client}" if len(clients) > 1 else "")
            dots += [dot(ctx, source, sync, f"{what}, sync (ideal {calls * delay:g})"),
                     dot(ctx, source, async_, f"{what}, async (ideal {delay:g})")]
    if not dots:
        return None
    path, name = ctx.chart_file("fanout", section=TITLE, caption="sync against async view, per number of calls")
    median_chart.render(dots, path, "Fan-out: N calls of D ms, sync view (in series) vs async (gathered)",
                        "wall time of one request, ms (ideal in brackets): dots every run, marker the median")
    return image(name, "Dot plot: wall time of one request to the sync and the async fan-out view, per N")


TITLE = "Server side: sync vs async Flask view"


def render(ctx: Context) -> str:
    rows = []
    for source in ctx.sources:
        for sync, async_ in _pairs(source):
            calls, delay = sync.params["requests"], sync.params["delay_ms"]
            speedup = stats.ratio_ci(sync.walls_ms, async_.walls_ms)
            rows.append([
                *ctx.host_cells(source), sync.client, calls, delay,
                fmt.ms(sync.wall.median), fmt.ms(calls * delay),
                fmt.ms(async_.wall.median), fmt.ms(delay),
                fmt.times(speedup.ratio), fmt.span(speedup.low, speedup.high),
            ])
    if not rows:
        return ""
    return blocks(
        heading(2, TITLE),
        "The asyncio article's experiment: one request to a Flask view that makes N calls of D ms to a slow "
        "endpoint, either in series from a plain `def` view (`/fanout/sync/N/D`) or gathered from an "
        "`async def` view (`/fanout/async/N/D`, httpx `AsyncClient` + `asyncio.gather`). The client "
        "and the server are the same for both; each run is verified by the server's count of 1 + N requests "
        "for its run id. Ideal: N × D for the sync view, D for the async one; the rest is start-up and overhead.",
        table([*ctx.host_headers(), "client", "N", "D ms", "sync ms", "sync ideal", "async ms", "async ideal",
               "async speed-up", "95% CI"], rows),
        _chart(ctx),
    )
