"""Escapes from the start-up tax (variants of a client): what a build cost, and the fastest one (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..data import Bench, Source


@dataclass(frozen=True)
class BuildRecord:
    """What `invoke build` recorded of one client (results: environment.clients.NAME.build), None where unknown.

    seconds: how long the build that made its outputs took; cached: that build ran before this one (the
    outputs were up to date or restored from the build cache, whose record keeps the original seconds);
    own: the client declares outputs of its own (one without runs with another client's build, shares).
    """

    seconds: float | None
    cached: bool
    size: int | None  # bytes of its own outputs
    own: bool
    shares: tuple[str, ...]


def build_record(source: Source, client: str) -> BuildRecord:
    """The client's BuildRecord from the results' environment (a missing record: all unknown)."""
    record = source.client_record(client)
    build = (record.build if record else None) or {}
    shares = tuple((record.shares_build_of if record else None) or ())
    outputs = build.get("outputs")
    own = not (isinstance(outputs, Mapping) and not outputs)  # an empty map: no outputs, no build of its own
    size = sum(int(v) for v in outputs.values()) if isinstance(outputs, Mapping) and outputs else None
    seconds = build.get("seconds")
    status = build.get("status")
    # an up-to-date (or cache-restored) build carries the seconds of the build that made it; 0 or none: unknown
    known = isinstance(seconds, (int, float)) and own and (status == "built" or (status == "up-to-date"
                                                                                 and seconds > 0))
    return BuildRecord(float(seconds) if known and seconds is not None else None, status == "up-to-date", size,
                       own, shares)


def best_escape(source: Source) -> tuple[str, Bench, str, Bench] | None:
    """(variant, its single bench, fastest compiled contender, its bench) for the fastest variant; None without."""
    variants = [c for group in source.variants().values() for c in group if source.single(c) is not None]
    compiled = [c for c in source.clients() if source.role(c) == "contender" and source.compiled(c)
                and source.single(c) is not None]
    if not variants or not compiled:
        return None
    best = min(variants, key=lambda c: source.single(c).wall.median)  # type: ignore[union-attr]
    fastest = min(compiled, key=lambda c: source.single(c).wall.median)  # type: ignore[union-attr]
    return best, source.single(best), fastest, source.single(fastest)  # type: ignore[return-value]
