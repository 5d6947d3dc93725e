"""Which toolchains are here, and their versions, from the config's argv.

Every probe runs in the environment builds get (process_env.toolchain_environment),
from the repository root: the caller's JAVA_TOOL_OPTIONS, RUSTUP_TOOLCHAIN or
folder must not change what is recorded, nor make it differ from what built.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..config.model import Config, expand
from ..paths import ROOT, scratch_dir
from .process_env import toolchain_environment


@dataclass(frozen=True)
class ToolchainStatus:
    name: str
    version: str | None  # first line of the version command; None when missing
    fix: str

    @property
    def present(self) -> bool:
        return self.version is not None


def placeholders(config: Config) -> dict[str, str]:
    """Values for the {python}, {root} and {scratch} placeholders of argv lists (paths.scratch_dir)."""
    return {"python": sys.executable, "root": str(config.root), "scratch": str(scratch_dir())}


def first_line(argv: list[str], cwd: str | Path | None = None) -> str | None:
    """Run a version command in toolchain_environment(), from cwd (default the repository root);
    its first non-empty output line (stdout, then stderr), or None if it is missing, fails or is silent."""
    env = toolchain_environment()
    if shutil.which(argv[0], path=env["PATH"]) is None:
        return None
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, cwd=cwd or ROOT, env=env,
                              check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    for line in (done.stdout + "\n" + done.stderr).splitlines():
        if line.strip():
            return line.strip()
    return None


def probe_toolchains(config: Config) -> Mapping[str, ToolchainStatus]:
    """Each configured toolchain's status: its version command's first line (None: missing), run from
    config.root in toolchain_environment()."""
    values = placeholders(config)
    return {
        name: ToolchainStatus(name, first_line(expand(tool.version_argv, values), config.root), tool.fix)
        for name, tool in config.toolchains.items()
    }


# --- Debian packages the config declares (toolchains' and clients' `debian:`) ------------------------

APT_TIMEOUT_S = 1800


def debian_installed(package: str) -> bool | None:
    """Whether dpkg has `package` installed; None where there is no dpkg to ask (not Debian)."""
    if shutil.which("dpkg-query") is None:
        return None
    try:
        done = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True,
                              timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.returncode == 0 and done.stdout.strip().endswith(" installed")


def why_no_install() -> str | None:
    """Why `build` cannot install Debian packages here (not root, no apt-get), or None if it can."""
    if shutil.which("apt-get") is None:
        return "no apt-get on this machine"
    if os.geteuid() != 0:
        return "not running as root"
    return None


def install_debian(packages: Sequence[str], needed_by: Mapping[str, Sequence[str]],
                   log: Callable[[str], None]) -> dict[str, str | None]:
    """apt-get install each package (one progress line each); package -> None or the one-line error.

    By name only, never an exact revision: the mirror serves only its newest one (NOTES.md).
    The package lists are read once, on the first package the mirror does not know yet.
    """
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    outcome: dict[str, str | None] = {}
    updated = False
    for package in packages:
        log(f"installing Debian package {package} (for {', '.join(needed_by.get(package, ()))})")
        for attempt in range(2):
            try:
                done = subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", package],
                                      capture_output=True, text=True, timeout=APT_TIMEOUT_S, env=env, check=False)
            except (OSError, subprocess.TimeoutExpired) as exc:
                outcome[package] = f"apt-get install {package}: {exc}"
                break
            if done.returncode == 0:
                outcome[package] = None
                break
            errors = [line for line in done.stderr.splitlines() if line.startswith("E:")]
            outcome[package] = f"apt-get install {package}: {errors[0] if errors else f'exit {done.returncode}'}"
            if attempt or updated:
                break
            updated = True
            subprocess.run(["apt-get", "update", "-q"], capture_output=True, timeout=APT_TIMEOUT_S, env=env,
                           check=False)
    return outcome
