"""Is polybench's timer accurate? Three checks against hyperfine and its replica, in one interleaved run.

    .venv/bin/python benchmarks/accuracy.py [--blocks 60] [--runs 100] [--seed N] [--parts] [--write docs/accuracy.md]

Timers (benchmarks/block_timers.py): `hyperfine -N`, polybench's engine, and
build/hyperfine_window, a std-only Rust replica of hyperfine 1.15's loop
(built here from benchmarks/hyperfine_window.rs when missing or changed),
whole (`null,env,rusage`: hyperfine's window) and `bare` (Command::status(),
a spawn and a wait, nothing else in the window). Each block runs every timer
once, --runs runs after WARMUP warm-up runs, in a fresh random order from the
recorded seed; a ratio is taken between two timers' medians of the same
block, and each criterion is judged on the median of its per-block ratios,
with the distribution-free 95% interval of that median (stats.median_ci):

(a) polybench / replica `bare`, /usr/bin/true: polybench's window holds a
    spawn and a wait and nothing else: within ±3%;
(b) hyperfine -N / replica of hyperfine's whole window, /usr/bin/true: the
    replica is faithful, so the gap between polybench and hyperfine (shown,
    without a verdict) is hyperfine's own in-window work: within ±3%;
(c) polybench / hyperfine -N, go-nethttp `single` (one GET to the shared
    server, a real one-call client): within ±3%.

--parts adds the replica with one of hyperfine's in-window parts left out at
a time, and a table of every /usr/bin/true timer's per-block ratio to
hyperfine and to polybench (what each part costs).

A benchmark, not a test: it depends on the machine and its load; its output
is a record (--write rewrites only the generated section of docs/accuracy.md).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tabulate import tabulate  # noqa: E402

from benchmarks import block_timers  # noqa: E402
from orchestrator import stats  # noqa: E402
from orchestrator.errors import PolybenchError  # noqa: E402
from orchestrator.provenance.environment import cpu_model  # noqa: E402

TARGET = 0.03  # ±3%
MIN_BLOCKS = 6  # the fewest per-block ratios whose median has a 95% order-statistic interval
RECORD_START = "<!-- accuracy-record -->"
RECORD_END = "<!-- /accuracy-record -->"
TRUE = ("/usr/bin/true",)
RUN_ID = "pb-accuracy"

# Timer labels: "<timer>: <command>".
PB_TRUE, HF_TRUE = "polybench: true", "hyperfine -N: true"
BARE_TRUE, WHOLE_TRUE = "replica bare: true", "replica whole window: true"
PB_GO, HF_GO = "polybench: go single", "hyperfine -N: go single"
PART_VARIANTS = {  # label: PARTS given to the replica (benchmarks/hyperfine_window.rs)
    "replica without Stdio::null: true": "env,rusage",
    "replica without the random-length env var: true": "null,rusage",
    "replica without getrusage: true": "null,env",
}


@dataclass(frozen=True)
class Criterion:
    """One ratio the benchmark judges: numerator timer's block median / denominator's, per block."""

    key: str  # "(a)"; "" for a ratio shown without a verdict
    what: str
    numerator: str  # a timer label
    denominator: str


CRITERIA = (
    Criterion("(a)", "polybench / replica bare (spawn and wait only), /usr/bin/true", PB_TRUE, BARE_TRUE),
    Criterion("(b)", "hyperfine -N / replica of hyperfine's whole window, /usr/bin/true", HF_TRUE, WHOLE_TRUE),
    Criterion("(c)", "polybench / hyperfine -N, go-nethttp single (one GET)", PB_GO, HF_GO),
)
SHOWN = (Criterion("", "polybench / hyperfine -N, /usr/bin/true (the gap (a) and (b) account for)", PB_TRUE, HF_TRUE),)


def block_ratios(numerator: Sequence[float], denominator: Sequence[float]) -> tuple[float, ...]:
    """Per-block ratios numerator[i] / denominator[i] of two timers' block medians (same units, any).

    Raises ValueError if the lengths differ, a sequence is empty, or a denominator is not positive.
    """
    if len(numerator) != len(denominator):
        raise ValueError(f"{len(numerator)} numerator blocks but {len(denominator)} denominator blocks")
    if not numerator:
        raise ValueError("no blocks")
    if any(d <= 0 for d in denominator):
        raise ValueError("a denominator block median is not positive")
    return tuple(n / d for n, d in zip(numerator, denominator, strict=True))


@dataclass(frozen=True)
class Judgement:
    """The verdict on one criterion's per-block ratios (dimensionless; 1 = equal)."""

    median: float  # median of the per-block ratios
    interval: stats.MedianInterval  # its distribution-free interval
    low: float  # smallest per-block ratio
    high: float  # largest
    blocks: int
    target: float  # e.g. 0.03 for ±3%

    @property
    def within(self) -> bool:
        """The median per-block ratio lies in [1 - target, 1 + target]."""
        return abs(self.median - 1) <= self.target

    @property
    def interval_inside(self) -> bool:
        """The whole interval lies in [1 - target, 1 + target]."""
        return 1 - self.target <= self.interval.low and self.interval.high <= 1 + self.target


def judge(ratios: Sequence[float], target: float = TARGET) -> Judgement:
    """Judge per-block ratios against ±target: their median, its 95% order-statistic interval, their range.

    Raises ValueError on an empty or non-finite sequence (stats.median_ci).
    """
    interval = stats.median_ci(tuple(ratios))
    return Judgement(statistics.median(ratios), interval, min(ratios), max(ratios), len(ratios), target)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def criterion_row(criterion: Criterion, medians: Mapping[str, Sequence[float]],
                  target: float = TARGET) -> list[str]:
    """One table row for a criterion from every timer's block medians (ms): medians, ratio, interval, verdict.

    A criterion without a key (shown, not judged) gets "-" for both verdict columns.
    """
    numerator, denominator = medians[criterion.numerator], medians[criterion.denominator]
    verdict = judge(block_ratios(numerator, denominator), target)
    interval = verdict.interval
    judged = bool(criterion.key)
    return [f"{criterion.key} {criterion.what}".strip(), f"{statistics.median(numerator):.3f}",
            f"{statistics.median(denominator):.3f}", f"{verdict.median:.3f}",
            f"{interval.low:.3f}–{interval.high:.3f} ({interval.coverage * 100:.1f}%)",
            f"{verdict.low:.3f}–{verdict.high:.3f}",
            _yes(verdict.within) if judged else "-", _yes(verdict.interval_inside) if judged else "-"]


def criteria_table(medians: Mapping[str, Sequence[float]], target: float = TARGET) -> str:
    """The markdown table of CRITERIA (judged) and SHOWN (no verdict) from every timer's block medians (ms)."""
    pct = f"±{target * 100:g}%"
    rows = [criterion_row(c, medians, target) for c in (*CRITERIA, *SHOWN)]
    return tabulate(rows, headers=["ratio", "numerator ms", "denominator ms", "median per-block ratio",
                                   "95% interval (coverage)", "per-block range", f"within {pct}",
                                   f"interval inside {pct}"],
                    tablefmt="pipe", disable_numparse=True, colalign=("left", *["right"] * 5, "center", "center"))


def parts_table(medians: Mapping[str, Sequence[float]]) -> str:
    """Every /usr/bin/true timer's median block median (ms) and per-block ratio to hyperfine and to polybench."""
    rows = []
    for label, values in medians.items():
        if not label.endswith(": true"):
            continue
        cells = [label.removesuffix(": true"), f"{statistics.median(values):.3f}"]
        for reference in (HF_TRUE, PB_TRUE):
            if reference == label:  # no interval on a timer's ratio to itself
                cells.append("1")
                continue
            verdict = judge(block_ratios(values, medians[reference]))
            cells.append(f"{verdict.median:.3f} ({verdict.interval.low:.3f}–{verdict.interval.high:.3f})")
        rows.append(cells)
    return tabulate(rows, headers=["/usr/bin/true timed by", "median of block medians ms",
                                   "per-block ratio to hyperfine (95% interval)",
                                   "per-block ratio to polybench (95% interval)"],
                    tablefmt="pipe", disable_numparse=True, colalign=("left", "right", "right", "right"))


def replace_record(text: str, record: str) -> str:
    """text with everything between RECORD_START and RECORD_END replaced by record; the rest kept as it is.

    Raises ValueError unless each marker occurs exactly once, the start before the end.
    """
    if text.count(RECORD_START) != 1 or text.count(RECORD_END) != 1:
        raise ValueError(f"needs exactly one {RECORD_START} and one {RECORD_END} line")
    start, end = text.index(RECORD_START) + len(RECORD_START), text.index(RECORD_END)
    if end < start:
        raise ValueError(f"{RECORD_END} comes before {RECORD_START}")
    return f"{text[:start]}\n{record.strip()}\n{text[end:]}"


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def timers(go_argv: Sequence[str], runs: int, parts: bool) -> dict[str, block_timers.BlockTimer]:
    """The block timers of one run, by label (see the module docstring)."""
    replica = block_timers.replica_walls_ms
    chosen: dict[str, block_timers.BlockTimer] = {
        PB_TRUE: partial(block_timers.polybench_walls_ms, TRUE, runs),
        HF_TRUE: partial(block_timers.hyperfine_walls_ms, TRUE, runs),
        BARE_TRUE: partial(replica, "bare", TRUE, runs),
        WHOLE_TRUE: partial(replica, "null,env,rusage", TRUE, runs),
        PB_GO: partial(block_timers.polybench_walls_ms, go_argv, runs),
        HF_GO: partial(block_timers.hyperfine_walls_ms, go_argv, runs),
    }
    if parts:
        chosen |= {label: partial(replica, variant, TRUE, runs) for label, variant in PART_VARIANTS.items()}
    return chosen


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--blocks", type=int, default=60, help=f"blocks (at least {MIN_BLOCKS})")
    parser.add_argument("--runs", type=int, default=100, help="timed runs per timer and block")
    parser.add_argument("--seed", type=int, default=None, help="the blocks' order (default: a fresh one, recorded)")
    parser.add_argument("--parts", action="store_true",
                        help="also time the replica with each of hyperfine's in-window parts left out")
    parser.add_argument("--write", type=Path, help="rewrite the generated record section of this markdown file")
    return parser


def _stop_like_ctrl_c(signo: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM: the server, the launcher and a running block stop as on Ctrl-C


def measure(args: argparse.Namespace) -> str:
    """Run the blocks and return the record (markdown). Raises PolybenchError on bad input or a missing tool."""
    if args.blocks < MIN_BLOCKS or args.runs < 1:
        raise PolybenchError(f"accuracy: need --blocks >= {MIN_BLOCKS} (for a 95% interval of a median ratio) "
                             "and --runs >= 1")
    if args.write is not None:
        try:
            replace_record(args.write.read_text(encoding="utf-8"), "")
        except (OSError, ValueError) as error:
            raise PolybenchError(f"accuracy: --write {args.write}: {error}") from error
    block_timers.require_hyperfine()
    block_timers.ensure_replica()
    go_client = ROOT / "build" / "bin" / "go-nethttp"
    if not go_client.exists():
        raise PolybenchError("accuracy: build/bin/go-nethttp missing: "
                             "run `.venv/bin/python -m orchestrator build --clients go-nethttp --skip-optional`")
    from orchestrator.server_control.shared_server import SharedServer

    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    started, load_before = time.time(), _load()
    with SharedServer() as server:
        go_argv = (str(go_client), "single", "--url", server.url, "--run-id", RUN_ID)
        medians = block_timers.run_blocks(timers(go_argv, args.runs, args.parts), args.blocks, random.Random(seed),
                                          log=lambda line: print(f"  {line}", file=sys.stderr, flush=True))
        # Every Go run, warm-up or timed, by either timer, must have made its one GET.
        expected, counted = args.blocks * 2 * (args.runs + block_timers.WARMUP), server.stats(RUN_ID)["requests"]
        if counted != expected:
            raise PolybenchError(f"accuracy: the server counted {counted} requests from the Go client's runs, "
                                 f"not the {expected} runs made")
    minutes, load_after = (time.time() - started) / 60, _load()
    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(started))} on {cpu_model() or 'an unnamed CPU'} "
        f"({os.cpu_count()} CPUs, Linux {platform.release()}), {block_timers.hyperfine_version()}, "
        f"seed {seed}: `{' '.join(['benchmarks/accuracy.py', *sys.argv[1:]])}`, {args.blocks} blocks, each running "
        f"every timer once in a fresh random order, {args.runs} runs per timer and block after "
        f"{block_timers.WARMUP} warm-up runs; {minutes:.1f} minutes; load average (1 / 5 / 15 min) "
        f"{load_before} before, {load_after} after. Medians in ms are medians of block medians.",
        "",
        criteria_table(medians),
    ]
    if args.parts:
        lines += ["", parts_table(medians)]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, print the record, write it if asked. Exit 0; 2 with one line on bad input; 130 if interrupted."""
    args = _parser().parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _stop_like_ctrl_c)
    try:
        record = measure(args)
        print(record)
        if args.write is not None:
            args.write.write_text(replace_record(args.write.read_text(encoding="utf-8"), record), encoding="utf-8")
        return 0
    except PolybenchError as error:
        print(f"polybench: error: {error}", file=sys.stderr)
        return error.exit_code
    except subprocess.CalledProcessError as error:
        print(f"polybench: error: accuracy: {Path(str(error.cmd[0])).name} exited with {error.returncode}",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("polybench: interrupted", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
