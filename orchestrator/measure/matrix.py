"""`invoke run`: start the server, run the profile's matrix, write the results.

config -> (build manifest) -> server + schedule (randomized interleaved rounds) -> runs.jsonl -> results.json
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import sys
from collections.abc import Iterator, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..build.clients import read_manifest, why_unusable
from ..config.model import BASELINE_LABEL, BaselineSpec, Config, Profile, expand
from ..config.scenarios import SCENARIOS
from ..errors import Interrupted, NothingMeasured, PolybenchError
from ..paths import RESULTS_DIR
from ..provenance import environment, system_info
from ..provenance.process_env import EnvPolicy
from ..provenance.toolchains import placeholders
from ..results import model as results
from ..results import runlog
from ..results.runlog import has_measurements, remove_if_unmeasured
from ..results.table import results_table
from ..server_control.checks import Server, checked_server_url
from ..server_control.remote_server import RemoteServer
from ..words import counted
from .launcher import ensure_launcher
from .one_run import Runner
from .pinning import Pin, parse_pin, pin_tree
from .process import set_client_cpus
from .progress import Progress
from .rounds import BASELINE_CASE, CellState, ScheduleEvents, run_rounds

SCHEDULE_METHOD = "randomized-interleaved-rounds"
# What a resumed run must share with the interrupted one: runs.jsonl metadata key -> how a user names it.
RESUME_MUST_MATCH = {
    "profile": "another --profile",
    "config_sha256": "another polybench.yaml (its SHA-256 differs)",
    "clients": "other clients (--clients)",
    "cases": "other cases (the profile's, or --scenarios)",
    "inherit_env": "other --inherit-env or --inherit-all-env",
    "baselines": "other baselines (polybench.yaml, or no `single` case)",
}
MISSING_PROGRAM = " not found (not built?)"  # a baseline's reason: its program, then this


def _select(names: list[str] | None, known: list[str], what: str) -> list[str]:
    if not names:
        return known
    for name in names:
        if name not in known:
            raise PolybenchError(f"unknown {what} {name!r} (known: {', '.join(known)})")
    return [name for name in known if name in names]


def _baseline_missing(config: Config, baseline: BaselineSpec) -> str | None:
    """Why a baseline cannot run (its program is not there, e.g. a client's venv not built), or None.
    A program under the repository is named relative to it: the reason goes into the results."""
    program = expand(baseline.run[:1], placeholders(config))[0]
    if "/" in program:
        found = Path(program).is_file() and os.access(program, os.X_OK)
        with contextlib.suppress(ValueError):
            program = str(Path(program).relative_to(config.root))
    else:
        found = shutil.which(program) is not None
    return None if found else f"{program}{MISSING_PROGRAM}"


def skip_summary(kind: str, why: Mapping[str, str | None]) -> list[str]:
    """The lines `run` prints for what it skips: one per distinct reason, saying how many and which.

    why: name -> reason (None: not skipped), in the order to name them; kind: the plural noun
    ("clients", "baselines"). A reason only one skipped thing has keeps its own short line."""
    groups: dict[str, list[str]] = {}
    for name, reason in why.items():
        if reason is not None:
            groups.setdefault(reason, []).append(name)
    return [f"skipping {names[0]}: {reason}" if len(names) == 1
            else f"skipping {len(names)} of {len(why)} {kind} ({', '.join(names)}): {reason}"
            for reason, names in groups.items()]


def _baseline_skips_shown(skipped: Mapping[str, str | None]) -> dict[str, str | None]:
    """Baselines whose program is missing share one reason on screen, naming the programs (often a few
    venvs for many baselines); the results keep each baseline's own."""
    programs = [why.removesuffix(MISSING_PROGRAM) for why in skipped.values() if why and why.endswith(MISSING_PROGRAM)]
    shared = f"program not found: {', '.join(dict.fromkeys(programs))} (not built? run `invoke build`)"
    return {name: shared if why and why.endswith(MISSING_PROGRAM) else why for name, why in skipped.items()}


def _baselines(config: Config, cases: list[Any]) -> list[BaselineSpec]:
    """The baselines this run times: all of them when it has the `single` case (their comparison), else none."""
    return list(config.baselines) if any(case.scenario == "single" for case in cases) else []


@contextlib.contextmanager
def _server(server_url: str | None, tls_url: str | None = None, ca_file: str | None = None) -> Iterator[Server]:
    if server_url:
        yield RemoteServer(server_url, tls_url, ca_file)
        return
    from ..server_control.shared_server import SharedServer

    with SharedServer() as server:
        yield server


def _describe_server(server: Server) -> dict[str, Any]:
    return server.describe()


def _resume_dir(root: Path, meta: dict[str, Any],
                given: Path | None = None) -> tuple[Path, list[runlog.LoggedRun], dict[str, Any]]:
    """The run to continue: the given folder, or the newest one with measurements (a folder a failed
    start left without any run is never picked over an interrupted run that has some); its records
    and its runs.jsonl metadata."""
    if given is not None:
        directory: Path | None = given
        if not (given / runlog.RUNS_FILE).is_file():
            raise PolybenchError(f"--resume: {given} has no {runlog.RUNS_FILE} to continue")
    else:
        folder = root / RESULTS_DIR
        candidates = sorted(p for p in folder.glob("2*") if p.is_dir()) if folder.is_dir() else []
        directory = next((p for p in reversed(candidates) if has_measurements(p, runlog.RUNS_FILE)), None)
    if directory is None:
        raise PolybenchError("--resume: no earlier run with measurements to continue in results/")
    if (directory / results.RESULTS_FILE).exists():
        raise PolybenchError(f"--resume: {directory.name} already finished; start a new run without --resume")
    old_meta, records = runlog.read_run_log(directory)
    for key, what in RESUME_MUST_MATCH.items():
        if old_meta.get(key) != meta.get(key):
            raise PolybenchError(f"--resume: {directory.name} was run with {what}; "
                                 "resume with the same options, or start afresh")
    old_schedule = old_meta.get("schedule") or {}
    if old_schedule.get("method") != SCHEDULE_METHOD:
        raise PolybenchError(f"--resume: {directory.name} was not run in interleaved rounds; start afresh")
    if old_schedule.get("pin") != meta["schedule"]["pin"]:
        raise PolybenchError(f"--resume: {directory.name} was run with a different --pin; "
                             "resume with the same options, or start afresh")
    if meta["schedule"]["seed"] is not None and meta["schedule"]["seed"] != old_schedule.get("seed"):
        raise PolybenchError(f"--resume: {directory.name} was run with --seed {old_schedule.get('seed')}; "
                             "leave --seed out to continue with it")
    return directory, records, old_meta


def _pin_processes(pin: Pin | None, server: Server) -> None:
    if pin is None:
        return
    if pin.server is not None:
        pid = server.pid
        if pid is None:
            raise PolybenchError("--pin server=...: only the server polybench starts itself can be pinned")
        pin_tree(pid, pin.server)
    set_client_cpus(pin.clients)


def run_benchmarks(config: Config, profile_name: str, *, clients: list[str] | None = None,
                   scenarios: list[str] | None = None, server_url: str | None = None,
                   resume: bool | Path = False, quiet: bool = False, results_root: Path | None = None,
                   seed: int | None = None, pin: str | None = None,
                   env_policy: EnvPolicy | None = None, server_tls_url: str | None = None,
                   server_ca_file: str | None = None) -> Path:
    """Run a profile and return the results directory (under results_root/results/, default the repo).

    ``resume``: True continues the newest run with measurements, a Path that
    folder. ``seed`` fixes the rounds' order (default: a random one, recorded;
    on --resume the recorded one). ``pin`` is `server=CPUS,clients=CPUS`
    (orchestrator.measure.pinning), off by default. ``env_policy``: the clients'
    environment (process_env.py; default: the clean base only).
    ``server_tls_url``, ``server_ca_file``: a remote server's TLS port and CA
    (without them its TLS cases are left out).
    """
    results_root = results_root or config.root
    server_url = checked_server_url(server_url) if server_url else None
    pinned = parse_pin(pin) if pin else None
    if pinned is not None and pinned.server is not None and server_url:
        raise PolybenchError("--pin server=...: only the server polybench starts itself can be pinned "
                             "(drop --server-url, or pin only clients=...)")
    profile: Profile = config.profile(profile_name)
    client_names = _select(clients, [c.name for c in config.clients], "client")
    scenario_names = _select(scenarios, sorted({c.scenario for c in profile.cases}), "scenario")
    cases = [case for case in profile.cases if case.scenario in scenario_names]
    if server_url and not server_tls_url:
        tls_cases = [case.id for case in cases if SCENARIOS[case.scenario].tls]
        if tls_cases and not quiet:
            print(f"skipping the TLS cases ({', '.join(tls_cases)}): no --server-tls-url and --server-ca-file "
                  "for the remote server", file=sys.stderr)
        cases = [case for case in cases if not SCENARIOS[case.scenario].tls]
    if not cases:
        raise PolybenchError(f"profile {profile.name!r} has none of the scenarios {', '.join(scenario_names)}")
    chosen = [config.client(name) for name in client_names]
    env_policy = env_policy or EnvPolicy()
    manifest = read_manifest(config)
    if manifest is None:
        raise PolybenchError("no build found: run `invoke build` first")
    ensure_launcher()
    skipped = {client.name: why_unusable(config, client, manifest) for client in chosen}
    baselines = _baselines(config, cases)
    baseline_skipped = {baseline.name: _baseline_missing(config, baseline) for baseline in baselines}
    meta: dict[str, Any] = {
        "profile": profile.name,
        "config_sha256": config.sha256,
        "clients": client_names,
        "cases": [case.id for case in cases],
        "baselines": [baseline.name for baseline in baselines],
        "settings": asdict(profile.runs),
        "schedule": {"method": SCHEDULE_METHOD, "seed": seed, "pin": pinned.to_json() if pinned else None},
        # Runs with different inherited variables must not be mixed in one cell (docs/environment.md).
        "inherit_env": {"names": list(env_policy.inherit), "all": env_policy.inherit_all},
    }
    plan: list[dict[str, Any]] = [
        {"client": client.name, "language": client.language, "library": client.library_label,
         "concurrency_model": client.concurrency_model, "scenario": case.scenario, "case": case.id,
         "params": dict(case.params), "calls": case.calls,
         "skipped": skipped[client.name] or client.beyond_limits(case)}
        for case in cases for client in chosen if profile.measures(client, case)
    ]
    previous: list[runlog.LoggedRun] = []
    if resume:
        directory, previous, old_meta = _resume_dir(results_root, meta, resume if isinstance(resume, Path) else None)
        meta["schedule"]["seed"] = old_meta["schedule"]["seed"]
    else:
        if meta["schedule"]["seed"] is None:
            meta["schedule"]["seed"] = secrets.randbelow(2**32)
        directory = results.new_results_dir(results_root)
    log = runlog.RunLog(directory, meta)
    runnable = [c for c in chosen if skipped[c.name] is None]
    if not quiet:
        shown = skip_summary("clients", skipped) + skip_summary("baselines", _baseline_skips_shown(baseline_skipped))
        for line in shown:
            print(line, file=sys.stderr)
    for line in env_policy.warnings():
        print(f"polybench: warning: {line}", file=sys.stderr)  # also in the results and the report
    settings = profile.runs
    cells = [CellState(client, case) for case in cases for client in runnable
             if profile.measures(client, case) and not client.beyond_limits(case)]
    # Baselines are cells of the same rounds (timed by the same engine, shuffled with the clients).
    cells += [CellState(baseline, BASELINE_CASE) for baseline in baselines if baseline_skipped[baseline.name] is None]
    # about: min_runs counted, and a warm-up or `-X importtime` run before one cell in four (rounds.py)
    progress = Progress(len(plan) + len(baselines), settings.min_runs + 0.25 * (settings.warmup + 1), quiet=quiet)
    events = ScheduleEvents(progress.round_started, progress.run_started, progress.run_finished)
    records = list(previous)
    try:
        with _server(server_url, server_tls_url, server_ca_file) as server:
            _pin_processes(pinned, server)
            described = _describe_server(server)
            if not described.get("stats_token") and not quiet:
                print("polybench: warning: the server's /stats is open (no POLYBENCH_STATS_TOKEN on both sides): "
                      "a client could read its own receipt there instead of reading its responses",
                      file=sys.stderr)
            env_info = environment.collect(config, chosen, described, env_policy, manifest)

            def keep(record: runlog.LoggedRun) -> None:
                log.append(record)
                records.append(record)

            runner = Runner(config, server, settings.timeout_s, on_record=keep, env_policy=env_policy)
            stat_before = system_info.cpu_times()  # steal time during the runs (a hypervisor taking our CPUs)
            try:
                run_rounds(runner, cells, settings, meta["schedule"]["seed"], previous, events)
            finally:  # every exit path (Ctrl-C and SIGTERM arrive as KeyboardInterrupt)
                runner.close()
            env_info["steal_during_run"] = system_info.steal(stat_before, system_info.cpu_times())
    except KeyboardInterrupt:
        progress.close()
        log.close()
        raise Interrupted(f"interrupted: {counted(len(records), 'run')} kept in {directory / runlog.RUNS_FILE}; "
                          "`invoke run --resume` with the same options continues") from None
    except PolybenchError as error:  # e.g. the server would not start, or died mid-run
        progress.close()
        log.close()
        if not resume:  # a failed start leaves nothing for --resume to pick up
            remove_if_unmeasured(directory, runlog.RUNS_FILE)
        if not directory.exists():
            raise
        raise type(error)(f"{error}; {counted(len(records), 'run')} kept in {directory / runlog.RUNS_FILE}, "
                          "`invoke run --resume` with the same options continues") from None
    finally:
        if pinned is not None:
            set_client_cpus(None)
    progress.close()
    log.close()
    stop_reasons = {(cell.client.name, cell.case.id): cell.stop_reason for cell in cells}
    for item in plan:
        item["stop_reason"] = stop_reasons.get((item["client"], item["case"]))
    baseline_plan = [
        {"name": baseline.name, "about": baseline.about, "label": BASELINE_LABEL,
         "argv": expand(baseline.run, placeholders(config)), "skipped": baseline_skipped[baseline.name],
         "stop_reason": stop_reasons.get((baseline.name, BASELINE_CASE.id)),
         "compare": dict(baseline.compare) if baseline.compare else None}
        for baseline in baselines
    ]
    data = results.assemble(meta, records, plan, env_info, finished=True, baselines=baseline_plan)
    results.write_results(directory, data)
    # only finished runs: `report` reads latest, beside the run's folder (a resumed one may be anywhere)
    results.mark_latest(directory)
    if not quiet:
        print(results_table(data))
    if not any(bench.status == "ok" for bench in data.benchmarks):
        raise NothingMeasured(f"no client produced a verified run (every one skipped or failed); "
                              f"the reasons are in {directory / results.RESULTS_FILE}")
    return directory
