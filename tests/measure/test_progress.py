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
