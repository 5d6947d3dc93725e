"""Where polybench keeps things: the repository root and its working folders (one home for each).

Every path here is inside the repository (DEVELOPERS.md: config paths stay
inside it); `invoke run --results-root` and `invoke report --output` may put
results and reports elsewhere, under a folder the user names.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository root (this file is orchestrator/paths.py)
BUILD_DIR = "build"  # built clients, venvs, build/manifest.json (relative to the root)
RESULTS_DIR = "results"  # results/<timestamp>/ per run, results/latest the newest
REPORTS_DIR = "reports"  # reports/<timestamp>/ per report


GLOB_CHARACTERS = "*?["


def inside_root(relative: str | Path, root: Path = ROOT) -> bool:
    """Whether root/relative, every symbolic link on the way resolved, is root itself or inside it.

    relative: a path relative to root, without '..' (config/model.py refuses those first). The same answer
    as `(root / relative).resolve().is_relative_to(root)` for a resolved root, at one lstat per component
    of relative instead of one per component of the whole absolute path, twice (a config names about 290
    paths: this check was 40% of loading one). A link loop is not an error: the path is judged where
    os.path.realpath leaves it.
    """
    base = str(root)
    current = base
    for part in Path(relative).parts:
        current = os.path.join(current, part)
        if os.path.islink(current):
            current = os.path.realpath(current)
    return current == base or current.startswith(base + os.sep)


def glob_prefix(pattern: str) -> str:
    """The leading folders of a glob pattern that hold no glob character ("a/b" for "a/b/*.py", "" for "*")."""
    parts = Path(pattern).parts
    fixed = next((i for i, part in enumerate(parts) if any(ch in part for ch in GLOB_CHARACTERS)), len(parts))
    return str(Path(*parts[:fixed])) if fixed else ""


def new_timestamped_dir(parent: Path) -> Path:
    """Create and return parent/<UTC timestamp> (YYYYmmddTHHMMSSZ), or <timestamp>-2, -3... if taken.

    Raises OSError if parent cannot be created (read-only, a file in the way).
    """
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    directory, suffix = parent / stamp, 1
    while directory.exists():
        suffix += 1
        directory = parent / f"{stamp}-{suffix}"
    directory.mkdir(parents=True)
    return directory


def git_state(root: Path = ROOT) -> tuple[str | None, bool | None]:
    """(commit, dirty) of the checkout at root: HEAD's hash and whether tracked files differ from it.

    (None, None) where git is missing or root is not a checkout (the Docker
    image has no .git: the image records its commit at build time instead).
    """
    def ask(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = ask("rev-parse", "HEAD")
    if not commit:
        return None, None
    status = ask("status", "--porcelain", "--untracked-files=no")
    return commit, bool(status) if status is not None else None


_scratch: Path | None = None
SCRATCH_PREFIX = "polybench-"
HOME_PREFIX = "polybench-home-"
SOCKET_PATH_MAX = 107  # bytes: sun_path holds 108 with its NUL (Linux unix(7))
SOCKET_NAME_MAX = 32  # bytes a socket's name in {scratch} may take, e.g. python-requests-worker.sock (27)
_PRIVATE_NAME_MAX = len("/polybench-home-4194304-12345678/")  # the longest prefix, pid_max's 7 digits, mkdtemp's 8


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def sweep_folders_of_dead_processes(prefix: str, root: Path | None = None) -> list[Path]:
    """Delete the folders named `<prefix><pid>-...` in root (default $TMPDIR) whose process no longer runs,
    and return them: what a polybench process killed with SIGKILL left behind. Only this user's real
    folders are touched; a live pid (or one reused by another process) keeps its folder."""
    owned = re.compile(rf"^{re.escape(prefix)}(\d+)-")
    removed = []
    for path in Path(root or tempfile.gettempdir()).glob(f"{prefix}*"):
        match = owned.match(path.name)
        try:
            mine = path.is_dir() and not path.is_symlink() and path.stat().st_uid == os.getuid()
        except OSError:
            continue
        if match and mine and not _alive(int(match.group(1))):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def short_temp_root() -> Path:
    """$TMPDIR when a Unix socket in a private folder there fits in sun_path, else /tmp.

    A long TMPDIR (CI runners, pytest's tmp_path: 85 characters seen) made
    every bind() of `{scratch}/python-requests-worker.sock` fail with "socket
    path too long"; the folder made under /tmp is as private (mode 0700).
    """
    root = Path(tempfile.gettempdir())
    if len(os.fsencode(root)) + _PRIVATE_NAME_MAX + SOCKET_NAME_MAX <= SOCKET_PATH_MAX:
        return root
    return Path("/tmp")


def private_folder(prefix: str, root: Path | None = None) -> Path:
    """A new folder `<root>/<prefix><pid>-<8 random chars>` (mode 0700; root default $TMPDIR), removed when this
    process exits normally (or by SystemExit, which the CLI turns SIGTERM/SIGHUP into). A SIGKILLed
    process cannot remove it: the folders of dead processes with this prefix are swept first."""
    root = root or Path(tempfile.gettempdir())
    sweep_folders_of_dead_processes(prefix, root)
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=root))
    owner = os.getpid()

    def remove() -> None:
        if os.getpid() == owner:  # a forked child exiting must not remove its parent's folder
            shutil.rmtree(folder, ignore_errors=True)

    atexit.register(remove)
    return folder


def scratch_dir() -> Path:
    """This polybench process's private scratch folder (mode 0700, short_temp_root()), removed when it exits.

    The `{scratch}` placeholder: where a client and its resident service meet
    (a Unix socket, whose name must fit in SOCKET_NAME_MAX bytes), writable
    wherever polybench runs (the Docker image's /app is read-only to its user)
    and never shared by two runs.
    """
    global _scratch
    if _scratch is None or not _scratch.is_dir():
        _scratch = private_folder(SCRATCH_PREFIX, short_temp_root())
    return _scratch
