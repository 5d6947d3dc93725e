"""Print the Debian packages polybench.yaml declares, one per line, for docker/apt-install.sh.

    python3 docker/debian-packages.py build [CONFIG]   every toolchain's and client's `debian:`
    python3 docker/debian-packages.py final [CONFIG]   what the clients need to run: each client's own
                                                       `debian:`, and a toolchain's where a client's argv
                                                       starts with that toolchain's command (node, java, curl)

Each is `name` or `name=UPSTREAM*` as the config gives it (apt-install.sh takes the mirror's current
Debian revision of that upstream version; the config refuses an exact revision). So a new client's
toolchain is in the image with no Dockerfile edit: declare its packages in the config (README, "Adding
a client"). The config is read and validated by orchestrator.config.model, which needs only PyYAML (Debian's
python3-yaml in the build stage, before any venv exists); a bad config is one `polybench: error:` line.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from orchestrator.config.model import Config, load_config  # noqa: E402
from orchestrator.errors import PolybenchError  # noqa: E402

STAGES = ("build", "final")


def packages(config: Config, stage: str) -> list[str]:
    found = [package for client in config.clients for package in client.debian]
    if stage == "build":
        found += [package for toolchain in config.toolchains.values() for package in toolchain.debian]
    else:
        argvs = [client.run for client in config.clients if client.run]
        argvs += [argv for client in config.clients for argv in client.scenario_argv.values()]
        commands = {argv[0] for argv in argvs}
        found += [package for toolchain in config.toolchains.values() if toolchain.version_argv[0] in commands
                  for package in toolchain.debian]
    return list(dict.fromkeys(found))  # first mention wins, order kept


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in STAGES or len(argv) > 2:
        print("usage: debian-packages.py build|final [CONFIG]", file=sys.stderr)
        return 2
    try:
        config = load_config(argv[1] if len(argv) == 2 else None)
    except PolybenchError as error:
        print(f"polybench: error: {error}", file=sys.stderr)
        return 1
    for package in packages(config, argv[0]):
        print(package)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
