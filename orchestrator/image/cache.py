"""The image's build cache, host side: the bundles one image build made, handed to the next one.

A cold build stage spends most of its time in the Nuitka and PyInstaller
bundles (`build.relocatable` in polybench.yaml), and every commit changes the
context, so Docker's layer cache never helps. The project's own build cache
(orchestrator/build/cache.py) already keys those bundles by their inputs; this
carries its entries across image builds:

1. `hand_in()`: before `docker build`, the host's image cache
   (~/.cache/polybench/image-builds, not the host's own builds cache: the
   image's toolchains differ) is linked into the context as
   docker/deps/build-cache/, which docker/build-stage.sh points
   POLYBENCH_BUILD_CACHE at (docker/image_cache.py: one folder per exact set
   of Debian revisions the stage installed);
2. `take_back()`: after a successful build, and before prune_superseded()
   removes the build-stage image, its /build-cache (only the entries that
   build restored or stored) replaces the host's image cache, so the cache
   never holds more than one build's bundles.

POLYBENCH_IMAGE_BUILD_CACHE=off turns this off (the build stage then builds
every bundle, as a plain `docker build .` does); =DIR moves the host's cache.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..build.cache import configured_dir
from ..paths import ROOT

ENV = "POLYBENCH_IMAGE_BUILD_CACHE"
CONTEXT_DIR = ROOT / "docker" / "deps" / "build-cache"  # docker/build-stage.sh reads it from /app/docker/deps
STAGE_DIR = "/build-cache"  # where docker/build-stage.sh leaves the entries its build used or stored
BUILD_STAGE_LABEL = "org.polybench.image=build-stage"  # the Dockerfile's build stage

Log = Callable[[str], None]


def host_dir() -> Path | None:
    """The host's image cache, or None when it is off."""
    return configured_dir(ENV, "image-builds")


def entries(folder: Path) -> list[str]:
    """The cache entries under folder, as `<debian key>/<entry>` names, sorted; [] if there is no folder."""
    if not folder.is_dir():
        return []
    return sorted(f"{key.name}/{entry.name}" for key in folder.iterdir() if key.is_dir()
                  for entry in key.iterdir() if entry.is_dir() and not entry.name.startswith("."))


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)  # the entries are never written in place, so sharing inodes is safe
    except OSError:
        shutil.copy2(source, target)


def hand_in(host: Path | None, context: Path = CONTEXT_DIR) -> list[str]:
    """Put the host's image cache into the build context (replacing what an earlier build left there).

    Files are hard-linked where the file system allows, else copied. With the
    cache off (host None) the context gets no folder, and the build stage
    runs with its build cache off. Returns the entries handed in.
    """
    withdraw(context)
    if host is None:
        return []
    context.parent.mkdir(parents=True, exist_ok=True)
    if host.is_dir():
        shutil.copytree(host, context, symlinks=True, copy_function=_link_or_copy)
    else:
        context.mkdir()  # no entries yet: the stage still stores what it builds, for take_back()
    return entries(context)


def withdraw(context: Path = CONTEXT_DIR) -> None:
    """Remove the cache from the context (after the build: it is only handed over for one build)."""
    shutil.rmtree(context, ignore_errors=True)


def build_stage_image() -> str | None:
    """The newest build-stage image the engine has (the legacy builder keeps it until pruned), or None."""
    done = subprocess.run(["docker", "image", "ls", "--all", "--no-trunc", "--filter", f"label={BUILD_STAGE_LABEL}",
                           "--format", "{{.ID}}"], capture_output=True, text=True, check=False)
    ids = done.stdout.split() if done.returncode == 0 else []
    return ids[0] if ids else None  # `docker image ls` lists the newest first


def take_back(host: Path | None, image: str | None, log: Log) -> list[str] | None:
    """Replace the host's image cache with the build stage's /build-cache; the entries kept, or None if not.

    Never raises: without a build-stage image (BuildKit keeps none), or if
    the copy fails, the host's cache stays as it was and one line says why.
    The replacement is a rename, so a reader never sees half a cache.
    """
    if host is None:
        return None
    if image is None:
        log("image build cache: no build-stage image to copy it from; the host's cache is unchanged")
        return None
    created = subprocess.run(["docker", "create", image], capture_output=True, text=True, check=False)
    container = created.stdout.strip()
    if created.returncode != 0 or not container:
        log(f"image build cache: docker create {image[:19]} failed; the host's cache is unchanged")
        return None
    host.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".image-builds-", dir=host.parent))
    try:
        copied = subprocess.run(["docker", "cp", f"{container}:{STAGE_DIR}/.", str(scratch / "new")],
                                capture_output=True, text=True, check=False)
        if copied.returncode != 0:
            why = (copied.stderr.strip().splitlines() or ["docker cp failed"])[-1]
            log(f"image build cache: {why}; the host's cache is unchanged")
            return None
        if host.exists():
            host.rename(scratch / "old")
        (scratch / "new").rename(host)
        return entries(host)
    finally:
        subprocess.run(["docker", "rm", "--force", container], capture_output=True, check=False)
        shutil.rmtree(scratch, ignore_errors=True)
