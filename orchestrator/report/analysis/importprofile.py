"""A client's import profile as the median over its `-X importtime` runs (pure).

The run side makes one extra run under `python -X importtime` before each of
a client's first IMPORTTIME_RUNS_PER_CLIENT cells (orchestrator/measure/rounds.py),
so a client has up to that many import profiles, each the slowest IMPORTS_KEPT
modules of one run. A
module's figures here are medians over the runs whose list holds it; `runs`
says how many that is.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from ...results.records import ImportTime
from ..data import Source


@dataclass(frozen=True)
class ImportRow:
    module: str
    depth: int  # nesting level in the import tree (0: imported by the client itself)
    cumulative_ms: float  # median over runs: the module and everything it imported
    self_ms: float  # median over runs: the module's own code
    runs: int  # how many of the profiles list the module


def profiles(source: Source, client: str) -> list[list[ImportTime]]:
    """Every import profile recorded for the client, one per cell that had an importtime run."""
    return [list(b.imports) for b in source.benches if b.client == client and b.imports]


def import_profile(source: Source, client: str) -> tuple[list[ImportRow], int]:
    """(modules by median cumulative time, slowest first; the number of importtime runs)."""
    found = profiles(source, client)
    by_module: dict[str, list[ImportTime]] = {}
    for profile in found:
        for item in profile:
            by_module.setdefault(item.module, []).append(item)
    rows = [ImportRow(module, int(statistics.median(i.depth for i in items)),
                      statistics.median(i.cumulative_us for i in items) / 1000,
                      statistics.median(i.self_us for i in items) / 1000, len(items))
            for module, items in by_module.items()]
    rows = [r for r in rows if 2 * r.runs >= len(found)]  # in at least half the runs: not a tail fluke
    rows.sort(key=lambda r: -r.cumulative_ms)
    return rows, len(found)
