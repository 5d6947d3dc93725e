"""benchmarks/accuracy.py's pure parts: per-block ratios, their interval and verdict, the record section.

Behaviour only: no timer runs here, and no timing thresholds.
"""

from __future__ import annotations

import random

import pytest

from benchmarks import accuracy, block_timers
from benchmarks.accuracy import RECORD_END, RECORD_START, block_ratios, judge, replace_record


def test_block_ratios_divide_block_by_block():
    assert block_ratios([2.0, 3.0, 1.0], [1.0, 2.0, 4.0]) == (2.0, 1.5, 0.25)


@pytest.mark.parametrize(("numerator", "denominator"), [([1.0, 2.0], [1.0]), ([], []), ([1.0], [0.0])])
def test_block_ratios_refuse_mismatched_empty_or_zero(numerator, denominator):
    with pytest.raises(ValueError):
        block_ratios(numerator, denominator)


def test_judge_takes_the_order_statistic_interval_of_the_median():
    ratios = [1.0 + i / 100 for i in range(-15, 15)]  # 30 ratios, 0.85 .. 1.14
    verdict = judge(ratios)
    # n = 30: the 95% interval is [x(10), x(21)] (coverage 95.7%)
    assert verdict.interval.low == pytest.approx(sorted(ratios)[9])
    assert verdict.interval.high == pytest.approx(sorted(ratios)[20])
    assert verdict.interval.coverage >= 0.95
    assert (verdict.low, verdict.high, verdict.blocks) == (min(ratios), max(ratios), 30)
    assert verdict.median == pytest.approx(0.995)


def test_a_median_inside_with_an_interval_inside():
    verdict = judge([0.99, 1.0, 1.01, 1.0, 0.995, 1.005, 1.0, 0.98])
    assert verdict.within and verdict.interval_inside


def test_a_median_inside_with_an_interval_reaching_outside():
    verdict = judge([0.9, 0.95, 1.0, 1.0, 1.01, 1.05, 1.1])
    assert verdict.within
    assert not verdict.interval_inside


def test_a_median_outside():
    verdict = judge([0.93, 0.92, 0.94, 0.93, 0.95, 0.91])
    assert not verdict.within and not verdict.interval_inside


def test_the_target_is_a_parameter_and_its_edge_counts_as_within():
    assert judge([1.25] * 6, target=0.25).within  # exact in binary: the edge itself
    assert judge([0.75] * 6, target=0.25).interval_inside
    assert not judge([1.25] * 6, target=0.125).within


def test_a_criterion_row_says_yes_or_no_and_a_shown_ratio_gives_no_verdict():
    medians = {accuracy.PB_TRUE: [0.60, 0.62, 0.61, 0.60, 0.63, 0.61],
               accuracy.BARE_TRUE: [0.60, 0.61, 0.61, 0.61, 0.62, 0.60],
               accuracy.HF_TRUE: [0.66, 0.68, 0.66, 0.67, 0.69, 0.66]}
    judged = accuracy.criterion_row(accuracy.CRITERIA[0], medians)
    assert judged[0].startswith("(a)") and judged[-2:] == ["yes", "yes"]
    shown = accuracy.criterion_row(accuracy.SHOWN[0], medians)
    assert shown[-2:] == ["-", "-"]
    assert float(shown[3]) < 0.97  # polybench / hyperfine is the gap, not judged


def test_every_criterion_compares_timers_the_run_has():
    labels = set(accuracy.timers(("go",), runs=1, parts=False))
    for criterion in (*accuracy.CRITERIA, *accuracy.SHOWN):
        assert {criterion.numerator, criterion.denominator} <= labels
    assert set(accuracy.timers(("go",), runs=1, parts=True)) - labels == set(accuracy.PART_VARIANTS)


def test_replace_record_keeps_everything_outside_the_markers():
    text = f"# Title\n\nprose before\n\n{RECORD_START}\nold record\n{RECORD_END}\n\nprose after\n"
    new = replace_record(text, "new record\n")
    assert new == f"# Title\n\nprose before\n\n{RECORD_START}\nnew record\n{RECORD_END}\n\nprose after\n"
    assert replace_record(new, "new record") == new  # idempotent


@pytest.mark.parametrize("text", [
    "no markers at all",
    f"{RECORD_START} only the start",
    f"{RECORD_END} before {RECORD_START}",
    f"{RECORD_START} a {RECORD_END} twice {RECORD_START} b {RECORD_END}",
])
def test_replace_record_refuses_a_file_without_one_ordered_section(text):
    with pytest.raises(ValueError):
        replace_record(text, "record")


def test_bad_arguments_are_one_line_and_exit_2(capsys):
    assert accuracy.main(["--blocks", "5"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("polybench: error: accuracy: need --blocks >= 6") and err.count("\n") == 1


def test_write_to_a_file_without_markers_is_refused_before_measuring(tmp_path, capsys):
    target = tmp_path / "accuracy.md"
    target.write_text("prose, no record section\n")
    assert accuracy.main(["--write", str(target)]) == 2
    assert "polybench: error: accuracy: --write" in capsys.readouterr().err
    assert target.read_text() == "prose, no record section\n"


def test_run_blocks_runs_every_timer_once_per_block_in_a_seeded_order():
    def run(seed: int) -> tuple[list[str], dict[str, list[float]]]:
        calls: list[str] = []

        def timer(label: str, value: float):
            def block() -> list[float]:
                calls.append(label)
                return [value, value + 2, value + 1]  # median: value + 1
            return block

        timers = {"x": timer("x", 1.0), "y": timer("y", 10.0), "z": timer("z", 100.0)}
        return calls, block_timers.run_blocks(timers, 4, random.Random(seed))

    calls, medians = run(7)
    assert medians == {"x": [2.0] * 4, "y": [11.0] * 4, "z": [101.0] * 4}
    blocks = [calls[i:i + 3] for i in range(0, 12, 3)]
    assert all(sorted(block) == ["x", "y", "z"] for block in blocks)
    assert run(7)[0] == calls  # the seed fixes the order
    assert any(run(seed)[0] != calls for seed in range(8, 20))  # and the order is drawn, not fixed
