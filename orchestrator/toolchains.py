"""Which toolchains are here, and their versions, from the config's argv."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass

from .config import Config, expand


@dataclass(frozen=True)
class ToolchainStatus:
    name: str
    version: str | None  # first line of the version command; None when missing
    fix: str

    @property
    def present(self) -> bool:
        return self.version is not None


def placeholders(config: Config) -> dict[str, str]:
    """Values for the {python} and {root} placeholders of argv lists."""
    return {"python": sys.executable, "root": str(config.root)}


def first_line(argv: list[str], cwd: str | None = None) -> str | None:
    """Run a version command; its first non-empty output line, or None if it cannot run."""
    if shutil.which(argv[0]) is None:
        return None
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, cwd=cwd, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    for line in (done.stdout + "\n" + done.stderr).splitlines():
        if line.strip():
            return line.strip()
    return None


def probe_toolchains(config: Config) -> Mapping[str, ToolchainStatus]:
    values = placeholders(config)
    return {
        name: ToolchainStatus(name, first_line(expand(tool.version_argv, values)), tool.fix)
        for name, tool in config.toolchains.items()
    }
