"""What the launcher's timed window holds: the whole child, its own rusage, and back-to-back runs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from orchestrator.measure import process as spawn
from orchestrator.measure.process import run_process, run_repeated

# The child reads its own clocks after the interpreter has started, sleeps, and reads them again.
SELF_TIMED = """
import time
mono0, epoch0 = time.monotonic_ns(), time.time_ns()
time.sleep(0.05)
mono1, epoch1 = time.monotonic_ns(), time.time_ns()
print(mono0, mono1, epoch0, epoch1)
"""

# The child burns CPU, then reports the CPU time it has used so far by its own clock.
SELF_BURNING = """
import time
end = time.process_time_ns() + 200_000_000
while time.process_time_ns() < end:
    pass
print(time.process_time_ns())
"""

RUSAGE_RESOLUTION_NS = 2_000  # user and system each come in whole microseconds (struct timeval)


def test_wall_time_holds_the_childs_own_lifetime():
    result = run_process([sys.executable, "-c", SELF_TIMED], timeout_s=30)
    assert result.exit_code == 0, result.stderr
    mono0, mono1, epoch0, epoch1 = (int(value) for value in result.stdout.split())
    # the clock starts before the exec and stops after the reap: it holds all the child saw of itself
    assert result.wall_ns >= mono1 - mono0
    assert result.spawn_epoch_ns <= epoch0 <= epoch1 <= result.reap_epoch_ns


def test_cpu_time_is_the_childs_own_not_accumulated():
    burner = run_process([sys.executable, "-c", SELF_BURNING], timeout_s=60)
    assert burner.exit_code == 0, burner.stderr
    own_cpu_ns = int(burner.stdout)
    # wait4's rusage holds all the CPU the child measured of itself (and its exit after that) ...
    assert burner.user_ns + burner.sys_ns >= own_cpu_ns - RUSAGE_RESOLUTION_NS
    # ... and only the reaped child's: the next child does not carry the burner's CPU (nor the launcher's)
    after = run_process(["true"], timeout_s=10)
    assert after.user_ns + after.sys_ns < own_cpu_ns


def test_repeated_runs_are_each_timed_in_order():
    results = run_repeated([sys.executable, "-c", SELF_TIMED], 3, timeout_s=30)
    assert len(results) == 3
    assert all(r.exit_code == 0 and not r.timed_out and r.wall_ns > 0 for r in results)
    for earlier, later in zip(results, results[1:], strict=False):
        assert earlier.reap_epoch_ns <= later.spawn_epoch_ns
    # only the last run's output is kept (each run's files are emptied for the next)
    assert [bool(r.stdout) for r in results] == [False, False, True]
    mono0, mono1, _, _ = (int(value) for value in results[-1].stdout.split())
    assert results[-1].wall_ns >= mono1 - mono0


def test_repeats_stop_at_the_first_failed_run_and_keep_its_stderr(tmp_path: Path):
    counter = tmp_path / "count"
    script = (f'n=$(cat {counter} 2>/dev/null || echo 0); n=$((n + 1)); echo $n > {counter}; '
              'echo "run $n" >&2; [ $n -lt 3 ]')
    results = run_repeated(["sh", "-c", script], 10, timeout_s=10)
    assert [r.exit_code for r in results] == [0, 0, 1]
    assert results[-1].stderr == "run 3\n"
    assert counter.read_text().strip() == "3"  # nothing ran after the failure


def test_repeats_stop_when_a_run_fills_its_output(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(spawn, "OUTPUT_LIMIT", 1000)
    # head is stopped at the file-size limit; the shell around it still exits 0
    results = run_repeated(["sh", "-c", "head -c 5000 /dev/zero; exit 0"], 5, timeout_s=10)
    assert len(results) == 1
    assert results[0].exit_code == 0 and results[0].output_exceeded


def test_a_repeat_count_below_one_is_refused():
    with pytest.raises(spawn.PolybenchError, match="cannot run a command 0 times"):
        run_repeated(["true"], 0, timeout_s=5)
