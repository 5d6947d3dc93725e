"""Escapes from the start-up tax (variants of a client): what a build cost, and the fastest one (pure)."""

from __future__ import annotations

from collections.abc import Mapping

from ..data import Bench, Source


def build_record(source: Source, client: str) -> tuple[float | None, int | None]:
    """(build seconds, total bytes of the build's outputs) from the results' environment, None where unknown."""
    record = source.client_record(client)
    build = (record.build if record else None) or {}
    # an up-to-date build's seconds are the check's, not a build's: known only when it was built
    seconds = build.get("seconds") if build.get("status") == "built" else None
    outputs = build.get("outputs")
    size = sum(int(v) for v in outputs.values()) if isinstance(outputs, Mapping) and outputs else None
    return (float(seconds) if isinstance(seconds, (int, float)) else None), size


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
