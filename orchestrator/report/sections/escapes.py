"""Section: escaping the start-up tax: every variant of a client against the plain one, in one call.

A variant is any client with `role: variant` (polybench.yaml), grouped by its
`variant_of`; nothing here names a client. The comparable quantity across
machines is the ratio to the reference client (role reference: curl), as in
the start-up section's comparison with the article.
"""

from __future__ import annotations

from typing import Any

from ... import stats
from ...units import PHASES
from .. import fmt
from ..analysis.escapes import BuildRecord, best_escape, build_record
from ..analysis.speed import Speedup, speedup
from ..context import Context
from ..data import PHASE_LABELS, Bench, Source
from ..markdown import blocks, heading, table
from .glance import resident_note

SECTION = "Escaping the start-up tax"

def _ratio(numerator: Bench, denominator: Bench) -> stats.RatioEstimate:
    return stats.ratio_ci(numerator.walls_ms, denominator.walls_ms)


def _speedup(a: Bench, b: Bench) -> Speedup:
    return speedup(a.client, a.walls_ms, b.client, b.walls_ms)


def _ratio_cell(estimate: stats.RatioEstimate | None) -> str:
    if estimate is None:
        return fmt.MISSING
    return f"{fmt.times(estimate.ratio)} ({fmt.span(estimate.low, estimate.high)})"


def _label(source: Source, client: str, original: str) -> str:
    if client == original:
        return "the original, run plainly"
    return str(source.variant_label(client) or client)


def _rows(source: Source, original: str, variants: list[str]) -> list[tuple[str, Bench]]:
    found = [(client, source.single(client)) for client in (original, *variants)]
    return [(client, bench) for client, bench in found if bench is not None]


def _shared_cell(source: Source, client: str) -> str:
    """Whose build outputs a client runs with besides its own (results: clients.NAME.shares_build_of)."""
    record = source.client_record(client)
    shared = record.shares_build_of if record is not None else None
    if shared is None:
        return "not recorded"
    return f"its own + {', '.join(shared)}'s (shared)" if shared else "its own only"


def _build_seconds_cell(built: BuildRecord) -> str:
    """The build's seconds; an earlier build's marked "(cached build)"; none of its own: whose it shares."""
    if not built.own:
        return f"{fmt.MISSING} (shares {', '.join(built.shares)}'s build)" if built.shares else fmt.MISSING
    if built.seconds is None:
        return fmt.MISSING
    return f"{fmt.num(built.seconds)} (cached build)" if built.cached else fmt.num(built.seconds)


def _table(ctx: Context, source: Source, original: str, rows: list[tuple[str, Bench]]) -> str:
    plain = source.single(original)
    reference = source.reference()
    reference_bench = source.single(reference) if reference else None
    headers = [*ctx.host_headers(), "client", "how", "median ms", "95% CI",
               "plain ÷ this: k× (95% CI)", f"{reference or 'reference'} is k× faster (95% CI)",
               *(f"{PHASE_LABELS[p]} ms" for p in PHASES), "build s", "own build outputs MiB", "runs with the build of"]
    body = []
    for client, bench in rows:
        wall = bench.wall
        built = build_record(source, client)
        body.append([
            *ctx.host_cells(source), client, _label(source, client, original), fmt.ms(wall.median),
            fmt.median_span(wall.median_ci_low, wall.median_ci_high, wall.median_ci_coverage),
            fmt.REFERENCE if client == original  # the plain script itself; not in this run: nothing to divide by
            else _ratio_cell(_ratio(plain, bench)) if plain is not None else fmt.MISSING,
            fmt.REFERENCE if client == reference  # no interval on a ratio to itself
            else _ratio_cell(_ratio(bench, reference_bench)) if reference_bench is not None else fmt.MISSING,
            *(fmt.ms(bench.phases[p].median) if bench.phases else fmt.MISSING for p in PHASES),
            _build_seconds_cell(built),
            fmt.mib(built.size) if built.size is not None else fmt.MISSING, _shared_cell(source, client),
        ])
    return table(headers, body)


def _article_table(ctx: Context) -> str | None:
    """The article's "Compiled vs. Uncompiled" rows (polybench.yaml `report.article.escapes`) beside this run's."""
    article = ctx.sources[0].article if ctx.sources else None
    if not article or article.baseline not in article.mean_ms or not article.escapes:
        return None  # polybench.yaml `report.article` names no article, no baseline figure or no escape rows
    baseline = article.baseline
    article_curl = float(article.mean_ms[baseline])
    headers = ["the article's row", "article: ms", f"article: ÷ its {baseline} ({fmt.ms(article_curl)} ms)"]
    for source in ctx.sources:
        prefix = f"{source.label}: " if ctx.multi_host else "this run: "
        headers += [f"{prefix}client", f"{prefix}median ms", f"{prefix}{source.reference() or 'reference'} "
                    "is k× faster (95% CI)"]
    body = []
    for escape in article.escapes:
        client, published = escape.client, escape.ms
        cells = [escape.row, fmt.ms(published), fmt.times(published / article_curl)]
        for source in ctx.sources:
            bench = source.single(client)
            reference = source.reference()
            base = source.single(reference) if reference else None
            if bench is None:
                cells += [f"{client}: not in this run", fmt.MISSING, fmt.MISSING]
                continue
            cells += [client, fmt.ms(bench.wall.median),
                      _ratio_cell(_ratio(bench, base)) if base is not None else fmt.MISSING]
        body.append(cells)
    return blocks(
        f"The article's figures are quoted, not measured here ({article.title}, hyperfine means on the "
        f"author's machine); compare the ratios to {baseline}, not the milliseconds.",
        table(headers, body),
    )


def findings(source: Source, original: str, variants: list[str]) -> list[str]:
    """One sentence per escape: how it moves one call against the plain script, and where it leaves curl.

    Both comparisons in the report's one wording (fmt.speedup_sentence): "A is k× faster than B" with
    k >= 1, or "cannot be told apart" when the 95% interval contains 1.
    """
    plain = source.single(original)
    if plain is None:
        return []
    reference = source.reference()
    base = source.single(reference) if reference else None
    sentences = []
    for client in variants:
        bench = source.single(client)
        if bench is None:
            continue
        label = _label(source, client, original)
        sentence = (f"**{label}** ({client}): {fmt.ms(bench.wall.median)} ms for one call. Against the plain "
                    f"script, {fmt.speedup_sentence(_speedup(bench, plain))}")
        if base is not None and reference not in (client, original):  # a variant of curl: said once above
            sentence += f". Against {reference}, {fmt.speedup_sentence(_speedup(bench, base))}"
        sentences.append(sentence + ".")
    return sentences


def render(ctx: Context) -> str | None:
    groups: dict[str, dict[str, list[str]]] = {}  # original -> source label -> variants
    for source in ctx.sources:
        for original, variants in source.variants().items():
            groups.setdefault(original, {})[source.label] = variants
    if not groups:
        return None
    parts: list[Any] = [
        heading(2, SECTION),
        "Each *variant* is the same client run another way (polybench.yaml `role: variant`): the same "
        "contract, verified like every client. One call (`single`), median and 95% interval of the median; "
        "*plain ÷ this*: the plain script's median over the variant's (above 1: the variant is faster), "
        "with a bootstrap interval; the ratio to the reference client is the figure comparable across machines. "
        "Phases as in the start-up section. *Build s* and *own build outputs* are what `invoke build` recorded "
        "(build/manifest.json, copied into the results): for outputs that were up to date or restored from the "
        "build cache, the seconds of the build that made them, marked *(cached build)*; a client with no "
        "outputs of its own has no build time (it runs with another client's build). *Own build outputs* are "
        "what that client's own build adds, the files its entry declares; *runs with the build of* names the "
        "clients whose build outputs it also runs with (a variant started by another client's interpreter shares "
        "that client's environment: its own outputs are then a few files, not the size of what it runs).",
    ]
    for original, by_source in groups.items():
        parts.append(heading(3, f"{original} and its variants"))
        for source in ctx.sources:
            variants = by_source.get(source.label, [])
            rows = _rows(source, original, variants)
            if not rows:
                continue
            parts.append(_table(ctx, source, original, rows))
            parts.append(resident_note(source, [client for client, _ in rows]))
            sentences = findings(source, original, variants)
            if sentences:
                parts.append("\n".join(f"- {s}" for s in sentences))
        # the article's escapes are of the script the findings focus on (polybench.yaml `report.focus`)
        if any(source.focus == original for source in ctx.sources):
            parts.append(_article_table(ctx))
    for source in ctx.sources:
        best = best_escape(source)
        if best is None:
            continue
        variant, bench, compiled, compiled_bench = best
        host = f" on {source.label}" if ctx.multi_host else ""
        parts.append(
            f"The best escape{host}, {_label(source, variant, '')} ({variant}), takes {fmt.ms(bench.wall.median)} "
            f"ms for one call; against the fastest compiled client, {compiled} "
            f"({fmt.ms(compiled_bench.wall.median)} ms), {fmt.speedup_sentence(_speedup(bench, compiled_bench))}.")
    return blocks(*parts)
