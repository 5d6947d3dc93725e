"""How every number in the report is written, so one figure reads the same everywhere.

Two decimals below 10, one above: 1.62 ms, 153.6 ms, 48.3x. Ranges use an
en dash (45.1–51.2) so a minus sign is never mistaken for one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

MISSING = "—"


def num(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return MISSING
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"


def ms(value: float | None) -> str:
    return num(value)


def times(value: float | None) -> str:
    """A ratio: 48.3x."""
    return MISSING if value is None or not math.isfinite(value) else f"{num(value)}x"


REFERENCE = "1.00x (reference)"
FASTEST_HEADERS = ["fastest is k× faster", "k 95% CI"]


def versus_fastest(ratio: Mapping[str, Any] | None) -> list[str]:
    """The two FASTEST_HEADERS cells from a results file's ratio record (median / the case's fastest median).

    k = median_client / median_fastest: the fastest client is k× faster than
    this one. The fastest itself is the reference, with no interval.
    """
    if ratio is None:
        return [MISSING, MISSING]
    if ratio["client"] == ratio["baseline"]:
        return [REFERENCE, MISSING]
    return [times(ratio["ratio"]), span(ratio["low"], ratio["high"])]


def span(low: float | None, high: float | None) -> str:
    """An interval, 45.1–51.2 (an infinite end is written as ∞)."""
    if low is None or high is None:
        return MISSING
    return f"{num(low)}–{num(high) if math.isfinite(high) else '∞'}"


def pct(fraction: float | None) -> str:
    return MISSING if fraction is None or not math.isfinite(fraction) else f"{fraction * 100:.1f}%"


def calls(n: float | None) -> str:
    """A break-even point as a whole number of calls (the first n where it holds)."""
    if n is None or not math.isfinite(n):
        return "never"
    return str(math.ceil(n - 1e-9))


def mib(value_bytes: float | None) -> str:
    return MISSING if value_bytes is None else num(value_bytes / (1 << 20))

