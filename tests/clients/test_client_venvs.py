"""Each Python client runs in its own venv: only its pinned distributions, hash-checked, no .pth that runs code."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from orchestrator.config.model import ROOT, expand
from orchestrator.provenance.toolchains import placeholders
from tests.tiers import build_clients

REQUIREMENTS = ROOT / "clients" / "python" / "requirements"
MAKE_VENV = ROOT / "clients" / "python" / "make_venv.py"
# One requirement block of a pip-compile lock: `name==version [; marker] \` then its --hash lines.
BLOCK = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)[^\n]*\\\n"
                   r"((?:[ \t]+--hash=sha256:[0-9a-f]{64}[ \\]*\n?)+)", re.MULTILINE)
LIST_FROM_INSIDE = ("import importlib.metadata as m, json, sys; "
                    "print(json.dumps({'dists': sorted(d.metadata['Name'].lower() for d in m.distributions()), "
                    "'prefix': sys.prefix, 'base': sys.base_prefix, 'path': sys.path}))")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def blocks(text: str) -> dict[str, tuple[str, frozenset[str]]]:
    return {normalise(name): (version, frozenset(re.findall(r"sha256:([0-9a-f]{64})", hashes)))
            for name, version, hashes in BLOCK.findall(text)}


def make_venv():
    spec = importlib.util.spec_from_file_location("make_venv", MAKE_VENV)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def python_clients(config):
    """The Python clients a venv's interpreter runs. A relocatable build (the Nuitka and PyInstaller bundles,
    tests/build/test_build_bundlers.py) carries its own runtime: its venv only builds it."""
    return [c for c in config.clients if c.packages is not None and not c.build.relocatable]


@pytest.fixture(scope="module")
def built(config):
    """The Python clients built (a no-op when up to date), as build/manifest.json records them."""
    return build_clients(config, python_clients(config))["clients"]


def test_every_python_client_has_its_own_requirements_and_venv(config):
    clients = python_clients(config)
    assert {c.name for c in clients} == {c.name for c in config.clients
                                         if c.language == "python" and not c.build.relocatable}
    for client in clients:
        # a variant runs its original's venv (or one of its own from the original's requirements); a
        # worker variant's Python is its service (its timed process is a launcher)
        interpreter = expand(client.service or client.run, placeholders(config))[0]
        owners = {client.name, client.variant_of} - {None}
        assert interpreter in {str(ROOT / "build" / "venvs" / name / "bin" / "python") for name in owners}
        assert interpreter != sys.executable
        assert any((REQUIREMENTS / f"{name}.txt").is_file() for name in owners)


@pytest.mark.parametrize("path", sorted(REQUIREMENTS.glob("*.txt")), ids=lambda p: p.stem)
def test_client_requirements_agree_with_the_lock(path):
    lock = blocks((ROOT / "requirements.lock").read_text())
    assert lock, "could not parse requirements.lock"
    mine = blocks(path.read_text())
    pins = re.findall(r"^[A-Za-z0-9][^\s#]*==", path.read_text(), re.MULTILINE)
    assert len(mine) == len(pins), "every pin carries its hashes"
    for name, (version, hashes) in mine.items():
        assert name in lock, f"{name} is not in requirements.lock"
        assert (version, hashes) == lock[name], f"{name}: pin or hashes differ from requirements.lock"


@pytest.mark.slow
@pytest.mark.parametrize("client_name", ["python-urllib", "python-requests", "python-requests-futures",
                                         "python-httpx", "python-aiohttp", "python-httpclient", "python-urllib3",
                                         "python-pycurl", "python-curl-cffi", "python-pyreqwest", "python-niquests"])
def test_built_venv_holds_only_its_declared_distributions(config, built, client_name):
    assert built[client_name]["status"] in ("built", "up-to-date"), built[client_name]["message"]
    venv = ROOT / "build" / "venvs" / client_name
    declared = set(blocks((REQUIREMENTS / f"{client_name}.txt").read_text()))
    # Listed by the client's own interpreter, in the clean environment it runs with.
    done = subprocess.run([str(venv / "bin" / "python"), "-c", LIST_FROM_INSIDE], capture_output=True, text=True,
                          check=True, env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
    inside = json.loads(done.stdout)
    inside["dists"] = [normalise(name) for name in inside["dists"]]
    assert set(inside["dists"]) <= declared, set(inside["dists"]) - declared
    assert {"pip", "setuptools", "pytest", "numpy", "matplotlib", "flask"}.isdisjoint(inside["dists"])
    assert Path(inside["prefix"]) == venv
    assert not any(str(ROOT / ".venv") in entry for entry in inside["path"]), "the orchestrator's venv leaked in"
    # Only the .pth files its requirements file allows may run code (python-niquests: urllib3-future's).
    allowed = make_venv().allowed_pth(REQUIREMENTS / f"{client_name}.txt")
    assert {line.partition(":")[0] for line in make_venv().executable_pth_lines(venv)} == allowed
    assert built[client_name]["packages"] == {name: blocks((REQUIREMENTS / f"{client_name}.txt").read_text())[name][0]
                                              for name in inside["dists"]}


def test_an_executable_pth_is_found(tmp_path):
    site = tmp_path / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    (site / "paths.pth").write_text("/some/dir\n")
    (site / "distutils-precedence.pth").write_text(
        "import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os.environ.get(var, 'local') == 'local'\n")
    found = make_venv().executable_pth_lines(tmp_path)
    assert len(found) == 1 and found[0].startswith("distutils-precedence.pth: import os")


def keep_venv(**kwargs):
    """Stands in for venv.EnvBuilder: build() then checks the venv as it is."""
    return type("Keep", (), {"create": lambda self, path: None})()


def test_the_build_fails_on_an_unpinned_distribution(tmp_path, monkeypatch):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# nothing\n")
    venv = tmp_path / "venv"
    module = make_venv()
    module.venv.EnvBuilder(with_pip=False).create(venv)
    site = next(venv.glob("lib/python3*/site-packages"))
    (site / "stowaway-1.0.dist-info").mkdir()
    (site / "stowaway-1.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: stowaway\nVersion: 1.0\n")
    # the venv module is shared: patched for this test only
    monkeypatch.setattr(module.venv, "EnvBuilder", keep_venv)
    with pytest.raises(SystemExit, match="stowaway 1.0 is installed but not pinned"):
        module.build(requirements, venv)


def test_only_niquests_allows_an_executable_pth_and_exactly_one():
    allowances = {path.stem: make_venv().allowed_pth(path) for path in sorted(REQUIREMENTS.glob("*.txt"))}
    assert {name: files for name, files in allowances.items() if files} == {"python-niquests": {"urllib3_future.pth"}}


@pytest.mark.slow
def test_the_allowed_pth_is_recorded_in_the_venv(built):
    assert built["python-niquests"]["status"] in ("built", "up-to-date"), built["python-niquests"]["message"]
    record = (ROOT / "build" / "venvs" / "python-niquests" / "allowed-pth.txt").read_text().splitlines()
    assert len(record) == 1 and re.fullmatch(r"urllib3_future\.pth sha256=[0-9a-f]{64}", record[0])


def fake_venv_with_pth(tmp_path, monkeypatch, pth_files: dict[str, str]):
    """A venv whose site-packages holds `pth_files`; make_venv.build() then only checks it."""
    venv = tmp_path / "venv"
    module = make_venv()
    module.venv.EnvBuilder(with_pip=False).create(venv)
    site = next(venv.glob("lib/python3*/site-packages"))
    for name, text in pth_files.items():
        (site / name).write_text(text)
    monkeypatch.setattr(module.venv, "EnvBuilder", keep_venv)
    return module, venv


def test_an_allowance_covers_exactly_the_file_it_names(tmp_path, monkeypatch):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# make_venv: allow executable .pth allowed.pth (a test)\n")
    pth_files = {"allowed.pth": "import os\n", "other.pth": "import sys\n"}
    module, venv = fake_venv_with_pth(tmp_path, monkeypatch, pth_files)
    with pytest.raises(SystemExit, match="other.pth") as failure:
        module.build(requirements, venv)
    assert "allowed.pth" not in str(failure.value)
    assert not (venv / "allowed-pth.txt").exists(), "nothing is recorded (or run) when the build fails"


def test_an_allowed_pth_is_run_once_and_recorded(tmp_path, monkeypatch):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# make_venv: allow executable .pth allowed.pth (a test)\n")
    marker = tmp_path / "ran"
    touch = f"import pathlib; pathlib.Path({str(marker)!r}).touch()\n"
    module, venv = fake_venv_with_pth(tmp_path, monkeypatch, {"allowed.pth": touch})
    module.build(requirements, venv)
    assert marker.exists(), "the build starts the venv's interpreter once, so one-time work happens then"
    assert (venv / "allowed-pth.txt").read_text().startswith("allowed.pth sha256=")


def test_an_allowance_for_a_missing_file_fails_the_build(tmp_path, monkeypatch):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# make_venv: allow executable .pth absent.pth (a test)\n")
    module, venv = fake_venv_with_pth(tmp_path, monkeypatch, {})
    with pytest.raises(SystemExit, match="absent.pth is allowed but no such file"):
        module.build(requirements, venv)
