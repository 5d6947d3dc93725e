"""Build the polybench image (`invoke docker`): the steps that run on the host.

`build_image()` is `docker build -t polybench .` plus provenance (the commit)
and a clean-up of this project's superseded images. With `local_base=True`,
for machines that reach Debian's mirrors and the package registries but no
image registry:

1. `make_local_base()`: debootstrap a minimal Debian trixie and `docker import`
   it as polybench-base:trixie;
2. `vendor_dependencies()`: fetch the hash-checked wheels and the crates on
   the host into docker/deps/, so nothing inside the build needs HTTPS (the
   containers here fail certificate checks against the registries);
3. build the same Dockerfile on that base (`--build-arg BASE_IMAGE=...`).

Every command is an argv list; nothing goes through a shell. docs/docker.md
says what is pinned and how.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from ..errors import PolybenchError
from ..paths import ROOT, git_state
from . import cache as image_cache

DEPS_DIR = ROOT / "docker" / "deps"
WHEELS_DIR = DEPS_DIR / "wheels"
CRATES_DIR = DEPS_DIR / "cargo-vendor"
DEPS_STAMP = DEPS_DIR / ".inputs.sha256"
PYTHON_LOCK = ROOT / "requirements.lock"


def cargo_locks() -> list[Path]:
    """Every Cargo.lock a client's build reads (its `build.inputs` in polybench.yaml): their crates are vendored."""
    from ..config.model import load_config

    config = load_config()
    return sorted({ROOT / path for client in config.clients for path in client.build.inputs
                   if Path(path).name == "Cargo.lock"})



# `name==version` at the start of a line of a requirements file.
REQUIREMENT_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def build_tool_locks() -> list[Path]:
    """Hashed requirement files a client's build installs from that pin more than requirements.lock has.

    Those are the locks of the tools that bundle a client (Nuitka, PyInstaller:
    clients/python/bundlers/*.txt), named in the build commands in polybench.yaml;
    their files are vendored with the others. A client's own requirements file,
    a subset of requirements.lock, is not among them.
    """
    from ..config.model import load_config

    locked = {(name.lower(), version) for name, version in REQUIREMENT_PIN.findall(PYTHON_LOCK.read_text())}
    found = set()
    for client in load_config().clients:
        for arg in {arg for command in client.build.commands for arg in command if arg.endswith(".txt")}:
            path = ROOT / arg
            text = path.read_text() if path.is_file() else ""
            pins = {(name.lower(), version) for name, version in REQUIREMENT_PIN.findall(text)}
            if "--hash=" in text and not pins <= locked:
                found.add(path)
    return sorted(found)


LOCAL_BASE = "polybench-base:trixie"
# Every image the Dockerfile makes carries this label; only those are pruned.
IMAGE_LABEL = "org.polybench.image"
SUITE = "trixie"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
SECURITY_MIRROR = "http://deb.debian.org/debian-security"
# The image's Python: wheels are fetched for it, not for the host's.
IMAGE_PYTHON = "3.13"
WHEEL_PLATFORMS = ("manylinux2014_x86_64", "manylinux_2_17_x86_64", "manylinux_2_28_x86_64")

# The sources debian:trixie-slim ships (plain http: the base has no CA
# certificates; apt checks signatures instead), so a local base resolves the
# same pinned versions as the published one.
DEBIAN_SOURCES = f"""\
Types: deb
URIs: {DEBIAN_MIRROR}
Suites: {SUITE} {SUITE}-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: {SECURITY_MIRROR}
Suites: {SUITE}-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"""
# What makes the published image "slim": no docs, man pages or translations.
SLIM_DPKG_EXCLUDES = """\
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
"""
IMAGE_CONFIG = ('ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'CMD ["bash"]')

Log = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _run(argv: list[str], what: str, *, env: dict[str, str] | None = None, capture: bool = False,
         stdin: IO[bytes] | None = None) -> subprocess.CompletedProcess[str]:
    """Run argv; a missing program or a non-zero exit becomes one PolybenchError line."""
    try:
        done = subprocess.run(argv, env=env, stdin=stdin, text=True, check=False,
                              stdout=subprocess.PIPE if capture else None,
                              stderr=subprocess.PIPE if capture else None)
    except FileNotFoundError:
        raise PolybenchError(f"{what}: {argv[0]} not found") from None
    if done.returncode != 0:
        tail = (done.stderr or "").strip().splitlines()[-1:] if capture else []
        detail = f": {tail[0]}" if tail else " (its output is above)"
        raise PolybenchError(f"{what} failed with exit code {done.returncode}{detail}")
    return done


def docker_env() -> dict[str, str]:
    """The environment for docker commands: the legacy builder where BuildKit is not installed.

    The Dockerfile works with both; Debian's docker.io has no buildx plugin,
    and the CLI refuses a BuildKit build without it.
    """
    env = dict(os.environ)
    if "DOCKER_BUILDKIT" not in env:
        try:
            has_buildx = subprocess.run(["docker", "buildx", "version"], capture_output=True,
                                        check=False).returncode == 0
        except FileNotFoundError:
            has_buildx = False
        env["DOCKER_BUILDKIT"] = "1" if has_buildx else "0"
    return env


def check_docker() -> str:
    """The engine's version, or one line saying why no engine can be reached."""
    where = os.environ.get("DOCKER_HOST", "the default socket")
    try:
        done = subprocess.run(["docker", "info", "--format", "{{.ServerVersion}}"], capture_output=True,
                              text=True, timeout=30, check=False)
    except FileNotFoundError:
        raise PolybenchError("docker not found: install docker.io (as root, docker/start-dockerd.sh "
                             "installs it and starts a private engine)") from None
    except subprocess.TimeoutExpired:
        raise PolybenchError(f"the Docker engine at {where} did not answer within 30 s") from None
    version = done.stdout.strip()
    if done.returncode != 0 or not version:
        reason = (done.stderr.strip().splitlines() or ["no answer"])[-1]
        raise PolybenchError(f"no Docker engine at {where} ({reason}); start one as root with "
                             "docker/start-dockerd.sh and export the DOCKER_HOST it prints")
    return version


def image_exists(reference: str) -> bool:
    done = subprocess.run(["docker", "image", "inspect", "--format", "{{.Id}}", reference],
                          capture_output=True, text=True, check=False)
    return done.returncode == 0


def image_id(reference: str) -> str:
    return _run(["docker", "image", "inspect", "--format", "{{.Id}}", reference],
                f"docker image inspect {reference}", capture=True).stdout.strip()


def default_base_image() -> str:
    """The Dockerfile's pinned base (its `ARG BASE_IMAGE=` default)."""
    match = re.search(r"^ARG BASE_IMAGE=(\S+)", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    if match is None:
        raise PolybenchError("Dockerfile has no `ARG BASE_IMAGE=...` line")
    return match.group(1)


def pull_base(reference: str | None = None) -> str | None:
    """Make sure the pinned base is here, pulling it if needed; None if it is, else why not."""
    reference = reference or default_base_image()
    if image_exists(reference):
        return None
    try:
        done = subprocess.run(["docker", "pull", "--quiet", reference], capture_output=True, text=True,
                              timeout=600, check=False)
    except subprocess.TimeoutExpired:
        return f"docker pull {reference} took over 10 minutes"
    if done.returncode == 0:
        return None
    return (done.stderr.strip().splitlines() or [f"docker pull exited {done.returncode}"])[-1]


def make_local_base(tag: str = LOCAL_BASE, *, rebuild: bool = False, log: Log = _stderr) -> str:
    """debootstrap a minimal trixie and import it as `tag`; reuse an existing one unless rebuild."""
    if not rebuild and image_exists(tag):
        log(f"base image {tag} exists; reusing it")
        return tag
    if shutil.which("debootstrap") is None:
        raise PolybenchError("--local-base needs debootstrap: apt-get install debootstrap "
                             "(docker/start-dockerd.sh installs it)")
    if os.geteuid() != 0:
        raise PolybenchError("--local-base needs root: debootstrap creates device nodes and chroots")
    with tempfile.TemporaryDirectory(prefix="polybench-rootfs-") as scratch:
        rootfs = Path(scratch) / "rootfs"
        log(f"debootstrap --variant=minbase {SUITE} from {DEBIAN_MIRROR} (about a minute)")
        _run(["debootstrap", "--variant=minbase", "--components=main", SUITE, str(rootfs), DEBIAN_MIRROR],
             "debootstrap", capture=True)
        _slim(rootfs)
        log(f"docker import -> {tag}")
        tar = subprocess.Popen(["tar", "--numeric-owner", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        changes = [arg for change in IMAGE_CONFIG for arg in ("--change", change)]
        try:
            _run(["docker", "import", *changes, "--message", f"debootstrap --variant=minbase {SUITE}",
                  "-", tag], "docker import", capture=True, stdin=tar.stdout)
        finally:
            if tar.stdout is not None:
                tar.stdout.close()
            if tar.wait() != 0:
                raise PolybenchError(f"tar of the debootstrapped tree exited {tar.returncode}")
    return tag


def _slim(rootfs: Path) -> None:
    """Make the debootstrapped tree look like debian:trixie-slim: its apt sources, no docs, no caches."""
    (rootfs / "etc/apt/sources.list").unlink(missing_ok=True)
    (rootfs / "etc/apt/sources.list.d").mkdir(parents=True, exist_ok=True)
    (rootfs / "etc/apt/sources.list.d/debian.sources").write_text(DEBIAN_SOURCES)
    (rootfs / "etc/dpkg/dpkg.cfg.d").mkdir(parents=True, exist_ok=True)
    (rootfs / "etc/dpkg/dpkg.cfg.d/docker-slim").write_text(SLIM_DPKG_EXCLUDES)
    for cache in ("var/cache/apt/archives", "var/lib/apt/lists"):
        for entry in (rootfs / cache).glob("*"):
            if entry.is_file():
                entry.unlink()
    for log_file in (rootfs / "var/log").rglob("*"):
        if log_file.is_file():
            log_file.unlink()


def _inputs_digest() -> str:
    digest = hashlib.sha256()
    for path in (PYTHON_LOCK, *build_tool_locks(), *cargo_locks()):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def vendor_dependencies(log: Log = _stderr) -> Path:
    """Fetch the wheels and sdists (hash-checked) and the crates on the host into docker/deps/; skip if current.

    The Python files are those of requirements.lock and of the bundlers' locks
    (build_tool_locks(): Nuitka's sdist, PyInstaller's wheels), for
    the image's Python, in one folder.

    The Dockerfile installs from there when the folders exist, and from the
    registries when they do not.
    """
    digest = _inputs_digest()
    if WHEELS_DIR.is_dir() and CRATES_DIR.is_dir() and DEPS_STAMP.is_file() \
            and DEPS_STAMP.read_text().strip() == digest:
        log(f"vendored dependencies in {DEPS_DIR.relative_to(ROOT)} are current")
        return DEPS_DIR
    locks = cargo_locks()
    if locks and shutil.which("cargo") is None:
        raise PolybenchError("--local-base vendors the Rust crates with the host's cargo: install cargo")
    DEPS_STAMP.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix=".vendor-", dir=DEPS_DIR) as scratch:
        wheels, crates = Path(scratch) / "wheels", Path(scratch) / "cargo-vendor"
        log(f"pip download: wheels for Python {IMAGE_PYTHON} from requirements.lock (hash-checked)")
        platforms = [arg for platform in WHEEL_PLATFORMS for arg in ("--platform", platform)]
        _run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
              "--require-hashes", "--only-binary=:all:", "--python-version", IMAGE_PYTHON,
              "--implementation", "cp", *platforms, "--dest", str(wheels),
              "--requirement", str(ROOT / "requirements.lock")], "pip download", capture=True)
        for lock in build_tool_locks():
            # --no-deps instead of --only-binary: Nuitka is published as an sdist only (pip allows
            # sdists with --platform only then). The locks pin every package, each file is hash-checked.
            log(f"pip download: {lock.relative_to(ROOT)} (hash-checked)")
            _run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                  "--require-hashes", "--no-deps", "--python-version", IMAGE_PYTHON,
                  "--implementation", "cp", *platforms, "--dest", str(wheels),
                  "--requirement", str(lock)], "pip download", capture=True)
        manifests = [str(lock.with_name("Cargo.toml")) for lock in locks]
        if manifests:
            log(f"cargo vendor: the crates in {', '.join(str(lock.relative_to(ROOT)) for lock in locks)}")
            syncs = [arg for manifest in manifests[1:] for arg in ("--sync", manifest)]
            _run(["cargo", "vendor", "--locked", "--versioned-dirs", "--quiet",
                  "--manifest-path", manifests[0], *syncs, str(crates)], "cargo vendor", capture=True)
        else:
            crates.mkdir()
        for target in (WHEELS_DIR, CRATES_DIR):
            shutil.rmtree(target, ignore_errors=True)
        wheels.rename(WHEELS_DIR)
        crates.rename(CRATES_DIR)
    DEPS_STAMP.write_text(digest + "\n")
    return DEPS_DIR


def build_image(local_base: bool = False, tag: str = "polybench", *, log: Log = _stderr) -> str:
    """Build the image and tag it; return its id (pass it to `docker run -e POLYBENCH_IMAGE_ID=...`)."""
    version = check_docker()
    log(f"Docker engine {version} at {os.environ.get('DOCKER_HOST', 'the default socket')}")
    commit, dirty = git_state(ROOT)
    commit, dirty = commit or "", bool(dirty)
    # The commit goes into the image (environment.git reads it there: the image
    # has no .git); uncommitted changes are noted in /etc/polybench-image.
    build_args = {"POLYBENCH_GIT_COMMIT": commit, "POLYBENCH_GIT_DIRTY": "true" if dirty else "false"}
    if local_base:
        build_args["BASE_IMAGE"] = make_local_base(log=log)
        vendor_dependencies(log=log)
    else:
        why = pull_base()
        if why is not None:
            raise PolybenchError(f"cannot pull the base image {default_base_image()} ({why}); "
                                 "where no image registry can be reached, use `invoke docker --local-base`")
    env = docker_env()
    common = ["--force-rm", "--file", str(ROOT / "Dockerfile"),
              *[arg for name, value in build_args.items() for arg in ("--build-arg", f"{name}={value}")]]
    cache = image_cache.host_dir()
    handed_in = image_cache.hand_in(cache)
    if cache is not None:
        log(f"image build cache: {len(handed_in)} bundle(s) from {cache} handed to the build stage")
    log(f"docker build -> {tag} (a cold build takes several minutes: the Rust clients build with LTO)")
    try:
        _run(["docker", "build", "--tag", tag, *common, str(ROOT)], "docker build", env=env)
    finally:
        image_cache.withdraw()
    kept = image_cache.take_back(cache, image_cache.build_stage_image(), log)
    if kept is not None:
        log(f"image build cache: {len(kept)} bundle(s) this build used or stored kept in {cache}")
    prune_superseded(log=log)  # after take_back: it removes the build-stage image
    return image_id(tag)


def prune_superseded(log: Log = _stderr) -> None:
    """Remove this project's untagged images: earlier builds and the build stage.

    The Dockerfile labels every image it makes, so nothing else is touched.
    vfs stores every layer whole (the build stage alone is about 2 GB); the
    build stage is not worth keeping as cache, as it is one step.
    """
    done = _run(["docker", "image", "prune", "--force", "--filter", f"label={IMAGE_LABEL}"],
                "docker image prune", capture=True)
    reclaimed = [line for line in done.stdout.splitlines() if line.startswith("Total reclaimed")]
    if reclaimed:
        log(reclaimed[0])
