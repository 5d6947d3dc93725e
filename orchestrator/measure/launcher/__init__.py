"""Build and locate polybench-launch, the small C program every timed run goes through.

See polybench-launch.c for why it exists (peak RSS and hyperfine-like timing).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from ...errors import PolybenchError
from ...paths import BUILD_DIR, ROOT

SOURCE = Path(__file__).with_name("polybench-launch.c")
BINARY = ROOT / BUILD_DIR / "bin" / "polybench-launch"


def _compiler() -> str | None:
    for name in (os.environ.get("CC"), "cc", "gcc", "clang"):
        if name and shutil.which(name):
            return name
    return None


def _stamp() -> Path:
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()[:16]
    return BINARY.with_name(f".polybench-launch.{digest}")


def ensure_launcher() -> Path:
    """Compile the launcher if it is missing or its source changed; return its path."""
    stamp = _stamp()
    if BINARY.is_file() and stamp.exists():
        return BINARY
    compiler = _compiler()
    if compiler is None:
        raise PolybenchError("no C compiler found to build polybench-launch: install gcc (apt-get install gcc)")
    BINARY.parent.mkdir(parents=True, exist_ok=True)
    argv = [compiler, "-O2", "-Wall", "-Wextra", "-o", str(BINARY), str(SOURCE)]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise PolybenchError(f"cannot build polybench-launch: {done.stderr.strip().splitlines()[-1:]}")
    for old in BINARY.parent.glob(".polybench-launch.*"):
        old.unlink()
    stamp.touch()
    return BINARY
