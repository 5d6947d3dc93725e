"""Section: why a client takes the time it does, where its own phases and import profile show a cause.

A sentence is written only from measured quantities: the phase whose
median share of a single call's wall time is the largest (and exit, when it
takes a fifth or more), and for imports, the slowest top-level import and
the module with the most self time in the client's import profile.
"""

from __future__ import annotations

from .. import fmt
from ..analysis.importprofile import import_profile
from ..analysis.shares import phase_shares
from ..analysis.singles import singles
from ..context import Context
from ..data import PHASE_LABELS, Bench, Source
from ..markdown import blocks, heading

TITLE = "Why: where the time goes"
SHOWN = 10  # the main report explains the slowest single calls; the details explain every client
HEAVY_SHARE = 0.1  # one module's self time this large a share of the import names it as the cause
EXIT_NOTABLE = 0.2  # an exit phase this large a share of wall time is worth a word of its own
WHAT = {
    "runtime_start": "starting the runtime (spawn to the program's first statement)",
    "imports": "imports and set-up (loading libraries and building the client, before any request)",
    "network": "the call itself (request, response and its check)",
    "exit": "exit (from the last response until the process is reaped: runtime shutdown)",
}

# a client's own account that its network phase holds set-up too (Source.setup_in_network)
NETWORK_WITH_SETUP = "the network phase (set-up as well as the call: not the call alone)"


def _imports_words(source: Source, bench: Bench) -> str:
    rows, runs = import_profile(source, bench.client)
    if not rows:
        return ""
    top = max((r for r in rows if r.depth == 0), key=lambda r: r.cumulative_ms, default=rows[0])
    heavy = max(rows, key=lambda r: r.self_ms)
    text = (f"; its import profile (median of {runs} `-X importtime` run{'s' if runs != 1 else ''}) puts "
            f"{fmt.ms(top.cumulative_ms)} ms in `import {top.module}`")
    if heavy.self_ms >= HEAVY_SHARE * top.cumulative_ms:
        text += f", {fmt.ms(heavy.self_ms)} ms of it in `{heavy.module}`'s own code (its self time)"
    else:
        text += f", spread over many modules (none has more than {fmt.ms(heavy.self_ms)} ms self time)"
    return text


def sentence(source: Source, bench: Bench) -> str | None:
    """One client's cause, or None when it recorded no phases."""
    shares = phase_shares(bench)
    phases = bench.phases
    if shares is None or phases is None:
        return None
    largest = max(WHAT, key=lambda p: shares[p].median)
    share = shares[largest]
    setup = source.setup_in_network(bench.client)
    what = dict(WHAT, network=NETWORK_WITH_SETUP) if setup else WHAT
    text = (f"**{bench.client}** ({fmt.ms(bench.wall.median)} ms): {what[largest]} takes the largest share, "
            f"{fmt.pct(share.median)} ({fmt.ms(phases[largest].median)} ms)")
    if setup:
        text += f"; by its own account (polybench.yaml `setup_in_network`) {setup}"
    if largest == "imports":
        text += _imports_words(source, bench)
    if largest != "exit" and shares["exit"].median >= EXIT_NOTABLE:
        text += f"; {PHASE_LABELS['exit']} takes another {fmt.pct(shares['exit'].median)}"
    return text + "."


def lines(source: Source, limit: int | None = None) -> list[str]:
    """Sentences for the clients with phases, slowest single call first."""
    found = [s for b in reversed(singles(source)) if (s := sentence(source, b)) is not None]
    return found[:limit] if limit is not None else found


def render(ctx: Context, limit: int | None = SHOWN) -> str | None:
    parts = []
    for source in ctx.sources:
        found = lines(source)
        if not found:
            continue
        shown = found[:limit] if limit is not None else found
        more = (f"\n\n{len(found) - len(shown)} faster client(s) are explained in the details."
                if len(found) > len(shown) else "")
        lead = f"On **{source.label}**:\n\n" if ctx.multi_host else ""
        parts.append(lead + "\n".join(f"- {line}" for line in shown) + more)
    if not parts:
        return None
    return blocks(heading(2, TITLE), "From each client's single call: the phase that takes the largest median "
                                     "share of its wall time, and what the import profile says about it.", *parts)


def render_all(ctx: Context) -> str | None:
    """The same for every client, for the details."""
    return render(ctx, None)
