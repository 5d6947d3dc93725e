"""Build every client (release mode), skip what is up to date, record the result.

A client whose toolchain is missing is skipped with the config's how-to-fix
line; the others still build. The outcome of every build, the toolchain
versions and the binary sizes go to build/manifest.json, which `run` reads
into each results file.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .atomic import write_json_atomic
from .config import BuildSpec, ClientSpec, Config, debian_name, expand
from .paths import BUILD_DIR
from .toolchains import debian_installed, install_debian, placeholders, probe_toolchains, why_no_install
from .versions import client_packages, library_version

MANIFEST = "manifest.json"
LOG_TAIL_LINES = 15


@dataclass
class BuildOutcome:
    client: str
    status: str  # built | up-to-date | skipped | failed
    message: str = ""
    seconds: float = 0.0
    outputs: dict[str, int] = field(default_factory=dict)  # path -> size in bytes
    library_version: str | None = None
    packages: dict[str, str] | None = None  # the entry's `packages:` command, e.g. a Python client's venv

    @property
    def usable(self) -> bool:
        return self.status in ("built", "up-to-date")


def _input_digest(config: Config, spec: BuildSpec) -> str:
    """A digest of the build recipe and the content of every input file.

    Content, not mtimes: a fresh clone has new mtimes but needs no rebuild
    if the stamp matches, and an edit that keeps the mtime still rebuilds.
    """
    digest = hashlib.sha256(repr((spec.commands, spec.cwd, sorted(spec.env.items()))).encode())
    for pattern in spec.inputs:
        for path in sorted(config.root.glob(pattern)):
            if path.is_file() and "target" not in path.relative_to(config.root).parts:
                digest.update(str(path.relative_to(config.root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _stamp_path(config: Config, digest: str) -> Path:
    return config.root / BUILD_DIR / "stamps" / f"{digest[:32]}.ok"


def _outputs(config: Config, spec: BuildSpec) -> dict[str, int] | None:
    sizes = {}
    for output in spec.outputs:
        path = config.root / output
        if not path.is_file():
            return None
        sizes[output] = path.stat().st_size
    return sizes


def build_client(config: Config, client: ClientSpec, present: set[str], *, force: bool = False,
                 log: Callable[[str], None] = print, absent_debian: frozenset[str] = frozenset()) -> BuildOutcome:
    spec = client.build
    missing = [tool for tool in spec.requires if tool not in present]
    if missing:
        fix = config.toolchains[missing[0]].fix
        return BuildOutcome(client.name, "skipped", f"{missing[0]} not found: {fix}")
    lacking = [debian_name(package) for package in client.debian if package in absent_debian]
    if lacking:
        return BuildOutcome(client.name, "skipped", f"Debian package {', '.join(lacking)} not installed: "
                                                    f"apt-get install {' '.join(lacking)} (or `invoke build` as root)")
    digest = _input_digest(config, spec)
    stamp = _stamp_path(config, digest)
    outputs = _outputs(config, spec)
    if not force and stamp.exists() and outputs is not None:
        return BuildOutcome(client.name, "up-to-date", outputs=outputs)
    values = placeholders(config)
    cwd = config.root / spec.cwd
    env = {**os.environ, **spec.env}
    log_path = config.root / BUILD_DIR / "logs" / f"{client.name}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with log_path.open("w") as log_file:
        for command in spec.commands:
            argv = expand(command, values)
            log(f"  {client.name}: {' '.join(argv)}")
            log_file.write(f"$ {argv}\n")
            log_file.flush()
            try:
                done = subprocess.run(argv, cwd=cwd, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                                      check=False)
            except OSError as exc:
                return BuildOutcome(client.name, "failed", f"cannot run {argv[0]}: {exc.strerror}")
            if done.returncode != 0:
                log_file.flush()
                tail = log_path.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]
                message = f"`{' '.join(argv)}` exited {done.returncode}; log: {log_path}\n" + "\n".join(tail)
                return BuildOutcome(client.name, "failed", message, time.perf_counter() - started)
    outputs = _outputs(config, spec)
    if outputs is None:
        return BuildOutcome(client.name, "failed", f"build finished but an output is missing: {spec.outputs}")
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps({"client": client.name, "built_at": time.time()}))
    return BuildOutcome(client.name, "built", seconds=time.perf_counter() - started, outputs=outputs)


def missing_debian(config: Config, clients: Iterable[ClientSpec], present: set[str]) -> dict[str, list[str]]:
    """Debian package -> the clients that need it and lack it: the `debian:` of each missing toolchain
    they require, and their own `debian:` packages that dpkg says are not installed."""
    needed: dict[str, list[str]] = {}
    for client in clients:
        wanted = [debian_name(p) for tool in client.build.requires if tool not in present
                  for p in config.toolchains[tool].debian]
        wanted += [debian_name(p) for p in client.debian if debian_installed(debian_name(p)) is False]
        for package in wanted:
            needed.setdefault(package, []).append(client.name)
    return needed


def build_all(config: Config, clients: Iterable[ClientSpec] | None = None, *, force: bool = False,
              log: Callable[[str], None] = print, install: bool = True) -> dict:
    """Build the given clients (all by default) and write build/manifest.json.

    install: first apt-get install the Debian packages the config declares for what is missing
    (as root, where apt-get exists; one line per package); a client still lacking one is skipped.
    """
    chosen = list(clients if clients is not None else config.clients)
    toolchains = probe_toolchains(config)
    present = {name for name, status in toolchains.items() if status.present}
    needed = missing_debian(config, chosen, present)
    if needed and install:
        why_not = why_no_install()
        if why_not is None:
            for error in install_debian(sorted(needed), needed, log).values():
                if error:
                    log(f"  {error}")
            toolchains = probe_toolchains(config)
            present = {name for name, status in toolchains.items() if status.present}
        else:
            log(f"not installing the Debian packages {' '.join(sorted(needed))}: {why_not}")
    absent = frozenset(p for c in chosen for p in c.debian if debian_installed(debian_name(p)) is False)
    outcomes: list[BuildOutcome] = []
    for client in chosen:
        outcome = build_client(config, client, present, force=force, log=log, absent_debian=absent)
        if outcome.usable:
            outcome.library_version = library_version(config, client)
            outcome.packages = client_packages(config, client)
        outcomes.append(outcome)
        detail = f" in {outcome.seconds:.1f} s" if outcome.status == "built" else ""
        sizes = ", ".join(f"{Path(p).name} {s / 1e6:.1f} MB" for p, s in outcome.outputs.items() if s > 100_000)
        first = outcome.message.splitlines()[0] if outcome.message else ""
        log(f"{client.name:24} {outcome.status}{detail}{'  ' + sizes if sizes else ''}"
            f"{'  ' + first if first else ''}")
        for line in outcome.message.splitlines()[1:]:
            log(f"    {line}")
    manifest = {
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "toolchains": {name: status.version for name, status in toolchains.items()},
        "clients": {o.client: asdict(o) for o in outcomes},
    }
    previous = read_manifest(config)
    if previous and clients is not None:
        # A partial build keeps what the manifest said of the other clients.
        merged = dict(previous.get("clients", {}))
        merged.update(manifest["clients"])
        manifest["clients"] = merged
    write_json_atomic(config.root / BUILD_DIR / MANIFEST, manifest)
    return manifest


def read_manifest(config: Config) -> dict | None:
    path = config.root / BUILD_DIR / MANIFEST
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None
