"""Build the venv a bundler (Nuitka, PyInstaller) compiles a Python client in (standard library only).

    python build_venv.py TOOL_LOCK CLIENT_REQUIREMENTS VENV
    python build_venv.py list CLIENT_REQUIREMENTS    # `name==version` per pin: what the bundle carries

A bundler packs whatever the interpreter it runs in can import, so it runs
in a venv holding exactly the client's pinned requirements plus the tool's
own hashed lock (clients/python/bundlers/<tool>.txt): the bundle gets the
same requests, urllib3, certifi... as the script's venv.

Every file is hash-checked (`--require-hashes`). Nuitka is published as an
sdist only; building it in pip's isolated environment would fetch setuptools
and wheel unhashed, so they are installed first, from the same lock, and the
sdist is built without isolation. pip's own environment settings apply
(PIP_NO_INDEX=1 and PIP_FIND_LINKS=DIR make it offline, as in the Docker
build, where DIR must then hold the Nuitka sdist too).

Run by the orchestrator's interpreter; the venv is based on the interpreter
that one was made from (venv uses sys._base_executable).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

# A requirement block of a pip-compile lock: `name==version \` and its `--hash=` lines.
BLOCK = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==\S+(?:[ \t]*\\\n[ \t]+--hash=\S+)+", re.MULTILINE)
BUILD_BACKEND = ("setuptools", "wheel", "packaging")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def backend_blocks(lock: str) -> str:
    """The lock's blocks for the build backend an sdist needs (empty if the lock has none)."""
    return "\n".join(match.group(0) for match in BLOCK.finditer(lock)
                     if match.group(1).lower() in BUILD_BACKEND)


def pip_install(python: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                    "--disable-pip-version-check", "--no-input", "--require-hashes", *args], check=True)


def build(tool_lock: Path, client_requirements: Path, venv_dir: Path) -> None:
    venv.EnvBuilder(clear=True, with_pip=False, symlinks=True).create(venv_dir)
    python = venv_dir / "bin" / "python"
    backend = backend_blocks(tool_lock.read_text())
    if backend:
        with tempfile.NamedTemporaryFile("w", suffix=".txt") as subset:
            subset.write(backend + "\n")
            subset.flush()
            pip_install(python, "--only-binary=:all:", "--requirement", subset.name)
    pip_install(python, "--no-build-isolation", "--requirement", str(tool_lock),
                "--requirement", str(client_requirements))


def pins(requirements: Path) -> list[str]:
    """`name==version` for every pin of a requirements file, sorted by lower-case name.

    The bundle's packages (its `packages:` listing): the build installed exactly
    these, hash-checked, and the bundle outlives the build venv (a clone that
    restores it from the build cache has no venv to ask).
    """
    found = PIN.findall(requirements.read_text())
    return [f"{name.lower()}=={version}" for name, version in sorted(found, key=lambda pin: pin[0].lower())]


def main(argv: list[str]) -> None:
    if len(argv) == 2 and argv[0] == "list":
        print("\n".join(pins(Path(argv[1]))))
    elif len(argv) == 3:
        build(Path(argv[0]), Path(argv[1]), Path(argv[2]))
    else:
        raise SystemExit("usage: build_venv.py TOOL_LOCK CLIENT_REQUIREMENTS VENV | build_venv.py list REQUIREMENTS")


if __name__ == "__main__":
    main(sys.argv[1:])
