"""The Nuitka and PyInstaller variants: their config entries, their hashed locks, the build venv's
two-step install, and verification of a variant that prints its contender's name (no compiler needed:
tests/conformance runs the built bundles against the server)."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import re
import shutil
from types import SimpleNamespace

import pytest

from orchestrator.config.model import ROOT, BuildSpec, Case, ClientSpec
from orchestrator.measure.process import ProcessResult
from orchestrator.measure.verify import verify

BUNDLERS = ROOT / "clients" / "python" / "bundlers"
REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==\S+", re.MULTILINE)


def load_build_venv():
    spec = importlib.util.spec_from_file_location("build_venv", BUNDLERS / "build_venv.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bundled(config) -> list[ClientSpec]:
    return [client for client in config.clients if "clients/python/bundlers/build_venv.py" in
            {arg for command in client.build.commands for arg in command}]


def test_every_bundle_is_an_optional_variant_of_a_configured_python_client(config):
    clients = bundled(config)
    assert {client.variant for client in clients} >= {
        "Nuitka --standalone", "Nuitka --onefile", "PyInstaller one-folder", "PyInstaller one-file"}
    names = {client.name for client in config.clients}
    for client in clients:
        assert client.role == "variant" and client.variant_of in names, client.name
        assert client.build.optional, f"{client.name}: a failed bundle build must not stop `invoke build`"
        contender = config.client(client.variant_of)
        script = contender.run[-1].replace("{root}/", "")
        assert script in {arg for command in client.build.commands for arg in command}, (
            f"{client.name} must bundle {contender.name}'s own source ({script})")
        assert any(path.startswith("clients/python/bundlers/") and path.endswith(".txt")
                   for path in client.build.inputs)  # a new lock rebuilds it
        assert client.build.outputs and all(out.startswith("build/") for out in client.build.outputs)


def local_imports(script) -> set[str]:
    """The clients/python modules a client script imports (at any depth: `_contract` is one)."""
    import ast

    names = set()
    for node in ast.walk(ast.parse(script.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return {f"clients/python/{name}.py" for name in names if (script.parent / f"{name}.py").is_file()}


def test_each_bundle_rebuilds_only_for_what_it_uses(config):
    """Inputs: its client script, the clients/python modules that imports, its pins, its tool's lock and
    build_venv.py; editing another client (or the other tool's lock) must not rebuild 10+ minutes of bundles."""
    for client in bundled(config):
        args = [arg for command in client.build.commands for arg in command]
        script = next(arg for arg in args if arg.startswith("clients/python/client_") and arg.endswith(".py"))
        lock, pins = args[args.index("clients/python/bundlers/build_venv.py") + 1:][:2]
        expected = {script, *local_imports(ROOT / script), pins, lock, "clients/python/bundlers/build_venv.py"}
        assert set(client.build.inputs) == expected, client.name


def test_nuitka_standalone_and_onefile_share_one_build(config):
    for contender in {client.variant_of for client in bundled(config)}:
        nuitka = [c for c in bundled(config) if c.variant_of == contender and c.variant.startswith("Nuitka")]
        assert len(nuitka) == 2
        assert nuitka[0].build.commands == nuitka[1].build.commands
        assert nuitka[0].build.outputs != nuitka[1].build.outputs


@pytest.mark.parametrize("lock", ["nuitka.txt", "pyinstaller.txt"])
def test_bundler_locks_pin_and_hash_every_requirement(lock):
    text = (BUNDLERS / lock).read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text[text.index("\n" + REQUIREMENT.search(text).group(0)) + 1:])
    names = [REQUIREMENT.match(block).group(1) for block in blocks if REQUIREMENT.match(block)]
    assert names and len(names) == len(blocks)
    for block in blocks:
        assert "--hash=sha256:" in block, block.splitlines()[0]


def test_build_venv_installs_the_sdists_build_backend_first_from_the_same_lock():
    build_venv = load_build_venv()
    backend = build_venv.backend_blocks((BUNDLERS / "nuitka.txt").read_text())
    assert sorted(REQUIREMENT.findall(backend)) == ["packaging", "setuptools", "wheel"]
    assert backend.count("--hash=sha256:") >= 3
    assert "nuitka" not in backend.lower()
    assert build_venv.backend_blocks("requests==2.0 \\\n    --hash=sha256:00\n") == ""


def output(client: str) -> ProcessResult:
    line = {"client": client, "scenario": "single", "requests": 1, "ok": 1, "bytes": 10, "sha256": None,
            "receipt": "0" * 32, "errors": [], "t_entry_ns": 2_000, "t_ready_ns": 5_000, "t_done_ns": 9_000}
    return ProcessResult(argv=("x",), exit_code=0, timed_out=False, wall_ns=9_000, spawn_epoch_ns=1_000,
                         reap_epoch_ns=10_000, user_ns=0, sys_ns=0, peak_rss_kib=0,
                         stdout=json.dumps(line) + "\n", stderr="")


def spec(name: str, **placement) -> ClientSpec:
    return ClientSpec(name=name, language="python", library_label="requests", library_version={},
                      concurrency_model="threads", build=BuildSpec(), run=("x",), **placement)


SERVER = {"requests": 1, "paths": {"/api": 1}, "connections": 1, "server_ns": 5, "completed": {"200": 1},
          "aborted": 0, "receipt": "0" * 32, "max_in_flight": 1, "streams": []}


def test_a_variant_may_print_its_contenders_name_and_no_other():
    variant = spec("python-requests-nuitka", role="variant", variant_of="python-requests", variant="Nuitka")
    single = Case("single", {})
    assert verify(output("python-requests"), variant, single, SERVER).verified
    assert verify(output("python-requests-nuitka"), variant, single, SERVER).verified
    rejected = verify(output("python-urllib"), variant, single, SERVER)
    assert not rejected.verified and "output says client 'python-urllib'" in rejected.reason
    contender = spec("python-urllib")
    assert "expected 'python-urllib'" in verify(output("python-requests"), contender, single, SERVER).reason


def test_run_accepts_a_folder_output():
    """A --standalone or one-folder bundle's output is a folder: `run` must not call it missing."""
    from orchestrator.build.clients import why_unusable

    folder = ROOT / "build" / "test-build-folder-output" / "x.dist"
    folder.mkdir(parents=True, exist_ok=True)
    output = "build/test-build-folder-output/x.dist"
    client = dataclasses.replace(spec("toy-bundle"), build=BuildSpec(outputs=(output,)))
    config = SimpleNamespace(root=ROOT, clients=())  # no other client: it shares no build
    manifest = {"clients": {"toy-bundle": {"status": "built", "message": ""}}}
    try:
        assert why_unusable(config, client, manifest) is None
        folder.rmdir()
        assert "build output missing" in why_unusable(config, client, manifest)
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)


def _stage_module():
    spec_ = importlib.util.spec_from_file_location("stage", ROOT / "docker" / "stage.py")
    stage = importlib.util.module_from_spec(spec_)
    spec_.loader.exec_module(stage)
    return stage


def test_the_image_stage_fails_for_any_client_that_did_not_build_a_bundle_too(tmp_path, capsys):
    """docker/stage.py fails the image for a missing client, an optional one (a bundle) included:
    the image builds every bundle (docs/docker.md)."""
    stage = _stage_module()
    manifest = tmp_path / "build" / "manifest.json"
    manifest.parent.mkdir()
    built = {"status": "built", "message": "", "outputs": {"build/bin/go-nethttp": 1}}
    bundle = {"status": "built", "optional": True, "message": "",
              "outputs": {"build/bundlers/python-requests-nuitka/client_requests.dist": 9}}
    manifest.write_text(json.dumps({"clients": {"go-nethttp": built, "python-requests-nuitka": bundle}}))
    assert stage.check_manifest(tmp_path) == {"build/bin/go-nethttp",
                                              "build/bundlers/python-requests-nuitka/client_requests.dist"}
    failed = {**bundle, "status": "skipped", "message": "optional build failed: x", "outputs": {}}
    manifest.write_text(json.dumps({"clients": {"go-nethttp": built, "python-requests-nuitka": failed}}))
    with pytest.raises(SystemExit):
        stage.check_manifest(tmp_path)
    assert "python-requests-nuitka skipped: optional build failed: x" in capsys.readouterr().err
    manifest.write_text(json.dumps({"clients": {"go-nethttp": {**built, "status": "failed"}}}))
    with pytest.raises(SystemExit):
        stage.check_manifest(tmp_path)


def test_the_image_stage_keeps_the_bundles_and_drops_their_build_scratch(tmp_path):
    """Under build/bundlers/ only the declared outputs (a folder's whole tree, or one file) reach the image."""
    stage = _stage_module()
    bundles = tmp_path / "build" / "bundlers" / "python-requests-nuitka"
    files = ["client_requests.dist/client_requests.bin", "client_requests.dist/lib/libpython.so",
             "client_requests.bin", "client_requests.build/module.c", "venv/bin/activate"]
    for name in files:
        (bundles / name).parent.mkdir(parents=True, exist_ok=True)
        (bundles / name).write_text("x")
    (bundles / "venv" / "bin" / "python").symlink_to("/usr/bin/python3")
    target = tmp_path / "clients" / "rust" / "target" / "release"
    target.mkdir(parents=True)
    (target / "rust-ureq").write_text("x")
    (target / "rust-ureq.d").write_text("x")
    prefix = "build/bundlers/python-requests-nuitka/"
    stage.drop_scratch(tmp_path, {prefix + "client_requests.dist", prefix + "client_requests.bin",
                                  "clients/rust/target/release/rust-ureq"})
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if not p.is_dir())
    assert left == ["build/bundlers/python-requests-nuitka/client_requests.bin",
                    "build/bundlers/python-requests-nuitka/client_requests.dist/client_requests.bin",
                    "build/bundlers/python-requests-nuitka/client_requests.dist/lib/libpython.so",
                    "clients/rust/target/release/rust-ureq"]
