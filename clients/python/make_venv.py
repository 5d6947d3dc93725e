"""Build a Python client's own virtual environment, or list what one holds (standard library only).

    python make_venv.py build REQUIREMENTS VENV   # polybench.yaml's build step for a Python client
    python make_venv.py list VENV                 # `name==version` per distribution (the entry's `packages:`)
    python make_venv.py path VENV DIR             # a path-only .pth: DIR on sys.path (for `python -I`)
    python make_venv.py site-link VENV LINK       # LINK -> VENV's site-packages (a fixed PYTHONPATH for `-S`)

A user's script runs with its client library and nothing else, so each Python
client gets a venv of its own: no pip, no setuptools (whose
distutils-precedence.pth runs code at every interpreter start), only the
distributions its requirements file pins. The install is hash-checked
(`--require-hashes`, wheels only); pip's own environment settings apply, so
PIP_NO_INDEX=1 and PIP_FIND_LINKS=DIR make it offline (the Docker build).
The build fails if any .pth file in the venv would execute code, or if the
venv holds a distribution its requirements file does not pin.

One exception, explicit and per requirements file: a line

    # make_venv: allow executable .pth NAME.pth (why)

lets exactly that file run code, because the library cannot be installed from
a wheel without it (urllib3-future's urllib3_future.pth, which niquests needs:
README.md, "Clients"). Its lines run at every interpreter start
of that client, so they are part of what is measured; the build runs the venv's
interpreter once, so any one-time work the file does happens here and not in a
measured run, and records what it allowed in VENV/allowed-pth.txt (name and
sha256 of each allowed file).

Run by the orchestrator's interpreter; the venv is based on the interpreter
that one was made from (venv uses sys._base_executable), never chained.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import venv
from importlib import metadata
from pathlib import Path

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)
ALLOW_PTH = re.compile(r"^# make_venv: allow executable \.pth ([A-Za-z0-9_.-]+\.pth)\b", re.MULTILINE)
ALLOWED_RECORD = "allowed-pth.txt"


def normalise(name: str) -> str:
    """PEP 503 name normalisation (Requests_Futures == requests-futures)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(requirements: Path) -> dict[str, str]:
    """name -> version for every `name==version` line of a requirements file."""
    return {normalise(name): version for name, version in PIN.findall(requirements.read_text())}


def allowed_pth(requirements: Path) -> set[str]:
    """The .pth file names a requirements file allows to run code (see the module docstring)."""
    return set(ALLOW_PTH.findall(requirements.read_text()))


def site_packages(venv_dir: Path) -> Path:
    found = sorted(venv_dir.glob("lib/python3*/site-packages"))
    if len(found) != 1:
        raise SystemExit(f"make_venv: expected one site-packages under {venv_dir}, found {len(found)}")
    return found[0]


def installed(venv_dir: Path) -> dict[str, str]:
    """name -> version of every distribution in the venv's site-packages."""
    dists = metadata.distributions(path=[str(site_packages(venv_dir))])
    return {normalise(dist.metadata["Name"]): dist.version for dist in dists}


def executable_pth_lines(venv_dir: Path) -> list[str]:
    """`file: line` for each .pth line that site.py would execute (it runs lines starting with `import`)."""
    found = []
    for pth in sorted(site_packages(venv_dir).glob("*.pth")):
        for line in pth.read_text(errors="replace").splitlines():
            if line.startswith(("import ", "import\t")):
                found.append(f"{pth.name}: {line.strip()[:80]}")
    return found


def build(requirements: Path, venv_dir: Path) -> None:
    venv.EnvBuilder(clear=True, with_pip=False, symlinks=True).create(venv_dir)
    python = venv_dir / "bin" / "python"
    wanted = pinned(requirements)
    if wanted:
        subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                        "--disable-pip-version-check", "--no-input", "--require-hashes", "--only-binary=:all:",
                        "--requirement", str(requirements)], check=True)
    allowed = allowed_pth(requirements)
    executable = executable_pth_lines(venv_dir)
    problems = [f"executable .pth line ({line})" for line in executable if line.partition(":")[0] not in allowed]
    have = installed(venv_dir)
    problems += [f"{name} {have[name]} is installed but not pinned in {requirements}" for name in have
                 if name not in wanted]
    # A pin whose marker excludes this Python (typing-extensions on 3.13) is absent, not wrong.
    problems += [f"{name} {have[name]} is installed but {wanted[name]} is pinned" for name in have
                 if name in wanted and have[name] != wanted[name]]
    if problems:
        raise SystemExit("make_venv: " + "; ".join(problems))
    record_allowed(venv_dir, allowed, python)


def record_allowed(venv_dir: Path, allowed: set[str], python: Path) -> None:
    """Write VENV/allowed-pth.txt and let the allowed files do their one-time work now."""
    lines = []
    for name in sorted(allowed):
        pth = site_packages(venv_dir) / name
        if not pth.is_file():
            raise SystemExit(f"make_venv: {name} is allowed but no such file was installed")
        lines.append(f"{name} sha256={hashlib.sha256(pth.read_bytes()).hexdigest()}")
    if lines:
        subprocess.run([str(python), "-c", "pass"], check=True, env={"PATH": "/usr/bin:/bin"})
        (venv_dir / ALLOWED_RECORD).write_text("".join(line + "\n" for line in lines))


EXTRA_PATH_PTH = "polybench-extra-path.pth"


def add_path(venv_dir: Path, directory: Path) -> None:
    """Put `directory` on the venv's sys.path by a .pth line that is a path (site.py runs no code for it)."""
    (site_packages(venv_dir) / EXTRA_PATH_PTH).write_text(f"{directory.resolve()}\n")
    if executable_pth_lines(venv_dir):
        raise SystemExit(f"make_venv: {directory} makes an executable .pth line")


def link_site(venv_dir: Path, link: Path) -> None:
    """A symbolic link at a fixed path to the venv's site-packages (its name holds the Python version)."""
    target = site_packages(venv_dir).resolve()
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(target, target_is_directory=True)


def main(argv: list[str]) -> None:
    if len(argv) == 3 and argv[0] == "build":
        build(Path(argv[1]), Path(argv[2]))
    elif len(argv) == 2 and argv[0] == "list":
        for name, version in sorted(installed(Path(argv[1])).items()):
            print(f"{name}=={version}")
    elif len(argv) == 3 and argv[0] == "path":
        add_path(Path(argv[1]), Path(argv[2]))
    elif len(argv) == 3 and argv[0] == "site-link":
        link_site(Path(argv[1]), Path(argv[2]))
    else:
        raise SystemExit("usage: make_venv.py build REQUIREMENTS VENV | list VENV | path VENV DIR | "
                         "site-link VENV LINK")


if __name__ == "__main__":
    main(sys.argv[1:])
