"""Build stage, last step: check every client built, drop build scratch, write the image's provenance.

    python docker/stage.py /stage      (run by docker/build-stage.sh in /app)

The final image gets /app as it is left here (one COPY), so this keeps only
what `run` needs: the sources, the venv, build/ with its manifest, and each
client's declared build outputs, not the compilers' intermediate files.
/stage/etc/polybench-image is the one line environment.container() reports.
Standard library only.
"""

from __future__ import annotations

import compileall
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

APP = Path("/app")
USABLE = ("built", "up-to-date")
# Byte-compiled so start-up is not paid again in each container (the image's
# user cannot write __pycache__ under /app).
PYTHON_TREES = ("orchestrator", "server", "clients/python", "docker")


def check_manifest(app: Path) -> set[str]:
    """The build outputs to keep; exit if any client did not build (the image would lack it)."""
    manifest = json.loads((app / "build" / "manifest.json").read_text())
    unusable = {name: c for name, c in manifest["clients"].items() if c["status"] not in USABLE}
    for name, client in unusable.items():  # the optional bundles (Nuitka, PyInstaller) too
        print(f"stage: {name} {client['status']}: {client['message']}", file=sys.stderr)
    if unusable:
        sys.exit(f"stage: {len(unusable)} client(s) not built; the image needs every client")
    return {output for client in manifest["clients"].values() for output in client["outputs"]}


def kept(relative: str, keep: set[str]) -> bool:
    """Whether a path (relative to /app) is a build output or inside one (a bundle is a folder)."""
    return any(relative == output or relative.startswith(output + "/") for output in keep)


def drop_scratch(app: Path, keep: set[str]) -> None:
    """Remove vendored inputs, and everything that is not a build output under a `target/` folder
    (cargo's scratch) or under build/bundlers/ (the bundlers' venvs and work folders: a Nuitka
    build's C sources alone are hundreds of MB)."""
    shutil.rmtree(app / "docker" / "deps", ignore_errors=True)
    scratch = [p for p in (app / "clients").rglob("target") if p.is_dir()]
    scratch += [app / "build" / "bundlers"] if (app / "build" / "bundlers").is_dir() else []
    for tree in scratch:
        for path in sorted(tree.rglob("*"), reverse=True):  # children before their folders
            relative = path.relative_to(app).as_posix()
            if kept(relative, keep):
                continue
            if path.is_dir() and not path.is_symlink():
                if not any(path.iterdir()):
                    path.rmdir()
            else:
                path.unlink()


def readable_by_all(app: Path) -> None:
    """The image runs as a non-root user: whatever a build step left private, it must read."""
    for path in [app, *app.rglob("*")]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode
        executable = path.is_dir() or mode & 0o100
        path.chmod(mode | 0o444 | (0o111 if executable else 0))


def version_token(name: str, line: str | None) -> str:
    """`go version go1.24.4 linux/amd64` -> `go 1.24.4`; `rustc 1.85.1 (...)` -> `rustc 1.85.1`."""
    if not line:
        return f"{name} missing"
    token = next((word for word in line.split() if re.search(r"\d", word)), line)
    return f"{name} {token.removeprefix(name)}"


def provenance(app: Path) -> str:
    """One line: which commit, when, on which base, with which toolchains."""
    commit = os.environ.get("POLYBENCH_GIT_COMMIT") or "unknown commit"
    state = " with uncommitted changes" if os.environ.get("POLYBENCH_GIT_DIRTY") == "true" else ""
    base = os.environ.get("BASE_IMAGE") or "unknown base"
    built = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    toolchains = json.loads((app / "build" / "manifest.json").read_text()).get("toolchains", {})
    versions = ", ".join(version_token(name, line) for name, line in toolchains.items())
    return f"polybench {commit[:12]}{state}, built {built} on {base}; clients built with {versions}"


def main(stage: Path) -> None:
    keep = check_manifest(APP)
    drop_scratch(APP, keep)
    for tree in PYTHON_TREES:
        if not compileall.compile_dir(APP / tree, quiet=1):
            sys.exit(f"stage: byte-compiling {tree} failed")
    readable_by_all(APP)
    line = provenance(APP)
    (stage / "etc").mkdir(parents=True, exist_ok=True)
    (stage / "etc" / "polybench-image").write_text(line + "\n")
    print(f"stage: {line}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
