"""The image's entry point: run a profile, print the markdown report on stdout.

    docker run --rm polybench                          # default profile, report on stdout
    docker run --rm polybench --profile quick          # flags go to `polybench run`
    docker run --rm -e POLYBENCH_SERVER_URL=http://HOST:PORT polybench ...   # a server elsewhere
    docker run --rm -v "$PWD/out:/out" polybench ...   # results/ and reports/ left in ./out
    docker run --rm polybench report /out/results/...  # any polybench verb
    docker run --rm -it polybench bash                 # any other command

Results go to /out when it is mounted and writable by the image's user, else
to a temporary folder inside the container. Everything but the markdown
(progress, the run's summary, the report's path) goes to stderr, so
`docker run --rm polybench > report.md` keeps the report whole.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from orchestrator.cli import main as polybench  # noqa: E402  (after the path is set)

OUT = Path("/out")
VERBS = {"build", "serve", "run", "report", "compare", "time"}


def _interrupt(signum: int, frame: object) -> None:
    # As PID 1 a process gets no default action for SIGTERM: `docker stop`
    # would wait 10 s and SIGKILL. Ctrl-C's path stops the server in order.
    raise KeyboardInterrupt


def output_root() -> Path:
    if OUT.is_dir() and os.access(OUT, os.W_OK | os.X_OK):
        return OUT
    if OUT.is_dir():
        print(f"polybench: {OUT} is not writable by uid {os.getuid()}; writing inside the container instead "
              f"(make the host folder writable, e.g. chmod 777, or run with --user \"$(id -u):$(id -g)\")",
              file=sys.stderr)
    return Path(tempfile.mkdtemp(prefix="polybench-"))


def benchmark(run_args: list[str]) -> int:
    """`polybench run ARGS` then `polybench report` on its results, the markdown on stdout.

    POLYBENCH_SERVER_URL, if set and ARGS have no --server-url, is passed as
    --server-url: compose.yaml's runner reaches the server container that way,
    whatever flags `docker compose run runner ...` is given.
    """
    server_url = os.environ.get("POLYBENCH_SERVER_URL")
    if server_url and not any(arg.startswith("--server-url") for arg in run_args):
        run_args = ["--server-url", server_url, *run_args]
    root = output_root()
    with contextlib.redirect_stdout(sys.stderr):  # run's summary and results path
        code = polybench(["run", *run_args, "--results-root", str(root)])
    if code:
        return code
    return polybench(["report", str(root / "results" / "latest"), "--output", str(root / "reports"),
                      "--stdout", "--quiet"])


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    if argv and argv[0] in VERBS:
        return polybench(argv)
    if argv and not argv[0].startswith("-"):
        os.execvp(argv[0], argv)
    return benchmark(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
