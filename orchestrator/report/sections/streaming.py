"""Section: one large download read in chunks: throughput and memory."""

from __future__ import annotations

from dataclasses import dataclass

from .. import fmt
from ..context import Context
from ..data import Bench
from ..markdown import blocks, heading, table
from .cases import all_cases, ordered

MB = 1e6  # throughput in decimal megabytes per second, as network speeds are quoted


@dataclass(frozen=True)
class Throughput:
    seconds: float
    basis: str  # "network phase" | "whole process"
    bytes: int

    @property
    def mb_per_s(self) -> float:
        return self.bytes / self.seconds / MB if self.seconds > 0 else float("nan")


def throughput(bench: Bench) -> Throughput | None:
    if not bench.ok or bench.scenario != "stream":
        return None
    phases = bench.phases
    if phases:
        return Throughput(phases["network"].median / 1000, "network phase", bench.params["bytes"])
    return Throughput(bench.wall.median / 1000, "whole process", bench.params["bytes"])


def render(ctx: Context) -> str:
    parts = [
        heading(2, "Streaming"),
        "One `GET /bytes/B`, read in chunks of at most 1 MiB with a SHA-256 computed on the fly; the body is "
        "never held whole. Throughput = B / the median network phase (or the median wall time for clients "
        "without phases), in MB/s (10^6 bytes per second). Peak RSS is the median of the process's maximum "
        "resident set: a client that streams properly stays far below B.",
    ]
    cases = [c for c in all_cases(ctx) if c.startswith("stream")]
    if not cases:
        parts.append("No stream case in these results.")
        return blocks(*parts)
    for case in cases:
        body = []
        measured = [(s, b, result) for s, b in ordered(ctx, case) if (result := throughput(b)) is not None]
        for source, bench, result in sorted(measured, key=lambda item: -item[2].mb_per_s):
            body.append([*ctx.host_cells(source), bench.client, fmt.num(result.mb_per_s),
                         fmt.ms(result.seconds * 1000), fmt.num(bench.metric("peak_rss_mib").median),
                         fmt.ms(bench.wall.median), result.basis])
        size = next(b for s in ctx.sources for b in s.in_case(case)).params["bytes"]
        parts += [
            heading(3, f"`{case}`"),
            f"Body: {size} bytes ({fmt.mib(size)} MiB).",
            table([*ctx.host_headers(), "client", "MB/s", "timed ms", "peak RSS MiB", "wall ms", "timed from"],
                  body) if body else "No verified runs in this case.",
        ]
    return blocks(*parts)
