"""Randomized multiple interleaved trials: warm-up, rounds and adaptive run counts.

The method is Abedi & Brecht's (*Conducting Repeatable Experiments in Highly
Variable Cloud Computing Environments*, ICPE 2017). A cell is one client in
one case. Each round runs every still-active cell of the whole profile once,
in a fresh random order; rounds repeat until every cell has met its stopping
rule. Whatever the shared machine does over the minutes of a profile (a
noisy neighbour, a frequency change, a slow mode of the interpreter's start)
is then spread over every cell and every position alike, instead of landing
on whichever case happened to run at that moment.

- Order: round r shuffles the active cells (in plan order) with
  ``random.Random(f"{seed}/{r}")``, so the seed alone (recorded in
  runs.jsonl and results.json) reproduces every round's order.
- Warm-ups are per client and per case, not per cell: a cell's first
  counted run in this process is preceded, in the same round and position,
  by the profile's warm-up runs when its client has not run yet or its case
  has had no verified warm-up (so each client's files are in the page cache
  and each kind of request has reached the server and been read once before
  anything is counted), and, for a client with `importtime:`, by a
  `-X importtime` run while the client has fewer than
  IMPORTTIME_RUNS_PER_CLIENT (and the cell none yet). In interleaved rounds
  every later counted run follows other cells, so a warm-up before each cell
  would only make its first counted run warmer than the rest: what a warm-up
  can remove is a cold first run of a client or of a case, and one per
  client and per case removes it (the default profile: about 50 warm-ups
  instead of 239).
- A cell drops out of later rounds when it is done: the 95% interval of its
  median within the target (stats.should_stop), its maximum run count or
  its time budget reached, or it keeps failing or is unsupported.
- Resume: the runs already in runs.jsonl count; rounds continue at the
  round after the last one recorded, with the recorded seed. Clients and
  cases warm up again first (the server and caches are new); the recorded
  `-X importtime` runs count toward each client's number.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .. import stats
from ..config.model import BaselineSpec, Case, ClientSpec, RunSettings
from ..results.runlog import LoggedRun
from .one_run import Runner, baseline_ok

# The case every baseline cell runs in: a baseline takes no scenario.
BASELINE_CASE = Case("baseline", {})

CONSECUTIVE_FAILURES_TO_GIVE_UP = 3
# `-X importtime` runs per client: the import table's medians are over these. An import profile does not
# depend on the case (the same modules load before any request), so more than a few add run time, not news.
IMPORTTIME_RUNS_PER_CLIENT = 3


@dataclass
class CellState:
    """Progress of one (client, case) cell; a baseline's cell has BASELINE_CASE."""

    client: ClientSpec | BaselineSpec
    case: Case
    walls_ns: list[float] = field(default_factory=list)
    spent_s: float = 0.0
    attempts: int = 0
    consecutive_failures: int = 0
    stop_reason: str | None = None
    unsupported: bool = False
    warmed: bool = False

    @property
    def active(self) -> bool:
        return self.stop_reason is None


@dataclass
class ScheduleEvents:
    """Hooks for progress display; all optional."""

    round_started: Callable[[int, int, int], None] = lambda round_no, active, total: None
    run_started: Callable[[ClientSpec | BaselineSpec, Case, str], None] = lambda client, case, kind: None
    run_finished: Callable[[LoggedRun], None] = lambda record: None


def round_order(seed: int, round_no: int, cells: list[CellState]) -> list[CellState]:
    """The active cells in round ``round_no``'s order: a shuffle seeded by (seed, round)."""
    order = [cell for cell in cells if cell.active]
    random.Random(f"{seed}/{round_no}").shuffle(order)
    return order


def next_round(previous: Iterable[LoggedRun]) -> int:
    """The round to start at: one after the last recorded round (1 for a fresh run)."""
    return max((r.round for r in previous if r.round is not None), default=0) + 1


def _decide(cell: CellState, settings: RunSettings) -> None:
    if cell.consecutive_failures >= CONSECUTIVE_FAILURES_TO_GIVE_UP:
        cell.stop_reason = "failing"
        return
    if cell.attempts >= settings.max_runs + CONSECUTIVE_FAILURES_TO_GIVE_UP:
        cell.stop_reason = "max-attempts"
        return
    if not cell.walls_ns:
        return
    decision = stats.should_stop(
        cell.walls_ns, min_runs=settings.min_runs, max_runs=settings.max_runs,
        target_rel_ci=settings.target_rel_ci, elapsed_s=cell.spent_s, budget_s=settings.budget_s,
    )
    if decision.stop:
        cell.stop_reason = decision.reason


def _succeeded(cell: CellState, record: LoggedRun) -> bool:
    """A client's run that passed verification, or a baseline's that ran cleanly (a baseline is not verified)."""
    return record.verified or (isinstance(cell.client, BaselineSpec) and baseline_ok(record))


def _count(cell: CellState, record: LoggedRun) -> None:
    """Fold one counted run into the cell's state."""
    cell.attempts += 1
    cell.spent_s += record.wall_ns / 1e9
    if record.unsupported:
        cell.unsupported, cell.stop_reason = True, "unsupported"
    elif _succeeded(cell, record):
        cell.walls_ns.append(record.wall_ns)
        cell.consecutive_failures = 0
    else:
        cell.consecutive_failures += 1


def run_rounds(runner: Runner, cells: list[CellState], settings: RunSettings, seed: int,
               previous: Iterable[LoggedRun] = (), events: ScheduleEvents | None = None) -> list[CellState]:
    """Run every cell in randomized interleaved rounds until each has stopped.

    ``cells`` are in plan order (the order a round's shuffle starts from);
    ``previous`` holds runs resumed from an earlier attempt. Returns the
    cells with their stop reasons.
    """
    events = events or ScheduleEvents()
    previous = list(previous)
    for cell in cells:
        for record in previous:
            if record.client == cell.client.name and record.case == cell.case.id and record.kind == "counted":
                _count(cell, record)
        if cell.active:
            _decide(cell, settings)

    def one(cell: CellState, kind: str, index: int, round_no: int, position: int) -> LoggedRun:
        events.run_started(cell.client, cell.case, kind)
        record = runner.run(cell.client, cell.case, kind, index, round_no=round_no, position=position)
        events.run_finished(record)
        return record

    warm_clients: set[str] = set()  # clients that have run in this process
    warm_cases: set[str] = set()  # cases a warm-up has been verified in (it reached the server and was read)
    importtime_runs = Counter(r.client for r in previous if r.kind == "importtime")
    profiled = {(r.client, r.case) for r in previous if r.kind == "importtime"}  # results keep one per cell

    def warm_up(cell: CellState, round_no: int, position: int) -> None:
        cell.warmed = True
        cold = cell.client.name not in warm_clients or cell.case.id not in warm_cases
        kinds = ["warmup"] * settings.warmup if cold else []
        if (cell.client.importtime and importtime_runs[cell.client.name] < IMPORTTIME_RUNS_PER_CLIENT
                and (cell.client.name, cell.case.id) not in profiled):
            kinds.append("importtime")
            importtime_runs[cell.client.name] += 1
        for index, kind in enumerate(kinds):
            record = one(cell, kind, index if kind == "warmup" else 0, round_no, position)
            warm_clients.add(cell.client.name)  # its files are read, whatever the run's outcome
            if record.unsupported:
                cell.unsupported, cell.stop_reason = True, "unsupported"
                return
            if kind == "warmup" and _succeeded(cell, record):
                warm_cases.add(cell.case.id)  # a warm-up refused or failed may not have reached the server

    round_no = next_round(previous)
    while any(cell.active for cell in cells):
        order = round_order(seed, round_no, cells)
        events.round_started(round_no, len(order), len(cells))
        for position, cell in enumerate(order, 1):
            if not cell.warmed:
                warm_up(cell, round_no, position)
                if not cell.active:
                    continue
            record = one(cell, "counted", cell.attempts, round_no, position)
            _count(cell, record)
            if cell.active:
                _decide(cell, settings)
        round_no += 1
    return cells
