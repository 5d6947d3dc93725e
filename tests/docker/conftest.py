"""The Docker engine and the image, shared by every `docker`-marked test (built once per session)."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestrator.errors import PolybenchError
from orchestrator.image import docker

ROOT = Path(__file__).resolve().parents[2]
TAG = "polybench"


def _start_engine() -> tuple[str | None, str]:
    """Start a private engine (root only); its DOCKER_HOST, or None and why not."""
    if os.geteuid() != 0:
        return None, "not root, so docker/start-dockerd.sh cannot start one"
    done = subprocess.run(["bash", str(ROOT / "docker" / "start-dockerd.sh")], capture_output=True, text=True,
                          timeout=600, check=False)
    match = re.search(r"DOCKER_HOST=(\S+)", done.stdout)
    if done.returncode != 0 or match is None:
        return None, (done.stderr.strip().splitlines() or ["docker/start-dockerd.sh failed"])[-1]
    return match.group(1), ""


@pytest.fixture(scope="session")
def engine() -> Iterator[None]:
    patch = pytest.MonkeyPatch()
    try:
        docker.check_docker()
    except PolybenchError as error:
        host, why = _start_engine()
        if host is None:
            pytest.skip(f"no Docker engine: {error}; {why}")
        patch.setenv("DOCKER_HOST", host)
        docker.check_docker()
    yield
    patch.undo()


@pytest.fixture(scope="session")
def image(engine: None) -> str:
    """The image's id, built from this checkout (on the published base if it can be pulled, else a local one)."""
    local_base = docker.pull_base() is not None
    return docker.build_image(local_base=local_base, tag=TAG)
