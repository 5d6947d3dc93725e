"""A client library's version, from where its config entry says to look.

Used at build time (recorded in build/manifest.json) and at run time (in the
results), so that an image without compilers still knows what it was built with.
"""

from __future__ import annotations

import re
import subprocess

from ..config.model import ClientSpec, Config, expand
from .process_env import toolchain_environment
from .toolchains import first_line, placeholders


def library_version(config: Config, client: ClientSpec) -> str | None:
    """A client library's version, from where its config entry says to look."""
    source = client.library_version
    if "package" in source:  # as the client's own `packages:` listing has it (e.g. its venv)
        name = re.sub(r"[-_.]+", "-", str(source["package"])).lower()
        return (client_packages(config, client) or {}).get(name)
    if "cargo_lock" in source:
        lock = config.root / str(source["cargo_lock"]["file"])
        crate = str(source["cargo_lock"]["crate"])
        try:
            text = lock.read_text()
        except OSError:
            return None
        match = re.search(rf'name = "{re.escape(crate)}"\nversion = "([^"]+)"', text)
        return match.group(1) if match else None
    if "command" in source:
        return first_line(expand(tuple(source["command"]), placeholders(config)), config.root)
    return None


def client_packages(config: Config, client: ClientSpec) -> dict[str, str] | None:
    """What the client's entry says it runs with (`packages:` argv printing `name==version` lines).

    None when the entry has no `packages:` or the command cannot run (e.g. not built yet). Runs as a
    version probe does (toolchain_environment, from config.root): a caller's PYTHONPATH must not add packages.
    """
    if client.packages is None:
        return None
    argv = expand(client.packages, placeholders(config))
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd=config.root,
                              env=toolchain_environment(), check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    pairs = (line.strip().partition("==") for line in done.stdout.splitlines() if "==" in line)
    return {name.lower(): version for name, _, version in sorted(pairs)}
