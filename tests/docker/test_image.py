"""The Docker image end to end: build it, `docker run polybench --profile quick`, check what it leaves.

Marked `docker` (minutes: a cold build compiles the Rust clients with LTO);
`invoke test --all` runs it, and CI does after starting an engine with
docker/start-dockerd.sh. It builds on the pinned published base where an
image registry answers, else on a debootstrapped local base (`invoke docker
--local-base`), and skips, with one line, only where no Docker engine can be
reached or started.

The mounted output folder is made world-writable (chmod 777) rather than
running the container as the caller's uid: the image's own non-root user is
what is under test, and CI runs as root.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from orchestrator import docker
from orchestrator.config import load_config
from orchestrator.errors import PolybenchError

pytestmark = pytest.mark.docker

ROOT = Path(__file__).resolve().parents[2]
TAG = "polybench"
RUN_TIMEOUT_S = 900
IMAGE_UID = 10001


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


@pytest.fixture(scope="module")
def engine():
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


@pytest.fixture(scope="module")
def image(engine) -> str:
    local_base = docker.pull_base() is not None
    return docker.build_image(local_base=local_base, tag=TAG)


@pytest.fixture(scope="module")
def quick_run(image: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    out = tmp_path_factory.mktemp("docker-out")
    out.chmod(0o777)  # the image runs as uid 10001 (docs/docker.md)
    done = subprocess.run(["docker", "run", "--rm", "-e", f"POLYBENCH_IMAGE_ID={image}", "-v", f"{out}:/out",
                           TAG, "--profile", "quick"],
                          capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False)
    assert done.returncode == 0, f"docker run exited {done.returncode}:\n{done.stderr[-4000:]}"
    return done.stdout, out


@pytest.fixture(scope="module")
def results(quick_run: tuple[str, Path]) -> dict[str, Any]:
    files = list((quick_run[1] / "results").glob("2*/results.json"))
    assert len(files) == 1, files
    return json.loads(files[0].read_text())


def test_report_on_stdout_is_the_markdown_alone(quick_run: tuple[str, Path]) -> None:
    stdout = quick_run[0]
    assert stdout.startswith("# polybench report\n")
    for heading in ("## Findings", "## Environment and provenance", "## Method"):
        assert f"\n{heading}" in stdout
    for client in ("go-nethttp", "rust-ureq", "python-requests", "curl"):
        assert client in stdout
    assert "\nresults: " not in stdout and "\nreport: " not in stdout  # the paths went to stderr


def test_report_and_charts_left_in_the_mounted_folder(quick_run: tuple[str, Path]) -> None:
    stdout, out = quick_run
    reports = list((out / "reports").glob("2*/report.md"))
    assert len(reports) == 1, reports
    assert reports[0].read_text() == stdout
    charts = list(reports[0].parent.glob("*.svg"))
    assert charts, "no SVG chart next to report.md"
    for name in re.findall(r"\]\(([^)]+\.svg)\)", stdout):
        assert (reports[0].parent / name).is_file(), name
    for path in [*out.rglob("*")]:
        if not path.is_symlink():
            assert path.stat().st_mode & 0o444 == 0o444, f"{path} is not readable by the host's users"


def test_results_are_valid_and_record_the_image(results: dict[str, Any], image: str) -> None:
    schema = json.loads((ROOT / "docs" / "results.schema.json").read_text())
    jsonschema.validate(results, schema, cls=jsonschema.Draft202012Validator)
    assert results["schema"] == "polybench/results/v2"
    environment = results["environment"]
    container = environment["container"]
    assert container is not None and container["in_container"] is True
    assert container["image"].startswith("polybench ")
    assert container["image_id"] == image
    assert environment["toolchains"]["python"].startswith("Python 3.13.")
    assert environment["server"]["remote"] is False
    commit, _ = docker.git_state()
    if commit:
        assert environment["git"]["commit"] == commit


def test_every_client_ran_in_the_image(results: dict[str, Any]) -> None:
    statuses: dict[str, set[str]] = {}
    for bench in results["benchmarks"]:
        statuses.setdefault(bench["client"], set()).add(bench["status"])
    assert set(statuses) == {client.name for client in load_config().clients}
    for client, seen in statuses.items():
        assert "ok" in seen, f"{client}: {seen}"
        assert not seen & {"skipped", "not-run"}, f"{client}: {seen}"


def test_runs_as_its_non_root_user(quick_run: tuple[str, Path]) -> None:
    owners = {path.stat().st_uid for path in quick_run[1].rglob("*") if not path.is_symlink()}
    assert owners == {IMAGE_UID}
