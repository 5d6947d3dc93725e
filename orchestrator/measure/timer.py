"""`invoke time -- CMD ARGS`: time any command with the same engine as `invoke run`.

Useful on its own (a hyperfine-like summary with peak memory and a CI of the
median), and the way the engine is checked against hyperfine
(benchmarks/accuracy.py, docs/accuracy.md).
"""

from __future__ import annotations

import json
import signal
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .. import stats
from ..errors import PolybenchError
from ..provenance.process_env import EnvPolicy
from ..units import NS_PER_MS
from ..words import counted
from .process import run_repeated

# The runs between two checks of the stopping rule are made in one launcher
# request (spawn.run_repeated), so that the orchestrator does not wake between
# them; after min_runs, a request holds about this much run time.
BATCH_S = 0.1


@dataclass(frozen=True)
class TimerSettings:
    warmup: int = 3
    min_runs: int = 10
    max_runs: int = 200
    target_rel_ci: float = 0.01
    budget_s: float = 3.0
    timeout_s: float = 60.0


def time_command(argv: Sequence[str], settings: TimerSettings = TimerSettings(),
                 env_policy: EnvPolicy | None = None, keep_stdout: bool = False) -> dict[str, Any]:
    """Run argv repeatedly (adaptive count) and summarise wall, CPU time and peak RSS.

    CPU time is user + system per run (``cpu_ms``) and its share of the wall
    time; ``user_ms`` and ``sys_ms`` are null unless the split is resolvable
    (stats.cpu_split_resolvable), never a median of a tick-sampled split.
    The command gets a clean environment (process_env.py, as pyperf does) unless
    env_policy inherits chosen variables or, like hyperfine, all of them.
    keep_stdout: False discards the command's stdout (hyperfine's default), True keeps it on tmpfs.
    The runs are made in batches (batch_size), the stopping rule checked after each.
    """
    if not argv:
        raise PolybenchError("nothing to time: give a command after --, e.g. invoke time -- /usr/bin/true")
    env_policy = env_policy or EnvPolicy()
    env = env_policy.for_process()
    if settings.warmup > 0:
        for result in run_repeated(argv, settings.warmup, timeout_s=settings.timeout_s, env=env,
                                   keep_stdout=keep_stdout):
            _check(result.exit_code, result.timed_out, argv, result.stderr)
    walls: list[float] = []
    users: list[float] = []
    systems: list[float] = []
    rss: list[float] = []
    spent = 0.0
    while True:
        count = batch_size(walls, settings, spent)
        for result in run_repeated(argv, count, timeout_s=settings.timeout_s, env=env, keep_stdout=keep_stdout):
            _check(result.exit_code, result.timed_out, argv, result.stderr)
            walls.append(result.wall_ns / NS_PER_MS)
            users.append(result.user_ns / NS_PER_MS)
            systems.append(result.sys_ns / NS_PER_MS)
            rss.append(result.peak_rss_kib / 1024)
            spent += result.wall_ns / 1e9
        stop, reason = stats.should_stop(walls, min_runs=settings.min_runs, max_runs=settings.max_runs,
                                         target_rel_ci=settings.target_rel_ci, elapsed_s=spent,
                                         budget_s=settings.budget_s)
        if stop:
            break
    cpus = [user + system for user, system in zip(users, systems, strict=True)]
    resolvable = stats.cpu_split_resolvable(cpus)
    looks = stats.stopping_looks(settings.min_runs, settings.max_runs)  # the interval survives the stopping rule
    return {
        "command": list(argv),
        "runs": len(walls),
        "stop_reason": reason,
        "wall_ms": stats.summarize(walls, looks=looks).to_dict(),
        "cpu_ms": stats.summarize(cpus, looks=looks).to_dict(),
        "cpu_per_wall": stats.summarize([c / w if w > 0 else 0.0 for c, w in zip(cpus, walls, strict=True)],
                                        looks=looks).to_dict(),
        "cpu_split_resolvable": resolvable,
        "user_ms": stats.summarize(users, looks=looks).to_dict() if resolvable else None,
        "sys_ms": stats.summarize(systems, looks=looks).to_dict() if resolvable else None,
        "peak_rss_mib": stats.summarize(rss, looks=looks).to_dict(),
        "wall_ms_values": walls,
        "environment": env_policy.record({}),
    }


def batch_size(walls_ms: Sequence[float], settings: TimerSettings, spent_s: float) -> int:
    """How many runs to make before the stopping rule is checked again (at least 1).

    Up to min_runs, all the runs still missing (the rule cannot stop before);
    then about BATCH_S of runs at the median run time so far, never past
    max_runs nor, by more than one run, past the time budget.
    """
    done = len(walls_ms)
    left = max(1, settings.max_runs - done)
    if done < settings.min_runs:
        return min(settings.min_runs - done, left)
    typical_s = max(statistics.median(walls_ms) / 1000, 1e-6) if walls_ms else BATCH_S
    count = int(BATCH_S / typical_s)
    if settings.budget_s is not None:
        count = min(count, int(max(0.0, settings.budget_s - spent_s) / typical_s) + 1)
    return max(1, min(count, left))


def _check(exit_code: int, timed_out: bool, argv: Sequence[str], stderr: str) -> None:
    if exit_code == -signal.SIGXFSZ:
        raise PolybenchError(f"{argv[0]} wrote more than the output limit (--output null discards stdout)")
    if timed_out:
        raise PolybenchError(f"{argv[0]} timed out")
    if exit_code != 0:
        tail = stderr.strip().splitlines()[-1:] or ["(no stderr)"]
        raise PolybenchError(f"{argv[0]} exited {exit_code}: {tail[0]}")


def render(summary: dict[str, Any]) -> str:
    """hyperfine's layout, plus CPU time, peak memory and the interval of the median.

    CPU is the median user + system time per run and its share of the wall
    time; user and system are shown apart only where the split is resolvable.
    """
    wall, cpu, share, rss = (summary[k] for k in ("wall_ms", "cpu_ms", "cpu_per_wall", "peak_rss_mib"))
    if summary["cpu_split_resolvable"]:
        split = f"User: {summary['user_ms']['median']:.3f} ms, System: {summary['sys_ms']['median']:.3f} ms"
    else:
        split = f"user/system split not resolvable below {stats.CPU_SPLIT_MIN_MS:g} ms"
    coverage = wall.get("median_ci_coverage", 0.0)
    confidence = stats.DEFAULT_CONFIDENCE
    label = f"{confidence * 100:g}% CI" if coverage >= confidence else f"[min, max], covers {coverage * 100:.1f}%"
    if wall.get("median_ci_sequential") and coverage >= confidence:
        label = f"{confidence * 100:g}% CI (sequential)"
    lines = [
        f"Benchmark: {' '.join(_printable(arg) for arg in summary['command'])}",
        f"  Time (mean ± σ):   {wall['mean']:8.3f} ms ± {wall['stdev']:7.3f} ms",
        f"  Time (median):     {wall['median']:8.3f} ms   {label} [{wall['median_ci_low']:.3f}, "
        f"{wall['median_ci_high']:.3f}] ms",
        f"  CPU (median):      {cpu['median']:8.3f} ms   user + system, {share['median'] * 100:.0f}% of wall"
        f"  [{split}]",
        f"  Range (min … max): {wall['min']:8.3f} ms … {wall['max']:.3f} ms    {counted(summary['runs'], 'run')}"
        f" ({summary['stop_reason']})",
        f"  Peak memory:       {rss['median']:8.2f} MiB (median)",
    ]
    if wall.get("multimodal"):
        lines.append("  Warning: the times are multimodal (two or more distinct levels): a median hides that.")
    for warning in summary.get("environment", {}).get("warnings", []):
        lines.append(f"  Warning: {warning}.")
    if not wall.get("outliers_assessed", True):
        lines.append(f"  Note: outliers not assessed below {stats.OUTLIERS_MIN_N} runs (a second mode cannot be told "
                     "from outliers there).")
    elif wall["outliers"]:
        lines.append(f"  Warning: {counted(len(wall['outliers']), 'statistical outlier')} (modified Z-score > 3.5).")
    if wall["noisy"]:
        lines.append(f"  Warning: noisy measurement (CV {wall['cv'] * 100:.0f}%): close other programs, "
                     "or raise the run count.")
    return "\n".join(lines)


def _printable(arg: str) -> str:
    """An argument as text: bytes that were not UTF-8 (held as surrogates) shown as U+FFFD."""
    return arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def render_json(summary: dict[str, Any]) -> str:
    return json.dumps(summary, indent=2)
