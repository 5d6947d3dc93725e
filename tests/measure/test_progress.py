"""orchestrator/measure/progress.py: what a run prints on a pipe (no terminal), and nothing when quiet."""

from __future__ import annotations

import io

from orchestrator.config.model import BuildSpec, Case, ClientSpec
from orchestrator.measure.progress import Progress
from orchestrator.results.runlog import LoggedRun


class Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


CLIENT = ClientSpec(name="toy", language="c", library_label="toy", library_version={}, concurrency_model="none",
                    build=BuildSpec(), run=("x",))
CASE = Case("single", {})


def record(verified: bool, reason: str = "", **extra) -> LoggedRun:
    return LoggedRun(run_id="0" * 32, client="toy", case="single", kind="counted", index=0, wall_ns=1_000_000,
                     user_ns=0, sys_ns=0, peak_rss_kib=1, exit_code=0, timed_out=False, verified=verified,
                     reason=reason, extra=extra)


def test_a_pipe_gets_plain_lines_per_round_and_per_failure():
    stream = Pipe()
    progress = Progress(2, 3, stream=stream)
    progress.round_started(1, 2, 2)
    progress.run_started(CLIENT, CASE, "timed")
    progress.run_finished(record(True))
    progress.run_finished(record(False, "exit code 1"))
    progress.close()
    lines = stream.getvalue().splitlines()
    assert "round 1: 2 of 2 cells still running, 0 runs so far" in lines[0]
    assert lines[1] == "  run failed: toy single: exit code 1"
    assert lines[2].startswith("2 runs over 1 round in ") and lines[2].endswith(", 1 failed verification")
    assert "\r" not in stream.getvalue()  # no live line on a pipe


def test_one_cell_and_one_run_are_said_in_the_singular():
    stream = Pipe()
    progress = Progress(1, 1, stream=stream)
    progress.round_started(1, 1, 1)
    progress.run_finished(record(True))
    progress.close()
    lines = stream.getvalue().splitlines()
    assert "round 1: 1 of 1 cell still running, 0 runs so far" in lines[0]
    assert lines[1].startswith("1 run over 1 round in ")


def test_quiet_prints_nothing_even_on_a_terminal():
    stream = Terminal()
    progress = Progress(1, 1, quiet=True, stream=stream)
    progress.round_started(1, 1, 1)
    progress.run_started(CLIENT, CASE, "timed")
    progress.run_finished(record(False, "bad"))
    progress.close()
    assert stream.getvalue() == ""
    assert progress.failed == 1  # still counted


def test_a_terminal_gets_one_redrawn_line():
    stream = Terminal()
    progress = Progress(1, 2, stream=stream)
    progress.run_started(CLIENT, CASE, "timed")
    assert stream.getvalue().startswith("\r[") and "single toy (timed)" in stream.getvalue()


def test_a_baseline_fails_only_by_its_exit():
    progress = Progress(1, 1, quiet=True, stream=Pipe())
    progress.run_finished(record(False, baseline=True))  # never verified, exit 0: fine
    assert progress.failed == 0


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_pipe_gets_a_heartbeat_when_nothing_was_printed_for_a_while():
    """A CI log must not stay silent for minutes within one round (the quick profile's first took 4.5)."""
    stream, clock = Pipe(), FakeClock()
    progress = Progress(2, 3, stream=stream, clock=clock)
    progress.round_started(1, 2, 2)
    for seconds in (10, 10, 5):  # 25 s after the round line: too soon
        clock.now += seconds
        progress.run_started(CLIENT, CASE, "timed")
        progress.run_finished(record(True))
    assert stream.getvalue().count("\n") == 1
    clock.now += 10  # 35 s since the last line
    progress.run_started(CLIENT, CASE, "timed")
    assert stream.getvalue().splitlines()[-1] == "[0:35] 3 of ~6 runs done, round 1, now: single toy (timed)"
    clock.now += 20  # 20 s since the heartbeat: quiet again
    progress.run_finished(record(True))
    progress.run_started(CLIENT, CASE, "timed")
    assert stream.getvalue().count("\n") == 2


def test_quiet_and_a_terminal_get_no_heartbeat_line():
    for stream, quiet in ((Pipe(), True), (Terminal(), False)):
        clock = FakeClock()
        progress = Progress(1, 1, stream=stream, clock=clock, quiet=quiet)
        clock.now += 600
        progress.run_started(CLIENT, CASE, "timed")
        assert "runs done" not in stream.getvalue()
