"""How user-facing text says a count: one home, so no message says "1 runs" or "a different clients"."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """n and its noun, singular for exactly 1: counted(1, "run") == "1 run", counted(3, "run") == "3 runs".

    plural: the plural where adding "s" is wrong (counted(2, "process", "processes"))."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
