"""Section: the TLS tax, per client: what HTTPS adds to start-up and to each new connection.

Every number here is computed from two measured cells of the same client and
the same parameters, one on the server's TLS port (`tls_single`,
`tls_sequential`, `tls_keepalive`) and one on its plain port:

- *extra set-up*: median imports + set-up phase over TLS minus plain, from
  `tls_single` vs `single`: importing `ssl` (where the plain run did not),
  building the TLS context and loading the CA file.
- *extra single call*: the same for the whole process (spawn to reap).
- *per handshake*: (median network phase of `tls_sequential` minus that of
  `sequential`) / N, N calls each on a new connection: a TCP connection plus
  a TLS handshake plus encrypting one small exchange, minus the plain
  connection. Where a client does not timestamp its phases (curl), the whole
  process is used instead, and the table says so.
- *extra over keep-alive*: network phase of `tls_keepalive` minus `keepalive`
  at the same N: one handshake and N encrypted exchanges.

Intervals: each difference is recomputed on bootstrap draws of the two cells'
medians (stats.bootstrap_median_draws, the cells resampled independently),
and the interval is the percentile interval of those differences
(stats.draws_interval). With few runs per cell (the quick profile) such an
interval covers less often than its nominal level.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from ... import stats
from ...config.scenarios import SCENARIOS
from .. import fmt
from ..context import Context
from ..data import Bench, Source
from ..markdown import blocks, heading, table

NETWORK = "network phase"
WHOLE = "whole process"


@dataclass(frozen=True)
class Difference:
    """median(tls) - median(plain), divided by `per`, in ms, with its bootstrap interval."""

    value: float
    low: float
    high: float
    basis: str  # which measurement: NETWORK, WHOLE or "imports + set-up"

    @property
    def resolved(self) -> bool:
        """True when the interval excludes zero: a cost this run can tell from none."""
        return self.low > 0.0 or self.high < 0.0


def difference(tls_ms: Sequence[float], plain_ms: Sequence[float], basis: str, per: int = 1) -> Difference:
    """(median(tls_ms) - median(plain_ms)) / per with a bootstrap percentile interval; values in ms."""
    draws = stats.bootstrap_median_draws([tls_ms, plain_ms])
    low, high = stats.draws_interval((draws[0] - draws[1]) / per)
    value = (statistics.median(tls_ms) - statistics.median(plain_ms)) / per
    return Difference(value, low, high, basis)


@dataclass(frozen=True)
class TLSTax:
    """One client's TLS costs on one host; None where the pair of cells is missing."""

    client: str
    language: str
    setup: Difference | None  # tls_single vs single, imports + set-up phase
    single: Difference | None  # tls_single vs single, whole process
    handshake: Difference | None  # tls_sequential vs sequential, per call
    handshake_calls: int | None
    keepalive: Difference | None  # tls_keepalive vs keepalive, network phase (or whole process), total
    keepalive_calls: int | None


def _plain_partner(source: Source, tls: Bench) -> Bench | None:
    plain = SCENARIOS[tls.scenario].client_scenario
    return next((b for b in source.benches if b.client == tls.client and b.scenario == plain
                 and dict(b.params) == dict(tls.params) and b.ok), None)


def _timed(tls: Bench, plain: Bench, phase: str) -> tuple[list[float], list[float], str]:
    """Both cells' values of `phase` where both have phases, else their whole-process times."""
    tls_values, plain_values = tls.phase_ms(phase), plain.phase_ms(phase)
    if tls_values and plain_values:
        return tls_values, plain_values, NETWORK if phase == "network" else "imports + set-up"
    return tls.walls_ms, plain.walls_ms, WHOLE


def tls_taxes(source: Source) -> list[TLSTax]:
    """Every client with at least one verified TLS cell and its plain partner, in the order run."""
    pairs: dict[str, dict[str, tuple[Bench, Bench]]] = {}
    for bench in source.benches:
        scenario = SCENARIOS.get(bench.scenario)
        if scenario is None or not scenario.tls or not bench.ok:
            continue
        plain = _plain_partner(source, bench)
        if plain is not None:
            pairs.setdefault(bench.client, {}).setdefault(scenario.client_scenario, (bench, plain))
    taxes = []
    for client, found in pairs.items():
        setup = single = handshake = keepalive = None
        handshake_calls = keepalive_calls = None
        language = next(iter(found.values()))[0].language
        if "single" in found:
            tls, plain = found["single"]
            tls_ms, plain_ms, basis = _timed(tls, plain, "imports")
            setup = difference(tls_ms, plain_ms, basis) if basis != WHOLE else None
            single = difference(tls.walls_ms, plain.walls_ms, WHOLE)
        if "sequential" in found:
            tls, plain = found["sequential"]
            handshake_calls = tls.calls
            handshake = difference(*_timed(tls, plain, "network"), per=tls.calls)
        if "keepalive" in found:
            tls, plain = found["keepalive"]
            keepalive_calls = tls.calls
            keepalive = difference(*_timed(tls, plain, "network"))
        taxes.append(TLSTax(client, language, setup, single, handshake, handshake_calls, keepalive, keepalive_calls))
    return taxes


def _cells(diff: Difference | None, *, mark_whole: bool = True) -> list[str]:
    """The value and its interval; † where a network-phase figure had to use whole-process times."""
    if diff is None:
        return [fmt.MISSING, fmt.MISSING]
    value = fmt.ms(diff.value) + ("" if diff.resolved else " (≈ 0)")
    return [value + (" †" if mark_whole and diff.basis == WHOLE else ""), fmt.span(diff.low, diff.high)]


def _summary(taxes: list[TLSTax]) -> str | None:
    handshakes = sorted(((t.client, t.handshake) for t in taxes
                         if t.handshake is not None and t.handshake.basis == NETWORK),
                        key=lambda pair: pair[1].value)
    if len(handshakes) < 2:
        return None
    (cheap, low), (dear, high) = handshakes[0], handshakes[-1]
    return (f"Computed from this run: a new TLS connection cost {cheap} the least, "
            f"{fmt.ms(low.value)} ms more than a plain one "
            f"(95% CI {fmt.span(low.low, low.high)}), and {dear} the most, "
            f"{fmt.ms(high.value)} ms (95% CI {fmt.span(high.low, high.high)}).")


def render(ctx: Context) -> str:
    rows = []
    taxes_by_source = [(source, tls_taxes(source)) for source in ctx.sources]
    for source, taxes in taxes_by_source:
        for tax in taxes:
            rows.append([
                *ctx.host_cells(source), tax.client, tax.language, *_cells(tax.setup),
                *_cells(tax.single, mark_whole=False),
                *_cells(tax.handshake), str(tax.handshake_calls or fmt.MISSING),
                *_cells(tax.keepalive), str(tax.keepalive_calls or fmt.MISSING),
            ])
    if not rows:
        return ""
    headers = [*ctx.host_headers(), "client", "language",
               "extra set-up ms (computed)", "95% CI",
               "extra single call ms (computed)", "95% CI",
               "per handshake ms (computed)", "95% CI", "N (sequential)",
               "extra keep-alive ms (computed)", "95% CI", "N (keep-alive)"]
    summaries = [_summary(taxes) for _, taxes in taxes_by_source]
    return blocks(
        heading(2, "The TLS tax"),
        "The same client, the same calls, once on the server's plain port and once on its TLS port "
        "(HTTP/1.1, TLS 1.2+ with an ECDSA P-256 certificate from a CA made for this server start; each client "
        "trusts exactly that CA, loaded from `--ca-file`, and verifies the certificate). Every figure is "
        "computed: a difference of two measured medians of the same client, TLS minus plain.",
        "- **extra set-up**: imports + set-up phase of `tls_single` minus `single`: importing the TLS "
        "library where the plain run did not, building the TLS context, loading the CA.\n"
        "- **extra single call**: the whole process of `tls_single` minus `single` (set-up, one handshake, "
        "one encrypted call, exit).\n"
        "- **per handshake**: network phase of `tls_sequential` minus `sequential`, divided by N: each call "
        "opens a new connection, so this is one TLS handshake (plus encrypting one small exchange) per call.\n"
        "- **extra keep-alive**: network phase of `tls_keepalive` minus `keepalive`: one handshake and N "
        "encrypted exchanges over one connection.\n"
        "- † whole process (the client does not timestamp its phases), not the network phase; (≈ 0): the "
        "interval includes zero, so this run cannot tell the cost from none. Negative values mean the TLS run "
        "was faster, e.g. a client whose plain set-up loads the system CA bundle while its TLS set-up loads "
        "one certificate.",
        *(summary for summary in summaries if summary),
        table(headers, rows),
        "Intervals: bootstrap percentile intervals of the difference of medians (the two cells resampled "
        "independently); with fewer than about 10 runs per cell they cover less often than 95%.",
    )
