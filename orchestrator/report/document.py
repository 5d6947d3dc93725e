"""The report as one markdown document: a title, any warning, then the sections in order.

A new section is a module with `render(ctx) -> str`, added to SECTIONS.
"""

from __future__ import annotations

from collections.abc import Callable

from . import cases, concurrency, crossover, fanout, findings, method, provenance, startup, streaming, tls
from .context import Context
from .markdown import blocks, heading

SECTIONS: list[Callable[[Context], str]] = [
    findings.render,
    provenance.render,
    startup.render,
    cases.render,
    crossover.render,
    concurrency.render,
    streaming.render,
    fanout.render,
    tls.render,
    method.render,
]

QUESTION = "When does a compiled HTTP client (Go, Rust) beat Python, and why?"


def _subtitle(ctx: Context) -> str:
    hosts = ", ".join(f"**{s.label}**" for s in ctx.sources)
    profiles = ", ".join(sorted({str(s.data.get("profile")) for s in ctx.sources}))
    created = ", ".join(str(s.data.get("created")) for s in ctx.sources)
    return f"*{QUESTION}* Results from {hosts} (profile {profiles}; written {created})."


def render_markdown(ctx: Context) -> str:
    """The whole report; writes its charts into ctx.out_dir as a side effect."""
    return blocks(
        heading(1, "polybench report"),
        _subtitle(ctx),
        provenance.warnings(ctx),
        *(section(ctx) for section in SECTIONS),
    ) + "\n"
