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

import fnmatch
import hashlib
import json
import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from orchestrator.config.model import load_config
from orchestrator.image import docker

pytestmark = pytest.mark.docker

ROOT = Path(__file__).resolve().parents[2]
TAG = "polybench"  # tests/docker/conftest.py builds it
RUN_TIMEOUT_S = 900
IMAGE_UID = 10001


def in_image(*argv: str) -> str:
    """stdout of a command run in a throwaway container of the image."""
    done = subprocess.run(["docker", "run", "--rm", TAG, *argv], capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, f"{argv} exited {done.returncode}: {done.stderr[-2000:]}"
    return done.stdout


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
    details = reports[0].with_name("report-details.md")
    assert reports[0].read_text() + "\n" + details.read_text() == stdout  # --stdout prints both files
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
    config = load_config()
    assert set(statuses) == {client.name for client in config.clients}
    assert any(client.build.optional for client in config.clients)  # the Nuitka and PyInstaller bundles
    for client, seen in statuses.items():  # every one, the bundles too, built in the image and verified
        assert "ok" in seen, f"{client}: {seen}"
        assert not seen & {"skipped", "not-run"}, f"{client}: {seen}"


def test_runs_as_its_non_root_user(quick_run: tuple[str, Path]) -> None:
    owners = {path.stat().st_uid for path in quick_run[1].rglob("*") if not path.is_symlink()}
    assert owners == {IMAGE_UID}


def test_results_carry_the_image_manifest(results: dict[str, Any], quick_run: tuple[str, Path]) -> None:
    """The exact versions the image holds, as its own files and dpkg say, are in every results file."""
    container = results["environment"]["container"]
    raw = in_image("cat", "/etc/polybench-manifest.json")
    assert container["manifest_sha256"] == hashlib.sha256(raw.encode()).hexdigest()
    manifest = container["manifest"]
    assert manifest == json.loads(raw)
    # Debian: every installed package of the final image, as dpkg lists it there.
    listed = in_image("dpkg-query", "-W", "-f", "${db:Status-Status} ${Package} ${Version}\n")
    assert manifest["debian_packages"] == dict(
        line.split()[1:] for line in listed.splitlines() if line.startswith("installed "))
    # The toolchains: what was asked (an upstream version) and the revision the mirror gave.
    for stage, package in [("final", "python3.13"), ("final", "curl"), ("build", "golang-1.24-go"),
                           ("build", "rustc")]:
        pin = manifest["pinned"][stage][package]
        assert fnmatch.fnmatchcase(pin["installed"].split(":")[-1], pin["wanted"]), pin
    assert manifest["pinned"]["final"]["python3.13"]["installed"] == manifest["debian_packages"]["python3.13"]
    assert manifest["build_debian_packages"]["rustc"] == manifest["pinned"]["build"]["rustc"]["installed"]
    # Wheels (and Nuitka's sdist): each one pinned in requirements.lock or a bundler's lock
    # (clients/python/bundlers/*.txt), its sha256 one of the lock's hashes for it.
    lock = "\n".join(path.read_text() for path in (ROOT / "requirements.lock", *docker.build_tool_locks()))
    assert manifest["wheels"]
    assert {"nuitka", "pyinstaller"} <= {wheel["name"] for wheel in manifest["wheels"]}
    for wheel in manifest["wheels"]:
        entry = re.search(rf"^{re.escape(wheel['name'])}=={re.escape(wheel['version'])} \\\n((?:\s+--hash=\S+.*\n)+)",
                          lock, re.MULTILINE | re.IGNORECASE)
        assert entry is not None, f"{wheel['name']}=={wheel['version']} not in requirements.lock or a bundler's lock"
        assert f"sha256:{wheel['sha256']}" in entry.group(1), wheel
    # Crates: the registry crates of Cargo.lock, exactly.
    locked = tomllib.loads((ROOT / "clients" / "rust" / "Cargo.lock").read_text())["package"]
    assert sorted((c["name"], c["version"]) for c in manifest["crates"]) == sorted(
        (p["name"], p["version"]) for p in locked if "source" in p)
    # The report shows the toolchain rows from it.
    report = quick_run[0]
    assert re.search(rf"\| image manifest +\| sha256 {container['manifest_sha256'][:16]}: ", report)
    installed = re.escape(manifest["pinned"]["build"]["golang-1.24-go"]["installed"])
    assert re.search(rf"\| image package: golang-1\.24-go +\| {installed} \(build stage; pinned 1\.24\.\*\)",
                     report)
