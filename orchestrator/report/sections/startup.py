"""Section: a single call, and where its time goes (runtime start, imports, network, exit)."""

from __future__ import annotations

from ... import stats
from ...results.model import stopping_looks
from ...units import PHASES
from .. import fmt
from ..analysis.importprofile import import_profile
from ..analysis.shares import phase_shares
from ..analysis.singles import singles
from ..charts import phases as phase_chart
from ..context import Context
from ..data import PHASE_LABELS, Bench, Source
from ..markdown import blocks, heading, image, table

IMPORTS_SHOWN = 8
SHARES_HEADER = "share of wall: start / imports / network / exit"


def _ordered_rows(ctx: Context) -> list[tuple[Source, Bench]]:
    """Fastest first on the first host; other hosts' rows follow their client's."""
    order: list[str] = []
    for source in ctx.sources:
        order += [b.client for b in singles(source) if b.client not in order]
    return [(source, bench) for client in order for source in ctx.sources
            for bench in singles(source) if bench.client == client]


def _breakdown_table(ctx: Context, rows: list[tuple[Source, Bench]]) -> str:
    headers = [*ctx.host_headers(), "client", "language", "median ms", "95% CI", *fmt.FASTEST_HEADERS,
               *(f"{PHASE_LABELS[p]} ms" for p in PHASES), SHARES_HEADER]
    body = []
    for source, bench in rows:
        wall = bench.wall
        phases = bench.phases
        shares = phase_shares(bench, stopping_looks(source.settings))
        body.append([
            *ctx.host_cells(source), bench.client, bench.language, fmt.ms(wall.median),
            fmt.median_span(wall.median_ci_low, wall.median_ci_high, wall.median_ci_coverage),
            *fmt.versus_fastest(source.ratio(bench.case, bench.client)),
            *(fmt.ms(phases[p].median) if phases else fmt.MISSING for p in PHASES),
            " / ".join(fmt.pct(shares[p].median) for p in PHASES) if shares else fmt.MISSING,
        ])
    return table(headers, body)


def _chart(ctx: Context, rows: list[tuple[Source, Bench]]) -> str:
    def label(source: Source, bench: Bench) -> str:
        text = f"{bench.client} ({source.label})" if ctx.multi_host else bench.client
        # its network bar holds set-up too, by its own account (the table's note says what)
        return f"{text} [set-up in network]" if source.setup_in_network(bench.client) else text

    bars = [phase_chart.PhaseBar(
        label=label(source, bench),
        wall_ms=bench.wall.median,
        phases_ms={p: s.median for p, s in bench.phases.items()} if bench.phases else None,
    ) for source, bench in rows]
    path, name = ctx.chart_file("single-call-phases", section="Single call: start-up breakdown",
                                caption="where one call's time goes, per client and phase")
    phase_chart.render(bars, path, "One call: median time per phase")
    return image(name, "Stacked bars: median time per phase of a single call, per client")


def _article_table(ctx: Context) -> str:
    article = ctx.sources[0].report_settings.article if ctx.sources else None
    if not article:
        return ""
    means, baseline = article.mean_ms, article.baseline
    headers = ["client", "published in the article: mean ms", f"article: {baseline} is k× faster"]
    for source in ctx.sources:
        prefix = f"{source.label}: " if ctx.multi_host else "this run: "
        headers += [f"{prefix}median ms", f"{prefix}mean ms", f"{prefix}{baseline} is k× faster (95% CI)"]
    body = []
    for client, published in means.items():
        row: list[str] = [client, fmt.ms(published),
                          fmt.REFERENCE if client == baseline else fmt.times(published / means[baseline])]
        for source in ctx.sources:
            bench, base = source.single(client), source.single(baseline)
            if bench is None:
                row += [fmt.MISSING] * 3
                continue
            if client == baseline:
                versus = fmt.REFERENCE
            elif base is None:
                versus = fmt.MISSING
            else:
                ratio = stats.ratio_ci(bench.walls_ms, base.walls_ms)  # the baseline is k× faster: k = median / its
                versus = f"{fmt.times(ratio.ratio)} ({fmt.span(ratio.low, ratio.high)})"
            row += [fmt.ms(bench.wall.median), fmt.ms(bench.wall.mean), versus]
        body.append(row)
    return blocks(
        heading(3, "Against the article"),
        f"The article's figures are quoted, not measured here: hyperfine means published in {article.title}, "
        "on the author's machine. This run's figures are medians and means of the verified runs. "
        f"Compare the ratios to {baseline} more than the absolute times: the machines differ.",
        table(headers, body),
    )


def _article_row(source: Source, argv: list[str]) -> tuple[float, str] | None:
    """The article's figure for a plain `python -c CODE` baseline, if it has one.

    The only numbers in the report not measured by a run are the article's: its means
    and its start-up breakdown (polybench.yaml `report.article`, recorded in the results).
    """
    if len(argv) == 3 and argv[1] == "-c":
        article = source.article
        rows = (article.startup_ms or []) if article is not None else []
        return next(((row.ms, row.row) for row in rows if row.code == argv[2]), None)
    return None


def _baselines_table(ctx: Context) -> str | None:
    headers = [*ctx.host_headers(), "baseline, not a client", "command", "median ms", "95% CI", "set beside",
               "that phase: median ms", "article: ms (its command)"]
    body = []
    for source in ctx.sources:
        for baseline in source.baselines:
            wall = baseline.summary.wall_ms if baseline.summary else None
            compare = baseline.compare
            bench = source.single(compare.client) if compare else None
            phases = bench.phases if bench is not None else None
            beside = (f"{compare.client}: {PHASE_LABELS[compare.phase]}" if compare else fmt.MISSING)
            article = _article_row(source, baseline.argv)
            body.append([
                *ctx.host_cells(source), baseline.name, baseline.about,
                fmt.ms(wall.median) if wall else baseline.status,
                fmt.median_span(wall.median_ci_low, wall.median_ci_high, wall.median_ci_coverage) if wall
                else fmt.MISSING,
                beside, fmt.ms(phases[compare.phase].median) if phases and compare else fmt.MISSING,
                f"{fmt.ms(article[0])} ({article[1]})" if article else fmt.MISSING,
            ])
    if not body:
        return None
    recorded = ctx.sources[0].report_settings.article
    title = recorded.title if recorded else "the article"
    return blocks(
        heading(3, "Baselines beside the phases"),
        "Commands timed by the same engine in the same randomized rounds as the clients, with no HTTP call "
        "and no verification: each is a *baseline, not a client*. A bare interpreter is what a Python "
        "client's *runtime start* phase costs; `import <library>` (start, imports and exit of a process that "
        "does nothing else) is what its *runtime start* + *imports + set-up* + *exit* cost without the "
        "network. The article's rows are quoted from its \"Breakdown of Python Startup Time\" table "
        f"({title}; its machine, not this one).",
        table(headers, body),
    )


def _imports_tables(ctx: Context) -> str:
    parts = [heading(3, "Slowest imports"),
             "From the extra runs under `python -X importtime` (one before each of the client's first three "
             "cells, not counted in any timing above; importtime itself slows imports down): per module, the "
             "median over those runs "
             "(*runs*: how many list it). Cumulative time includes the module's own imports, so nested rows "
             f"overlap. Top {IMPORTS_SHOWN} by cumulative time."]
    clients: list[str] = []
    for source in ctx.sources:
        clients += [c for c in source.clients() if c not in clients]
    shown = False
    for client in clients:
        body = []
        for source in ctx.sources:
            rows, _ = import_profile(source, client)
            for item in rows[:IMPORTS_SHOWN]:
                body.append([*ctx.host_cells(source), item.module, str(item.depth), fmt.ms(item.cumulative_ms),
                             fmt.ms(item.self_ms), str(item.runs)])
        if body:
            shown = True
            parts += [f"**{client}**",
                      table([*ctx.host_headers(), "module", "depth", "cumulative ms", "self ms", "runs"], body)]
    if not shown:
        parts.append("No import timings in these results (no client ran under `-X importtime`).")
    return blocks(*parts)


def _setup_in_network(ctx: Context, rows: list[tuple[Source, Bench]]) -> str | None:
    """The clients whose network phase also holds set-up, by their own account (polybench.yaml)."""
    notes = {}
    for source, bench in rows:
        why = source.setup_in_network(bench.client)
        if why:
            notes[bench.client] = why
    if not notes:
        return None
    return "Network phase with set-up in it (polybench.yaml `setup_in_network`): " + "; ".join(
        f"*{client}*: {why}" for client, why in notes.items()) + "."


def render(ctx: Context) -> str:
    rows = _ordered_rows(ctx)
    if not rows:
        return blocks(heading(2, "Single call: start-up breakdown"), "No verified single-call runs in these results.")
    return blocks(
        heading(2, "Single call: start-up breakdown"),
        "One process, one `GET /api`: the article's case. Wall time runs from spawn to reap. The phases come "
        "from the client's own epoch timestamps: *runtime start* (spawn to the program's first statement), "
        "*imports + set-up* (to the client being ready), *network* (the request and its check) and *exit* "
        "(last response to reap). Each phase column is that phase's median on its own, so they need not add "
        "up to the median wall exactly. *Share of wall*: per phase, the median over runs of phase / wall, "
        "all four phases (so they need not add up to 100% exactly either). *Fastest is k× faster*: k = this "
        "client's median / the fastest client's median, with its 95% bootstrap interval; the fastest client is "
        "the reference. A client with `output: bodies` cannot timestamp itself: its phases are unknown.",
        _breakdown_table(ctx, rows),
        _setup_in_network(ctx, rows),
        _chart(ctx, rows),
        _baselines_table(ctx),
        _article_table(ctx),
        _imports_tables(ctx),
    )
