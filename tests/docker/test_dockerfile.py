"""What the image pins and leaves out, read from the files (no Docker engine needed)."""

from __future__ import annotations

import fnmatch
import importlib.util
import re
from pathlib import Path

import pytest
import yaml

from orchestrator.image import docker

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _stage_module():
    spec = importlib.util.spec_from_file_location("docker_stage", ROOT / "docker" / "stage.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_base_is_pinned_by_digest() -> None:
    assert re.fullmatch(r"debian:trixie-slim@sha256:[0-9a-f]{64}", docker.default_base_image())


# An exact Debian version: an epoch, a Debian revision (`-12`, `+deb13u4`, a binNMU `+b3`), with no glob.
EXACT_DEBIAN_VERSION = re.compile(r"(\d+:)?\d[A-Za-z0-9.+~]*-[A-Za-z0-9.+~]*\d[A-Za-z0-9.+~]*|\d+:\d\S*")
SECURITY_REVISION = re.compile(r"\+deb\d+u\d+|\+b\d+\b")


def arg_defaults(dockerfile: str) -> dict[str, str]:
    """`ARG NAME=VALUE` lines (global or per stage), quotes removed."""
    return {name: value.strip('"') for name, value in re.findall(r"^ARG (\w+)=(\S*)$", dockerfile, re.MULTILINE)}


def apt_specs(dockerfile: str) -> list[str]:
    """Every word docker/apt-install.sh is given in the Dockerfile, with the ARG defaults filled in."""
    defaults = arg_defaults(dockerfile)
    specs = []
    for call in re.findall(r"apt-install\.sh --record \S+ (.*?)(?:&&|$)", dockerfile.replace("\\\n", " "),
                           re.MULTILINE):
        for word in call.split():
            specs.append(re.sub(r"\$\{(\w+)\}", lambda m: defaults[m.group(1)], word.strip('"')))
    return specs


def exact_debian_pins(dockerfile: str) -> list[str]:
    """What in a Dockerfile pins an exact Debian revision (a mirror drops those): each offending word.

    Comments are not pins; strict mode's exact versions live in
    docker/strict-pins.txt, never in the Dockerfile.
    """
    code = "\n".join(line for line in dockerfile.splitlines() if not line.lstrip().startswith("#"))
    found = SECURITY_REVISION.findall(code)
    found += [f"ARG {name}={value}" for name, value in arg_defaults(code).items()
              if EXACT_DEBIAN_VERSION.fullmatch(value)]
    for word in re.findall(r"(?:apt-get|apt) install[^&]*", code.replace("\\\n", " ")):
        found.append(word.strip())  # only docker/apt-install.sh installs, by upstream version
    for spec in apt_specs(code):
        package, _, version = spec.partition("=")
        if version and (not version.endswith("*") or EXACT_DEBIAN_VERSION.fullmatch(version.rstrip("*"))):
            found.append(spec)
    return found


def test_no_exact_debian_revision_is_pinned_outside_strict_mode() -> None:
    assert exact_debian_pins(DOCKERFILE) == []
    assert arg_defaults(DOCKERFILE)["DEBIAN_SNAPSHOT"] == ""  # the default build never needs a snapshot


@pytest.mark.parametrize("line", [
    "ARG GLIBC_DEB=2.41-12+deb13u4",
    "ARG GOLANG_GO_DEB=2:1.24~2",
    "ARG HYPERFINE_DEB=1.19.0-1+b3",
    "RUN apt-get install -y curl=8.14.1-2",
    'RUN sh /app/docker/apt-install.sh --record /tmp/x "python3.13=3.13.5-2" gcc',
    'RUN sh /app/docker/apt-install.sh --record /tmp/x "rustc=1.85.1+dfsg1-1*"',
])
def test_the_exact_pin_check_catches_what_broke_the_build(line: str) -> None:
    assert exact_debian_pins(f"FROM x\n{line}\n") != []


def test_toolchains_are_pinned_by_upstream_version() -> None:
    specs = apt_specs(DOCKERFILE)
    pinned = dict(spec.split("=", 1) for spec in specs if "=" in spec)
    for package, upstream in [("python3.13", "3.13"), ("golang-1.24-go", "1.24"), ("rustc", "1.85"),
                              ("cargo", "1.85"), ("curl", "8.14"), ("libcurl4t64", "8.14"), ("libc6", "2.41"),
                              ("gcc-14", "14.2"), ("hyperfine", "1.19")]:
        assert pinned[package].startswith(upstream) and pinned[package].endswith("*"), (package, pinned[package])
    strict = (ROOT / "docker" / "strict-pins.txt").read_text()
    for package, glob in pinned.items():  # strict mode has an exact version for each, inside its glob
        exact = re.search(rf"^{re.escape(package)}=(\S+)$", strict, re.MULTILINE)
        assert exact is not None and fnmatch.fnmatchcase(exact.group(1).split(":")[-1], glob), package


def test_lock_files_are_honoured() -> None:
    build_stage = (ROOT / "docker" / "build-stage.sh").read_text()
    assert "--require-hashes" in build_stage and "requirements.lock" in build_stage
    # every pip call of the build stage, `orchestrator build`'s too, installs from the wheel folder only
    assert re.search(r"^ENV PIP_NO_INDEX=1 PIP_FIND_LINKS=/app/docker/deps/wheels ", DOCKERFILE, re.MULTILINE)
    assert "--locked" in (ROOT / "polybench.yaml").read_text()  # cargo build, run by `orchestrator build`


@pytest.mark.parametrize("pattern", [".git", ".venv", "build", "results", "reports", "clients/rust/target",
                                     ".hypothesis"])
def test_host_artifacts_stay_out_of_the_build_context(pattern: str) -> None:
    assert pattern in (ROOT / ".dockerignore").read_text().splitlines()


def test_compose_binds_the_server_explicitly_and_points_the_runner_at_it() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    server, runner = compose["services"]["server"], compose["services"]["runner"]
    assert server["command"][:3] == ["serve", "--host", "0.0.0.0"]
    port = server["command"][server["command"].index("--port") + 1]
    assert runner["environment"]["POLYBENCH_SERVER_URL"] == f"http://server:{port}"
    assert "--server-url" not in runner["command"]  # `compose run runner FLAGS` replaces the command
    assert compose["networks"]["bench"]["internal"] is True


@pytest.mark.parametrize(("name", "line", "expected"), [
    ("go", "go version go1.24.4 linux/amd64", "go 1.24.4"),
    ("rustc", "rustc 1.85.1 (4eb161250 2025-03-15) (built from a source tarball)", "rustc 1.85.1"),
    ("python", "Python 3.13.5", "python 3.13.5"),
    ("curl", None, "curl missing"),
])
def test_provenance_names_each_toolchain_version(name: str, line: str | None, expected: str) -> None:
    assert _stage_module().version_token(name, line) == expected


def test_the_bundlers_locks_are_vendored_with_the_wheels() -> None:
    """Nuitka's and PyInstaller's locks pin what requirements.lock lacks: `--local-base` vendors their files too;
    a client's own requirements file (a subset of requirements.lock) is not listed again."""
    locks = docker.build_tool_locks()
    assert {path.relative_to(ROOT).as_posix() for path in locks} == {
        "clients/python/bundlers/nuitka.txt", "clients/python/bundlers/pyinstaller.txt"}
    assert all("--hash=sha256:" in path.read_text() for path in locks)
