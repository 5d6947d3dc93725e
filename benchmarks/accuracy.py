"""Is polybench's timer as accurate as hyperfine? Measure both, in one interleaved run, on one machine.

    .venv/bin/python benchmarks/accuracy.py [--blocks 30] [--runs 100] [--write docs/accuracy.md]

For each command (/usr/bin/true, and go-nethttp making one verified GET
against the shared server: a small static one-request client), alternate
blocks of `hyperfine -N` and of polybench's engine (`orchestrator.measure.timer`, the
launcher `invoke time` and `invoke run` share), --runs runs each after the same
warm-up, taking turns at going first. Each pair of neighbouring blocks ran in
the same few hundred milliseconds, so the ratio of their medians
(polybench / hyperfine) is one comparison within one time window; the
verdict is on the median of those per-pair ratios, with its distribution-free
95% interval (stats.median_ci). The medians of all runs of each tool, and
their ratio with a bootstrap interval (stats.ratio_ci), are shown beside it.
The target is ±3%.

A benchmark, not a test: it takes a few minutes, depends on the machine and
its load, and its output is a record (docs/accuracy.md), not a pass/fail gate.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tabulate import tabulate  # noqa: E402

from orchestrator import stats  # noqa: E402
from orchestrator.measure.timer import TimerSettings, time_command  # noqa: E402
from orchestrator.provenance.environment import cpu_model  # noqa: E402
from orchestrator.provenance.process_env import EnvPolicy  # noqa: E402

TARGET = 0.03
WARMUP = 10


def hyperfine_walls_ms(argv: list[str], runs: int) -> list[float]:
    """One block of `hyperfine -N` (output to /dev/null, its default): every run's wall time in ms."""
    with tempfile.NamedTemporaryFile(suffix=".json") as export:
        subprocess.run(["hyperfine", "-N", "--warmup", str(WARMUP), "--runs", str(runs), "--style", "none",
                        "--export-json", export.name, "--", " ".join(argv)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        data = json.loads(Path(export.name).read_text())
    return [t * 1000 for t in data["results"][0]["times"]]


def polybench_walls_ms(argv: list[str], runs: int) -> list[float]:
    """One block of polybench's engine (stdout to /dev/null, as hyperfine): every run's wall time in ms."""
    settings = TimerSettings(warmup=WARMUP, min_runs=runs, max_runs=runs, budget_s=1e9)
    # hyperfine passes its whole environment on: so does polybench here, like for like.
    return time_command(argv, settings, EnvPolicy(inherit_all=True))["wall_ms_values"]


@dataclass
class Comparison:
    label: str
    hyperfine: list[float] = field(default_factory=list)  # every run, ms
    polybench: list[float] = field(default_factory=list)
    pair_ratios: list[float] = field(default_factory=list)  # per block pair: median(polybench) / median(hyperfine)

    def row(self) -> list[object]:
        h, p = statistics.median(self.hyperfine), statistics.median(self.polybench)
        overall = stats.ratio_ci(self.polybench, self.hyperfine)
        paired = statistics.median(self.pair_ratios)
        interval = stats.median_ci(tuple(self.pair_ratios))
        inside = abs(paired - 1) <= TARGET
        interval_inside = 1 - TARGET <= interval.low and interval.high <= 1 + TARGET
        verdict = ("within" if inside else "OUTSIDE") + f" ±{TARGET * 100:g}%" + (
            " (interval too)" if interval_inside else " (interval not)")
        return [self.label, len(self.pair_ratios), len(self.polybench), f"{h:.3f}", f"{p:.3f}",
                f"{overall.ratio:.3f} ({overall.low:.3f}–{overall.high:.3f})",
                f"{paired:.3f} ({interval.low:.3f}–{interval.high:.3f}, covers {interval.coverage * 100:.0f}%)",
                f"{min(self.pair_ratios):.3f}–{max(self.pair_ratios):.3f}", verdict]


def compare(label: str, argv: list[str], blocks: int, runs: int) -> Comparison:
    """Alternate hyperfine and polybench blocks; the first tool of each pair alternates too."""
    result = Comparison(label)
    for block in range(blocks):
        order = ("hyperfine", "polybench") if block % 2 == 0 else ("polybench", "hyperfine")
        medians = {}
        for tool in order:
            walls = hyperfine_walls_ms(argv, runs) if tool == "hyperfine" else polybench_walls_ms(argv, runs)
            getattr(result, tool).extend(walls)
            medians[tool] = statistics.median(walls)
        result.pair_ratios.append(medians["polybench"] / medians["hyperfine"])
        print(f"  {label}: block {block + 1}/{blocks}: hyperfine {medians['hyperfine']:.3f} ms, "
              f"polybench {medians['polybench']:.3f} ms", file=sys.stderr, flush=True)
    return result


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=30, help="block pairs per command")
    parser.add_argument("--runs", type=int, default=100, help="runs per block")
    parser.add_argument("--write", type=Path, help="write the markdown record to this file")
    args = parser.parse_args()
    if args.blocks < 6 or args.runs < 1:
        print("accuracy: need --blocks >= 6 (for a 95% interval of the median ratio) and --runs >= 1",
              file=sys.stderr)
        return 2
    if shutil.which("hyperfine") is None:
        print("accuracy: hyperfine not found (apt-get install hyperfine)", file=sys.stderr)
        return 2
    go_client = ROOT / "build" / "bin" / "go-nethttp"
    if not go_client.exists():
        print("accuracy: build/bin/go-nethttp missing: run `invoke build` first", file=sys.stderr)
        return 2

    from orchestrator.server_control.shared_server import SharedServer

    started, load_before = time.time(), _load()
    comparisons = [compare("/usr/bin/true", ["/usr/bin/true"], args.blocks, args.runs)]
    with SharedServer() as server:
        client = [str(go_client), "single", "--url", server.url, "--run-id", "pb-accuracy"]
        comparisons.append(compare("go-nethttp single (one GET)", client, args.blocks, args.runs))
    minutes, load_after = (time.time() - started) / 60, _load()
    version = subprocess.run(["hyperfine", "--version"], capture_output=True, text=True).stdout.strip()
    table = tabulate([c.row() for c in comparisons],
                     headers=["command", "block pairs", "runs each", "hyperfine -N median ms", "polybench median ms",
                              "ratio of medians (95% CI)", "median per-pair ratio (95% CI)", "per-pair range",
                              "verdict (per-pair)"],
                     tablefmt="pipe", disable_numparse=True)
    record = "\n".join([
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(started))} on {cpu_model()} "
        f"({os.cpu_count()} CPUs, Linux {platform.release()}), {version}: `{' '.join(sys.argv)}`, "
        f"{args.blocks} block pairs of {args.runs} runs per tool and command ({WARMUP} warm-up runs each), "
        f"{minutes:.1f} minutes; load average (1 / 5 / 15 min) {load_before} before, {load_after} after. "
        "Ratios are polybench / hyperfine.",
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
