"""Is polybench's timer as accurate as hyperfine? Measure both, in one run, on one machine.

    .venv/bin/python benchmarks/accuracy.py [--rounds 3] [--write docs/accuracy.md]

For each command (/usr/bin/true, and go-nethttp making one verified GET
against the shared server: a small static one-request client), alternate
`hyperfine -N` and polybench's engine (`orchestrator.timer`, the same spawn
path as `invoke run`) round by round, so drift hits both alike, and compare
the medians of everything each collected. The target is ±5%. hyperfine runs
twice per round: with its default output (/dev/null) and with output to a
file, which is what polybench does (it keeps each client's stdout to verify
it), so the table separates the timer from the cost of the output itself.

A benchmark, not a test: it takes about a minute, depends on the machine,
and its output is a record (docs/accuracy.md), not a pass/fail gate.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tabulate import tabulate  # noqa: E402

from orchestrator.environment import cpu_model  # noqa: E402
from orchestrator.process_env import EnvPolicy  # noqa: E402
from orchestrator.timer import TimerSettings, time_command  # noqa: E402

TARGET = 0.05
RUNS_PER_ROUND = 100


def hyperfine_walls_ms(argv: list[str], runs: int, output: str = "null") -> list[float]:
    with tempfile.NamedTemporaryFile(suffix=".json") as export:
        subprocess.run(["hyperfine", "-N", "--warmup", "20", "--runs", str(runs), "--style", "none",
                        "--output", output, "--export-json", export.name, "--", " ".join(argv)],
                       check=True, stdout=subprocess.DEVNULL)
        data = json.loads(Path(export.name).read_text())
    return [t * 1000 for t in data["results"][0]["times"]]


def polybench_walls_ms(argv: list[str], runs: int) -> list[float]:
    settings = TimerSettings(warmup=20, min_runs=runs, max_runs=runs, budget_s=1e9)
    # hyperfine passes its whole environment on: so does polybench here, like for like.
    return time_command(argv, settings, EnvPolicy(inherit_all=True))["wall_ms_values"]


def compare(label: str, argv: list[str], rounds: int) -> list[object]:
    """hyperfine with output to /dev/null (its default) and to a file (what polybench does:
    it keeps the client's stdout to verify it), alternated with polybench, round by round."""
    to_null: list[float] = []
    to_file: list[float] = []
    ours: list[float] = []
    with tempfile.TemporaryDirectory(dir="/dev/shm" if Path("/dev/shm").is_dir() else None) as scratch:
        for _ in range(rounds):
            to_null += hyperfine_walls_ms(argv, RUNS_PER_ROUND)
            to_file += hyperfine_walls_ms(argv, RUNS_PER_ROUND, output=str(Path(scratch) / "out"))
            ours += polybench_walls_ms(argv, RUNS_PER_ROUND)
    n, f, p = (statistics.median(values) for values in (to_null, to_file, ours))

    def verdict(reference: float) -> str:
        difference = p / reference - 1
        return f"{difference * 100:+.1f}% ({'within' if abs(difference) <= TARGET else 'OUTSIDE'} ±5%)"

    return [label, len(ours), f"{n:.3f}", f"{f:.3f}", f"{p:.3f}", verdict(n), verdict(f)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--write", type=Path, help="write the markdown record to this file")
    args = parser.parse_args()
    if shutil.which("hyperfine") is None:
        print("accuracy: hyperfine not found (apt-get install hyperfine)", file=sys.stderr)
        return 2
    go_client = ROOT / "build" / "bin" / "go-nethttp"
    if not go_client.exists():
        print("accuracy: build/bin/go-nethttp missing: run `invoke build` first", file=sys.stderr)
        return 2

    from orchestrator.server import SharedServer

    rows = []
    with SharedServer() as server:
        rows.append(compare("/usr/bin/true", ["/usr/bin/true"], args.rounds))
        client = [str(go_client), "single", "--url", server.url, "--run-id", "pb-accuracy"]
        rows.append(compare("go-nethttp single (one GET)", client, args.rounds))
    version = subprocess.run(["hyperfine", "--version"], capture_output=True, text=True).stdout.strip()
    table = tabulate(rows, headers=["command", "runs each", "hyperfine -N ms (output null)",
                                    "hyperfine -N ms (output to file)", "polybench ms", "vs output null",
                                    "vs output to file"], tablefmt="pipe")
    record = "\n".join([
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {cpu_model()} "
        f"({platform.release()}), {version}, {args.rounds} alternating rounds of {RUNS_PER_ROUND} runs each; "
        "medians of all runs.",
        "",
        table,
    ])
    print(record)
    if args.write:
        text = args.write.read_text() if args.write.exists() else ""
        marker = "<!-- accuracy-record -->"
        head = text.split(marker)[0] if marker in text else text
        args.write.write_text(f"{head}{marker}\n{record}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
