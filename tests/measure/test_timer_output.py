"""`invoke time`'s output: CPU time as user + system, the split only where resolvable, honest interval label."""

from __future__ import annotations

from orchestrator import stats
from orchestrator.measure.timer import TimerSettings, render, time_command


def _summary(cpu_ms: list[float], users: list[float], systems: list[float], walls: list[float]) -> dict:
    resolvable = stats.cpu_split_resolvable(cpu_ms)
    return {
        "command": ["prog"], "runs": len(walls), "stop_reason": "max-runs",
        "wall_ms": stats.summarize(walls).to_dict(), "cpu_ms": stats.summarize(cpu_ms).to_dict(),
        "cpu_per_wall": stats.summarize([c / w for c, w in zip(cpu_ms, walls, strict=True)]).to_dict(),
        "cpu_split_resolvable": resolvable,
        "user_ms": stats.summarize(users).to_dict() if resolvable else None,
        "sys_ms": stats.summarize(systems).to_dict() if resolvable else None,
        "peak_rss_mib": stats.summarize([1.0] * len(walls)).to_dict(), "wall_ms_values": walls,
    }


def test_a_short_process_shows_only_its_cpu_sum():
    # the kernel's tick-sampled split of a short run: all user or all system
    users, systems = [3.3, 3.6, 0.0, 0.0, 3.4, 0.0], [0.0, 0.0, 3.6, 3.5, 0.0, 3.4]
    cpu = [u + s for u, s in zip(users, systems, strict=True)]
    text = render(_summary(cpu, users, systems, [4.0, 4.1, 4.2, 4.0, 4.1, 4.05]))
    assert "User:" not in text and "System:" not in text and "not resolvable" in text
    assert "3.450 ms" in text  # median of user + system
    assert "95% CI" in text  # six runs: the interval reaches 95%


def test_a_long_process_shows_the_split_and_a_small_sample_is_labelled():
    users, systems = [150.0, 155.0, 152.0], [20.0, 22.0, 21.0]
    cpu = [u + s for u, s in zip(users, systems, strict=True)]
    text = render(_summary(cpu, users, systems, [200.0, 210.0, 205.0]))
    assert "User: 152.000 ms, System: 21.000 ms" in text
    assert "95% CI" not in text and "[min, max], covers 75.0%" in text


def test_time_command_records_cpu_and_no_split_for_true():
    summary = time_command(["/bin/true"], TimerSettings(warmup=1, min_runs=3, max_runs=3))
    assert summary["runs"] == 3 and summary["cpu_ms"]["n"] == 3
    assert summary["cpu_split_resolvable"] is False and summary["user_ms"] is None and summary["sys_ms"] is None
