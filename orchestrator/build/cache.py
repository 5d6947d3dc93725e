"""Relocatable build outputs shared by every clone on this machine (~/.cache/polybench/builds).

A build whose outputs do not depend on where the repository is
(`build.relocatable: true`: the Nuitka and PyInstaller bundles, which carry
their own runtime) is stored under the digest of its inputs: the recipe with
its placeholders unexpanded, the input files' content and the required
toolchains' versions (clients.py, _input_digest). A fresh clone (CI's) then restores it in
seconds instead of minutes of C compilation. Each output is one entry,
written to a temporary folder and renamed into place, so a reader sees a
whole entry or none, and two clones building at once cannot mix theirs.
POLYBENCH_BUILD_CACHE=off turns it off; POLYBENCH_BUILD_CACHE=DIR moves it.

Eviction (after each store): every output keeps its VERSIONS_PER_OUTPUT most
recently used versions, so a branch that rebuilds one bundle a few times
evicts only older versions of that bundle, never another bundle's (a single
LRU list of 24 let one branch's builds push main's out); then, while the
whole cache is over MAX_BYTES, the least recently used entry goes. A restore
marks its entries used, and so does a store of an entry already there.

The Docker image's build stage uses this cache too, with the entries the
previous image build left (orchestrator/image/cache.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

ENV = "POLYBENCH_BUILD_CACHE"
VERSIONS_PER_OUTPUT = 6  # per bundle: main's plus a few branches'
MAX_BYTES = 4 << 30  # 8 bundles x 6 versions x 10-50 MB fits; a bigger cache sheds its least recently used
RECORD = "record.json"
PAYLOAD = "payload"


def cache_dir() -> Path | None:
    """Where entries live, or None when the cache is off."""
    return configured_dir(ENV, "builds")


def configured_dir(variable: str, name: str) -> Path | None:
    """A polybench cache folder: None when the environment variable says off (off, 0, no), the folder it
    names, else `$XDG_CACHE_HOME/polybench/<name>` (default `~/.cache/polybench/<name>`)."""
    setting = os.environ.get(variable, "")
    if setting.lower() in ("off", "0", "no"):
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "polybench" / name


def _entry(cache: Path, digest: str, output: str) -> Path:
    return cache / f"{digest[:32]}-{hashlib.sha256(output.encode()).hexdigest()[:12]}"


def _copy(source: Path, target: Path) -> None:
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    elif target.exists() or target.is_symlink():
        target.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, symlinks=True)
    else:
        shutil.copy2(source, target)


def restore(root: Path, digest: str, outputs: tuple[str, ...]) -> float | None:
    """Copy every output of this digest from the cache into root; the build's recorded seconds, or None
    (cache off, or any output missing from it: then nothing is copied)."""
    cache = cache_dir()
    if cache is None or not outputs:
        return None
    entries = [_entry(cache, digest, output) for output in outputs]
    records = []
    for entry, output in zip(entries, outputs, strict=True):
        try:
            record = json.loads((entry / RECORD).read_text())
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or record.get("output") != output or not (entry / PAYLOAD).exists():
            return None
        records.append(record)
    for entry, output in zip(entries, outputs, strict=True):
        _copy(entry / PAYLOAD, root / output)
        os.utime(entry)  # recently used: pruned last
    return max(float(record.get("seconds", 0.0)) for record in records)


def store(root: Path, digest: str, outputs: tuple[str, ...], seconds: float) -> None:
    """Put each output not yet cached under this digest into the cache. Never raises: a full disk or a
    read-only home costs the next clone a build, nothing more."""
    cache = cache_dir()
    if cache is None:
        return
    try:
        cache.mkdir(parents=True, exist_ok=True)
        for output in outputs:
            entry = _entry(cache, digest, output)
            if (entry / RECORD).exists():
                os.utime(entry)  # used, as by a restore (the image's build stage keeps only used entries)
                continue
            staging = Path(tempfile.mkdtemp(dir=cache, prefix=".staging-"))
            try:
                _copy(root / output, staging / PAYLOAD)
                (staging / RECORD).write_text(json.dumps({"output": output, "seconds": seconds}))
                staging.rename(entry)
            except OSError:
                shutil.rmtree(staging, ignore_errors=True)  # another clone stored it first, or no space
        _prune(cache)
    except OSError:
        return


def _size(path: Path) -> int:
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                continue
    return total


def _prune(cache: Path) -> None:
    """Apply the eviction rule (module docstring) to the entries in cache."""
    entries = sorted((p for p in cache.iterdir() if p.is_dir() and not p.name.startswith(".")),
                     key=lambda p: p.stat().st_mtime, reverse=True)  # most recently used first
    kept: list[Path] = []
    versions: dict[str, int] = {}
    for entry in entries:
        output = entry.name.rpartition("-")[2]  # _entry: <digest>-<hash of the output path>
        versions[output] = versions.get(output, 0) + 1
        if versions[output] > VERSIONS_PER_OUTPUT:
            shutil.rmtree(entry, ignore_errors=True)
        else:
            kept.append(entry)
    sizes = [_size(entry) for entry in kept]
    total = sum(sizes)
    while kept and total > MAX_BYTES:
        total -= sizes.pop()
        shutil.rmtree(kept.pop(), ignore_errors=True)
