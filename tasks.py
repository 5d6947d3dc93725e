"""polybench's verbs: `invoke build run report` is the main job.

Each task is a thin door into orchestrator/ (the same functions as
`python -m orchestrator VERB`); user errors come back as one line and a
non-zero exit, never a traceback.
"""

from __future__ import annotations

import shlex
import subprocess
import sys

from invoke import Exit, task

from orchestrator.cli import main as polybench


def _call(argv: list[str]) -> None:
    code = polybench(argv)
    if code:
        raise Exit(code=code)


def _opt(argv: list[str], flag: str, value: object) -> None:
    if value not in (None, False, ""):
        argv += [flag] if value is True else [flag, str(value)]


@task(help={
    "clients": "comma-separated client names (default: all)",
    "config": "config file (default polybench.yaml)",
    "force": "rebuild even if up to date",
    "skip_optional": "do not build optional clients that are out of date (Nuitka, PyInstaller: minutes each)",
})
def build(c, clients=None, config=None, force=False, skip_optional=False):
    """Build every client in release mode; skip what is up to date."""
    argv = ["build"]
    _opt(argv, "--clients", clients)
    _opt(argv, "--config", config)
    _opt(argv, "--force", force)
    _opt(argv, "--skip-optional", skip_optional)
    _call(argv)


@task(help={"port": "port on 127.0.0.1 (default: a free one)",
            "tls_port": "its TLS port (default: a free one)",
            "dev": "use Flask's development server (article fidelity only; no keep-alive)"})
def serve(c, port=None, dev=False, tls_port=None):
    """Run the shared Flask server in the foreground (gunicorn + gevent on loopback)."""
    argv = ["serve"]
    _opt(argv, "--port", port)
    _opt(argv, "--tls-port", tls_port)
    _opt(argv, "--dev", dev)
    _call(argv)


@task(help={
    "profile": "quick, default, or another profile in the config",
    "config": "config file (default polybench.yaml)",
    "clients": "comma-separated client names (default: all)",
    "scenarios": "comma-separated scenarios (default: all in the profile)",
    "server_url": "use a running server at http://HOST:PORT instead of starting one",
    "server_tls_url": "with server_url: its TLS port, https://HOST:PORT (without it, no TLS cases)",
    "server_ca_file": "with server_tls_url: the CA certificate file the server printed at start",
    "resume": "continue the newest interrupted run that has measurements",
    "resume_from": "continue the interrupted run in this results folder",
    "quiet": "no progress bar and no summary table",
    "results_root": "write results/<timestamp>/ under this folder (default: the repository)",
    "seed": "seed of the rounds' random order (default: random; recorded either way)",
    "pin": "pin CPUs, e.g. server=1,clients=0 (default: off; recorded when on)",
    "inherit_env": "NAME,...: pass these variables of your environment to the clients (default: none)",
    "inherit_all_env": "pass your whole environment to the clients (not recommended; docs/environment.md)",
})
def run(c, profile="default", config=None, clients=None, scenarios=None, server_url=None, resume=False,
        quiet=False, results_root=None, resume_from=None, seed=None, pin=None, inherit_env=None,
        inherit_all_env=False, server_tls_url=None, server_ca_file=None):
    """Run the benchmark matrix, verified, into results/<timestamp>/."""
    argv = ["run", "--profile", profile]
    _opt(argv, "--config", config)
    _opt(argv, "--clients", clients)
    _opt(argv, "--scenarios", scenarios)
    _opt(argv, "--server-url", server_url)
    _opt(argv, "--server-tls-url", server_tls_url)
    _opt(argv, "--server-ca-file", server_ca_file)
    _opt(argv, "--resume", resume_from or resume)
    _opt(argv, "--quiet", quiet)
    _opt(argv, "--results-root", results_root)
    _opt(argv, "--seed", seed)
    _opt(argv, "--pin", pin)
    _opt(argv, "--inherit-env", inherit_env)
    _opt(argv, "--inherit-all-env", inherit_all_env)
    _call(argv)


# invoke has no optional positional arguments (a missing one is an error, which
# would break `invoke build run report`), so results come as a flag here;
# `python -m orchestrator report DIR [DIR ...]` takes them positionally.
@task(help={
    "results": "results directory or file; several, comma-separated, give one report with the hosts side by side "
               "(default results/latest)",
    "output": "reports root directory (default reports/)",
    "stdout": "also print the markdown to stdout",
    "quiet": "print only the report path",
})
def report(c, results=None, output=None, stdout=False, quiet=False):
    """Write reports/<timestamp>/report.md (with SVG charts) from results: invoke report [--results DIR[,DIR]]."""
    argv = ["report", *[path for path in (results or "").split(",") if path]]
    _opt(argv, "--output", output)
    _opt(argv, "--stdout", stdout)
    _opt(argv, "--quiet", quiet)
    _call(argv)


@task(help={
    "results": "results directory or results.json (default results/latest)",
    "format_": "hyperfine (its JSON export), pyperf (its JSON), or csv (runs.csv and cells.csv)",
    "output": "directory for the files (default: the results directory)",
})
def export(c, format_, results=None, output=None):
    """Write results for other tools: invoke export --format hyperfine|pyperf|csv [--results DIR]."""
    argv = ["export", "--format", format_]
    _opt(argv, "--output", output)
    if results:
        argv.append(results)
    _call(argv)


@task(help={"threshold": "smallest relative change to flag (default 0.05)",
            "fail_on_regression": "exit 1 if any case regressed"})
def compare(c, old, new, threshold=0.05, fail_on_regression=False):
    """Compare two results: per client and case, the change and its CI."""
    argv = ["compare", old, new, "--threshold", str(threshold)]
    _opt(argv, "--fail-on-regression", fail_on_regression)
    _call(argv)


@task(name="time", help={"json": "print the summary as JSON",
                         "warmup": "warm-up runs (default 3)",
                         "min_runs": "minimum counted runs (default 10)",
                         "max_runs": "maximum counted runs (default 200)",
                         "output": "the command's stdout: null (discarded, the default) or file",
                         "inherit_env": "NAME,...: pass these variables to the command (default: a clean "
                                        "environment, as pyperf)",
                         "inherit_all_env": "pass your whole environment to the command (hyperfine's default)"})
def time_(c, json=False, warmup=3, min_runs=10, max_runs=200, output="null", inherit_env=None,
          inherit_all_env=False):
    """Time any command like hyperfine: invoke time -- CMD ARGS."""
    argv = ["time", "--warmup", str(warmup), "--min-runs", str(min_runs), "--max-runs", str(max_runs),
            "--output", str(output)]
    _opt(argv, "--json", json)
    _opt(argv, "--inherit-env", inherit_env)
    _opt(argv, "--inherit-all-env", inherit_all_env)
    _call([*argv, "--", *_remainder_words(c.remainder)])


def _remainder_words(remainder: str) -> list[str]:
    """The words after `--` exactly as the shell passed them.

    invoke gives the remainder re-joined with spaces (quoting lost, so
    `echo "it's"` would not split back); the process's own argv still has
    the words, so they are taken from there.
    """
    if "--" in sys.argv:
        return sys.argv[sys.argv.index("--") + 1:]
    try:
        return shlex.split(remainder)
    except ValueError as error:
        print(f"polybench: error: cannot split the command after --: {error}", file=sys.stderr)
        raise Exit(code=2) from None


@task(help={"all": "also run the slow tests (marked slow and docker)",
            "k": "only tests matching this expression (pytest -k)"})
def test(c, all=False, k=None):
    """Run the test suite (fast tests by default)."""
    argv = [sys.executable, "-m", "pytest", "-q"]
    if not all:
        argv += ["-m", "not docker"]
    if k:
        argv += ["-k", k]
    code = subprocess.run(argv, check=False).returncode
    if code:
        raise Exit(code=code)


@task(help={
    "local_base": "no image registry needed: debootstrap the Debian trixie base and vendor the wheels and "
                  "crates on the host (needs root and debootstrap; see docs/docker.md)",
    "tag": "the image's tag (default polybench)",
})
def docker(c, local_base=False, tag="polybench"):
    """Build the pinned Docker image; `docker run --rm polybench` then runs a profile and prints the report."""
    from orchestrator.docker import build_image
    from orchestrator.errors import PolybenchError

    try:
        image_id = build_image(local_base=local_base, tag=tag)
    except PolybenchError as error:
        print(f"polybench: error: {error}", file=sys.stderr)
        raise Exit(code=2) from None
    print(f"built {tag} ({image_id}); run it with:")
    print(f"  docker run --rm -e POLYBENCH_IMAGE_ID={image_id} {tag} --profile quick")


@task
def lock(c):
    """Regenerate requirements.lock (hashed pins) from requirements.in (needs pip-tools installed)."""
    argv = [sys.executable, "-m", "piptools", "compile", "--generate-hashes", "--allow-unsafe",
            "--strip-extras", "--no-emit-index-url", "--no-emit-find-links",
            "-o", "requirements.lock", "requirements.in"]
    code = subprocess.run(argv, check=False).returncode
    if code:
        raise Exit(code=code)
