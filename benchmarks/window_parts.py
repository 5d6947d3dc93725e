"""What in hyperfine's timed window makes it read `true` above polybench? Remove one piece at a time.

    rustc -O -o build/hyperfine_window benchmarks/hyperfine_window.rs
    .venv/bin/python benchmarks/window_parts.py [--blocks 30] [--runs 100] [--seed N]

Times /usr/bin/true with `hyperfine -N`, with polybench's engine (as
benchmarks/accuracy.py does) and with build/hyperfine_window, a std-only Rust
replica of hyperfine 1.15's measuring loop, whole (`null,env,rusage`: the
same system calls in its window as hyperfine's, checked with strace) and with
one piece left out at a time, and with none (`bare`). Each block runs every
tool once, --runs runs after the same warm-up, in a fresh random order from
the recorded seed; each tool's block median is divided by hyperfine's median
of the same block, and the table gives the median of those per-block ratios
with its distribution-free 95% interval (stats.median_ci). Only ratios within
one run count: the machine's load moves the absolute times.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from accuracy import WARMUP, hyperfine_walls_ms, polybench_walls_ms  # noqa: E402
from tabulate import tabulate  # noqa: E402

from orchestrator import stats  # noqa: E402

REPLICA = ROOT / "build" / "hyperfine_window"
ARGV = ["/usr/bin/true"]
VARIANTS = {  # label: PARTS given to the replica
    "replica: hyperfine's whole window": "null,env,rusage",
    "replica without Stdio::null (3 opens, 3 closes, 6 getrlimit)": "env,rusage",
    "replica without the random-length env var": "null,rusage",
    "replica without getrusage": "null,env",
    "replica bare (Command::status() only)": "bare",
}


def replica_walls_ms(parts: str, runs: int) -> list[float]:
    """One block of the replica: every run's wall time in ms (its stdio, which `bare` passes on, is /dev/null)."""
    with tempfile.NamedTemporaryFile(suffix=".txt") as out:
        subprocess.run([str(REPLICA), parts, str(runs), str(WARMUP), out.name, *ARGV], check=True,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return [int(line) / 1e6 for line in Path(out.name).read_text().split()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=30)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    if not REPLICA.exists():
        print(f"window_parts: {REPLICA} missing: rustc -O -o build/hyperfine_window benchmarks/hyperfine_window.rs",
              file=sys.stderr)
        return 2
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    rng = random.Random(seed)
    tools = {"hyperfine -N": lambda: hyperfine_walls_ms(ARGV, args.runs),
             "polybench (launcher)": lambda: polybench_walls_ms(ARGV, args.runs)}
    tools |= {label: (lambda parts=parts: replica_walls_ms(parts, args.runs)) for label, parts in VARIANTS.items()}
    medians: dict[str, list[float]] = {label: [] for label in tools}
    started, load_before = time.time(), os.getloadavg()
    for block in range(args.blocks):
        order = list(tools)
        rng.shuffle(order)
        for label in order:
            medians[label].append(statistics.median(tools[label]()))
        print(f"  block {block + 1}/{args.blocks}: " + ", ".join(f"{medians[t][-1]:.3f}" for t in tools),
              file=sys.stderr, flush=True)
    load_after = os.getloadavg()
    rows = []
    for label, values in medians.items():
        to_hf = tuple(v / h for v, h in zip(values, medians["hyperfine -N"], strict=True))
        to_pb = tuple(v / p for v, p in zip(values, medians["polybench (launcher)"], strict=True))
        ci_hf, ci_pb = stats.median_ci(to_hf), stats.median_ci(to_pb)
        rows.append([label, f"{statistics.median(values):.3f}",
                     f"{statistics.median(to_hf):.3f} ({ci_hf.low:.3f}–{ci_hf.high:.3f})",
                     f"{statistics.median(to_pb):.3f} ({ci_pb.low:.3f}–{ci_pb.high:.3f})"])
    print(f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(started))}: `{' '.join(sys.argv)}` "
          f"(seed {seed}), {args.blocks} blocks of {args.runs} runs per tool ({WARMUP} warm-up runs each), "
          f"{(time.time() - started) / 60:.1f} minutes; load average (1 min) {load_before[0]:.2f} before, "
          f"{load_after[0]:.2f} after.\n")
    print(tabulate(rows, headers=["/usr/bin/true timed by", "median of block medians ms",
                                  "per-block ratio to hyperfine (95% CI)", "per-block ratio to polybench (95% CI)"],
                   tablefmt="pipe", disable_numparse=True, colalign=("left", "right", "right", "right")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
