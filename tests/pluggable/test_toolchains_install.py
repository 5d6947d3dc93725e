"""`build` on a machine without a client's toolchain or Debian package: install it (root + apt-get)
or skip the client with one line naming the fix; the report lists the clients not run."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from orchestrator.build import clients as build_module
from orchestrator.build.clients import build_all
from orchestrator.config.model import load_config
from orchestrator.provenance import toolchains
from orchestrator.report.data import Source
from orchestrator.report.sections.provenance import not_run_clients

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
from synthetic import results_of  # noqa: E402

CONFIG = """
toolchains:
  polybench-absent-tool:
    version: [polybench-absent-tool, --version]
    fix: "install polybench-absent-tool (apt-get install polybench-absent-pkg)"
    debian: [polybench-absent-pkg]
clients:
  - name: needs-tool
    language: toy
    build: {requires: [polybench-absent-tool]}
    run: [polybench-absent-tool]
  - name: needs-package
    language: toy
    debian: [polybench-absent-lib-dev]
    run: ["true"]
profiles:
  p: {scenarios: {single: {}}}
"""


@pytest.fixture
def config(tmp_path, monkeypatch):
    path = tmp_path / "polybench.yaml"
    path.write_text(CONFIG)
    monkeypatch.setattr(build_module, "BUILD_DIR", str(tmp_path / "build"))  # never the repository's build/
    return load_config(path)


@pytest.fixture
def fake_apt(tmp_path, monkeypatch):
    """An apt-get on PATH that records its arguments and installs nothing."""
    bin_dir, calls = tmp_path / "bin", tmp_path / "apt-calls"
    bin_dir.mkdir()
    script = bin_dir / "apt-get"
    script.write_text(f'#!/bin/sh\necho "$@" >> {calls}\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return calls


def _manifest(config, **kwargs):
    lines: list[str] = []
    manifest = build_all(config, log=lines.append, **kwargs)
    return manifest["clients"], lines


def test_without_root_or_apt_each_client_is_skipped_with_its_fix(config, monkeypatch, fake_apt):
    monkeypatch.setattr(build_module, "why_no_install", lambda: "not running as root")
    outcomes, lines = _manifest(config)
    assert outcomes["needs-tool"]["status"] == "skipped"
    assert "apt-get install polybench-absent-pkg" in outcomes["needs-tool"]["message"]
    if toolchains.debian_installed("polybench-absent-lib-dev") is False:  # dpkg says so (a Debian machine)
        assert outcomes["needs-package"]["status"] == "skipped"
        assert "apt-get install polybench-absent-lib-dev" in outcomes["needs-package"]["message"]
    assert any(line.startswith("not installing the Debian packages") and "not running as root" in line
               for line in lines)
    assert not fake_apt.exists(), "apt-get ran although it may not"


def test_as_root_with_apt_the_declared_packages_are_installed_one_line_each(config, monkeypatch, fake_apt):
    monkeypatch.setattr(build_module, "why_no_install", lambda: None)
    outcomes, lines = _manifest(config)
    installed = [line for line in lines if line.startswith("installing Debian package")]
    assert "installing Debian package polybench-absent-pkg (for needs-tool)" in installed
    calls = fake_apt.read_text().splitlines()
    assert any(call.endswith(" polybench-absent-pkg") and call.startswith("install -y") for call in calls)
    assert not any("=" in call for call in calls), "never an exact Debian revision"
    # the fake installed nothing: the client is still skipped, with the fix
    assert outcomes["needs-tool"]["status"] == "skipped"


def test_no_install_never_calls_apt(config, monkeypatch, fake_apt):
    monkeypatch.setattr(build_module, "why_no_install", lambda: None)
    outcomes, lines = _manifest(config, install=False)
    assert not fake_apt.exists()
    assert not any(line.startswith("installing") for line in lines)
    assert outcomes["needs-tool"]["status"] == "skipped"


def test_the_report_lists_clients_not_run_with_the_reason():
    def bench(client: str, case: str, status: str, reason: str | None) -> dict:
        return {"client": client, "case": case, "scenario": case, "status": status, "status_reason": reason,
                "runs": [], "failed_runs": [], "summary": None}

    source = Source("host", Path("results.json"), results_of([
        bench("built-one", "single", "ok", None),
        bench("needs-tool", "single", "skipped", "not built: run `invoke build` first"),
        bench("needs-tool", "keepalive", "skipped", "not built: run `invoke build` first"),
        bench("half", "single", "skipped", "concurrency 400 is beyond half's limit"),
        bench("half", "keepalive", "ok", None),
    ]))
    assert not_run_clients(source) == {"needs-tool": "not built: run `invoke build` first"}
