"""Section: every case on its own, with the full statistics of every client in it."""

from __future__ import annotations

from ...config.scenarios import SCENARIOS
from ...stats import OUTLIERS_MIN_N
from .. import fmt
from ..analysis.cpu import SPLIT_RULE, cpu_of_runs
from ..charts import medians as median_chart
from ..charts import style as chart_style
from ..context import Context
from ..data import Bench, Source
from ..markdown import blocks, heading, image, table
from ..titles import case_title
from .glance import resident_note

CHARTED_ELSEWHERE = ("fanout_sync", "fanout_async")  # one chart for the pair, in the fan-out section


def all_cases(ctx: Context) -> list[str]:
    cases: list[str] = []
    for source in ctx.sources:
        cases += [c for c in source.cases() if c not in cases]
    return cases


def ordered(ctx: Context, case: str) -> list[tuple[Source, Bench]]:
    """Verified cells fastest first (by the first host that has them), then the cells without data."""
    order: list[str] = []
    for source in ctx.sources:
        done = sorted((b for b in source.in_case(case) if b.ok), key=lambda b: b.wall.median)
        order += [b.client for b in done if b.client not in order]
    for source in ctx.sources:
        order += [b.client for b in source.in_case(case) if b.client not in order]
    rows = []
    for client in order:
        for source in ctx.sources:
            bench = source.bench(client, case)
            if bench is not None:
                rows.append((source, bench))
    return rows


def flags(bench: Bench) -> str:
    if not bench.ok:
        return f"{bench.status}: {bench.status_reason}" if bench.status_reason else bench.status
    wall = bench.wall
    notes = []
    if wall.noisy:
        notes.append(f"noisy (CV {fmt.pct(wall.cv)})")
    if not wall.outliers_assessed:
        notes.append(f"outliers not assessed (n < {OUTLIERS_MIN_N})")
    elif wall.outliers:
        notes.append(f"{len(wall.outliers)} outlier{'s' if len(wall.outliers) > 1 else ''}")
    if wall.multimodal:
        notes.append("multimodal")
    drift = bench.summary.drift if bench.summary else None
    if drift is not None and drift.drifted:
        notes.append(f"drift {drift.shift * 100:+.1f}% (2nd half vs 1st)")
    return ", ".join(notes)


HEADERS = ["client", "median ms", "95% CI", "mean ± σ ms", "min ms", "max ms", "CPU ms", "CPU/wall", "user ms",
           "sys ms", "server ms", "peak RSS MiB", *fmt.FASTEST_HEADERS, "runs", "failed", "flags"]


def _server_ms(bench: Bench) -> str:
    summary = bench.summary.server_ms if bench.summary else None
    return fmt.ms(summary.median) if summary else fmt.MISSING


def row(ctx: Context, source: Source, bench: Bench) -> list[str]:
    failed = str(len(bench.failed_runs))
    if not bench.ok:
        return [*ctx.host_cells(source), bench.client, *[fmt.MISSING] * (len(HEADERS) - 4), "0", failed,
                flags(bench)]
    wall, rss = bench.wall, bench.metric("peak_rss_mib")
    used = cpu_of_runs(bench.runs)
    return [
        *ctx.host_cells(source), bench.client, fmt.ms(wall.median),
        fmt.median_span(wall.median_ci_low, wall.median_ci_high, wall.median_ci_coverage),
        f"{fmt.ms(wall.mean)} ± {fmt.ms(wall.stdev)}", fmt.ms(wall.min), fmt.ms(wall.max),
        fmt.ms(used.cpu_ms), fmt.pct(used.cpu_per_wall), fmt.ms(used.user_ms), fmt.ms(used.sys_ms),
        _server_ms(bench), fmt.num(rss.median),
        *fmt.versus_fastest(source.ratio(bench.case, bench.client)),
        str(wall.n), failed, flags(bench),
    ]


def dot(ctx: Context, source: Source, bench: Bench, label: str | None = None) -> median_chart.MedianDot:
    """A bench as one row of a dot plot: every run, the median and its CI, shaped by the client's kind."""
    style = source.chart_style(bench.client)
    name = label or bench.client
    return median_chart.MedianDot(
        label=f"{name} ({source.label})" if ctx.multi_host else name,
        kind=chart_style.kind(source.role(bench.client), source.compiled(bench.client)),
        median_ms=bench.wall.median, low_ms=bench.wall.median_ci_low, high_ms=bench.wall.median_ci_high,
        runs_ms=bench.walls_ms, colour=style.get("color"), marker=style.get("marker"),
        coverage=bench.wall.median_ci_coverage)


def _chart(ctx: Context, case: str, rows: list[tuple[Source, Bench]]) -> str | None:
    dots = [dot(ctx, source, bench) for source, bench in rows if bench.ok]
    if not dots or rows[0][1].scenario in CHARTED_ELSEWHERE:
        return None
    title = case_title(rows[0][1].scenario, rows[0][1].params)
    path, name = ctx.chart_file(f"case-{case}", section="Per scenario", caption=title)
    median_chart.render(dots, path, f"{title[0].upper()}{title[1:]}: every run and the median per client")
    bars = median_chart.interval_label(dots)
    return image(name, f"Dot plot: every run, the median and its {bars} per client, {title}")


def _describe(bench: Bench) -> str:
    scenario = SCENARIOS.get(bench.scenario)
    what = scenario.description if scenario else bench.scenario
    return f"{what[0].upper()}{what[1:]}; {bench.calls} HTTP call{'s' if bench.calls != 1 else ''} per process."


def render(ctx: Context) -> str:
    parts: list[str | None] = [
        heading(2, "Per scenario"),
        "Every case, every client: the whole process's wall time (spawn to reap), its median with a 95% "
        "order-statistic CI, mean ± standard deviation and range; *CPU ms*, the median over runs of user + system "
        "CPU time, and *CPU/wall*, the median over runs of (user + sys) / wall; *user ms* and *sys ms* separately "
        f"only where the split is resolvable ({SPLIT_RULE}; for shorter runs the kernel books a run's CPU time "
        "to one or the other by sampled ticks, so a median of either alone means nothing); *server ms*, the "
        "median over runs of the server's own handling time of the run's requests; the median peak RSS; and "
        "*fastest is k× faster*, k = the client's median / the case's fastest median, with its bootstrap CI "
        "(the fastest client is the reference). *Noisy*: the coefficient of variation is above 10%. "
        "*Outliers*: runs with |modified Z| > 3.5, flagged and still counted (not flagged in a *multimodal* "
        f"sample, where they would be a whole mode, and *not assessed* below {OUTLIERS_MIN_N} runs, where a "
        "second mode cannot be detected). A *95% CI* that covers less (fewer runs than 95% needs) says what "
        "it covers. *Drift*: the second half of the cell's runs differs from "
        "the first (Mann-Whitney, p < 0.01). *Failed*: runs that failed verification, left out of every statistic.",
    ]
    for case in all_cases(ctx):
        rows = ordered(ctx, case)
        parts += [
            heading(3, f"`{case}`"),
            f"{_describe(rows[0][1])} In words: {case_title(rows[0][1].scenario, rows[0][1].params)}.",
            table([*ctx.host_headers(), *HEADERS], [row(ctx, s, b) for s, b in rows]),
            *(resident_note(s, [b.client for src, b in rows if src is s]) for s in ctx.sources),
            _chart(ctx, case, rows),
        ]
    return blocks(*parts)
