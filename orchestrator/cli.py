"""The command line: `python -m orchestrator VERB ...`; tasks.py calls the same functions.

This is the edge where a PolybenchError becomes one line on stderr and a
non-zero exit; nothing deeper prints errors or exits.
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, NoReturn

from .errors import PolybenchError

if TYPE_CHECKING:  # the verbs import their modules when called: `--help` stays quick
    from .provenance.process_env import EnvPolicy

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one `polybench: error: ...` line like every other error."""

    def error(self, message: str) -> NoReturn:
        verb = self.prog.removeprefix("polybench").strip()
        print(f"polybench: error: {verb + ': ' if verb else ''}{' '.join(message.split())}", file=sys.stderr)
        sys.exit(EXIT_USER_ERROR)


def _stop_like_ctrl_c(signo: int, frame: FrameType | None) -> None:
    # SIGTERM (docker stop, CI cancellation, systemd) and SIGHUP (terminal
    # closed) take the Ctrl-C path: the server is stopped, scratch files are
    # removed, finished runs are kept.
    raise KeyboardInterrupt


def _output_dir(value: str | None, flag: str) -> Path | None:
    """A folder results or reports go under: refused with one line if it names a file or cannot be written."""
    if value is None:
        return None
    path = Path(value)
    if path.exists() and not path.is_dir():
        raise PolybenchError(f"{flag} {value}: not a directory")
    existing = next((p for p in (path, *path.parents) if p.exists()), Path("."))
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise PolybenchError(f"{flag} {value}: {existing} is not a writable directory")
    return path


def _csv(text: str | None, flag: str = "--clients/--scenarios") -> list[str] | None:
    """A comma-separated list; None when the flag was not given. Given but naming nothing is an error
    (an empty `--clients ''` must not quietly mean "all")."""
    if text is None:
        return None
    items = [item.strip() for item in text.split(",") if item.strip()]
    if not items:
        raise PolybenchError(f"{flag} {text!r}: names nothing (leave the flag out for all)")
    return items


def cmd_build(args: argparse.Namespace) -> int:
    from .build.clients import build_all
    from .config.model import load_config
    from .measure.launcher import ensure_launcher

    config = load_config(args.config)
    ensure_launcher()
    named = _csv(args.clients, "--clients")
    clients = [config.client(name) for name in named] if named is not None else None
    manifest = build_all(config, clients, force=args.force, install=not args.no_install,
                         skip_optional=args.skip_optional)
    failed = [name for name, outcome in manifest["clients"].items() if outcome["status"] == "failed"]
    if failed:
        raise PolybenchError(f"build failed for {', '.join(failed)} (logs in build/logs/)")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .server_control.shared_server import serve_forever

    if args.host not in ("127.0.0.1", "::1", "localhost"):
        print(f"polybench: serving on {args.host}: reachable beyond this machine's loopback", file=sys.stderr)
    serve_forever(args.port, args.dev, host=args.host, tls_port=args.tls_port)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from .config.model import load_config
    from .measure.matrix import run_benchmarks

    if (args.server_tls_url or args.server_ca_file) and not args.server_url:
        raise PolybenchError("--server-tls-url and --server-ca-file describe a running server: "
                             "give its --server-url too")
    config = load_config(args.config)
    resume = Path(args.resume) if isinstance(args.resume, str) else bool(args.resume)
    directory = run_benchmarks(config, args.profile, clients=_csv(args.clients, "--clients"),
                               scenarios=_csv(args.scenarios, "--scenarios"),
                               server_url=args.server_url, resume=resume, quiet=args.quiet,
                               results_root=_output_dir(args.results_root, "--results-root"),
                               seed=args.seed, pin=args.pin, env_policy=_env_policy(args),
                               server_tls_url=args.server_tls_url, server_ca_file=args.server_ca_file)
    print(f"results: {directory / 'results.json'}")
    return 0


def _env_policy(args: argparse.Namespace) -> EnvPolicy:
    from .provenance.process_env import EnvPolicy, parse_names

    return EnvPolicy(inherit=parse_names(args.inherit_env), inherit_all=args.inherit_all_env)


def _env_flags(verb: argparse.ArgumentParser) -> None:
    verb.add_argument("--inherit-env", metavar="NAME,...",
                      help="pass these variables of your environment to the clients (default: none; "
                           "docs/environment.md)")
    verb.add_argument("--inherit-all-env", action="store_true",
                      help="pass your whole environment to the clients (hyperfine's default; not recommended)")


def cmd_report(args: argparse.Namespace) -> int:
    from .report import generate_report
    from .results.export.step_summary import append_first_screen

    report = generate_report([Path(p) for p in args.results] or None,
                             output_root=_output_dir(args.output, "--output"), quiet=args.quiet, stdout=args.stdout)
    append_first_screen(report)  # to $GITHUB_STEP_SUMMARY, when set
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from .results.export import export_results

    for path in export_results(Path(args.results) if args.results else None, args.format,
                               Path(args.output) if args.output else None):
        print(f"wrote {path}")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from .results.compare import compare_command

    if not math.isfinite(args.threshold) or not 0 <= args.threshold < 100:
        raise PolybenchError(f"--threshold must be a fraction from 0 (e.g. 0.05 for 5%), got {args.threshold}")
    return compare_command(Path(args.old), Path(args.new), threshold=args.threshold,
                           fail_on_regression=args.fail_on_regression)


def cmd_time(args: argparse.Namespace) -> int:
    from .measure.timer import TimerSettings, render, render_json, time_command

    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    if args.min_runs is None:  # not given: 10, or all of a smaller --max-runs
        args.min_runs = min(DEFAULT_MIN_RUNS, args.max_runs)
    if args.warmup < 0 or args.min_runs < 1 or args.max_runs < 1:
        raise PolybenchError("--warmup must be 0 or more, --min-runs and --max-runs 1 or more")
    if args.min_runs > args.max_runs:
        raise PolybenchError(f"--min-runs ({args.min_runs}) is more than --max-runs ({args.max_runs})")
    if max(args.warmup, args.max_runs) > TIMER_MAX_RUNS:
        raise PolybenchError(f"--warmup and --max-runs take at most {TIMER_MAX_RUNS:,}")
    settings = TimerSettings(warmup=args.warmup, min_runs=args.min_runs, max_runs=args.max_runs)
    summary = time_command(command, settings, _env_policy(args), keep_stdout=args.output == "file")
    print(render_json(summary) if args.json else render(summary))
    return 0


TIMER_MAX_RUNS = 100_000
DEFAULT_MIN_RUNS = 10


@functools.cache  # built once per process: `invoke build run report` and the tests call main() many times
def parser() -> argparse.ArgumentParser:
    """The command line of every verb (parsing leaves it unchanged, so one serves every call of main)."""
    root = _Parser(prog="polybench", description="Python vs Go vs Rust HTTP clients, verified.")
    verbs = root.add_subparsers(dest="verb", required=True)

    build = verbs.add_parser("build", help="build every client (release), skip what is up to date")
    build.add_argument("--config", help="config file (default polybench.yaml)")
    build.add_argument("--clients", help="comma-separated client names (default: all)")
    build.add_argument("--force", action="store_true", help="rebuild even if up to date")
    build.add_argument("--no-install", action="store_true",
                       help="never apt-get install the Debian packages the config declares (as root it does)")
    build.add_argument("--skip-optional", action="store_true",
                       help="do not build out-of-date clients whose build is `optional` (slow bundles)")
    build.set_defaults(func=cmd_build)

    serve = verbs.add_parser("serve", help="run the shared server in the foreground")
    serve.add_argument("--port", type=int, default=None, help="port on 127.0.0.1 (default: a free one)")
    serve.add_argument("--tls-port", type=int, default=None, help="its TLS port (default: a free one)")
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
    run.add_argument("--server-tls-url", help="with --server-url: its TLS port (https://HOST:PORT); else no TLS cases")
    run.add_argument("--server-ca-file", help="with --server-tls-url: the CA certificate the server printed at start")
    run.add_argument("--resume", nargs="?", const=True, default=False, metavar="DIR",
                     help="continue the newest interrupted run that has measurements (or the one in DIR)")
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

    compare = verbs.add_parser("compare", help="compare two results: changes a permutation test tells from noise")
    compare.add_argument("old", help="the earlier results: a results.json or the folder holding one")
    compare.add_argument("new", help="the later results: a results.json or the folder holding one")
    compare.add_argument("--threshold", type=float, default=0.05, help="smallest relative change flagged")
    compare.add_argument("--fail-on-regression", action="store_true", help="exit 1 if anything regressed")
    compare.set_defaults(func=cmd_compare)

    timer = verbs.add_parser("time", help="time any command, hyperfine-style: time -- CMD ARGS")
    timer.add_argument("--json", action="store_true", help="print the summary as JSON")
    timer.add_argument("--warmup", type=int, default=3, help="runs before the counted ones, not counted")
    timer.add_argument("--min-runs", type=int, default=None,
                       help=f"counted runs at least (default {DEFAULT_MIN_RUNS}, or --max-runs if that is smaller)")
    timer.add_argument("--max-runs", type=int, default=200,
                       help="counted runs at most; it stops earlier once the median's 95%% interval is within "
                            "1%% of it, or its time budget is spent")
    _env_flags(timer)
    timer.add_argument("--output", choices=("null", "file"), default="null",
                       help="the command's stdout: null (discarded, hyperfine's default) or file "
                            "(kept on tmpfs, as `run` does, up to the output limit)")
    timer.add_argument("command", nargs=argparse.REMAINDER, help="the command (after --)")
    timer.set_defaults(func=cmd_time)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    in_main_thread = threading.current_thread() is threading.main_thread()  # signal handlers live there only
    previous = {signo: signal.signal(signo, _stop_like_ctrl_c)
                for signo in (signal.SIGTERM, signal.SIGHUP) if in_main_thread}
    try:
        code: int = args.func(args)
        return code
    except PolybenchError as error:
        print(f"polybench: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("polybench: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as error:  # the file system refused: read-only, full, a file where a folder belongs
        where = f"{error.filename}: " if error.filename else ""
        print(f"polybench: error: {where}{error.strerror or error}", file=sys.stderr)
        return EXIT_USER_ERROR
    finally:
        for signo, handler in previous.items():
            signal.signal(signo, handler)
