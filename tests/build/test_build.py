"""orchestrator/build/clients.py: up-to-date stamps, optional builds that fail or are skipped, progress, sizes,
and the build's processes stopped on every exit path. Toy recipes only (`{python} -c ...`): no compiler."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import yaml

from orchestrator.build import clients as build_module
from orchestrator.config.model import ROOT, load_config

PYTHON_TOOLCHAIN = {"python": {"version": ["{python}", "--version"], "fix": "install python"}}


@pytest.fixture
def area():
    """A folder under build/ for the toy outputs (outputs must be inside the repository), removed after."""
    path = Path("build") / "test-build" / uuid.uuid4().hex[:12]
    (ROOT / path).mkdir(parents=True)
    yield path
    subprocess.run(["rm", "-rf", str(ROOT / path)], check=False)
    for stamp in (ROOT / "build" / "stamps").glob("*.ok"):
        if any(output.startswith(str(path)) for output in build_module._stamp_outputs(stamp)):
            stamp.unlink()
    for log in (ROOT / "build" / "logs").glob("toy-*.log"):
        log.unlink()


def toy(name: str, code: str, outputs: list[str], *, optional: bool = False, inputs: list[str] | None = None,
        **build) -> dict:
    """A client entry named toy-NAME whose build runs `{python} -c code`."""
    return {"name": f"toy-{name}", "language": "python", "run": ["{python}"],
            "build": {"requires": ["python"], "commands": [["{python}", "-c", code]], "outputs": outputs,
                      "inputs": inputs or [], "optional": optional, **build}}


def make_config(tmp_path: Path, *clients: dict):
    path = tmp_path / "polybench.yaml"
    data = {"toolchains": PYTHON_TOOLCHAIN, "clients": list(clients),
            "profiles": {"p": {"scenarios": {"single": {}}}}}
    path.write_text(yaml.safe_dump(data))
    return load_config(path), path


@pytest.fixture(autouse=True)
def no_manifest(monkeypatch, tmp_path):
    """Toy builds never touch the real build/manifest.json (nor read it for an estimate), nor the user's cache."""
    monkeypatch.setattr(build_module, "write_json_atomic", lambda path, data: None)
    monkeypatch.setattr(build_module, "read_manifest", lambda config: None)
    monkeypatch.setenv("POLYBENCH_BUILD_CACHE", str(tmp_path / "cache"))


def write_file(path: str) -> str:
    return f"import pathlib; pathlib.Path({str(ROOT / path)!r}).write_text('x' * 1000)"


def test_failed_optional_build_skips_that_client_with_one_line_and_the_rest_build(tmp_path, area):
    config, _ = make_config(
        tmp_path,
        toy("bundle", "import sys; print('gcc: internal error'); sys.exit(4)", [f"{area}/bundle.bin"],
            optional=True),
        toy("script", write_file(f"{area}/script.txt"), [f"{area}/script.txt"]))
    lines: list[str] = []
    manifest = build_module.build_all(config, log=lines.append)
    bundle = manifest["clients"]["toy-bundle"]
    assert bundle["status"] == "skipped"
    assert bundle["message"].startswith("optional build failed: ") and "exited 4" in bundle["message"]
    assert "\n" not in bundle["message"]
    assert [line for line in lines if line.startswith("toy-bundle ")] == [
        line for line in lines if "toy-bundle" in line and "skipped" in line]
    assert not any(line.startswith("    ") for line in lines)  # no log tail for an optional client
    assert manifest["clients"]["toy-script"]["status"] == "built"


def test_build_command_exits_0_when_only_optional_builds_fail_and_not_when_a_required_one_does(tmp_path, area,
                                                                                             capsys):
    from orchestrator.cli import main

    optional = toy("bundle", "raise SystemExit(4)", [f"{area}/bundle.bin"], optional=True)
    required = toy("script", "raise SystemExit(5)", [f"{area}/script.txt"])
    _, path = make_config(tmp_path, optional)
    assert main(["build", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if line.startswith("toy-bundle")] == [
        next(line for line in out.splitlines() if "optional build failed" in line)]
    _, path = make_config(tmp_path, optional, required)
    assert main(["build", "--config", str(path)]) != 0
    assert capsys.readouterr().err.splitlines() == [
        "polybench: error: build failed for toy-script (logs in build/logs/)"]


def test_up_to_date_until_an_input_or_toolchain_changes_and_seconds_survive(tmp_path, area):
    source = ROOT / area / "source.txt"
    source.write_text("one")
    client = toy("c", write_file(f"{area}/out.txt"), [f"{area}/out.txt"], inputs=[f"{area}/source.txt"])
    config, _ = make_config(tmp_path, client)
    spec = config.client("toy-c")
    first = build_module.build_client(config, spec, {"python"}, log=lambda line: None)
    assert first.status == "built" and first.seconds > 0 and first.outputs == {f"{area}/out.txt": 1000}
    again = build_module.build_client(config, spec, {"python"}, log=lambda line: None)
    assert again.status == "up-to-date" and again.seconds == pytest.approx(first.seconds)
    newer = build_module.build_client(config, spec, {"python"}, log=lambda line: None,
                                      toolchain_versions={"python": "Python 9.9"})
    assert newer.status == "built"
    source.write_text("two")
    assert build_module.build_client(config, spec, {"python"}, log=lambda line: None).status == "built"


def test_run_sees_a_build_whose_sources_changed_since_as_out_of_date(tmp_path, area):
    """An edit after `invoke build` must not run the old program under the client's name (adversarial review)."""
    from orchestrator.build.clients import why_unusable

    source = ROOT / area / "source.txt"
    source.write_text("one")
    client = toy("c", write_file(f"{area}/out.txt"), [f"{area}/out.txt"], inputs=[f"{area}/source.txt"])
    config, _ = make_config(tmp_path, client)
    spec = config.client("toy-c")
    outcome = build_module.build_client(config, spec, {"python"}, log=lambda line: None,
                                        toolchain_versions={"python": "Python 3"})
    manifest = {"toolchains": {"python": "Python 3"}, "clients": {"toy-c": {"status": outcome.status}}}
    assert build_module.is_current(config, spec, manifest) and why_unusable(config, spec, manifest) is None
    source.write_text("two")
    assert not build_module.is_current(config, spec, manifest)
    assert "out of date" in why_unusable(config, spec, manifest)


def test_a_failed_rebuild_makes_the_old_inputs_out_of_date(tmp_path, area):
    """Going back to inputs built before must not trust outputs a failed rebuild may have half-written."""
    good = toy("c", write_file(f"{area}/out.txt"), [f"{area}/out.txt"])
    bad = toy("c", write_file(f"{area}/out.txt") + "; raise SystemExit(1)", [f"{area}/out.txt"])
    config_good, _ = make_config(tmp_path, good)
    assert build_module.build_client(config_good, config_good.client("toy-c"), {"python"},
                                     log=lambda line: None).status == "built"
    config_bad, _ = make_config(tmp_path, bad)
    assert build_module.build_client(config_bad, config_bad.client("toy-c"), {"python"},
                                     log=lambda line: None).status == "failed"
    assert build_module.build_client(config_good, config_good.client("toy-c"), {"python"},
                                     log=lambda line: None).status == "built"


def test_two_clients_with_one_recipe_share_one_build_and_each_records_its_own_output(tmp_path, area):
    """One Nuitka run makes the --standalone folder and the --onefile binary: built once, sized apart."""
    code = (f"import pathlib; root = pathlib.Path({str(ROOT / area)!r}); (root / 'x.dist').mkdir(); "
            "(root / 'x.dist' / 'a.so').write_bytes(b'a' * 300); (root / 'x.dist' / 'b.bin').write_bytes(b'b' * 200); "
            "(root / 'x.bin').write_bytes(b'c' * 50)")
    folder = toy("standalone", code, [f"{area}/x.dist"], optional=True)
    onefile = dict(toy("onefile", code, [f"{area}/x.bin"], optional=True))
    config, _ = make_config(tmp_path, folder, onefile)
    manifest = build_module.build_all(config, log=lambda line: None)
    assert manifest["clients"]["toy-standalone"]["status"] == "built"
    assert manifest["clients"]["toy-standalone"]["outputs"] == {f"{area}/x.dist": 500}
    assert manifest["clients"]["toy-onefile"]["status"] == "up-to-date"
    assert manifest["clients"]["toy-onefile"]["outputs"] == {f"{area}/x.bin": 50}
    seconds = manifest["clients"]["toy-standalone"]["seconds"]
    assert manifest["clients"]["toy-onefile"]["seconds"] == pytest.approx(seconds)


def test_skip_optional_skips_only_what_would_be_built(tmp_path, area):
    config, _ = make_config(tmp_path, toy("bundle", write_file(f"{area}/b.bin"), [f"{area}/b.bin"], optional=True),
                            toy("script", write_file(f"{area}/s.txt"), [f"{area}/s.txt"]))
    manifest = build_module.build_all(config, skip_optional=True, log=lambda line: None)
    assert manifest["clients"]["toy-bundle"]["status"] == "skipped"
    assert "--skip-optional" in manifest["clients"]["toy-bundle"]["message"]
    assert manifest["clients"]["toy-script"]["status"] == "built"
    assert not (ROOT / area / "b.bin").exists()
    build_module.build_all(config, log=lambda line: None)
    manifest = build_module.build_all(config, skip_optional=True, log=lambda line: None)
    assert manifest["clients"]["toy-bundle"]["status"] == "up-to-date"  # already built: still used


def test_a_long_build_reports_elapsed_time_and_estimate(tmp_path, area, monkeypatch):
    monkeypatch.setattr(build_module, "PROGRESS_EVERY_S", 0.2)
    config, _ = make_config(tmp_path, toy("slow", "import time; time.sleep(1.0)\n" + write_file(f"{area}/o"),
                                          [f"{area}/o"], expected_s=240))
    lines: list[str] = []
    outcome = build_module.build_client(config, config.client("toy-slow"), {"python"}, log=lines.append)
    assert outcome.status == "built"
    progress = [line for line in lines if "elapsed" in line]
    assert progress and all("of about 4:00" in line and "toy-slow:" in line for line in progress)


def test_an_interrupted_build_stops_its_whole_process_group(tmp_path, area):
    """Ctrl-C during a build (here: raised from the progress line) kills the command and what it started."""
    pid_file = ROOT / area / "grandchild.pid"
    code = ("import pathlib, subprocess, sys, time; "
            "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
            f"pathlib.Path({str(pid_file)!r}).write_text(str(p.pid)); time.sleep(60)")
    config, _ = make_config(tmp_path, toy("stuck", code, [f"{area}/never"]))

    def interrupt(line: str) -> None:
        if "elapsed" in line:
            raise KeyboardInterrupt

    build_module.PROGRESS_EVERY_S, saved = 0.5, build_module.PROGRESS_EVERY_S
    try:
        with pytest.raises(KeyboardInterrupt):
            build_module.build_client(config, config.client("toy-stuck"), {"python"}, log=interrupt)
    finally:
        build_module.PROGRESS_EVERY_S = saved
    grandchild = int(pid_file.read_text())
    for _ in range(50):
        try:
            os.kill(grandchild, 0)
        except ProcessLookupError:
            break
        # A killed process lingers as a zombie until its parent (init here) reaps it.
        if Path(f"/proc/{grandchild}/stat").read_text().split()[2] == "Z":
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"the build's grandchild {grandchild} still runs")


def test_a_folder_output_counts_its_files_and_an_empty_one_is_missing(area):
    folder = ROOT / area / "dist"
    (folder / "sub").mkdir(parents=True)
    assert build_module._size(folder) is None
    (folder / "a").write_bytes(b"1" * 10)
    (folder / "sub" / "b").write_bytes(b"2" * 5)
    (folder / "link").symlink_to(folder / "a")
    assert build_module._size(folder) == 15


def test_manifest_records_seconds_and_outputs_per_client(tmp_path, area, monkeypatch):
    written = {}
    monkeypatch.setattr(build_module, "write_json_atomic", lambda path, data: written.update(data))
    config, _ = make_config(tmp_path, toy("c", write_file(f"{area}/o"), [f"{area}/o"]))
    build_module.build_all(config, log=lambda line: None)
    record = json.loads(json.dumps(written))["clients"]["toy-c"]
    assert record["seconds"] > 0 and record["outputs"] == {f"{area}/o": 1000}


def counting(area: Path, output: str) -> str:
    """Code that writes output and counts its own runs in area/runs."""
    runs = ROOT / area / "runs"
    return (f"import pathlib; r = pathlib.Path({str(runs)!r}); r.write_text(str(int(r.read_text() or 0) + 1) "
            f"if r.exists() else '1'); " + write_file(output))


def fresh_clone(area: Path) -> None:
    """What a new clone has: no stamps, no outputs."""
    for stamp in (ROOT / "build" / "stamps").glob("*.ok"):
        if any(output.startswith(str(area)) for output in build_module._stamp_outputs(stamp)):
            stamp.unlink()
    for path in (ROOT / area).glob("*.bin"):
        path.unlink()


def test_a_relocatable_build_is_restored_from_the_cache_in_a_fresh_clone(tmp_path, area):
    code = counting(area, f"{area}/a.bin") + "; " + write_file(f"{area}/b.bin")
    config, _ = make_config(tmp_path, toy("folder", code, [f"{area}/a.bin"], relocatable=True),
                            toy("onefile", code, [f"{area}/b.bin"], relocatable=True))
    first = build_module.build_all(config, log=lambda line: None)["clients"]
    assert [first[n]["status"] for n in ("toy-folder", "toy-onefile")] == ["built", "up-to-date"]
    fresh_clone(area)
    again = build_module.build_all(config, log=lambda line: None)["clients"]
    for name, output in (("toy-folder", "a.bin"), ("toy-onefile", "b.bin")):
        assert again[name]["status"] == "up-to-date" and again[name]["message"] == "restored from the build cache"
        assert again[name]["seconds"] == pytest.approx(first["toy-folder"]["seconds"])
        assert (ROOT / area / output).read_text() == "x" * 1000
    assert (ROOT / area / "runs").read_text() == "1"  # restored, never rebuilt


def test_an_output_changed_after_its_build_is_never_spread_to_other_clones(tmp_path, area):
    """Adversarial review: an up-to-date client stored whatever sat at its output (a hand-run build of edited
    sources, any file), and a fresh clone then restored and ran it."""
    code = counting(area, f"{area}/a.bin") + "; " + write_file(f"{area}/b.bin")
    config, _ = make_config(tmp_path, toy("folder", code, [f"{area}/a.bin"], relocatable=True),
                            toy("onefile", code, [f"{area}/b.bin"], relocatable=True))
    build_module.build_all(config, log=lambda line: None)
    shutil.rmtree(tmp_path / "cache")  # the cache lost its entries (evicted, or a new machine)
    stale = ROOT / area / "b.bin"
    stale.write_text("STALE")
    later = time.time_ns() + 10**9  # written a second after the stamp, as a hand-run build would be
    os.utime(stale, ns=(later, later))
    again = build_module.build_all(config, log=lambda line: None)["clients"]
    assert again["toy-onefile"]["status"] == "up-to-date"  # this clone keeps what it has
    fresh_clone(area)
    third = build_module.build_all(config, log=lambda line: None)["clients"]
    assert third["toy-onefile"]["status"] == "built"  # never restored from what the other clone stored
    assert stale.read_text() == "x" * 1000


def test_the_cache_is_off_when_asked_and_never_used_for_other_inputs(tmp_path, area, monkeypatch):
    config, _ = make_config(tmp_path, toy("c", counting(area, f"{area}/a.bin"), [f"{area}/a.bin"], relocatable=True))
    build_module.build_all(config, log=lambda line: None)
    monkeypatch.setenv("POLYBENCH_BUILD_CACHE", "off")
    fresh_clone(area)
    assert build_module.build_all(config, log=lambda line: None)["clients"]["toy-c"]["status"] == "built"
    monkeypatch.setenv("POLYBENCH_BUILD_CACHE", str(tmp_path / "cache"))
    other, _ = make_config(tmp_path, toy("c", counting(area, f"{area}/a.bin") + " # v2", [f"{area}/a.bin"],
                                         relocatable=True))
    fresh_clone(area)
    assert build_module.build_all(other, log=lambda line: None)["clients"]["toy-c"]["status"] == "built"
    assert (ROOT / area / "runs").read_text() == "3"


@pytest.mark.parametrize(("key", "value", "message"), [
    ("optional", "yes", "build.optional: expected true or false"),
    ("relocatable", 1, "build.relocatable: expected true or false"),
    ("expected_s", 0, "build.expected_s: expected a number from 1 to 86400"),
    ("expected_s", "soon", "build.expected_s: expected a number"),
])
def test_bad_build_keys_are_one_line_naming_the_key(tmp_path, key, value, message):
    from orchestrator.errors import ConfigError

    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        make_config(tmp_path, toy("c", "pass", [], **{key: value}))


def test_the_folder_of_each_output_exists_before_the_build_runs(tmp_path, area):
    """A compiler does not create the folder it writes into: a fresh clone has no build/bin (found by CI)."""
    client = toy("d", write_file(f"{area}/new/folder/out.txt"), [f"{area}/new/folder/out.txt"])
    config, _ = make_config(tmp_path, client)
    outcome = build_module.build_client(config, config.client("toy-d"), {"python"}, log=lambda line: None)
    assert outcome.status == "built", outcome.message


def test_a_variant_cannot_run_when_the_build_it_runs_with_cannot():
    """A variant run by python-requests' venv interpreter is skipped with one line when that build is missing or
    out of date: it must not abort the whole run (executable not found) nor time a stale venv (adversarial review)."""
    from orchestrator.build.clients import why_unusable
    from orchestrator.config.model import load_config

    config = load_config()
    variant = config.client("python-requests-cold-pyc")
    manifest = {"toolchains": {}, "clients": {variant.name: {"status": "built", "message": ""}}}
    reason = why_unusable(config, variant, manifest)
    assert reason is not None and reason.startswith("runs with python-requests's build, which cannot run: not built")
    manifest["clients"]["python-requests"] = {"status": "failed", "message": "pip said no\nmore"}
    assert why_unusable(config, variant, manifest) == "runs with python-requests's build, which cannot run: " \
        "build failed: pip said no"


def test_a_build_runs_in_the_environment_its_toolchains_were_probed_in(tmp_path, area, monkeypatch):
    """The caller's RUSTFLAGS or JAVA_TOOL_OPTIONS must not change a build (process_env.toolchain_environment)."""
    monkeypatch.setenv("RUSTFLAGS", "-C opt-level=0")
    monkeypatch.setenv("JAVA_TOOL_OPTIONS", "-Xint")
    out = ROOT / area / "env.json"
    code = f"import json, os, pathlib; pathlib.Path({str(out)!r}).write_text(json.dumps(dict(os.environ)))"
    config, _ = make_config(tmp_path, toy("env", code, [f"{area}/env.json"]))
    assert build_module.build_client(config, config.client("toy-env"), {"python"}, log=lambda line: None).usable
    seen = json.loads(out.read_text())
    assert "RUSTFLAGS" not in seen and "JAVA_TOOL_OPTIONS" not in seen and seen["GOTOOLCHAIN"] == "local"
    assert seen["HOME"] == os.environ["HOME"]  # caches and rustup live there
