"""The image manifest: the exact version of everything the image was built from and holds.

    python docker/manifest.py build OUT PINS WHEELS CARGO_LOCK   (build stage, docker/build-stage.sh)
    python docker/manifest.py final PINS                         (final stage, the Dockerfile)

The Dockerfile pins toolchains by upstream version (Python 3.13.*, ...), so
the exact Debian revisions are whatever the mirror served that day; this file
records them. `build` writes OUT (the final image's /etc/polybench-manifest.json)
with the build stage's Debian packages, the wheels every venv was installed
from and the crates in Cargo.lock; `final` adds the final image's own Debian
packages. Every results file written in the image copies it
(environment.container.manifest). Standard library only; Python 3.11+.

Shape (JSON):
    schema            "polybench/image-manifest/v1"
    base_image        the BASE_IMAGE build argument
    debian_snapshot   the DEBIAN_SNAPSHOT build argument (strict mode) or null
    built             UTC time of the build stage, ISO 8601
    pinned            {"build"|"final": {package: {"wanted": glob or null, "installed": version}}}
    debian_packages   {package: version}, every package installed in the final image
    build_debian_packages  {package: version}, the same for the build stage (compilers included)
    wheels            [{"name", "version", "sha256", "file"}], sorted by name
    crates            [{"name", "version", "checksum"}] from Cargo.lock, registry crates only
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
import tomllib
from pathlib import Path

SCHEMA = "polybench/image-manifest/v1"
IMAGE_MANIFEST = Path("/etc/polybench-manifest.json")


def debian_packages() -> dict[str, str]:
    """package -> version of every installed Debian package (dpkg's database)."""
    listing = subprocess.run(["dpkg-query", "-W", "-f", "${db:Status-Status} ${Package} ${Version}\n"],
                             capture_output=True, text=True, check=True).stdout
    rows = (line.split() for line in listing.splitlines())
    return dict(sorted((row[1], row[2]) for row in rows if len(row) == 3 and row[0] == "installed"))


def read_pins(path: Path) -> dict[str, dict[str, str | None]]:
    """docker/apt-install.sh's record (`package<TAB>wanted<TAB>installed` lines) as a mapping."""
    pins: dict[str, dict[str, str | None]] = {}
    for line in path.read_text().splitlines():
        package, wanted, installed = line.split("\t")
        pins[package] = {"wanted": wanted or None, "installed": installed}
    return pins


def normalise(name: str) -> str:
    """PEP 503 name normalisation."""
    return re.sub(r"[-_.]+", "-", name).lower()


def wheels(folder: Path) -> list[dict[str, str]]:
    """Every wheel in the folder, and every sdist (Nuitka's: it publishes no wheel): name and version
    from its file name (PEP 427 / PEP 625), its sha256."""
    found = []
    for path in sorted([*folder.glob("*.whl"), *folder.glob("*.tar.gz")]):
        if path.name.endswith(".whl"):
            name, version = path.name.split("-")[:2]
        else:
            name, version = path.name.removesuffix(".tar.gz").rsplit("-", 1)
        found.append({"name": normalise(name), "version": version,
                      "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "file": path.name})
    return sorted(found, key=lambda wheel: (wheel["name"], wheel["version"]))


def crates(cargo_lock: Path) -> list[dict[str, str]]:
    """The registry crates in a Cargo.lock (the workspace's own packages have no source)."""
    packages = tomllib.loads(cargo_lock.read_text()).get("package", [])
    return [{"name": p["name"], "version": p["version"], "checksum": p.get("checksum", "")}
            for p in packages if "source" in p]


def build(out: Path, pins: Path, wheel_folder: Path, cargo_lock: Path) -> dict[str, object]:
    manifest = {
        "schema": SCHEMA,
        "base_image": os.environ.get("BASE_IMAGE") or None,
        "debian_snapshot": os.environ.get("DEBIAN_SNAPSHOT") or None,
        "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "pinned": {"build": read_pins(pins)},
        "debian_packages": {},
        "build_debian_packages": debian_packages(),
        "wheels": wheels(wheel_folder),
        "crates": crates(cargo_lock),
    }
    if not manifest["wheels"]:
        sys.exit(f"manifest: no wheels in {wheel_folder}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return manifest


def final(pins: Path, path: Path = IMAGE_MANIFEST) -> dict[str, object]:
    manifest = json.loads(path.read_text())
    manifest["pinned"]["final"] = read_pins(pins)
    manifest["debian_packages"] = debian_packages()
    path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    path.chmod(0o644)
    return manifest


def main(argv: list[str]) -> None:
    if argv[:1] == ["build"] and len(argv) == 5:
        made = build(Path(argv[1]), Path(argv[2]), Path(argv[3]), Path(argv[4]))
        print(f"manifest: {len(made['build_debian_packages'])} Debian packages (build stage), "
              f"{len(made['wheels'])} wheels, {len(made['crates'])} crates")
    elif argv[:1] == ["final"] and len(argv) == 2:
        made = final(Path(argv[1]))
        print(f"manifest: {len(made['debian_packages'])} Debian packages in the image")
    else:
        sys.exit(__doc__.split("\n\n")[1])


if __name__ == "__main__":
    main(sys.argv[1:])
