"""orchestrator/provenance/versions.py and toolchains.py: versions read where the config says, never guessed."""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys

import pytest

from orchestrator.config.model import DEFAULT_CONFIG, BuildSpec, ClientSpec, Toolchain, load_config
from orchestrator.provenance.process_env import toolchain_environment, toolchain_record
from orchestrator.provenance.toolchains import first_line, placeholders, probe_toolchains
from orchestrator.provenance.versions import client_packages, library_version

PRINT = [sys.executable, "-c"]


def client(**fields) -> ClientSpec:
    fields.setdefault("library_version", {})
    return ClientSpec(name="toy", language="c", library_label="toy", concurrency_model="none", build=BuildSpec(),
                      run=("x",), **fields)


def config(tmp_path):
    return dataclasses.replace(load_config(DEFAULT_CONFIG), root=tmp_path)


def test_first_line_is_the_first_non_empty_line_of_stdout_then_stderr():
    assert first_line([*PRINT, "print(); print(' v1.2 '); print('v9')"]) == "v1.2"
    assert first_line([*PRINT, "import sys; sys.stderr.write('\\nrustc 1.85\\n')"]) == "rustc 1.85"


def test_first_line_is_none_when_the_command_is_missing_fails_or_prints_nothing():
    assert first_line(["no-such-compiler-polybench", "--version"]) is None
    assert first_line([*PRINT, "print('v1'); raise SystemExit(3)"]) is None
    assert first_line([*PRINT, "pass"]) is None


def test_placeholders_name_this_interpreter_and_the_root(tmp_path):
    values = placeholders(config(tmp_path))
    assert values["python"] == sys.executable and values["root"] == str(tmp_path) and values["scratch"]


def test_every_configured_toolchain_is_probed_with_its_fix(tmp_path):
    found = probe_toolchains(config(tmp_path))
    assert set(found) == set(config(tmp_path).toolchains)
    assert all(status.fix for status in found.values())
    assert found["python"].present and "Python" in found["python"].version


def test_a_version_from_packages_a_cargo_lock_or_a_command(tmp_path):
    (tmp_path / "Cargo.lock").write_text('[[package]]\nname = "ureq"\nversion = "3.1.2"\n')
    packages = (*PRINT, "print('Requests==2.32.3'); print('not a pin'); print('urllib3==2.2.0')")
    c = config(tmp_path)
    assert client_packages(c, client(packages=packages)) == {"requests": "2.32.3", "urllib3": "2.2.0"}
    assert library_version(c, client(packages=packages, library_version={"package": "Requests"})) == "2.32.3"
    lock = {"cargo_lock": {"file": "Cargo.lock", "crate": "ureq"}}
    assert library_version(c, client(library_version=lock)) == "3.1.2"
    command = {"command": ["{python}", "-c", "print('curl 8.1')"]}
    assert library_version(c, client(library_version=command)) == "curl 8.1"


def test_an_unknown_version_is_none_not_a_guess(tmp_path):
    c = config(tmp_path)
    assert client_packages(c, client()) is None  # no packages: entry
    assert client_packages(c, client(packages=(*PRINT, "raise SystemExit(1)"))) is None  # not built yet
    missing = {"cargo_lock": {"file": "Cargo.lock", "crate": "ureq"}}
    assert library_version(c, client(library_version=missing)) is None  # no lock file
    assert library_version(c, client(library_version={})) is None


# --- the environment probes run in: the builds', not the caller's -------------------------------------

FAKE_TOOL = """#!{python}
import os
print("faketool", os.environ.get("RUSTUP_TOOLCHAIN", "default"), os.environ.get("GOTOOLCHAIN"), os.getcwd())
"""


def fake_tool_config(tmp_path, monkeypatch):
    """A config whose one toolchain, `faketool` on PATH, prints the toolchain it was asked for and its cwd."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    tool = bin_dir / "faketool"
    tool.write_text(FAKE_TOOL.replace("{python}", sys.executable))
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    root = tmp_path / "repo"
    root.mkdir()
    toolchains = {"faketool": Toolchain(name="faketool", version_argv=("faketool", "--version"), fix="none")}
    return dataclasses.replace(load_config(DEFAULT_CONFIG), root=root, toolchains=toolchains)


def test_a_hostile_environment_does_not_change_what_a_probe_records(tmp_path, monkeypatch):
    c = fake_tool_config(tmp_path, monkeypatch)
    monkeypatch.setenv("RUSTUP_TOOLCHAIN", "nightly-from-the-callers-shell")
    monkeypatch.setenv("GOTOOLCHAIN", "go1.99.0")
    elsewhere = tmp_path / "caller-folder"  # e.g. one holding a rust-toolchain.toml
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    version = probe_toolchains(c)["faketool"].version
    assert version == f"faketool default local {c.root}"


def test_the_probes_environment_is_the_builds_and_is_recorded(monkeypatch):
    hostile = {"PATH": "/usr/bin", "HOME": "/home/u", "JAVA_TOOL_OPTIONS": "-Xmx1k", "RUSTFLAGS": "-C opt-level=0",
               "PYTHONPATH": "/evil", "CARGO_BUILD_TARGET": "x", "GOPROXY": "https://mirror", "SECRET": "s"}
    env = toolchain_environment(hostile)
    assert env == {"PATH": "/usr/bin", "HOME": "/home/u", "GOPROXY": "https://mirror", "SECRET": "s",
                   "GOTOOLCHAIN": "local"}
    record = toolchain_record(hostile)
    assert record["removed"] == ["CARGO_BUILD_TARGET", "JAVA_TOOL_OPTIONS", "PYTHONPATH", "RUSTFLAGS"]
    assert record["set"] == {"GOTOOLCHAIN": "local"} and "-Xmx1k" not in str(record)


@pytest.mark.skipif(shutil.which("rustc") is None or shutil.which("rustup") is None, reason="needs rustup's rustc")
def test_a_rustup_toolchain_that_is_not_installed_does_not_hide_rustc(tmp_path, monkeypatch):
    monkeypatch.setenv("RUSTUP_TOOLCHAIN", "polybench-no-such-toolchain")
    assert first_line(["rustc", "--version"]) is not None and first_line(["rustc", "--version"]).startswith("rustc ")


def test_packages_listing_does_not_see_the_callers_pythonpath(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", "/polybench-evil")
    listing = (*PRINT, "import os; print('pythonpath==' + os.environ.get('PYTHONPATH', 'unset'))")
    assert client_packages(config(tmp_path), client(packages=listing)) == {"pythonpath": "unset"}
