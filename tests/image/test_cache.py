"""The image's build cache on the host (orchestrator/image/cache.py): what goes into the context, and the
bounded copy back out of the build-stage image. No engine: `docker` is a fake that reads a folder."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from orchestrator.image import cache as image_cache


def _entry(root: Path, name: str, payload: bytes = b"bundle") -> Path:
    entry = root / name
    (entry / "payload").mkdir(parents=True)
    (entry / "payload" / "client.bin").write_bytes(payload)
    (entry / "record.json").write_text('{"output": "build/x", "seconds": 1.0}')
    return entry


def test_the_host_cache_goes_into_the_context_and_replaces_what_an_earlier_build_left(tmp_path: Path) -> None:
    host, context = tmp_path / "image-builds", tmp_path / "deps" / "build-cache"
    _entry(host / "debian-aaaa", "d1-o1", b"new")
    _entry(context / "debian-old", "stale-o1")
    assert image_cache.hand_in(host, context) == ["debian-aaaa/d1-o1"]
    assert (context / "debian-aaaa" / "d1-o1" / "payload" / "client.bin").read_bytes() == b"new"
    assert not (context / "debian-old").exists()
    image_cache.withdraw(context)
    assert not context.exists()
    assert image_cache.entries(host) == ["debian-aaaa/d1-o1"]  # withdrawing never touches the host's cache


def test_an_empty_host_cache_still_turns_the_stage_cache_on_and_off_turns_it_off(tmp_path: Path) -> None:
    context = tmp_path / "deps" / "build-cache"
    assert image_cache.hand_in(tmp_path / "none-yet", context) == []
    assert context.is_dir()  # the build stage then stores what it builds, for take_back
    assert image_cache.hand_in(None, context) == []
    assert not context.exists()  # no folder: docker/image_cache.py says `off`, as for a plain docker build


def test_the_setting_moves_or_disables_the_host_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(image_cache.ENV, "off")
    assert image_cache.host_dir() is None
    monkeypatch.setenv(image_cache.ENV, str(tmp_path))
    assert image_cache.host_dir() == tmp_path
    monkeypatch.delenv(image_cache.ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert image_cache.host_dir() == tmp_path / "polybench" / "image-builds"  # not the host's own builds/


class FakeDocker:
    """`docker create/cp/rm` over a folder standing for the build-stage image's file system."""

    def __init__(self, stage_root: Path, cp_fails: bool = False) -> None:
        self.stage_root, self.cp_fails, self.calls, self.removed = stage_root, cp_fails, [], []

    def __call__(self, argv: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        self.calls.append(argv)
        verb = argv[1]
        if verb == "create":
            return subprocess.CompletedProcess(argv, 0, "c0ffee\n", "")
        if verb == "rm":
            self.removed.append(argv[-1])
            return subprocess.CompletedProcess(argv, 0, "", "")
        assert verb == "cp" and argv[2] == f"c0ffee:{image_cache.STAGE_DIR}/."
        source = self.stage_root / image_cache.STAGE_DIR.lstrip("/")
        if self.cp_fails or not source.is_dir():
            return subprocess.CompletedProcess(argv, 1, "", "Error: No such container:path: c0ffee:/build-cache\n")
        shutil.copytree(source, argv[3], symlinks=True)  # `docker cp C:/dir/. new` makes new as a copy of dir
        return subprocess.CompletedProcess(argv, 0, "", "")


def test_take_back_replaces_the_host_cache_with_only_what_the_stage_kept(monkeypatch: pytest.MonkeyPatch,
                                                                        tmp_path: Path) -> None:
    host, stage = tmp_path / "image-builds", tmp_path / "stage"
    _entry(host / "debian-old", "unused-o1")  # the previous build's; this build did not use it
    _entry(host / "debian-new", "d1-o1", b"old")
    _entry(stage / "build-cache" / "debian-new", "d1-o1", b"kept")
    _entry(stage / "build-cache" / "debian-new", "d2-o2")
    docker = FakeDocker(stage)
    monkeypatch.setattr(image_cache.subprocess, "run", docker)
    lines: list[str] = []
    assert image_cache.take_back(host, "sha256:abc", lines.append) == ["debian-new/d1-o1", "debian-new/d2-o2"]
    assert image_cache.entries(host) == ["debian-new/d1-o1", "debian-new/d2-o2"]  # bounded: one build's entries
    assert (host / "debian-new" / "d1-o1" / "payload" / "client.bin").read_bytes() == b"kept"
    assert docker.removed == ["c0ffee"] and lines == []
    assert not list(tmp_path.glob(".image-builds-*"))  # the scratch folder (and the old cache in it) is gone


def test_a_failed_copy_leaves_the_host_cache_and_removes_the_container(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:
    host = tmp_path / "image-builds"
    _entry(host / "debian-new", "d1-o1")
    docker = FakeDocker(tmp_path / "stage", cp_fails=True)
    monkeypatch.setattr(image_cache.subprocess, "run", docker)
    lines: list[str] = []
    assert image_cache.take_back(host, "sha256:abc", lines.append) is None
    assert image_cache.entries(host) == ["debian-new/d1-o1"]
    assert docker.removed == ["c0ffee"]
    assert len(lines) == 1 and "No such container:path" in lines[0] and "unchanged" in lines[0]
    assert not list(tmp_path.glob(".image-builds-*"))


def test_no_build_stage_image_or_cache_off_copies_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    docker = FakeDocker(tmp_path)
    monkeypatch.setattr(image_cache.subprocess, "run", docker)
    lines: list[str] = []
    assert image_cache.take_back(tmp_path / "image-builds", None, lines.append) is None
    assert image_cache.take_back(None, "sha256:abc", lines.append) is None
    assert docker.calls == [] and len(lines) == 1 and "no build-stage image" in lines[0]


def test_build_image_copies_the_cache_back_before_pruning_and_always_withdraws_it(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from orchestrator.errors import PolybenchError
    from orchestrator.image import docker

    events: list[str] = []
    monkeypatch.setenv(image_cache.ENV, str(tmp_path / "image-builds"))
    monkeypatch.setattr(docker, "check_docker", lambda: "20.10")
    monkeypatch.setattr(docker, "pull_base", lambda: None)
    monkeypatch.setattr(docker, "docker_env", lambda: {})
    monkeypatch.setattr(docker, "image_id", lambda tag: "sha256:final")
    monkeypatch.setattr(docker, "prune_superseded", lambda log: events.append("prune"))
    monkeypatch.setattr(image_cache, "hand_in", lambda host: events.append(f"hand_in {host}") or [])
    monkeypatch.setattr(image_cache, "withdraw", lambda: events.append("withdraw"))
    monkeypatch.setattr(image_cache, "build_stage_image", lambda: "sha256:stage")
    monkeypatch.setattr(image_cache, "take_back",
                        lambda host, image, log: events.append(f"take_back {image}") or [])
    monkeypatch.setattr(docker, "_run", lambda argv, what, **_: events.append(argv[1]))
    assert docker.build_image(log=lambda line: None) == "sha256:final"
    assert events == [f"hand_in {tmp_path / 'image-builds'}", "build", "withdraw", "take_back sha256:stage", "prune"]

    def failing_build(argv: list[str], what: str, **_: Any) -> None:
        raise PolybenchError("docker build failed with exit code 1")

    events.clear()
    monkeypatch.setattr(docker, "_run", failing_build)
    with pytest.raises(PolybenchError):
        docker.build_image(log=lambda line: None)
    assert events == [f"hand_in {tmp_path / 'image-builds'}", "withdraw"]  # no copy back from a failed build
