"""Provenance: the machine, toolchains, libraries, binaries and commit behind a result.

Everything a reader needs to judge or reproduce a number goes into the
results file's `environment`; nothing here is measured, only read.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import socket
import sys
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from ..config.model import ClientSpec, Config, shared_builds
from ..paths import git_state
from . import system_info
from .process_env import EnvPolicy, config_env, server_environment, toolchain_record
from .toolchains import placeholders, probe_toolchains
from .versions import client_packages, library_version

IMAGE_ID_FILE = Path("/etc/polybench-image")  # written by the Dockerfile
IMAGE_MANIFEST_FILE = Path("/etc/polybench-manifest.json")  # docker/manifest.py


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return None


def cpu_model() -> str | None:
    text = _read("/proc/cpuinfo") or ""
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else platform.processor() or None


def memory_bytes() -> int | None:
    match = re.search(r"^MemTotal:\s*(\d+) kB", _read("/proc/meminfo") or "", re.MULTILINE)
    return int(match.group(1)) * 1024 if match else None


def host() -> dict[str, Any]:
    return {
        "hostname": socket.gethostname(),
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpu_affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_governor": _read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"),
        "memory_bytes": memory_bytes(),
        "kernel": platform.release(),
        "os": _read("/etc/os-release") and _os_name(),
        "machine": platform.machine(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


def _os_name() -> str | None:
    match = re.search(r'^PRETTY_NAME="?([^"\n]+)"?', _read("/etc/os-release") or "", re.MULTILINE)
    return match.group(1) if match else None


def image_manifest(path: Path | None = None) -> tuple[dict[str, Any] | None, str | None]:
    """The image's manifest (exact Debian packages, wheels, crates; docker/manifest.py) and its sha256.

    (None, None) outside the image or if the file is unreadable.
    """
    try:
        raw = (path or IMAGE_MANIFEST_FILE).read_bytes()
        return json.loads(raw), hashlib.sha256(raw).hexdigest()
    except (OSError, ValueError):
        return None, None


def container() -> dict[str, Any] | None:
    """The image we run in, if any: the Dockerfile leaves its identity in /etc/polybench-image."""
    in_container = Path("/.dockerenv").exists() or "docker" in (_read("/proc/1/cgroup") or "")
    image = _read(str(IMAGE_ID_FILE))
    if not in_container and image is None:
        return None
    manifest, digest = image_manifest()
    return {"in_container": in_container, "image": image, "image_id": os.environ.get("POLYBENCH_IMAGE_ID"),
            "manifest": manifest, "manifest_sha256": digest}


def git(root: Path) -> dict[str, Any]:
    """{"commit": HEAD's hash or None, "dirty": tracked files differ from it (None if unknown)}.

    In the Docker image (no .git) the commit the image was built from (POLYBENCH_GIT_COMMIT).
    """
    commit, dirty = git_state(root)
    return {"commit": commit or os.environ.get("POLYBENCH_GIT_COMMIT"), "dirty": dirty}


def _at_build_time(version: str | None) -> str | None:
    return f"{version} (at build time)" if version else None


def interpreter(config: Config, client: ClientSpec) -> str | None:
    """The program a client's argv starts (for Python clients, its venv's interpreter), relative to the repo."""
    argv = client.run or next(iter(client.scenario_argv.values()), None)
    if not argv:
        return None
    try:
        program = argv[0].format_map(placeholders(config))
    except (KeyError, IndexError, ValueError):
        program = argv[0]
    root = str(config.root)
    return program[len(root) + 1:] if program.startswith(root + "/") else program


def _interpreter_builds(config: Config, clients: list[ClientSpec]) -> dict[str, Any]:
    """How each Python interpreter was built (PGO, LTO), keyed by its path relative to the repository.

    A client with `importtime:` runs CPython (that is what `-X importtime` is); the orchestrator's own
    interpreter is the "orchestrator" entry.
    """
    relative = {}
    for client in clients:
        program = interpreter(config, client) if client.importtime else None
        if program:
            relative[program] = program if Path(program).is_absolute() else str(config.root / program)
    builds = system_info.interpreters([sys.executable, *relative.values()])
    named = {"orchestrator": builds[sys.executable]} if sys.executable in builds else {}
    return named | {rel: builds[path] for rel, path in relative.items() if path in builds}


def collect(config: Config, clients: list[ClientSpec], server: Mapping[str, Any],
            env_policy: EnvPolicy | None = None, manifest: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The results' `environment` record: host, system, toolchains, each client's provenance, git, server.

    manifest: build/manifest.json as the build wrote it (build.clients.read_manifest), or None. It is
    given, not read here, so provenance records what the build left without depending on the build
    package (the build probes toolchains and versions through provenance; tests/test_one_home.py).
    """
    manifest = manifest or {}
    # Inside the image the compilers are gone (only the binaries ship): fall
    # back to the versions the build recorded, marked as such.
    built_with = manifest.get("toolchains", {})
    toolchains = {
        name: status.version or (f"{built_with[name]} (at build time)" if built_with.get(name) else None)
        for name, status in probe_toolchains(config).items()
    }
    toolchains["python_orchestrator"] = sys.version.split()[0]
    return {
        "host": host(),
        "system": system_info.system(),
        "interpreters": _interpreter_builds(config, clients),
        "toolchains": toolchains,
        "clients": {
            client.name: {
                "language": client.language,
                "library": client.library_label,
                "library_version": library_version(config, client)
                or _at_build_time(manifest.get("clients", {}).get(client.name, {}).get("library_version")),
                "concurrency_model": client.concurrency_model,
                # how the report places it (polybench.yaml), so a report needs no config
                "compiled": client.compiled,
                "role": client.role,
                "variant_of": client.variant_of,
                "variant": client.variant,
                "chart": dict(client.chart),
                "setup_in_network": client.setup_in_network,  # why its network phase holds set-up, if it does
                "service": client.service is not None,  # runs talk to a resident process that is never timed
                "build": manifest.get("clients", {}).get(client.name),
                "shares_build_of": shared_builds(config, client),  # it runs with these clients' outputs too
                "interpreter": interpreter(config, client),
                "packages": client_packages(config, client)
                or manifest.get("clients", {}).get(client.name, {}).get("packages"),
            }
            for client in clients
        },
        # The orchestrator's own venv: the server runs in it, the clients do not.
        "python_packages": {
            dist.metadata["Name"].lower(): dist.version for dist in metadata.distributions()
        },
        "report": config.report.to_json(),  # polybench.yaml `report:`: what the prose is about
        "git": git(config.root),
        "container": container(),
        "server": dict(server),
        "process_environment": {
            **(env_policy or EnvPolicy()).record({client.name: config_env(config, client) for client in clients}),
            # A server we started gets the fixed base only; a remote one, whatever its host gave it.
            "server": None if server.get("remote") else server_environment(),
            "toolchains": toolchain_record(),  # what `toolchains` above and the builds ran with
        },
    }
