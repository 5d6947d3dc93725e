"""Progress on stderr: a live line on a terminal, plain lines elsewhere, nothing when quiet.

Elsewhere (a CI log) it prints a line per round, per failed run and, when
HEARTBEAT_S have passed without a line, a heartbeat (runs done of the
expected total, the current cell, elapsed): one round of the quick profile
took 4.5 minutes, silent in a log. It only writes between runs, never from a
thread: a refresh thread would compete with the client being timed for one
of the machine's two cores (so one run longer than HEARTBEAT_S is silent).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from ..config.model import BaselineSpec, Case, ClientSpec
from ..results.runlog import LoggedRun
from ..words import counted


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


HEARTBEAT_S = 30.0


class Progress:
    """What `run` prints while it runs (module docstring); `clock` (seconds, monotonic) is for tests."""

    def __init__(self, total_cells: int, expected_runs_per_cell: float, *, quiet: bool = False,
                 stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic):
        self.total_cells = total_cells
        self.expected_runs = max(1.0, total_cells * expected_runs_per_cell)
        self.quiet = quiet
        self.stream = stream or sys.stderr  # looked up now: a default bound at import outlives a redirection
        self.live = self.stream.isatty() and not quiet
        self.clock = clock
        self.started = clock()
        self.last_line = self.started
        self.runs_done = 0
        self.failed = 0
        self.current = ""
        self.round = 0
        self.cells_left = total_cells

    def round_started(self, round_no: int, active_cells: int, total_cells: int) -> None:
        """A new round of the interleaved schedule: ``active_cells`` of ``total_cells`` still running."""
        self.round, self.cells_left = round_no, active_cells
        if not self.quiet and not self.live:
            self.last_line = self.clock()
            print(f"[{_clock(self.last_line - self.started)}] round {round_no}: "
                  f"{active_cells} of {counted(total_cells, 'cell')} still running, "
                  f"{counted(self.runs_done, 'run')} so far",
                  file=self.stream, flush=True)

    def run_started(self, client: ClientSpec | BaselineSpec, case: Case, kind: str) -> None:
        self.current = f"{case.id} {client.name} ({kind})"
        self._draw()
        self._heartbeat()

    def run_finished(self, record: LoggedRun) -> None:
        self.runs_done += 1
        baseline = bool(record.extra.get("baseline"))  # never verified: it fails only by its exit
        failed = record.exit_code != 0 or record.timed_out if baseline else not record.verified
        if failed and not record.unsupported:
            self.failed += 1
            if not self.quiet:
                self._clear()
                print(f"  run failed: {record.client} {record.case}: {record.reason}", file=self.stream,
                      flush=True)

    def _heartbeat(self) -> None:
        if self.quiet or self.live or self.clock() - self.last_line < HEARTBEAT_S:
            return
        self.last_line = self.clock()
        print(f"[{_clock(self.last_line - self.started)}] {self.runs_done} of ~{self.expected_runs:.0f} runs done"
              f"{f' ({self.failed} failed)' if self.failed else ''}, round {self.round}, now: {self.current}",
              file=self.stream, flush=True)

    def _draw(self) -> None:
        if not self.live:
            return
        elapsed = self.clock() - self.started
        fraction = min(0.99, self.runs_done / self.expected_runs)
        eta = elapsed / fraction - elapsed if fraction > 0.02 else 0
        width = 24
        filled = int(width * fraction)
        bar = "#" * filled + "-" * (width - filled)
        line = (f"\r[{bar}] {fraction * 100:3.0f}%  {_clock(elapsed)} elapsed, ETA {_clock(eta)}  "
                f"round {self.round} ({counted(self.cells_left, 'cell')} left)  "
                f"runs {self.runs_done}{f' ({self.failed} failed)' if self.failed else ''}  {self.current}")
        self.stream.write(line[:160].ljust(160))
        self.stream.flush()

    def _clear(self) -> None:
        if self.live:
            self.stream.write("\r" + " " * 160 + "\r")

    def close(self) -> None:
        self._clear()
        if not self.quiet:
            rounds = f" over {counted(self.round, 'round')}" if self.round else ""
            print(f"{counted(self.runs_done, 'run')}{rounds} in {_clock(self.clock() - self.started)}"
                  f"{f', {self.failed} failed verification' if self.failed else ''}", file=self.stream, flush=True)
