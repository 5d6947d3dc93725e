"""Server and runner in two containers on a network of their own: the report must say the server was remote.

Two ways to the same topology, each a small part of the quick profile:
- compose.yaml, with whichever Compose this machine has (`docker compose`,
  or Compose v1's `docker-compose`, which is what Debian 12 packages and
  docker/start-dockerd.sh installs there); skipped, with one line, without one;
- plain `docker network create --internal` plus two `docker run`s, which
  needs nothing but the engine.
Marked `docker`; the image is built once per session (conftest.py).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from orchestrator.config.model import load_config

pytestmark = pytest.mark.docker

ROOT = Path(__file__).resolve().parents[2]
TAG = "polybench"
PROJECT = "polybench-two-hosts-test"
RUN_TIMEOUT_S = 900
HEALTH_WAIT_S = 120


def _compose_command() -> list[str] | None:
    """`docker compose` (v2) if the CLI has it, else `docker-compose` (v1), else None."""
    if subprocess.run(["docker", "compose", "version"], capture_output=True, check=False).returncode == 0:
        return ["docker", "compose"]
    return ["docker-compose"] if shutil.which("docker-compose") else None


def _server_url() -> str:
    runner = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]["runner"]
    return runner["environment"]["POLYBENCH_SERVER_URL"]


def _docker(*argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *argv], capture_output=True, text=True, timeout=timeout, check=False)


def _out_folder(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    out = tmp_path_factory.mktemp(name)
    out.chmod(0o777)  # the image runs as uid 10001
    return out


# The topology is what these tests prove (the image test runs the whole quick
# profile): a compiled, a Python and the reference client over two scenarios
# keep each two-container run to about a minute.
REMOTE_RUN = ("--profile", "quick", "--clients", "go-nethttp,python-urllib,curl", "--scenarios", "single,keepalive")

@pytest.fixture(scope="module")
def compose_run(image: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    compose = _compose_command()
    if compose is None:
        pytest.skip("no Compose here (neither `docker compose` nor `docker-compose`); "
                    "test_plain_docker_two_containers covers the topology")
    out = _out_folder(tmp_path_factory, "compose-out")
    base = [*compose, "--file", str(ROOT / "compose.yaml"), "--project-name", PROJECT]
    env = {**os.environ, "POLYBENCH_OUT": str(out), "POLYBENCH_IMAGE_ID": image}
    try:
        done = subprocess.run([*base, "run", "--rm", "-T", "runner", *REMOTE_RUN], env=env,
                              capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False)
        assert done.returncode == 0, f"compose run exited {done.returncode}:\n{done.stderr[-4000:]}"
        yield done.stdout, out
    finally:
        subprocess.run([*base, "down", "--volumes", "--remove-orphans"], env=env, capture_output=True,
                       timeout=300, check=False)


def _wait_healthy(container: str, port: int) -> None:
    probe = f"import urllib.request; urllib.request.urlopen('http://127.0.0.1:{port}/health', timeout=2)"
    deadline = time.monotonic() + HEALTH_WAIT_S
    while _docker("exec", container, "python", "-c", probe).returncode != 0:
        state = _docker("inspect", "--format", "{{.State.Status}}", container).stdout.strip()
        assert state == "running", f"server container {state}: {_docker('logs', container).stderr[-2000:]}"
        assert time.monotonic() < deadline, f"server not healthy within {HEALTH_WAIT_S} s"
        time.sleep(1)


@pytest.fixture(scope="module")
def plain_run(image: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """compose.yaml's topology by hand: an internal network, the server by name, the runner beside it."""
    out = _out_folder(tmp_path_factory, "plain-out")
    url = urllib.parse.urlsplit(_server_url())
    network, server = f"{PROJECT}-net", f"{PROJECT}-server"
    _docker("rm", "--force", server)
    _docker("network", "rm", network)
    try:
        made = _docker("network", "create", "--internal", network)
        assert made.returncode == 0, made.stderr
        started = _docker("run", "--detach", "--name", server, "--network", network, "--network-alias", url.hostname,
                          TAG, "serve", "--host", "0.0.0.0", "--port", str(url.port))
        assert started.returncode == 0, started.stderr
        _wait_healthy(server, url.port)
        done = _docker("run", "--rm", "--network", network, "-e", f"POLYBENCH_SERVER_URL={_server_url()}",
                       "-e", f"POLYBENCH_IMAGE_ID={image}", "-v", f"{out}:/out", TAG, *REMOTE_RUN,
                       timeout=RUN_TIMEOUT_S)
        assert done.returncode == 0, f"runner exited {done.returncode}:\n{done.stderr[-4000:]}"
        yield done.stdout, out
    finally:
        _docker("rm", "--force", server)
        _docker("network", "rm", network)


def _check_remote(report: str, out: Path, image: str) -> None:
    results_files = list((out / "results").glob("2*/results.json"))
    assert len(results_files) == 1, results_files
    results: dict[str, Any] = json.loads(results_files[0].read_text())
    server = results["environment"]["server"]
    assert server["remote"] is True and server["url"] == _server_url()
    assert results["environment"]["container"]["image_id"] == image
    assert re.search(r"\| server location +\| remote \(another host\)", report), "report does not say remote"
    assert re.search(rf"\| server +\| {re.escape(_server_url())} ", report)
    statuses: dict[str, set[str]] = {}
    for bench in results["benchmarks"]:
        statuses.setdefault(bench["client"], set()).add(bench["status"])
    asked = set(REMOTE_RUN[REMOTE_RUN.index("--clients") + 1].split(","))
    assert set(statuses) == asked and asked <= {client.name for client in load_config().clients}
    assert all("ok" in seen for seen in statuses.values()), statuses


def test_compose_runner_against_the_server_container(compose_run: tuple[str, Path], image: str) -> None:
    _check_remote(*compose_run, image)


def test_plain_docker_two_containers(plain_run: tuple[str, Path], image: str) -> None:
    _check_remote(*plain_run, image)
