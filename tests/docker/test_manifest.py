"""The image manifest (docker/manifest.py), how results carry it and how the report shows it; no engine needed."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import tomllib
from pathlib import Path

import pytest

from orchestrator.provenance import environment
from orchestrator.report.sections.provenance import _image_packages

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


manifest = _load("docker_manifest", ROOT / "docker" / "manifest.py")

PINS = "python3.13\t3.13.*\t3.13.5-2+deb13u5\ngcc\t\t4:14.2.0-1\n"


def test_wheels_are_named_versioned_and_hashed(tmp_path: Path) -> None:
    (tmp_path / "Requests_Futures-1.0.2-py3-none-any.whl").write_bytes(b"one")
    (tmp_path / "PyYAML-6.0.2-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl").write_bytes(b"two")
    (tmp_path / "notes.txt").write_text("not a wheel")
    assert manifest.wheels(tmp_path) == [
        {"name": "pyyaml", "version": "6.0.2", "sha256": hashlib.sha256(b"two").hexdigest(),
         "file": "PyYAML-6.0.2-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"},
        {"name": "requests-futures", "version": "1.0.2", "sha256": hashlib.sha256(b"one").hexdigest(),
         "file": "Requests_Futures-1.0.2-py3-none-any.whl"},
    ]


def test_crates_are_the_registry_packages_of_cargo_lock() -> None:
    lock = ROOT / "clients" / "rust" / "Cargo.lock"
    packages = tomllib.loads(lock.read_text())["package"]
    crates = manifest.crates(lock)
    assert len(crates) == sum("source" in p for p in packages) > 0
    by_name = {c["name"]: c for c in crates}
    for name in ("ureq", "reqwest", "tokio"):
        locked = next(p for p in packages if p["name"] == name)
        assert by_name[name] == {"name": name, "version": locked["version"], "checksum": locked["checksum"]}
    assert not {p["name"] for p in packages if "source" not in p} & set(by_name)  # the clients themselves


def test_build_then_final_records_both_stages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pins.build").write_text(PINS)
    (tmp_path / "pins.final").write_text("curl\t8.14.*\t8.14.1-2+deb13u7\n")
    (tmp_path / "wheels").mkdir()
    (tmp_path / "wheels" / "idna-3.10-py3-none-any.whl").write_bytes(b"idna")
    monkeypatch.setenv("BASE_IMAGE", "polybench-base:trixie")
    monkeypatch.delenv("DEBIAN_SNAPSHOT", raising=False)
    monkeypatch.setattr(manifest, "debian_packages", lambda: {"gcc-14": "14.2.0-19"})
    out = tmp_path / "etc" / "polybench-manifest.json"
    manifest.build(out, tmp_path / "pins.build", tmp_path / "wheels", ROOT / "clients" / "rust" / "Cargo.lock")
    monkeypatch.setattr(manifest, "debian_packages", lambda: {"curl": "8.14.1-2+deb13u7"})
    made = manifest.final(tmp_path / "pins.final", out)
    assert made == json.loads(out.read_text())
    assert made["schema"] == "polybench/image-manifest/v1"
    assert made["base_image"] == "polybench-base:trixie" and made["debian_snapshot"] is None
    assert made["pinned"] == {
        "build": {"python3.13": {"wanted": "3.13.*", "installed": "3.13.5-2+deb13u5"},
                  "gcc": {"wanted": None, "installed": "4:14.2.0-1"}},
        "final": {"curl": {"wanted": "8.14.*", "installed": "8.14.1-2+deb13u7"}},
    }
    assert made["build_debian_packages"] == {"gcc-14": "14.2.0-19"}
    assert made["debian_packages"] == {"curl": "8.14.1-2+deb13u7"}
    assert [w["name"] for w in made["wheels"]] == ["idna"]


def test_build_refuses_an_empty_wheel_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pins").write_text(PINS)
    monkeypatch.setattr(manifest, "debian_packages", dict)
    with pytest.raises(SystemExit, match="no wheels"):
        manifest.build(tmp_path / "m.json", tmp_path / "pins", tmp_path, ROOT / "clients" / "rust" / "Cargo.lock")


def test_debian_packages_lists_installed_ones_only() -> None:
    if not Path("/var/lib/dpkg/status").is_file():
        pytest.skip("not a Debian system: no dpkg database")
    packages = manifest.debian_packages()
    assert packages and all(version for version in packages.values())
    assert "dpkg" in packages


def test_results_carry_the_manifest_and_its_digest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "polybench-manifest.json"
    path.write_text('{"schema": "polybench/image-manifest/v1", "debian_packages": {"curl": "8.14.1-2"}}\n')
    monkeypatch.setattr(environment, "IMAGE_MANIFEST_FILE", path)
    monkeypatch.setattr(environment, "IMAGE_ID_FILE", tmp_path / "polybench-image")
    (tmp_path / "polybench-image").write_text("polybench abc, built ...\n")
    container = environment.container()
    assert container["manifest"] == json.loads(path.read_text())
    assert container["manifest_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    path.unlink()
    assert environment.container()["manifest"] is None  # an image built before manifests: recorded as absent


def test_report_rows_show_the_pinned_packages() -> None:
    container = {"manifest_sha256": "ab" * 32, "manifest": {
        "debian_packages": {"curl": "8.14.1-2+deb13u7", "libc6": "2.41-12+deb13u5"},
        "wheels": [{"name": "idna"}], "crates": [], "debian_snapshot": None,
        "pinned": {"build": {"rustc": {"wanted": "1.85.*", "installed": "1.85.1+dfsg1-1+deb13u1"},
                             "curl": {"wanted": "8.14.*", "installed": "8.14.1-2+deb13u6"},
                             "gcc": {"wanted": None, "installed": "4:14.2.0-1"}},
                   "final": {"curl": {"wanted": "8.14.*", "installed": "8.14.1-2+deb13u7"}}}}}
    assert _image_packages(container) == [
        ("image manifest", "sha256 abababababababab: 2 Debian packages, 1 wheels, 0 crates"),
        ("image package: curl", "8.14.1-2+deb13u7 (pinned 8.14.*)"),
        ("image package: rustc", "1.85.1+dfsg1-1+deb13u1 (build stage; pinned 1.85.*)"),
    ]
    assert _image_packages(None) == [] and _image_packages({"manifest": None}) == []


@pytest.mark.parametrize(("args", "passed"), [
    (["--profile", "quick"], ["--server-url", "http://server:8123", "--profile", "quick"]),
    (["--server-url", "http://other:1"], ["--server-url", "http://other:1"]),
])
def test_entrypoint_takes_the_server_from_the_environment(args: list[str], passed: list[str], tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    entrypoint = _load("docker_entrypoint", ROOT / "docker" / "entrypoint.py")
    calls: list[list[str]] = []
    monkeypatch.setattr(entrypoint, "polybench", lambda argv: calls.append(argv) or 1)
    monkeypatch.setattr(entrypoint, "output_root", lambda: tmp_path)
    monkeypatch.setenv("POLYBENCH_SERVER_URL", "http://server:8123")
    assert entrypoint.benchmark(args) == 1
    assert calls == [["run", *passed, "--results-root", str(tmp_path)]]
