"""Print the Debian packages polybench.yaml declares, one per line, for docker/apt-install.sh.

    python3 docker/debian-packages.py build [CONFIG]   every toolchain's and client's `debian:`
    python3 docker/debian-packages.py final [CONFIG]   what the clients need to run: each client's own
                                                       `debian:`, and a toolchain's where a client's argv
                                                       starts with that toolchain's command (node, java, curl)

Each is `name` or `name=UPSTREAM*` as the config gives it (apt-install.sh takes the mirror's current
Debian revision of that upstream version; never an exact revision). So a new client's toolchain is in
the image with no Dockerfile edit: declare its packages in the config (README, "Adding a client").
Reads the YAML with PyYAML only (Debian's python3-yaml in the build stage, before any venv exists).
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

STAGES = ("build", "final")


def packages(config: dict, stage: str) -> list[str]:
    toolchains = config.get("toolchains") or {}
    clients = config.get("clients") or []
    found: list[str] = []
    for client in clients:
        found += client.get("debian") or []
    if stage == "build":
        for toolchain in toolchains.values():
            found += toolchain.get("debian") or []
    else:
        commands = set()
        for client in clients:
            argvs = [client.get("run") or []] + list((client.get("scenario_argv") or {}).values())
            commands |= {str(argv[0]) for argv in argvs if argv}
        for toolchain in toolchains.values():
            version = toolchain.get("version") or []
            if version and str(version[0]) in commands:
                found += toolchain.get("debian") or []
    return list(dict.fromkeys(found))  # first mention wins, order kept


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in STAGES or len(argv) > 2:
        print("usage: debian-packages.py build|final [CONFIG]", file=sys.stderr)
        return 2
    path = Path(argv[1]) if len(argv) == 2 else Path(__file__).resolve().parents[1] / "polybench.yaml"
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        print(f"polybench: error: {path}: {exc}", file=sys.stderr)
        return 1
    for package in packages(config if isinstance(config, dict) else {}, argv[0]):
        print(package)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
