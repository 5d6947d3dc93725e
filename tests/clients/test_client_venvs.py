"""Each Python client runs in its own venv: only its pinned distributions, hash-checked, no .pth that runs code."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from orchestrator.build import build_all
from orchestrator.config import ROOT, expand
from orchestrator.toolchains import placeholders

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
    tests/test_build_bundlers.py) carries its own runtime: its venv only builds it."""
    return [c for c in config.clients if c.packages is not None and not c.build.relocatable]


@pytest.fixture(scope="module")
def built(config):
    """The Python clients built (a no-op when up to date), as build/manifest.json records them."""
    return build_all(config, python_clients(config), log=lambda line: None)["clients"]


def test_every_python_client_has_its_own_requirements_and_venv(config):
    clients = python_clients(config)
    assert {c.name for c in clients} == {c.name for c in config.clients
                                         if c.language == "python" and not c.build.relocatable}
    for client in clients:
        interpreter = expand(client.run, placeholders(config))[0]
        assert interpreter == str(ROOT / "build" / "venvs" / client.name / "bin" / "python")
        assert interpreter != sys.executable
        assert (REQUIREMENTS / f"{client.name}.txt").is_file()


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
                                         "python-httpx", "python-aiohttp"])
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
    assert make_venv().executable_pth_lines(venv) == []
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


def test_the_build_fails_on_an_unpinned_distribution(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# nothing\n")
    venv = tmp_path / "venv"
    module = make_venv()
    module.venv.EnvBuilder(with_pip=False).create(venv)
    site = next(venv.glob("lib/python3*/site-packages"))
    (site / "stowaway-1.0.dist-info").mkdir()
    (site / "stowaway-1.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: stowaway\nVersion: 1.0\n")
    module.venv.EnvBuilder = lambda **kwargs: type("Keep", (), {"create": lambda self, path: None})()
    with pytest.raises(SystemExit, match="stowaway 1.0 is installed but not pinned"):
        module.build(requirements, venv)
