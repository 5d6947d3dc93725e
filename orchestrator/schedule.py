"""Warm-up, interleaving and adaptive run counts for one profile.

Per case: every client warms up, then counted runs go round-robin across the
clients (A B C A B C ...) so that drift on a shared machine hits all of them
alike. A client leaves the rotation when its statistics are good enough
(the 95% CI of the median within the target), when it reaches the maximum
run count or its time budget, or when it keeps failing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from . import stats
from .config import Case, ClientSpec, RunSettings
from .results import RunRecord
from .runner import Runner

CONSECUTIVE_FAILURES_TO_GIVE_UP = 3


@dataclass
class CellState:
    """Progress of one (client, case) cell."""

    client: ClientSpec
    case: Case
    walls_ns: list[float] = field(default_factory=list)
    spent_s: float = 0.0
    attempts: int = 0
    consecutive_failures: int = 0
    stop_reason: str | None = None
    unsupported: bool = False

    @property
    def active(self) -> bool:
        return self.stop_reason is None


@dataclass
class ScheduleEvents:
    """Hooks for progress display; all optional."""

    case_started: Callable[[Case, list[ClientSpec]], None] = lambda case, clients: None
    run_started: Callable[[ClientSpec, Case, str], None] = lambda client, case, kind: None
    run_finished: Callable[[RunRecord], None] = lambda record: None


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


def run_case(runner: Runner, case: Case, clients: list[ClientSpec], settings: RunSettings,
             previous: Iterable[RunRecord] = (), events: ScheduleEvents | None = None) -> list[CellState]:
    """Run one case for the given clients; `previous` holds runs resumed from an earlier attempt."""
    events = events or ScheduleEvents()
    cells = [CellState(client, case) for client in clients]
    for cell in cells:
        for record in previous:
            if record.client == cell.client.name and record.kind == "counted":
                cell.attempts += 1
                if record.verified:
                    cell.walls_ns.append(record.wall_ns)
                    cell.spent_s += record.wall_ns / 1e9
        _decide(cell, settings)
    events.case_started(case, clients)

    def one(cell: CellState, kind: str, index: int) -> RunRecord:
        events.run_started(cell.client, case, kind)
        record = runner.run(cell.client, case, kind, index)
        events.run_finished(record)
        return record

    for cell in cells:
        if not cell.active:
            continue
        for index in range(settings.warmup):
            record = one(cell, "warmup", index)
            if record.unsupported:
                cell.unsupported, cell.stop_reason = True, "unsupported"
                break
        if cell.active and cell.client.importtime:
            record = one(cell, "importtime", 0)
            if record.unsupported:
                cell.unsupported, cell.stop_reason = True, "unsupported"

    while any(cell.active for cell in cells):
        for cell in cells:
            if not cell.active:
                continue
            record = one(cell, "counted", cell.attempts)
            cell.attempts += 1
            cell.spent_s += record.wall_ns / 1e9
            if record.unsupported:
                cell.unsupported, cell.stop_reason = True, "unsupported"
            elif record.verified:
                cell.walls_ns.append(record.wall_ns)
                cell.consecutive_failures = 0
            else:
                cell.consecutive_failures += 1
            _decide(cell, settings)
    return cells
