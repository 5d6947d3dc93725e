"""The build stage's side of the image's build cache (docker/image_cache.py), with the project's build cache
(orchestrator/build/cache.py) restoring and storing in it as in the image; no engine needed."""

from __future__ import annotations

import importlib.util
import os
import time
from pathlib import Path
from types import ModuleType

import pytest

from orchestrator.build import cache as build_cache

ROOT = Path(__file__).resolve().parents[2]
PINS = "python3.13\t3.13.*\t3.13.5-2+deb13u5\npatchelf\t\t0.18.0-1.4\n"


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


image_cache = _load("docker_image_cache", ROOT / "docker" / "image_cache.py")


def _pins(tmp_path: Path, text: str = PINS) -> Path:
    path = tmp_path / "debian-pins.build"
    path.write_text(text)
    return path


def _bundle(root: Path, output: str, content: bytes) -> None:
    (root / output).parent.mkdir(parents=True, exist_ok=True)
    (root / output).write_bytes(content)


def test_no_cache_in_the_context_means_off(tmp_path: Path) -> None:
    assert image_cache.open_cache(_pins(tmp_path), tmp_path / "absent", tmp_path / "stage") == "off"
    assert not (tmp_path / "stage").exists()


def test_the_key_is_every_debian_revision_the_stage_installed() -> None:
    assert image_cache.key(PINS) == image_cache.key(PINS)
    assert image_cache.key(PINS) != image_cache.key(PINS.replace("3.13.5-2+deb13u5", "3.13.5-2+deb13u6"))
    assert image_cache.key(PINS) != image_cache.key(PINS.replace("0.18.0-1.4", "0.18.0-1.5"))


def _mk(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_a_bundle_built_against_another_debian_revision_is_not_restored(monkeypatch: pytest.MonkeyPatch,
                                                                       tmp_path: Path) -> None:
    first, second, third = _mk(tmp_path / "first"), _mk(tmp_path / "second"), _mk(tmp_path / "third")
    monkeypatch.setenv(build_cache.ENV, image_cache.open_cache(_pins(first), _mk(tmp_path / "empty-context"),
                                                               first / "stage"))
    _bundle(first / "app", "build/x/client.bin", b"built against deb13u5")
    build_cache.store(first / "app", "d" * 64, ("build/x/client.bin",), 240.0)
    image_cache.close_cache(first / "stage")
    handed_back = first / "stage"  # what the host copies out of /build-cache and hands to the next build
    newer = PINS.replace("3.13.5-2+deb13u5", "3.13.5-2+deb13u6")
    monkeypatch.setenv(build_cache.ENV, image_cache.open_cache(_pins(second, newer), handed_back, second / "stage"))
    assert build_cache.restore(second / "app", "d" * 64, ("build/x/client.bin",)) is None
    monkeypatch.setenv(build_cache.ENV, image_cache.open_cache(_pins(third), handed_back, third / "stage"))
    assert build_cache.restore(third / "app", "d" * 64, ("build/x/client.bin",)) == 240.0
    assert (third / "app" / "build/x/client.bin").read_bytes() == b"built against deb13u5"


def test_close_keeps_only_the_entries_this_build_restored_or_stored(monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:
    context, stage, app = tmp_path / "context", tmp_path / "stage", tmp_path / "app"
    handed_in = context / image_cache.key(PINS)
    monkeypatch.setenv(build_cache.ENV, str(handed_in))
    for digest, output in (("a" * 64, "build/a.bin"), ("b" * 64, "build/b.bin"), ("c" * 64, "build/c.bin")):
        _bundle(app, output, digest.encode())
        build_cache.store(app, digest, (output,), 60.0)
    past = time.time() - 3600  # handed in from an earlier build
    for entry in handed_in.iterdir():
        os.utime(entry, (past, past))
    folder = image_cache.open_cache(_pins(tmp_path), context, stage)
    assert folder == str(stage / image_cache.key(PINS))
    monkeypatch.setenv(build_cache.ENV, folder)
    assert build_cache.restore(tmp_path / "new-app", "a" * 64, ("build/a.bin",)) == 60.0  # restored: used
    build_cache.store(app, "b" * 64, ("build/b.bin",), 60.0)  # a shared recipe's second output: already there
    _bundle(app, "build/d.bin", b"d")
    build_cache.store(app, "e" * 64, ("build/d.bin",), 90.0)  # built in this build: stored
    kept = image_cache.close_cache(stage)
    names = {entry.rpartition("/")[2] for entry in kept}
    assert names == {Path(build_cache._entry(stage, d * 64, o)).name
                     for d, o in (("a", "build/a.bin"), ("b", "build/b.bin"), ("e", "build/d.bin"))}
    assert not (stage / image_cache.OPENED).exists()
    assert {p.name for p in Path(folder).iterdir()} == names  # c's entry, unused, is gone
