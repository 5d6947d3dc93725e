"""results.json: made from the run log (runs.jsonl, results/runlog.py) once the matrix is done.

It is written atomically and is the only thing `report` reads (schema:
docs/results-schema.md; the typed model: results/records.py). Each logged run
becomes a records.Run in its cell (LoggedRun.to_run).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, cast

from .. import stats
from ..atomic import point_symlink, write_json_atomic
from ..errors import PolybenchError
from ..paths import RESULTS_DIR, new_timestamped_dir
from ..units import NS_PER_MS, PHASES, utc_now
from .check import check_cells, check_regular_file, check_results_shape, parse_results_json
from .records import (
    OLDER_SCHEMAS,
    SCHEMA,
    Baseline,
    BaselineCompare,
    Benchmark,
    CellSummary,
    Environment,
    ImportTime,
    ModelError,
    Ratio,
    Results,
    Schedule,
    Settings,
    StatisticsSettings,
    Status,
)
from .runlog import LoggedRun

RESULTS_FILE = "results.json"
LATEST = "latest"  # results/latest: the newest finished run (mark_latest)


def new_results_dir(root: Path) -> Path:
    """A new results/<timestamp>/ folder under root (paths.new_timestamped_dir)."""
    return new_timestamped_dir(root / RESULTS_DIR)


def newest_dir(root: Path) -> Path | None:
    """The most recent results directory, finished or not (names sort by UTC time)."""
    folder = root / RESULTS_DIR
    candidates = sorted(p for p in folder.glob("2*") if p.is_dir()) if folder.exists() else []
    return candidates[-1] if candidates else None


def mark_latest(directory: Path) -> None:
    """Point `latest` beside a finished run's folder at it (results/latest for a run in results/)."""
    point_symlink(directory.parent / LATEST, directory)


def _broken_link(path: Path) -> str | None:
    """'PATH is a broken link to TARGET' when path is a symlink whose target is gone (or a loop), else None."""
    if not path.is_symlink() or path.exists():
        return None
    target = os.path.normpath(path.parent / os.readlink(path))
    if os.path.lexists(target):  # the target is itself a link that leads nowhere, or back
        return f"{path} is a broken link to {target}, a link that leads nowhere (or a loop of links)"
    return f"{path} is a broken link to {target}, which does not exist (deleted or moved?)"


def latest_results(results_root: Path) -> Path:
    """results_root/latest: the folder of the newest finished run (mark_latest points it there).

    Errors: PolybenchError, one line: no finished run yet, a broken link (naming
    where it points), or a folder without results.json (an unfinished run)."""
    latest = results_root / LATEST
    broken = _broken_link(latest)
    if broken:
        raise PolybenchError(f"{broken}: run `invoke run`, or name a results folder")
    if not latest.exists():
        raise PolybenchError("no results yet: run `invoke run` first")
    if not (latest / RESULTS_FILE).exists():
        raise PolybenchError(f"{latest} has no {RESULTS_FILE} (an unfinished run?): "
                             "finish it with `invoke run --resume`, or run `invoke run`")
    return latest


def checked_results_paths(paths: list[Path]) -> list[Path]:
    """The results directories or files a user named (report, export, compare), each checked to exist
    and to be named once: the same file twice (or two paths to it) would be a report of one host shown
    as two, or a comparison of a file with itself, so it is refused rather than quietly de-duplicated.

    Returns paths unchanged. Errors: PolybenchError, one line: a path that does not exist, a broken
    link (naming where it points), a directory without results.json, or two paths to one file."""
    seen: dict[tuple[int, int], Path] = {}
    for path in paths:
        broken = _broken_link(path) or _broken_link(_results_path(path))
        if broken:
            raise PolybenchError(broken)
        if not path.exists():
            raise PolybenchError(f"no such results file or directory: {path}")
        file = _results_path(path)
        if not file.exists():
            raise PolybenchError(f"{path} has no {RESULTS_FILE}")
        info = file.stat()
        first = seen.setdefault((info.st_dev, info.st_ino), path)
        if first is not path:
            raise PolybenchError(f"{first} and {path} are the same results file: name each once")
    return paths


# --- summarising ---------------------------------------------------------------


def stopping_looks(settings: Settings | Mapping[str, Any] | None) -> tuple[int, int] | None:
    """The run counts at which the scheduler could stop a cell (stats.stopping_looks); None if not recorded.

    settings: the results' Settings, or runs.jsonl's metadata `settings` object."""
    if isinstance(settings, Settings):
        return stats.stopping_looks(settings.min_runs, settings.max_runs)
    if not settings or settings.get("min_runs") is None or settings.get("max_runs") is None:
        return None
    return stats.stopping_looks(int(settings["min_runs"]), int(settings["max_runs"]))


def summarise_runs(runs: list[LoggedRun], looks: tuple[int, int] | None = None) -> CellSummary:
    """Statistics of the verified counted runs of one (client, case), given in the order they ran.

    runs: at least one. CPU time is user + system per run (``cpu_ms``) and its
    share of the wall time (``cpu_per_wall``); ``user_ms`` and ``sys_ms`` are
    None unless ``cpu_split_resolvable`` (stats.cpu_split_resolvable: the kernel
    samples the split at scheduler ticks). ``drift`` compares the first and
    second half of the runs (stats.drift). ``looks`` (stats.stopping_looks of
    the run settings) makes every median interval the sequential one, valid at
    the data-dependent run count the cell stopped at.
    """
    def summary(values: list[float]) -> stats.Summary:
        return stats.summarize(values, looks=looks)

    walls = [r.wall_ns / NS_PER_MS for r in runs]
    cpus = [(r.user_ns + r.sys_ns) / NS_PER_MS for r in runs]
    resolvable = stats.cpu_split_resolvable(cpus)
    phases_ms = None
    if all(r.phases_ns for r in runs):
        phases_ms = {phase: summary([r.phases_ns[phase] / NS_PER_MS for r in runs if r.phases_ns])
                     for phase in PHASES}
    server_times = [r.server["server_ns"] / NS_PER_MS for r in runs if r.server and "server_ns" in r.server]
    return CellSummary(
        wall_ms=summary(walls),
        cpu_ms=summary(cpus),
        cpu_per_wall=summary([cpu / wall if wall > 0 else 0.0 for cpu, wall in zip(cpus, walls, strict=True)]),
        cpu_split_resolvable=resolvable,
        user_ms=summary([r.user_ns / NS_PER_MS for r in runs]) if resolvable else None,
        sys_ms=summary([r.sys_ns / NS_PER_MS for r in runs]) if resolvable else None,
        drift=stats.drift(walls),
        peak_rss_mib=summary([r.peak_rss_kib / 1024 for r in runs]),
        phases_ms=phases_ms,
        server_ms=summary(server_times) if server_times else None,
    )


def ratios_to_fastest(benchmarks: list[Benchmark]) -> list[Ratio]:
    """Per case, every client's median wall over the fastest client's, with a bootstrap CI.

    The fastest client's own entry has ratio 1 and no interval (low, high None).
    """
    out: list[Ratio] = []
    by_case: dict[str, list[tuple[Benchmark, CellSummary]]] = {}
    for bench in benchmarks:
        if bench.runs and bench.summary is not None:
            by_case.setdefault(bench.case, []).append((bench, bench.summary))
    for case, group in by_case.items():
        fastest, _ = min(group, key=lambda pair: pair[1].wall_ms.median)
        base = [r.wall_ns for r in fastest.runs]
        for bench, _ in group:
            if bench is fastest:  # a ratio to itself is 1 by definition: no interval
                out.append(Ratio(case=case, client=bench.client, baseline=fastest.client, ratio=1.0,
                                 low=None, high=None))
                continue
            estimate = stats.ratio_ci([r.wall_ns for r in bench.runs], base)
            out.append(Ratio(case=case, client=bench.client, baseline=fastest.client, ratio=estimate.ratio,
                             low=estimate.low, high=estimate.high))
    return out


def assemble(meta: Mapping[str, Any], records: Iterable[LoggedRun], plan: list[dict[str, Any]],
             environment: Mapping[str, Any], finished: bool,
             baselines: list[dict[str, Any]] | None = None) -> Results:
    """The results file (the typed model) from the run records and the plan (one entry per client and case).

    meta: runs.jsonl's metadata (profile, config_sha256, settings, schedule);
    environment: environment.collect's record. ``baselines``: one plan entry
    per baseline command (name, about, label, argv, skipped, stop_reason,
    compare); they become the separate `baselines` list, never benchmarks
    (docs/results-schema.md). Errors: ModelError if meta or environment lack
    what the results file needs (a bug in the caller, not a user's input).
    """
    records = list(records)
    looks = stopping_looks(meta.get("settings"))
    benchmarks = []
    for item in plan:
        mine = [r for r in records if r.client == item["client"] and r.case == item["case"]]
        counted = [r for r in mine if r.kind == "counted" and r.verified]
        failed = [r for r in mine if not r.verified and not r.unsupported]
        unsupported = any(r.unsupported for r in mine)
        importtime = next((r.imports for r in mine if r.kind == "importtime" and r.imports), None)
        status: Status
        if unsupported:
            status = "unsupported"
        elif item.get("skipped"):
            status = "skipped"
        elif counted:
            status = "ok"
        elif failed:
            status = "failed"
        else:
            status = "not-run"
        benchmarks.append(Benchmark(
            client=item["client"],
            language=item["language"],
            library=item["library"],
            concurrency_model=item["concurrency_model"],
            scenario=item["scenario"],
            case=item["case"],
            params=dict(item["params"]),
            calls=item["calls"],
            status=status,
            status_reason=_status_reason(status, item, failed, mine),
            stop_reason=item.get("stop_reason"),
            warmup_runs=sum(1 for r in mine if r.kind == "warmup"),
            runs=[r.to_run() for r in counted],
            failed_runs=[r.to_run() for r in failed],
            summary=summarise_runs(counted, looks) if counted else None,
            imports=[ImportTime.from_json(entry, "imports") for entry in importtime] if importtime else None,
        ))
    schedule = _schedule(meta, records)
    return Results(
        schema=SCHEMA,
        created=utc_now(),
        finished=finished,
        profile=meta["profile"],
        settings=Settings.from_json(meta.get("settings"), "settings"),
        config_sha256=meta["config_sha256"],
        schedule=Schedule.from_json(schedule, "schedule") if schedule is not None else None,
        statistics=StatisticsSettings(
            confidence=stats.DEFAULT_CONFIDENCE, median_interval="order-statistic",
            resamples=stats.DEFAULT_RESAMPLES, seed=stats.DEFAULT_SEED,
            outlier_z=stats.OUTLIER_Z, noisy_cv=stats.NOISY_CV,
            modes={"min_n": stats.MODES_MIN_N, "dip_ratio": stats.MODES_DIP_RATIO,
                   "min_share": stats.MODES_MIN_SHARE, "min_count": stats.MODES_MIN_COUNT},
            drift={"min_n": stats.DRIFT_MIN_N, "alpha": stats.DRIFT_ALPHA},
            cpu_split_min_ms=stats.CPU_SPLIT_MIN_MS,
        ),
        environment=Environment.from_json(dict(environment), "environment"),
        benchmarks=benchmarks,
        ratios=ratios_to_fastest(benchmarks),
        baselines=[_baseline_entry(item, records, looks) for item in baselines or []],
    )


def _baseline_entry(item: Mapping[str, Any], records: list[LoggedRun], looks: tuple[int, int] | None) -> Baseline:
    """One baseline command's runs and summary: timed in the rounds, never verified."""
    mine = [r for r in records if r.client == item["name"] and r.extra.get("baseline")]
    counted = [r for r in mine if r.kind == "counted" and r.exit_code == 0 and not r.timed_out]
    failed = [r for r in mine if r.kind == "counted" and not (r.exit_code == 0 and not r.timed_out)]
    status: Literal["ok", "failed", "skipped", "not-run"] = (
        "skipped" if item.get("skipped") else "ok" if counted else "failed" if failed else "not-run")
    compare = item.get("compare")  # {client, phase} the report sets it beside, or None
    return Baseline(
        name=item["name"],
        label=item["label"],
        about=item["about"],
        argv=list(item["argv"]),
        compare=BaselineCompare.from_json(compare, "compare") if compare is not None else None,
        status=status,
        status_reason=item.get("skipped") or (failed[-1].reason if status == "failed" else None),
        stop_reason=item.get("stop_reason"),
        warmup_runs=sum(1 for r in mine if r.kind == "warmup"),
        runs=[r.to_run() for r in counted],
        failed_runs=[r.to_run() for r in failed],
        summary=summarise_runs(counted, looks) if counted else None,
    )


def _schedule(meta: Mapping[str, Any], records: list[LoggedRun]) -> dict[str, Any] | None:
    """The recorded schedule (method, seed, pin) plus how many rounds ran."""
    schedule = meta.get("schedule")
    if schedule is None:
        return None
    return {**schedule, "rounds": max((r.round for r in records if r.round is not None), default=0)}


def _status_reason(status: str, item: Mapping[str, Any], failed: list[LoggedRun],
                   mine: list[LoggedRun]) -> str | None:
    if status == "skipped":
        return cast(str | None, item.get("skipped"))
    if status == "failed":
        return failed[-1].reason
    if status == "unsupported":
        return next(r.reason for r in mine if r.unsupported)
    return None


def write_results(directory: Path, results: Results) -> Path:
    """Write results.json atomically in directory; return its path."""
    path = directory / RESULTS_FILE
    write_json_atomic(path, results.to_json())
    return path


def _read_json(path: Path) -> Any:
    if path.is_dir():
        path = path / RESULTS_FILE
    check_regular_file(path)
    try:
        return parse_results_json(path.read_bytes(), path)
    except OSError as exc:
        raise PolybenchError(f"cannot read results {path}: {exc.strerror}") from None


def _results_path(path: Path) -> Path:
    return path / RESULTS_FILE if path.is_dir() else path


def _check_schema(data: Any, path: Path) -> None:
    if isinstance(data, dict) and data.get("schema") in OLDER_SCHEMAS:
        raise PolybenchError(f"{path}: results schema {data['schema']} is from an older polybench; this one "
                             f"reads {SCHEMA} (interleaved rounds, CPU time, drift): run `invoke run` again")
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise PolybenchError(f"{path}: not a polybench results file (expected schema {SCHEMA})")


def load_results(path: Path) -> Results:
    """Read a results.json (or a directory holding one) as the typed model, checked against the schema.

    Errors: PolybenchError, one line, for a file that cannot be read, is not
    strict JSON, has an older schema, or departs from docs/results.schema.json."""
    path = _results_path(path)
    data = _read_json(path)
    _check_schema(data, path)
    # missing keys, wrong types: one line here, not a KeyError in report or export
    check_results_shape(data, path)
    check_cells(data, path)  # positive run times, one benchmark per cell
    try:
        return Results.from_json(data)
    except ModelError as error:
        raise PolybenchError(f"{path}: {error}") from None
