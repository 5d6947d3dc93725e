"""What the image pins and leaves out, read from the files (no Docker engine needed)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
import yaml

from orchestrator import docker

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _stage_module():
    spec = importlib.util.spec_from_file_location("docker_stage", ROOT / "docker" / "stage.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_base_is_pinned_by_digest() -> None:
    assert re.fullmatch(r"debian:trixie-slim@sha256:[0-9a-f]{64}", docker.default_base_image())


def test_every_apt_package_has_a_pinned_version() -> None:
    installs = [part.split("&&")[0] for part in DOCKERFILE.split("--no-install-recommends")[1:]]
    assert len(installs) == 2
    for block in installs:
        packages = block.replace("\\", " ").split()
        assert packages
        for package in packages:
            assert re.fullmatch(r"[a-z0-9.+-]+=\$\{[A-Z0-9_]+_DEB\}", package), package
    for name in set(re.findall(r"\$\{([A-Z0-9_]+_DEB)\}", DOCKERFILE)):
        assert re.search(rf"^ARG {name}=\S+$", DOCKERFILE, re.MULTILINE), f"{name} has no pinned default"


def test_lock_files_are_honoured() -> None:
    build_stage = (ROOT / "docker" / "build-stage.sh").read_text()
    assert "--require-hashes" in build_stage and "requirements.lock" in build_stage
    assert "--locked" in (ROOT / "polybench.yaml").read_text()  # cargo build, run by `orchestrator build`


@pytest.mark.parametrize("pattern", [".git", ".venv", "build", "results", "reports", "clients/rust/target"])
def test_host_artifacts_stay_out_of_the_build_context(pattern: str) -> None:
    assert pattern in (ROOT / ".dockerignore").read_text().splitlines()


def test_compose_binds_the_server_explicitly_and_points_the_runner_at_it() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    server, runner = compose["services"]["server"], compose["services"]["runner"]
    assert server["command"][:3] == ["serve", "--host", "0.0.0.0"]
    port = server["command"][server["command"].index("--port") + 1]
    assert runner["command"][:2] == ["--server-url", f"http://server:{port}"]
    assert compose["networks"]["bench"]["internal"] is True


@pytest.mark.parametrize(("name", "line", "expected"), [
    ("go", "go version go1.24.4 linux/amd64", "go 1.24.4"),
    ("rustc", "rustc 1.85.1 (4eb161250 2025-03-15) (built from a source tarball)", "rustc 1.85.1"),
    ("python", "Python 3.13.5", "python 3.13.5"),
    ("curl", None, "curl missing"),
])
def test_provenance_names_each_toolchain_version(name: str, line: str | None, expected: str) -> None:
    assert _stage_module().version_token(name, line) == expected
