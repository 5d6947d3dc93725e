"""The dot plot's whiskers say what they are: a 95% CI only where every bar covers 95%."""

from orchestrator.report.charts.medians import MedianDot, interval_label
from orchestrator.stats import median_ci


def _dot(coverage: float) -> MedianDot:
    return MedianDot(label="x", kind="compiled", median_ms=1.0, low_ms=0.9, high_ms=1.1, coverage=coverage)


def test_bars_of_enough_runs_are_a_95_percent_ci():
    assert interval_label([_dot(median_ci([1.0 + i / 100 for i in range(10)]).coverage)]) == "95% CI"


def test_bars_of_too_few_runs_say_what_they_cover():
    three_runs = median_ci([1.0, 1.1, 1.2]).coverage  # [min, max]: 75%
    label = interval_label([_dot(0.97), _dot(three_runs)])
    assert "covers only 75.0%" in label
    assert not label.startswith("95% CI")
