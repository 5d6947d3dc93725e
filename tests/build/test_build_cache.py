"""The machine-wide build cache's eviction rule (orchestrator/build/cache.py): no bundle is built here."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from orchestrator.build import cache

BUNDLES = tuple(f"build/bundlers/bundle-{n}/dist" for n in range(8))  # like the 8 Nuitka/PyInstaller outputs


@pytest.fixture
def root(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    checkout = tmp_path / "checkout"
    for output in BUNDLES:
        (checkout / output).parent.mkdir(parents=True, exist_ok=True)
        (checkout / output).write_text("x" * 1000)
    return checkout


clock = iter(range(1_000_000, 2_000_000, 10))


def digest(n: int) -> str:
    return f"{n:02d}" * 32  # cache entries are named by the first 32 hex digits


def store(root: Path, digest: str, outputs: tuple[str, ...]) -> None:
    """store(), then date the new entries one tick later than the last ones (a fake clock: no sleeping)."""
    cache.store(root, digest, outputs, 1.0)
    when = next(clock)
    for output in outputs:
        entry = cache._entry(Path(os.environ[cache.ENV]), digest, output)
        if entry.exists():
            os.utime(entry, (when, when))


def test_a_branch_rebuilding_one_bundle_many_times_keeps_every_other_bundle(root):
    store(root, "a" * 64, BUNDLES)  # main's eight bundles
    for version in range(30):  # a branch edits one client 30 times
        store(root, digest(version), BUNDLES[:1])
    assert cache.restore(root, "a" * 64, BUNDLES[1:]) is not None  # main's other seven survive
    kept = [digest(version) for version in range(30) if cache.restore(root, digest(version), BUNDLES[:1])]
    assert kept == [digest(version) for version in range(30 - cache.VERSIONS_PER_OUTPUT, 30)]
    assert cache.restore(root, "a" * 64, BUNDLES[:1]) is None  # that bundle's own oldest version went


def test_over_the_size_cap_the_least_recently_used_entries_go(root, monkeypatch):
    monkeypatch.setattr(cache, "MAX_BYTES", 3500)  # room for three 1000-byte payloads (plus records)
    for n, output in enumerate(BUNDLES[:5]):
        store(root, digest(n), (output,))
    present = [n for n, output in enumerate(BUNDLES[:5]) if cache.restore(root, digest(n), (output,))]
    assert present == [2, 3, 4]
