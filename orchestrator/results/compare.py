"""`invoke compare OLD NEW`: which (client, case) cells got slower or faster, and is it real?

A change is flagged only when a permutation test of the two cells' medians
rejects "same distribution" at the 5% level (stats.permutation_median_p: exact
or Monte Carlo, so its level holds at every n, unlike the percentile bootstrap,
which flagged 9% of same-distribution cells at 3 runs) and it exceeds the
threshold (it matters). The 95% bootstrap interval of the change is shown to
say how large the change may be; it does not decide the flag. Like report, this
reads results files only, and through the same door: model.load_results (the
typed model, checked against docs/results.schema.json), so a file report
refuses, compare refuses too, in the same one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from statistics import median

from tabulate import tabulate

from .. import stats
from ..errors import NothingMeasured, PolybenchError
from ..units import NS_PER_MS
from .model import checked_results_paths, load_results
from .records import Results

ALPHA = 1.0 - stats.DEFAULT_CONFIDENCE  # the test's level: at most 5% of unchanged cells are flagged


@dataclass(frozen=True)
class Change:
    """One cell's relative change of median wall time: 0.1 = 10% slower, -0.2 = 20% faster."""

    client: str
    case: str
    old_median_ms: float
    new_median_ms: float
    change: float
    low: float
    high: float
    threshold: float
    p_value: float = 1.0  # permutation test of "same distribution" (stats.permutation_median_p)

    @property
    def flagged(self) -> bool:
        return self.p_value < ALPHA and abs(self.change) > self.threshold

    @property
    def slower(self) -> bool:
        return self.flagged and self.change > 0

    @property
    def verdict(self) -> str:
        if not self.flagged:
            return ""
        return "SLOWER" if self.change > 0 else "faster"


def _walls(results: Results) -> dict[tuple[str, str], list[float]]:
    """(client, case) -> the wall times (ms) of its verified counted runs, for cells that have any."""
    return {(b.client, b.case): [r.wall_ns / NS_PER_MS for r in b.runs] for b in results.benchmarks if b.runs}


def compare_results(old: Results, new: Results, threshold: float = 0.05) -> list[Change]:
    """Every cell with verified runs in both results, in the new file's order.

    Errors: PolybenchError for a negative threshold."""
    if threshold < 0:
        raise PolybenchError(f"--threshold must be >= 0, got {threshold}")
    before, after = _walls(old), _walls(new)
    changes = []
    for key, new_walls in after.items():
        old_walls = before.get(key)
        if old_walls is None:
            continue
        estimate = stats.relative_change_ci(old_walls, new_walls)
        changes.append(Change(key[0], key[1], median(old_walls), median(new_walls),
                              estimate.ratio, estimate.low, estimate.high, threshold,
                              stats.permutation_median_p(old_walls, new_walls)))
    return changes


def unmatched(old: Results, new: Results) -> tuple[list[str], list[str]]:
    """Cells with verified runs only in the old file, and only in the new one."""
    before, after = _walls(old), _walls(new)
    return ([f"{c} {k}" for c, k in before if (c, k) not in after],
            [f"{c} {k}" for c, k in after if (c, k) not in before])


def _ms(value: float) -> str:
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"


def _pct(value: float) -> str:
    return f"{value * 100:+.1f}%"


def render_changes(changes: list[Change]) -> str:
    rows = [[c.case, c.client, _ms(c.old_median_ms), _ms(c.new_median_ms), _pct(c.change),
             f"{_pct(c.low)} to {_pct(c.high)}", f"{c.p_value:.3f}", c.verdict] for c in changes]
    return tabulate(rows, headers=["case", "client", "old ms", "new ms", "change", "95% CI", "p", ""],
                    tablefmt="simple", disable_numparse=True,
                    colalign=("left", "left", "right", "right", "right", "right", "right", "left"))


def _describe(path: Path, results: Results) -> str:
    commit = results.environment.git.commit or "unknown commit"
    host = results.environment.host.hostname or "unknown host"
    return f"{path} ({host}, {commit[:12]}, {results.created}, profile {results.profile})"


def compare_command(old: Path, new: Path, threshold: float = 0.05, fail_on_regression: bool = False) -> int:
    """Print the comparison; 1 if fail_on_regression and any cell is flagged slower, else 0.

    Errors: PolybenchError (one line) for a file load_results refuses, for OLD and NEW
    being the same file, or (NothingMeasured) with fail_on_regression when no cell is in both."""
    checked_results_paths([old, new])
    old_data, new_data = load_results(old), load_results(new)
    changes = compare_results(old_data, new_data, threshold)
    print(f"old: {_describe(old, old_data)}")
    print(f"new: {_describe(new, new_data)}")
    hosts = {d.environment.host.hostname for d in (old_data, new_data)}
    if len(hosts) > 1:
        print("note: different hosts; a change may be the machine's, not the code's")
    if not changes:
        if fail_on_regression:  # nothing compared is not "no regression"
            raise NothingMeasured("no (client, case) cell has verified runs in both files: nothing to compare")
        print("no (client, case) cell has verified runs in both files")
        return 0
    print(render_changes(changes))
    slower = [c for c in changes if c.slower]
    faster = [c for c in changes if c.flagged and not c.slower]
    print(f"{len(slower)} slower, {len(faster)} faster, {len(changes) - len(slower) - len(faster)} unchanged "
          f"(flagged: permutation test of the medians p < {ALPHA:g} and |change| > {threshold * 100:g}%)")
    only_old, only_new = unmatched(old_data, new_data)
    if only_old:
        print(f"only in old: {', '.join(only_old)}")
    if only_new:
        print(f"only in new: {', '.join(only_new)}")
    return 1 if fail_on_regression and slower else 0
