"""The command line: `python -m orchestrator VERB ...`; tasks.py calls the same functions.

This is the edge where a PolybenchError becomes one line on stderr and a
non-zero exit; nothing deeper prints errors or exits.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .errors import PolybenchError

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130


def _csv(text: str | None) -> list[str] | None:
    return [item.strip() for item in text.split(",") if item.strip()] if text else None


def cmd_build(args: argparse.Namespace) -> int:
    from .build import build_all
    from .config import load_config
    from .launcher import ensure_launcher

    config = load_config(args.config)
    ensure_launcher()
    clients = [config.client(name) for name in _csv(args.clients)] if args.clients else None
    manifest = build_all(config, clients, force=args.force)
    failed = [name for name, outcome in manifest["clients"].items() if outcome["status"] == "failed"]
    if failed:
        raise PolybenchError(f"build failed for {', '.join(failed)} (logs in build/logs/)")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .server import serve_forever

    if args.host not in ("127.0.0.1", "::1", "localhost"):
        print(f"polybench: serving on {args.host}: reachable beyond this machine's loopback", file=sys.stderr)
    serve_forever(args.port, args.dev, host=args.host)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from .config import load_config
    from .run import run_benchmarks

    config = load_config(args.config)
    directory = run_benchmarks(config, args.profile, clients=_csv(args.clients), scenarios=_csv(args.scenarios),
                               server_url=args.server_url, resume=args.resume, quiet=args.quiet,
                               results_root=Path(args.results_root) if args.results_root else None,
                               seed=args.seed, pin=args.pin, env_policy=_env_policy(args))
    print(f"results: {directory / 'results.json'}")
    return 0


def _env_policy(args: argparse.Namespace):  # -> process_env.EnvPolicy
    from .process_env import EnvPolicy, parse_names

    return EnvPolicy(inherit=parse_names(args.inherit_env), inherit_all=args.inherit_all_env)


def _env_flags(verb: argparse.ArgumentParser) -> None:
    verb.add_argument("--inherit-env", metavar="NAME,...",
                      help="pass these variables of your environment to the clients (default: none; "
                           "docs/environment.md)")
    verb.add_argument("--inherit-all-env", action="store_true",
                      help="pass your whole environment to the clients (hyperfine's default; not recommended)")


def cmd_report(args: argparse.Namespace) -> int:
    from .export.step_summary import append_first_screen
    from .report import generate_report

    report = generate_report([Path(p) for p in args.results] or None, output_root=args.output, quiet=args.quiet,
                             stdout=args.stdout)
    append_first_screen(report)  # to $GITHUB_STEP_SUMMARY, when set
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from .export import export_results

    for path in export_results(Path(args.results) if args.results else None, args.format,
                               Path(args.output) if args.output else None):
        print(f"wrote {path}")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from .compare import compare_command

    return compare_command(Path(args.old), Path(args.new), threshold=args.threshold,
                           fail_on_regression=args.fail_on_regression)


def cmd_time(args: argparse.Namespace) -> int:
    from .timer import TimerSettings, render, render_json, time_command

    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    settings = TimerSettings(warmup=args.warmup, min_runs=args.min_runs, max_runs=args.max_runs)
    summary = time_command(command, settings, _env_policy(args))
    print(render_json(summary) if args.json else render(summary))
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="polybench", description="Python vs Go vs Rust HTTP clients, verified.")
    verbs = root.add_subparsers(dest="verb", required=True)

    build = verbs.add_parser("build", help="build every client (release), skip what is up to date")
    build.add_argument("--config", help="config file (default polybench.yaml)")
    build.add_argument("--clients", help="comma-separated client names (default: all)")
    build.add_argument("--force", action="store_true", help="rebuild even if up to date")
    build.set_defaults(func=cmd_build)

    serve = verbs.add_parser("serve", help="run the shared server in the foreground")
    serve.add_argument("--port", type=int, default=None, help="port on 127.0.0.1 (default: a free one)")
    serve.add_argument("--dev", action="store_true", help="Flask's development server (article fidelity only)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to bind (default loopback; anything else is an explicit choice, e.g. compose)")
    serve.set_defaults(func=cmd_serve)

    run = verbs.add_parser("run", help="run a profile's matrix and write results/<timestamp>/")
    run.add_argument("--profile", default="default", help="profile name in the config (quick, default, ...)")
    run.add_argument("--config", help="config file (default polybench.yaml)")
    run.add_argument("--clients", help="comma-separated client names (default: all)")
    run.add_argument("--scenarios", help="comma-separated scenario names (default: the profile's)")
    run.add_argument("--server-url", help="use a running server (http://HOST:PORT) instead of starting one")
    run.add_argument("--resume", action="store_true", help="continue the latest interrupted run")
    run.add_argument("--quiet", action="store_true", help="no progress, no summary table")
    run.add_argument("--results-root", help="write results/<timestamp>/ under this folder (default: the repo)")
    run.add_argument("--seed", type=int, default=None,
                     help="seed of the rounds' random order (default: a random one; recorded either way)")
    run.add_argument("--pin", default=None,
                     help="pin CPUs, e.g. server=1,clients=0 (default: off; recorded when on)")
    _env_flags(run)
    run.set_defaults(func=cmd_run)

    report = verbs.add_parser("report", help="write reports/<timestamp>/report.md from results")
    report.add_argument("results", nargs="*", help="results directories or files (default results/latest)")
    report.add_argument("--output", default=None, help="reports root directory (default reports/)")
    report.add_argument("--stdout", action="store_true", help="also print the markdown to stdout")
    report.add_argument("--quiet", action="store_true", help="print only the report path")
    report.set_defaults(func=cmd_report)

    export = verbs.add_parser("export", help="write results in a format other tools read: hyperfine, pyperf, csv")
    export.add_argument("results", nargs="?", help="results directory or results.json (default results/latest)")
    export.add_argument("--format", required=True, metavar="hyperfine|pyperf|csv",
                        help="hyperfine's JSON, pyperf's JSON, or CSV (runs.csv and cells.csv)")
    export.add_argument("--output", default=None, help="directory for the files (default: the results directory)")
    export.set_defaults(func=cmd_export)

    compare = verbs.add_parser("compare", help="compare two results: changes whose CI excludes zero")
    compare.add_argument("old")
    compare.add_argument("new")
    compare.add_argument("--threshold", type=float, default=0.05, help="smallest relative change flagged")
    compare.add_argument("--fail-on-regression", action="store_true", help="exit 1 if anything regressed")
    compare.set_defaults(func=cmd_compare)

    timer = verbs.add_parser("time", help="time any command, hyperfine-style: time -- CMD ARGS")
    timer.add_argument("--json", action="store_true", help="print the summary as JSON")
    timer.add_argument("--warmup", type=int, default=3)
    timer.add_argument("--min-runs", type=int, default=10)
    timer.add_argument("--max-runs", type=int, default=200)
    _env_flags(timer)
    timer.add_argument("command", nargs=argparse.REMAINDER, help="the command (after --)")
    timer.set_defaults(func=cmd_time)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except PolybenchError as error:
        print(f"polybench: error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("polybench: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
