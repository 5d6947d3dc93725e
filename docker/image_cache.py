"""The build stage's side of the image's build cache (the host's: orchestrator/image/cache.py).

    python3 -B docker/image_cache.py open PINS CONTEXT_CACHE STAGE_CACHE   # prints POLYBENCH_BUILD_CACHE
    python3 -B docker/image_cache.py close STAGE_CACHE

`invoke docker` hands the Nuitka and PyInstaller bundles the previous image
build made to this one through the context (CONTEXT_CACHE, docker/deps/
build-cache/), one folder per key: a digest of every Debian package and
exact revision installed in the build stage (PINS, /tmp/debian-installed.build:
`dpkg-query -W`, so the libraries a bundle copies in as dependencies count too). The
project's build cache (orchestrator/build/cache.py) keys an entry by its
recipe, inputs and toolchains' upstream versions, not by Debian's revision
of the Python a bundle embeds; the folder adds that, so a bundle built
against another revision is never restored.

`open` moves this key's folder (if any) to STAGE_CACHE/<key>, marks the time
and prints that folder; with no CONTEXT_CACHE (a plain `docker build .`) it
prints `off` and the build runs as it always did, with no cache. `close`,
after `orchestrator build`, keeps only the entries this build restored or
stored (cache.py touches both), so what the host copies back out of
STAGE_CACHE is bounded by one build's bundles. Standard library only.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

OPENED = ".opened"  # cache.py skips names that start with a dot


def key(pins: str) -> str:
    """The cache folder's name for a build stage whose installed packages (`dpkg-query -W`, one
    `package=revision` a line) read `pins`.

    Every line counts: a new Debian revision of any package gives a new, empty folder.
    """
    return "debian-" + hashlib.sha256(pins.encode()).hexdigest()[:16]


def open_cache(pins: Path, context_cache: Path, stage_cache: Path) -> str:
    """The value for POLYBENCH_BUILD_CACHE: STAGE_CACHE/<key> (filled from the context's folder of that key,
    if it has one), or `off` when the context brought no cache at all."""
    if not context_cache.is_dir():
        return "off"
    folder = stage_cache / key(pins.read_text())
    stage_cache.mkdir(parents=True, exist_ok=True)
    handed_in = context_cache / folder.name
    if handed_in.is_dir() and not folder.exists():
        shutil.move(handed_in, folder)
    folder.mkdir(exist_ok=True)
    (stage_cache / OPENED).touch()
    return str(folder)


def close_cache(stage_cache: Path) -> list[str]:
    """Remove the entries this build neither restored nor stored (not touched since `open`); the names kept."""
    marker = stage_cache / OPENED
    if not marker.is_file():
        return []
    since = marker.stat().st_mtime_ns
    kept = []
    for folder in (p for p in stage_cache.iterdir() if p.is_dir()):
        for entry in folder.iterdir():
            if entry.is_dir() and not entry.name.startswith(".") and entry.stat().st_mtime_ns > since:
                kept.append(f"{folder.name}/{entry.name}")
            else:
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    marker.unlink()
    return sorted(kept)


def main(argv: list[str]) -> int:
    if len(argv) == 4 and argv[0] == "open":
        print(open_cache(Path(argv[1]), Path(argv[2]), Path(argv[3])))
        return 0
    if len(argv) == 2 and argv[0] == "close":
        kept = close_cache(Path(argv[1]))
        print(f"build-stage: {len(kept)} build cache entries used or stored, kept for the next image build",
              file=sys.stderr)
        return 0
    print("polybench: error: usage: image_cache.py open PINS CONTEXT_CACHE STAGE_CACHE | close STAGE_CACHE",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
