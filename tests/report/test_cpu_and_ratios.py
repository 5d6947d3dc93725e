"""CPU time without a sampled user/sys split, and the one ratio convention."""

from __future__ import annotations

from statistics import median

import pytest

from orchestrator import stats
from orchestrator.report import fmt
from orchestrator.report.analysis.cpu import cpu_of, split_resolvable
from orchestrator.report.analysis.speed import speedup
from orchestrator.results.records import Ratio

# go-nethttp `single` as the kernel booked it: each run wholly to user or wholly to sys.
GO_USER = [3.29, 3.56, 0.0, 0.0, 3.40, 0.0]
GO_SYS = [0.0, 0.0, 3.60, 3.47, 0.0, 3.52]
GO_WALL = [4.1, 4.2, 4.0, 4.1, 4.3, 4.2]


def test_a_sampled_split_shows_no_user_or_sys_median_but_an_accurate_total() -> None:
    cpu = cpu_of(GO_USER, GO_SYS, GO_WALL)
    assert not cpu.split_resolvable and cpu.user_ms is None and cpu.sys_ms is None
    assert cpu.cpu_ms == pytest.approx(median(u + s for u, s in zip(GO_USER, GO_SYS, strict=True)))
    assert cpu.cpu_per_wall == pytest.approx(median((u + s) / w for u, s, w in zip(GO_USER, GO_SYS, GO_WALL,
                                                                                      strict=True)))
    assert fmt.ms(cpu.user_ms) == fmt.ms(cpu.sys_ms) == fmt.MISSING


def test_short_runs_are_unresolvable_even_with_both_modes_sampled() -> None:
    users, systems = [60.0] * 10, [30.0] * 10  # 90 ms of CPU: under 10 ticks at 100 Hz
    assert not split_resolvable(users, systems)
    assert split_resolvable([70.0] * 10, [30.0] * 10)  # 100 ms: the rule's threshold


def test_long_runs_show_the_split_with_the_same_rule_as_the_summaries() -> None:
    users, systems, walls = [90.0] * 10, [20.0] * 9 + [10.0], [115.0] * 10
    cpu = cpu_of(users, systems, walls)
    assert cpu.split_resolvable and cpu.user_ms == 90.0 and cpu.sys_ms == 20.0
    totals = [u + s for u, s in zip(users, systems, strict=True)]
    assert split_resolvable(users, systems) == stats.cpu_split_resolvable(totals)


def test_cpu_needs_matching_runs() -> None:
    with pytest.raises(ValueError):
        cpu_of([], [], [])
    with pytest.raises(ValueError):
        cpu_of([1.0], [1.0, 2.0], [3.0])


def test_a_is_k_times_faster_than_b_means_median_b_over_median_a() -> None:
    fast, slow = [2.0, 2.1, 1.9, 2.2, 2.05], [110.0, 114.0, 119.0, 112.0, 116.0]
    found = speedup("rust", fast, "python", slow)
    assert (found.faster, found.slower) == ("rust", "python")
    assert found.k == pytest.approx(median(slow) / median(fast))
    expected = stats.ratio_ci(slow, fast)
    assert (found.low, found.high) == (expected.low, expected.high)
    assert found.distinguishable
    assert speedup("python", slow, "rust", fast) == found  # the order of the arguments does not matter


def test_indistinguishable_times_are_said_to_be() -> None:
    a, b = [10.0, 10.4, 9.8, 10.1, 10.3], [10.1, 9.9, 10.2, 10.35, 10.0]
    assert not speedup("a", a, "b", b).distinguishable


def test_one_wording_for_a_ratio_with_its_interval() -> None:
    """fmt.speedup_sentence: the faster one first with k >= 1, or "cannot be told apart" when the CI holds 1
    (adversarial review: the escapes section said "still 2.21x faster (95% CI 0.67–3.28)")."""
    fast, slow = [2.0, 2.1, 1.9, 2.2, 2.05], [110.0, 114.0, 119.0, 112.0, 116.0]
    for order in (("rust", fast, "python", slow), ("python", slow, "rust", fast)):
        sentence = fmt.speedup_sentence(speedup(*order))
        assert sentence.startswith("**rust** is **") and "faster** than **python** (95% CI" in sentence
    a, b = [10.0, 10.4, 9.8, 10.1, 10.3], [10.1, 9.9, 10.2, 10.35, 10.0]
    tie = fmt.speedup_sentence(speedup("a", a, "b", b), names={"a": "the plain script"})
    assert "cannot be told apart" in tie and "faster" not in tie and "**the plain script**" in tie


def test_the_fastest_is_the_reference_with_no_interval() -> None:
    ratio = Ratio(case="single", client="rust", baseline="rust", ratio=1.0, low=0.96, high=1.05)
    assert fmt.versus_fastest(ratio) == [fmt.REFERENCE, fmt.MISSING]
    other = Ratio(case="single", client="python", baseline="rust", ratio=55.0, low=52.7, high=57.0)
    assert fmt.versus_fastest(other) == ["55.0x", "52.7–57.0"]
    assert fmt.versus_fastest(None) == [fmt.MISSING, fmt.MISSING]
