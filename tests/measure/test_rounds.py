"""Randomized interleaved rounds with a fake runner: order, warm-ups, stopping, resume."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from orchestrator.config.model import Case, RunSettings
from orchestrator.measure.rounds import CellState, next_round, round_order, run_rounds
from orchestrator.results.runlog import LoggedRun


@dataclass(frozen=True)
class FakeClient:
    name: str
    importtime: tuple[str, ...] = ()


class FakeRunner:
    """Records every call; cell 'slow' is noisy (never meets the CI target), the rest are steady."""

    def __init__(self) -> None:
        self.records: list[LoggedRun] = []

    def run(self, client, case, kind, index, *, round_no=None, position=None) -> LoggedRun:
        wall = 1_000_000 * (1 + (len(self.records) % 7) * 0.5 if client.name == "slow" else 1)
        record = LoggedRun(run_id=f"r{len(self.records)}", client=client.name, case=case.id, kind=kind, index=index,
                           wall_ns=wall, user_ns=0, sys_ns=0, peak_rss_kib=0, exit_code=0, timed_out=False,
                           verified=True, round=round_no, position=position)
        self.records.append(record)
        return record


SETTINGS = RunSettings(warmup=2, min_runs=6, max_runs=9, target_rel_ci=0.01, budget_s=60.0, timeout_s=10.0)


def cells() -> list[CellState]:
    clients = [FakeClient("steady"), FakeClient("slow"), FakeClient("py", importtime=("-X", "importtime"))]
    cases = [Case("single", {}), Case("keepalive", {"requests": 10})]
    return [CellState(client, case) for case in cases for client in clients]  # type: ignore[arg-type]


def test_every_round_runs_every_active_cell_once_in_a_seeded_order():
    runner = FakeRunner()
    done = run_rounds(runner, cells(), SETTINGS, seed=42)  # type: ignore[arg-type]
    counted = [r for r in runner.records if r.kind == "counted"]
    rounds = sorted({r.round for r in counted})
    assert rounds == list(range(1, max(rounds) + 1))
    orders = []
    for round_no in rounds:
        in_round = [r for r in counted if r.round == round_no]
        cells_in_round = [(r.client, r.case) for r in in_round]
        assert len(set(cells_in_round)) == len(cells_in_round)  # each cell at most once
        assert [r.position for r in in_round] == list(range(1, len(in_round) + 1))
        orders.append(cells_in_round)
    assert len(orders[0]) == 6 and orders[0] != orders[1][:6]  # a fresh order per round
    # steady cells stop at min_runs (zero-width interval); slow ones run to max_runs and alone later
    by_cell = {(c.client.name, c.case.id): c for c in done}
    assert by_cell[("steady", "single")].stop_reason == "ci-target"
    assert len(by_cell[("steady", "single")].walls_ns) == 6
    assert by_cell[("slow", "single")].stop_reason == "max-runs"
    assert {(r.client) for r in counted if r.round == 9} == {"slow"}
    # the same seed gives the same schedule
    again = FakeRunner()
    run_rounds(again, cells(), SETTINGS, seed=42)  # type: ignore[arg-type]
    assert [(r.client, r.case, r.kind, r.round) for r in again.records] == \
        [(r.client, r.case, r.kind, r.round) for r in runner.records]


def test_warm_ups_come_right_before_a_cells_first_counted_run():
    runner = FakeRunner()
    run_rounds(runner, cells(), SETTINGS, seed=7)  # type: ignore[arg-type]
    first_round = [r for r in runner.records if r.round == 1]
    position = 0
    for record in first_round:
        if record.kind == "counted":
            position += 1
            assert record.position == position
    for client, extra in (("steady", []), ("py", ["importtime"])):
        first_case = next(r.case for r in first_round if r.client == client)
        kinds = [r.kind for r in first_round if r.client == client and r.case == first_case]
        assert kinds == ["warmup", "warmup", *extra, "counted"]
        placed = {(r.round, r.position) for r in first_round if r.client == client and r.case == first_case}
        assert len(placed) == 1  # warm-ups share their counted run's round and position
    assert not [r for r in runner.records if r.kind != "counted" and r.round != 1]


def many_cells(cases: int) -> list[CellState]:
    clients = [FakeClient("steady"), FakeClient("slow"), FakeClient("py", importtime=("-X", "importtime"))]
    return [CellState(client, Case("keepalive", {"requests": n})) for n in range(1, cases + 1)
            for client in clients]  # type: ignore[arg-type]


def test_warm_ups_are_per_client_and_per_case_not_per_cell():
    for seed in range(20):
        runner = FakeRunner()
        run_rounds(runner, many_cells(5), SETTINGS, seed=seed)  # type: ignore[arg-type]
        warmed = [(r.client, r.case) for r in runner.records if r.kind == "warmup" and r.index == 0]
        counted = [(r.client, r.case) for r in runner.records if r.kind == "counted" and r.round == 1]
        # in round 1's order, a cell warms up exactly when its client or its case has not run before it
        expected = [(client, case) for i, (client, case) in enumerate(counted)
                    if all(c != client for c, _ in counted[:i]) or all(k != case for _, k in counted[:i])]
        assert warmed == expected
        assert {client for client, _ in warmed} == {"steady", "slow", "py"}
        assert {case for _, case in warmed} == {case for _, case in counted}
        assert len(warmed) < len(counted)  # 15 cells, 3 clients, 5 cases: at most 7 warm cells


class RefusingRunner(FakeRunner):
    """Client 'odd' answers unsupported (exit 3: no request sent) in every case but the first (keepalive[1])."""

    def run(self, client, case, kind, index, *, round_no=None, position=None) -> LoggedRun:
        record = super().run(client, case, kind, index, round_no=round_no, position=position)
        if client.name == "odd" and case.id != "keepalive[requests=1]":
            record = dataclasses.replace(record, verified=False, unsupported=True)
            self.records[-1] = record
        return record


def test_a_warm_up_that_never_reached_the_server_leaves_its_case_cold():
    """Adversarial review: an unsupported warm-up marked its case warm, so another client's first counted run
    was the case's first request at the server."""
    clients = [FakeClient("odd"), FakeClient("steady"), FakeClient("slow")]
    for seed in range(30):
        runner = RefusingRunner()
        cells = [CellState(client, Case("keepalive", {"requests": n})) for n in (1, 2, 3) for client in clients]
        run_rounds(runner, cells, SETTINGS, seed=seed)  # type: ignore[arg-type]
        reached: set[str] = set()  # cases with a verified run so far, in the order they ran
        for record in runner.records:
            if record.kind == "counted":
                assert record.case in reached, (seed, record)
            if record.verified:
                reached.add(record.case)


def test_a_client_makes_at_most_three_importtime_runs_in_its_first_cells():
    runner = FakeRunner()
    run_rounds(runner, many_cells(5), SETTINGS, seed=3)  # type: ignore[arg-type]
    runs = [r for r in runner.records if r.kind == "importtime"]
    assert [r.client for r in runs] == ["py"] * 3
    first_cases = [r.case for r in runner.records if r.client == "py" and r.kind == "counted" and r.round == 1][:3]
    assert [r.case for r in runs] == first_cases
    # a resumed run counts the recorded ones: the client has its three, so it makes none
    resumed = FakeRunner()
    run_rounds(resumed, many_cells(5), SETTINGS, seed=3,  # type: ignore[arg-type]
               previous=[r for r in runner.records if r.round == 1])
    assert not [r for r in resumed.records if r.kind == "importtime"]
    assert [r for r in resumed.records if r.kind == "warmup"]  # the new server and caches are warmed again
    # killed after its first importtime run, in two cases: the resumed run profiles the other cell only
    # (results.json keeps one profile per cell, so a second for the same cell would be lost)
    for seed in range(10):
        runner = FakeRunner()
        run_rounds(runner, many_cells(2), SETTINGS, seed=seed)  # type: ignore[arg-type]
        first = next(i for i, r in enumerate(runner.records) if r.kind == "importtime")
        killed = runner.records[:first + 1]
        resumed = FakeRunner()
        run_rounds(resumed, many_cells(2), SETTINGS, seed=seed, previous=killed)  # type: ignore[arg-type]
        again = [(r.client, r.case) for r in resumed.records if r.kind == "importtime"]
        assert len(again) == 1 and (killed[-1].client, killed[-1].case) not in again


def test_resume_continues_with_the_next_round_and_the_same_order():
    runner = FakeRunner()
    run_rounds(runner, cells(), SETTINGS, seed=5)  # type: ignore[arg-type]
    interrupted = [r for r in runner.records if r.round is not None and r.round <= 2]
    assert next_round(interrupted) == 3
    resumed = FakeRunner()
    run_rounds(resumed, cells(), SETTINGS, seed=5, previous=interrupted)  # type: ignore[arg-type]
    counted = [r for r in resumed.records if r.kind == "counted"]
    assert min(r.round for r in counted) == 3
    per_cell = {}
    for r in [*interrupted, *resumed.records]:
        if r.kind == "counted":
            per_cell[(r.client, r.case)] = per_cell.get((r.client, r.case), 0) + 1
    assert per_cell[("steady", "single")] == 6 and per_cell[("slow", "keepalive[requests=10]")] == 9
    # the order of round 3 is a function of (seed, round, active cells) alone
    fresh = [(r.client, r.case) for r in runner.records if r.kind == "counted" and r.round == 3]
    again = [(r.client, r.case) for r in counted if r.round == 3]
    assert fresh == again


def test_round_order_is_a_seeded_shuffle_of_the_active_cells():
    all_cells = cells()
    all_cells[0].stop_reason = "max-runs"
    order = round_order(1, 1, all_cells)
    assert sorted(id(c) for c in order) == sorted(id(c) for c in all_cells[1:])
    assert [id(c) for c in round_order(1, 1, all_cells)] == [id(c) for c in order]
    assert len({tuple(id(c) for c in round_order(1, r, all_cells)) for r in range(1, 20)}) > 1
