"""The image installs what polybench.yaml declares: docker/debian-packages.py, read by the Dockerfile."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from orchestrator.config.model import ROOT, load_config
from orchestrator.errors import ConfigError

SCRIPT = ROOT / "docker" / "debian-packages.py"
DOCKERFILE = (ROOT / "Dockerfile").read_text()
CONFIG = """
toolchains:
  node: {version: [node, --version], fix: "apt-get install nodejs", debian: ["nodejs=20.*", npm]}
  javac: {version: [javac, -version], fix: "apt-get install default-jdk-headless", debian: [default-jdk-headless]}
clients:
  - name: node-fetch
    language: javascript
    build: {requires: [node]}
    run: [node, "{root}/clients/node/client.js"]
  - name: java-httpclient
    language: java
    build: {requires: [javac]}
    run: ["{root}/build/bin/java-httpclient"]
    debian: [default-jre-headless]
  - name: curl-jq
    language: shell
    output: bodies
    debian: [jq]
    scenario_argv: {single: [curl, "{url}/api"]}
profiles:
  p: {scenarios: {single: {}}}
"""


def run(stage: str, config: Path) -> list[str]:
    done = subprocess.run([sys.executable, str(SCRIPT), stage, str(config)], capture_output=True, text=True,
                          check=True)
    return done.stdout.splitlines()


def test_build_stage_gets_every_toolchain_and_client_package(tmp_path):
    config = tmp_path / "polybench.yaml"
    config.write_text(CONFIG)
    load_config(config)  # the example is a valid config
    assert run("build", config) == ["default-jre-headless", "jq", "nodejs=20.*", "npm", "default-jdk-headless"]


def test_final_stage_gets_what_the_clients_run_with_not_the_compilers(tmp_path):
    config = tmp_path / "polybench.yaml"
    config.write_text(CONFIG)
    assert run("final", config) == ["default-jre-headless", "jq", "nodejs=20.*", "npm"]


def test_the_repository_config_prints_and_the_dockerfile_uses_it():
    run("build", ROOT / "polybench.yaml")
    run("final", ROOT / "polybench.yaml")
    assert "debian-packages.py build" in DOCKERFILE and "debian-packages.py final" in DOCKERFILE
    assert "$(cat /etc/polybench-debian-packages.final)" in DOCKERFILE


@pytest.mark.parametrize("spec", ["curl=8.14.1-2", "libc6=2.41-12+deb13u4", "golang-go=2:1.24~2", "jq=1.7"])
def test_the_config_refuses_an_exact_debian_revision(tmp_path, spec):
    config = tmp_path / "polybench.yaml"
    config.write_text(CONFIG.replace("debian: [jq]", f'debian: ["{spec}"]'))
    with pytest.raises(ConfigError, match="never an exact Debian revision"):
        load_config(config)


def test_a_bad_config_is_one_error_line_not_a_package_list(tmp_path):
    config = tmp_path / "polybench.yaml"
    config.write_text(CONFIG.replace("debian: [jq]", 'debian: ["jq; rm -rf /"]'))
    done = subprocess.run([sys.executable, str(SCRIPT), "build", str(config)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("polybench: error: ") and done.stderr.count("\n") == 1
