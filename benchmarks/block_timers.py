"""The timers benchmarks/accuracy.py compares, one block of runs at a time, and the interleaved loop over them.

Each timer takes a command and a run count, makes WARMUP untimed runs and
then `runs` timed ones, and returns every timed run's wall time in ms:

- `hyperfine -N` (its output to /dev/null, its default);
- polybench's engine (orchestrator.measure.timer: the launcher `invoke time`
  and `invoke run` share), output to /dev/null, the whole environment passed
  on as hyperfine does;
- build/hyperfine_window, the std-only Rust replica of hyperfine 1.15's
  measuring loop (benchmarks/hyperfine_window.rs), with some or all of the
  work hyperfine does inside its window (PARTS), or none (`bare`).

`run_blocks` runs every timer once per block, in a fresh random order per
block from the caller's seeded generator, and keeps each block's median.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from orchestrator.errors import PolybenchError  # noqa: E402
from orchestrator.measure.timer import TimerSettings, time_command  # noqa: E402
from orchestrator.paths import BUILD_DIR  # noqa: E402
from orchestrator.provenance.process_env import EnvPolicy  # noqa: E402

WARMUP = 10  # untimed runs before every block, for every timer alike
REPLICA_SOURCE = ROOT / "benchmarks" / "hyperfine_window.rs"
REPLICA = ROOT / BUILD_DIR / "hyperfine_window"

BlockTimer = Callable[[], list[float]]  # one block: every timed run's wall time, ms


def require_hyperfine() -> None:
    """Raise PolybenchError (one line) if hyperfine is not on PATH."""
    if shutil.which("hyperfine") is None:
        raise PolybenchError("accuracy: hyperfine not found on PATH (apt-get install hyperfine)")


def hyperfine_version() -> str:
    """`hyperfine --version`'s line, e.g. 'hyperfine 1.15.0'."""
    return subprocess.run(["hyperfine", "--version"], capture_output=True, text=True, check=True).stdout.strip()


def hyperfine_walls_ms(argv: Sequence[str], runs: int) -> list[float]:
    """One block of `hyperfine -N --warmup WARMUP --runs runs`: every run's wall time in ms (its JSON export)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as export:
        subprocess.run(["hyperfine", "-N", "--warmup", str(WARMUP), "--runs", str(runs), "--style", "none",
                        "--export-json", export.name, "--", " ".join(argv)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        data = json.loads(Path(export.name).read_text())
    return [t * 1000 for t in data["results"][0]["times"]]


def polybench_walls_ms(argv: Sequence[str], runs: int) -> list[float]:
    """One block of polybench's engine, exactly `runs` runs after WARMUP: every run's wall time in ms."""
    settings = TimerSettings(warmup=WARMUP, min_runs=runs, max_runs=runs, budget_s=1e9)
    # hyperfine passes its whole environment on: so does polybench here, like for like.
    walls: list[float] = time_command(argv, settings, EnvPolicy(inherit_all=True))["wall_ms_values"]
    return walls


def _replica_stamp() -> Path:
    digest = hashlib.sha256(REPLICA_SOURCE.read_bytes()).hexdigest()[:16]
    return REPLICA.with_name(f".hyperfine_window.{digest}")


def ensure_replica() -> Path:
    """Compile build/hyperfine_window with `rustc -O` if it is missing or its source changed; return its path.

    Raises PolybenchError (one line) if rustc is missing or the build fails.
    """
    stamp = _replica_stamp()
    if REPLICA.is_file() and stamp.exists():
        return REPLICA
    if shutil.which("rustc") is None:
        raise PolybenchError(f"accuracy: rustc not found on PATH (needed to build {REPLICA_SOURCE.name}; "
                             "install a Rust toolchain)")
    REPLICA.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["rustc", "-O", "-o", str(REPLICA), str(REPLICA_SOURCE)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise PolybenchError(f"accuracy: cannot build {REPLICA_SOURCE.name}: {last}")
    for old in REPLICA.parent.glob(".hyperfine_window.*"):
        old.unlink()
    stamp.touch()
    return REPLICA


def replica_walls_ms(parts: str, argv: Sequence[str], runs: int) -> list[float]:
    """One block of the replica with PARTS (`bare` or e.g. `null,env,rusage`): every run's wall time in ms.

    Its stdin, stdout and stderr (which `bare` passes on to the child) are /dev/null.
    """
    with tempfile.NamedTemporaryFile(suffix=".txt") as out:
        subprocess.run([str(REPLICA), parts, str(runs), str(WARMUP), out.name, *argv], check=True,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return [int(line) / 1e6 for line in Path(out.name).read_text().split()]


def run_blocks(timers: Mapping[str, BlockTimer], blocks: int, rng: random.Random,
               log: Callable[[str], None] = lambda line: None) -> dict[str, list[float]]:
    """Run every timer once per block, in a fresh order per block (rng.shuffle); each block's median, ms.

    Returns {timer label: [block 1's median, block 2's, ...]}, lists of length `blocks` in block order,
    so index i of any two lists ran in the same block. `log` gets one progress line per block.
    """
    medians: dict[str, list[float]] = {label: [] for label in timers}
    for block in range(blocks):
        order = list(timers)
        rng.shuffle(order)
        for label in order:
            medians[label].append(statistics.median(timers[label]()))
        log(f"block {block + 1}/{blocks}: " + ", ".join(f"{label} {medians[label][-1]:.3f}" for label in timers))
    return medians
