"""`invoke time` makes its runs in launcher batches and checks the stopping rule between them."""

from __future__ import annotations

from orchestrator.measure.timer import BATCH_S, TimerSettings, batch_size, time_command


def test_the_runs_up_to_min_runs_come_in_one_batch():
    settings = TimerSettings(min_runs=10, max_runs=200)
    assert batch_size([], settings, 0.0) == 10
    assert batch_size([1.0] * 4, settings, 0.004) == 6


def test_after_min_runs_a_batch_holds_about_batch_s_of_runs():
    settings = TimerSettings(min_runs=10, max_runs=10_000, budget_s=1e9)
    assert batch_size([2.0] * 10, settings, 0.02) == int(BATCH_S / 0.002)
    assert batch_size([5000.0] * 10, settings, 50.0) == 1  # a long run: checked after every run


def test_a_batch_never_passes_max_runs_nor_the_budget_by_more_than_one_run():
    assert batch_size([1.0] * 195, TimerSettings(min_runs=10, max_runs=200, budget_s=1e9), 0.2) == 5
    assert batch_size([1.0] * 20, TimerSettings(min_runs=10, max_runs=10_000, budget_s=0.025), 0.02) == 6
    assert batch_size([1.0] * 20, TimerSettings(min_runs=10, max_runs=10_000, budget_s=0.01), 0.02) == 1


def test_time_command_makes_exactly_the_runs_asked_for():
    summary = time_command(["/bin/true"], TimerSettings(warmup=2, min_runs=7, max_runs=7))
    assert summary["runs"] == len(summary["wall_ms_values"]) == 7
    assert summary["stop_reason"] == "max-runs"
