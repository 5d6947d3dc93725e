"""The single-call cells of a results file, fastest first (pure)."""

from __future__ import annotations

from ..data import Bench, Source


def singles(source: Source) -> list[Bench]:
    """Clients with a verified single call, fastest first."""
    found = [b for b in source.benches if b.scenario == "single" and b.ok]
    return sorted(found, key=lambda b: b.wall.median)
