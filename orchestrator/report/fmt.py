"""How every number in the report is written, so one figure reads the same everywhere.

Two decimals below 10, one above: 1.62 ms, 153.6 ms, 48.3x. Ranges use an
en dash (45.1–51.2) so a minus sign is never mistaken for one.
"""

from __future__ import annotations

import math
from typing import Any

from ..results.records import Ratio
from .analysis.costs import NEVER, RANGE, BreakEven
from .analysis.speed import Speedup

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


def versus_fastest(ratio: Ratio | None) -> list[str]:
    """The two FASTEST_HEADERS cells from a results file's ratio record (median / the case's fastest median).

    k = median_client / median_fastest: the fastest client is k× faster than
    this one. The fastest itself is the reference, with no interval.
    """
    if ratio is None:
        return [MISSING, MISSING]
    if ratio.client == ratio.baseline:
        return [REFERENCE, MISSING]
    return [times(ratio.ratio), span(ratio.low, ratio.high)]


def span(low: float | None, high: float | None) -> str:
    """An interval, 45.1–51.2 (an infinite end is written as ∞)."""
    if low is None or high is None:
        return MISSING
    return f"{num(low)}–{num(high) if math.isfinite(high) else '∞'}"


def speedup_sentence(found: Speedup, names: dict[str, str] | None = None) -> str:
    """The report's one wording of a ratio with its 95% interval (analysis/speed.py's convention).

    "**A** is **k× faster** than **B** (95% CI l–hx)" with k = median_B / median_A (>= 1: A is the one
    with the lower median) when the interval excludes 1; "**A** and **B** cannot be told apart (k ..., 95% CI
    ...x)" when it contains 1. `names` says how to write a client (default: its name); no trailing period.
    """
    a, b = ((names or {}).get(n, n) for n in (found.faster, found.slower))
    interval = f"95% CI {span(found.low, found.high)}x"
    if not found.distinguishable:
        return f"**{a}** and **{b}** cannot be told apart (k {times(found.k)}, {interval})"
    return f"**{a}** is **{times(found.k)} faster** than **{b}** ({interval})"


def pct(fraction: float | None) -> str:
    return MISSING if fraction is None or not math.isfinite(fraction) else f"{fraction * 100:.1f}%"


def calls(n: float | None) -> str:
    """A break-even point as a whole number of calls (the first n where it holds)."""
    if n is None or not math.isfinite(n):
        return "never"
    return str(math.ceil(n - 1e-9))


def mib(value_bytes: float | None) -> str:
    return MISSING if value_bytes is None else num(value_bytes / (1 << 20))



# --- figures rounded to what their interval supports -------------------------------------


def _step(low: float, high: float) -> float:
    """The rounding step an interval supports: 10^floor(log10(half-width)), at least 1 for whole counts."""
    half = (high - low) / 2
    return 10.0 ** math.floor(math.log10(half)) if half > 0 and math.isfinite(half) else 1.0


def _whole(value: float, step: float, how: Any) -> str:
    return str(int(how(value / step) * step)) if step >= 1 else str(how(value))


def calls_span(low: float, high: float, smallest: int, largest: int) -> str:
    """A break-even range in whole calls, ends rounded outward to the precision the range supports.

    Never a number outside the measured N: an end beyond the largest is
    written ">largest", below the smallest "<smallest". 116–210 -> 110–210.
    """
    beyond = not math.isfinite(high) or high > largest
    step = 1.0 if beyond else _step(low, high)
    low_text = f"<{smallest}" if low < smallest else str(max(int(_whole(math.ceil(low - 1e-9), step, math.floor)),
                                                             smallest))
    if not math.isfinite(low) or low > largest:
        low_text = f">{largest}"
    # Rounded outward, but never past the measured N.
    high_text = f">{largest}" if beyond else str(min(int(_whole(math.ceil(high - 1e-9), step, math.ceil)), largest))
    if low_text == high_text:
        return low_text
    return f"{low_text} to {high_text}" if beyond else f"{low_text}–{high_text}"


def calls_estimate(n: float, low: float, high: float, smallest: int, largest: int) -> str:
    """One estimator's break-even "n (low–high)", rounded to its interval's precision, never beyond the measured N."""
    if not math.isfinite(n) or n > largest:
        point = f">{largest}"
    else:
        step = _step(low, min(high, largest)) if math.isfinite(low) else 1.0
        point = _whole(math.ceil(n - 1e-9), step, lambda v: math.floor(v + 0.5))  # half up
    if not math.isfinite(low) or low > largest:
        return f"{point} (>{largest})"
    return f"{point} ({calls_span(low, high, smallest, largest)})"


def rounded(value: float, low: float, high: float) -> str:
    """A computed figure rounded to its interval's precision: 2286.0 (2237.4–2338.2) -> 2290 (2230–2340)."""
    step = _step(low, high)
    if step >= 1:
        low_text, high_text = f"{math.floor(low / step) * step:.0f}", f"{math.ceil(high / step) * step:.0f}"
        return f"{round(value / step) * step:.0f} ({low_text}–{high_text})"
    digits = -math.floor(math.log10(step))
    outward = math.floor(round(low / step, 6)) * step, math.ceil(round(high / step, 6)) * step
    return f"{value:.{digits}f} ({outward[0]:.{digits}f}–{outward[1]:.{digits}f})"


def median_span(low: float | None, high: float | None, coverage: float | None, confidence: float = 0.95) -> str:
    """A median's interval, with its actual coverage where that is below the confidence the header states.

    An order-statistic interval from fewer than 6 runs cannot reach 95% (it is
    [min, max], 75% at n = 3): "4.10–4.70 (covers 75.0%)".
    """
    text = span(low, high)
    if text != MISSING and coverage is not None and coverage < confidence:
        text += f" (covers {pct(coverage)})"
    return text


NOT_DETERMINABLE_TEXT = "not determinable from this run"


def verdict_text(point: BreakEven) -> str:
    """A break-even point in words: the range in whole calls ("n = 110–210"), "never", or NOT_DETERMINABLE_TEXT."""
    if point.verdict == RANGE:
        assert point.low is not None and point.high is not None, "a range has both ends"
        return f"n = {calls_span(point.low, point.high, point.smallest_measured, point.largest_measured)}"
    return NEVER if point.verdict == NEVER else NOT_DETERMINABLE_TEXT
