"""The report as two markdown documents: report.md, short enough to paste, and report-details.md with the rest.

report.md: the title and question, any warning, then its sections (the
first screen is the findings and the compact table; then the explanations,
the charts and the provenance in brief). report-details.md: every long
table, per-case chart, the method and the full provenance.

A new section is a module with `render(ctx) -> str`, added to SECTIONS
with one line, saying which document it goes in. Details are rendered first,
so the main report's chart gallery can show the charts they drew.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .context import Context
from .markdown import blocks, heading
from .sections import (
    cases,
    concurrency,
    crossover,
    escapes,
    explain,
    fanout,
    findings,
    gallery,
    glance,
    method,
    provenance,
    startup,
    streaming,
    tls,
)
from .sections.glance import DETAILS_FILE

MAIN = "main"  # report.md, in order; the first two sections are the first screen
DETAILS = "details"  # report-details.md, in order


@dataclass(frozen=True)
class Section:
    render: Callable[[Context], str | None]
    document: str  # MAIN | DETAILS


SECTIONS: list[Section] = [
    Section(findings.render, MAIN),
    Section(glance.render, MAIN),
    Section(explain.render, MAIN),
    Section(gallery.render, MAIN),
    Section(provenance.summary, MAIN),
    Section(startup.render, DETAILS),
    Section(escapes.render, DETAILS),
    Section(explain.render_all, DETAILS),
    Section(cases.render, DETAILS),
    Section(crossover.render, DETAILS),
    Section(concurrency.render, DETAILS),
    Section(streaming.render, DETAILS),
    Section(fanout.render, DETAILS),
    Section(tls.render, DETAILS),
    Section(method.render, DETAILS),
    Section(provenance.render, DETAILS),
]

QUESTION = "When does a compiled HTTP client beat Python, and why?"


def _subtitle(ctx: Context) -> str:
    hosts = ", ".join(f"**{s.label}**" for s in ctx.sources)
    profiles = ", ".join(sorted({s.results.profile for s in ctx.sources}))
    created = ", ".join(s.results.created for s in ctx.sources)
    return f"*{QUESTION}* Results from {hosts} (profile {profiles}; written {created})."


def _render(ctx: Context, document: str) -> list[str | None]:
    return [section.render(ctx) for section in SECTIONS if section.document == document]


def render_documents(ctx: Context) -> tuple[str, str]:
    """(report.md, report-details.md); writes the charts into ctx.out_dir as a side effect."""
    details = blocks(
        heading(1, "polybench report: details"),
        f"The tables, charts, method and provenance behind [the report](report.md). {_subtitle(ctx)}",
        *_render(ctx, DETAILS),
    ) + "\n"
    main = blocks(
        heading(1, "polybench report"),
        _subtitle(ctx),
        provenance.warnings(ctx),
        *_render(ctx, MAIN),
        f"Every table, every case, the method and the machine: [{DETAILS_FILE}]({DETAILS_FILE}).",
    ) + "\n"
    return main, details


def render_markdown(ctx: Context) -> str:
    """Both documents as one text (main report first), as `report --stdout` prints it."""
    main, details = render_documents(ctx)
    return main + "\n" + details
