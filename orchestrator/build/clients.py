"""Build every client (release mode), skip what is up to date, record the result.

A client whose toolchain is missing is skipped with the config's how-to-fix
line; the others still build. A build is up to date when a stamp for the
digest of its inputs (recipe, input files, the versions of the toolchains it
requires) exists and its outputs are there. A client marked `optional` (the
Nuitka and PyInstaller bundles: minutes of C compilation on 2 cores) is
skipped with one line when its build fails, or on request (`skip_optional`),
and never fails `build`. A `relocatable` build's outputs are also kept in a
cache shared by the clones on this machine (cache.py). A long build prints its elapsed time and estimate
every PROGRESS_EVERY_S seconds. The outcome of every build, the toolchain
versions, its build time and artifact sizes go to build/manifest.json, which
`run` reads into each results file.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from ..atomic import write_json_atomic
from ..config.model import BuildSpec, ClientSpec, Config, debian_name, expand, shared_builds
from ..errors import ConfigError
from ..paths import BUILD_DIR, inside_root
from ..provenance.process_env import toolchain_environment
from ..provenance.toolchains import debian_installed, install_debian, placeholders, probe_toolchains, why_no_install
from ..provenance.versions import client_packages, library_version
from ..units import utc_now
from . import cache as build_cache

MANIFEST = "manifest.json"
LOG_TAIL_LINES = 15
PROGRESS_EVERY_S = 30.0


@dataclass
class BuildOutcome:
    client: str
    status: str  # built | up-to-date | skipped | failed
    message: str = ""
    seconds: float = 0.0  # how long the build took (for an up-to-date one: when it was built)
    outputs: dict[str, int] = field(default_factory=dict)  # path -> size in bytes (a folder: its files' total)
    library_version: str | None = None
    packages: dict[str, str] | None = None  # the entry's `packages:` command, e.g. a Python client's venv
    optional: bool = False  # the entry's `build.optional`: its absence need not stop anything downstream

    @property
    def usable(self) -> bool:
        return self.status in ("built", "up-to-date")


def _say(line: str) -> None:
    """The default log: a line on stdout, flushed (progress must show in a CI log, not when the build ends)."""
    print(line, flush=True)


def _input_digest(config: Config, spec: BuildSpec, toolchain_versions: dict[str, str | None]) -> str:
    """A digest of the build recipe, the required toolchains' versions and the content of every input file.

    Content, not mtimes: a fresh clone has new mtimes but needs no rebuild
    if the stamp matches, and an edit that keeps the mtime still rebuilds.
    Outputs are not part of it: two clients whose recipes are the same (one
    Nuitka run makes both the standalone folder and the onefile binary)
    share one build and one stamp. Raises ConfigError for a pattern that
    matches a file through a symbolic link leading outside the repository
    (the config check sees only the pattern's fixed folders).
    """
    versions = [(tool, toolchain_versions.get(tool)) for tool in spec.requires]
    digest = hashlib.sha256(repr((spec.commands, spec.cwd, sorted(spec.env.items()), versions)).encode())
    for pattern in spec.inputs:
        for path in sorted(config.root.glob(pattern)):
            if not inside_root(path.relative_to(config.root), config.root):
                raise ConfigError(f"build inputs: {pattern!r} matches "
                                  f"{str(path.relative_to(config.root))!r}, which leads outside the repository "
                                  "(through a symbolic link)")
            if path.is_file() and "target" not in path.relative_to(config.root).parts:
                digest.update(str(path.relative_to(config.root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _untouched_since(config: Config, outputs: tuple[str, ...], when_ns: int) -> bool:
    """True when no file of these outputs (a folder's files included) was modified after when_ns (epoch ns)."""
    for relative in outputs:
        path = config.root / relative
        files = [p for p in path.rglob("*") if not p.is_dir()] if path.is_dir() else [path]
        if any(file.lstat().st_mtime_ns > when_ns for file in files):
            return False
    return True


def _stamp_path(config: Config, digest: str) -> Path:
    return config.root / BUILD_DIR / "stamps" / f"{digest[:32]}.ok"


def is_current(config: Config, client: ClientSpec, manifest: dict[str, Any]) -> bool:
    """Whether the client's build still matches its recipe and input files as they are now.

    The toolchain versions are the ones the build recorded (build/manifest.json), not
    probed again: the Docker image runs its clients without the compilers that built them.
    An edited source after `invoke build` makes this False (its program would run old code).
    """
    if not client.build.commands and not client.build.inputs:
        return True  # nothing built, nothing to go stale (curl: a toolchain check only)
    versions = dict(manifest.get("toolchains") or {})
    return _stamp_path(config, _input_digest(config, client.build, versions)).exists()


def why_unusable(config: Config, client: ClientSpec, manifest: dict[str, Any]) -> str | None:
    """Why a client cannot run now, or None if it can: not built, its build failed or was skipped, an output is
    missing, or it is out of date (is_current); or a client whose build it runs with (shared_builds, e.g. the
    venv a variant's interpreter comes from) cannot run for one of these reasons. One line each, ending in
    what to do."""
    own = _why_own_build_unusable(config, client, manifest)
    if own is not None:
        return own
    for other in shared_builds(config, client):
        reason = _why_own_build_unusable(config, config.client(other), manifest)
        if reason is not None:
            return f"runs with {other}'s build, which cannot run: {reason}"
    return None


def _why_own_build_unusable(config: Config, client: ClientSpec, manifest: dict[str, Any]) -> str | None:
    built = manifest.get("clients", {}).get(client.name)
    if built is None:
        return "not built: run `invoke build` first"
    if built["status"] not in ("built", "up-to-date"):
        return f"build {built['status']}: {built['message'].splitlines()[0] if built['message'] else ''}"
    for output in client.build.outputs:
        if not (config.root / output).exists():  # a file, or a folder (a bundle's)
            return f"build output missing ({output}): run `invoke build`"
    if not is_current(config, client, manifest):
        return "out of date (its sources or build recipe changed since it was built): run `invoke build`"
    return None


def _size(path: Path) -> int | None:
    """A file's size in bytes, a folder's files' total (links not followed), None if absent or empty."""
    if path.is_file():
        return path.stat().st_size
    if not path.is_dir():
        return None
    total = sum(item.lstat().st_size for item in path.rglob("*") if item.is_file() and not item.is_symlink())
    return total or None


def _outputs(config: Config, spec: BuildSpec) -> dict[str, int] | None:
    sizes = {}
    for output in spec.outputs:
        size = _size(config.root / output)
        if size is None:
            return None
        sizes[output] = size
    return sizes


def _stamp_outputs(stamp: Path) -> set[str]:
    """The outputs a stamp records (a shared recipe's stamp lists every client's)."""
    try:
        return set(json.loads(stamp.read_text()).get("outputs", []))
    except (OSError, ValueError, TypeError, AttributeError):
        return set()


def _stamp_seconds(stamp: Path) -> float:
    try:
        return float(json.loads(stamp.read_text()).get("seconds", 0.0))
    except (OSError, ValueError, TypeError, AttributeError):
        return 0.0


def _forget_stamps_of(config: Config, spec: BuildSpec) -> None:
    """Remove the stamps of earlier builds that wrote any of these outputs: once a rebuild starts, the
    outputs no longer match them (a failed rebuild must not make going back to old inputs look up to date)."""
    for stamp in (config.root / BUILD_DIR / "stamps").glob("*.ok"):
        if _stamp_outputs(stamp) & set(spec.outputs):
            stamp.unlink(missing_ok=True)


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def _run_command(argv: list[str], *, cwd: Path, env: dict[str, str], log_file: IO[str], name: str,
                 started: float, estimate_s: float | None, log: Callable[[str], None]) -> int:
    """Run one build command, its output to the log; a progress line every PROGRESS_EVERY_S seconds.

    The command runs in a session of its own, and its whole process group is
    killed if this one is interrupted (Nuitka's scons starts gcc processes).
    Raises OSError if it cannot start.
    """
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        while True:
            try:
                return process.wait(timeout=PROGRESS_EVERY_S)
            except subprocess.TimeoutExpired:
                elapsed = time.perf_counter() - started
                estimate = f" of about {_clock(estimate_s)}" if estimate_s else ""
                log(f"  {name}: {_clock(elapsed)} elapsed{estimate} (log: {log_file.name})")
    finally:
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()


def build_client(config: Config, client: ClientSpec, present: set[str], *, force: bool = False,
                 log: Callable[[str], None] = _say, absent_debian: frozenset[str] = frozenset(),
                 toolchain_versions: dict[str, str | None] | None = None,
                 previous_seconds: float | None = None, skip_optional: bool = False) -> BuildOutcome:
    """Build one client unless it is up to date; never raises for a failed build (the outcome says so).

    previous_seconds: the last recorded build time of this client here: the
    progress line's estimate (else the config's `build.expected_s`). absent_debian:
    the config's Debian packages not installed here (a client needing one is skipped).
    """
    spec = client.build
    missing = [tool for tool in spec.requires if tool not in present]
    if missing:
        fix = config.toolchains[missing[0]].fix
        return BuildOutcome(client.name, "skipped", f"{missing[0]} not found: {fix}")
    lacking = [debian_name(package) for package in client.debian if package in absent_debian]
    if lacking:
        return BuildOutcome(client.name, "skipped", f"Debian package {', '.join(lacking)} not installed: "
                                                    f"apt-get install {' '.join(lacking)} (or `invoke build` as root)")
    digest = _input_digest(config, spec, toolchain_versions or {})
    stamp = _stamp_path(config, digest)
    outputs = _outputs(config, spec)
    if not force and stamp.exists() and outputs is not None:
        stamped_ns = stamp.stat().st_mtime_ns  # when the build (or restore) that made the outputs ended
        if not set(spec.outputs) <= _stamp_outputs(stamp):  # a shared recipe's stamp lists every client's outputs
            _write_stamp(stamp, client, spec, _stamp_seconds(stamp))
        # a recipe shared by two clients: the second one's output joins the cache here, but only as that build
        # left it: a file written since (a hand-run `cargo build` of edited sources) is never spread to other clones
        if spec.relocatable and _untouched_since(config, spec.outputs, stamped_ns):
            build_cache.store(config.root, digest, spec.outputs, _stamp_seconds(stamp))
        return BuildOutcome(client.name, "up-to-date", seconds=_stamp_seconds(stamp), outputs=outputs)
    cached_seconds = None
    if spec.relocatable and not force:
        cached_seconds = build_cache.restore(config.root, digest, spec.outputs)
    if cached_seconds is not None:
        _write_stamp(stamp, client, spec, cached_seconds)
        return BuildOutcome(client.name, "up-to-date", "restored from the build cache", cached_seconds,
                            outputs=_outputs(config, spec) or {})
    if spec.optional and skip_optional:
        return BuildOutcome(client.name, "skipped", "optional build skipped (--skip-optional)")
    values = placeholders(config)
    cwd = config.root / spec.cwd
    env = {**toolchain_environment(), **spec.env}  # what the version probes saw (process_env.py)
    log_path = config.root / BUILD_DIR / "logs" / f"{client.name}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    for output in spec.outputs:  # a compiler does not make the folder it writes into (a fresh clone has none)
        (config.root / output).parent.mkdir(parents=True, exist_ok=True)
    _forget_stamps_of(config, spec)
    stamp.unlink(missing_ok=True)  # valid again only once this build succeeds
    estimate_s = previous_seconds or spec.expected_s  # this machine's last build, else the config's guess
    started = time.perf_counter()
    with log_path.open("w") as log_file:
        for command in spec.commands:
            argv = expand(command, values)
            log(f"  {client.name}: {' '.join(argv)}")
            log_file.write(f"$ {argv}\n")
            log_file.flush()
            try:
                returncode = _run_command(argv, cwd=cwd, env=env, log_file=log_file, name=client.name,
                                          started=started, estimate_s=estimate_s, log=log)
            except OSError as exc:
                return _failed(client, f"cannot run {argv[0]}: {exc.strerror}", time.perf_counter() - started)
            if returncode != 0:
                log_file.flush()
                tail = log_path.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]
                first = f"`{' '.join(argv)}` exited {returncode}; log: {log_path}"
                return _failed(client, first, time.perf_counter() - started, tail)
    seconds = time.perf_counter() - started
    outputs = _outputs(config, spec)
    if outputs is None:
        return _failed(client, f"build finished but an output is missing: {spec.outputs}", seconds)
    _write_stamp(stamp, client, spec, seconds)
    if spec.relocatable:
        build_cache.store(config.root, digest, spec.outputs, seconds)
    return BuildOutcome(client.name, "built", seconds=seconds, outputs=outputs)


def _write_stamp(stamp: Path, client: ClientSpec, spec: BuildSpec, seconds: float) -> None:
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps({"client": client.name, "built_at": time.time(), "seconds": seconds,
                                 "outputs": sorted(set(spec.outputs) | _stamp_outputs(stamp))}))


def _failed(client: ClientSpec, first: str, seconds: float, tail: list[str] | None = None) -> BuildOutcome:
    """A failed build: an optional client is skipped with that one line, any other fails with the log's tail."""
    if client.build.optional:
        return BuildOutcome(client.name, "skipped", f"optional build failed: {first}", seconds)
    return BuildOutcome(client.name, "failed", "\n".join([first, *(tail or [])]), seconds)


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
              log: Callable[[str], None] = _say, install: bool = True,
              skip_optional: bool = False) -> dict[str, Any]:
    """Build the given clients (all by default) and write build/manifest.json.

    install: first apt-get install the Debian packages the config declares for what is missing
    (as root, where apt-get exists; one line per package); a client still lacking one is skipped.
    skip_optional: do not build an out-of-date client whose build is `optional` (an up-to-date
    one is still used).
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
    versions = {name: status.version for name, status in toolchains.items()}
    previous = read_manifest(config)
    outcomes: list[BuildOutcome] = []
    for client in chosen:
        before = ((previous or {}).get("clients", {}).get(client.name) or {}).get("seconds") or None
        outcome = build_client(config, client, present, force=force, log=log, absent_debian=absent,
                               toolchain_versions=versions, previous_seconds=before, skip_optional=skip_optional)
        outcome.optional = client.build.optional
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
    manifest: dict[str, Any] = {
        "built_at": utc_now(),
        "toolchains": {name: status.version for name, status in toolchains.items()},
        "clients": {o.client: asdict(o) for o in outcomes},
    }
    if previous and clients is not None:
        # A partial build keeps what the manifest said of the other clients.
        merged = dict(previous.get("clients", {}))
        merged.update(manifest["clients"])
        manifest["clients"] = merged
    write_json_atomic(config.root / BUILD_DIR / MANIFEST, manifest)
    return manifest


def read_manifest(config: Config) -> dict[str, Any] | None:
    """build/manifest.json (what build_all wrote), or None if it is missing, unreadable or not an object."""
    path = config.root / BUILD_DIR / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None
