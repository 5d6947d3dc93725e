"""The start-up escapes of python-requests (issue 11): each variant does what its label says.

Run against a closed port: the client imports everything, fails its one call
and prints its result line, which is all these mechanisms need.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from orchestrator.config.model import expand
from orchestrator.provenance.process_env import config_env
from orchestrator.provenance.toolchains import placeholders
from tests.tiers import build_clients

CLOSED = ["single", "--url", "http://127.0.0.1:9", "--run-id", "pb-variant-test"]


@pytest.fixture(scope="module")
def built(config):
    names = ["python-requests", *(c.name for c in config.clients if c.variant_of == "python-requests")]
    manifest = build_clients(config, [config.client(name) for name in names])
    broken = [n for n, outcome in manifest["clients"].items() if outcome["status"] not in ("built", "up-to-date")
              and not config.client(n).build.optional]  # a bundle not built here is skipped, as run does
    assert not broken, broken
    return config


def run_verbose(config, name: str) -> subprocess.CompletedProcess:
    """The client's own argv with `-v` after the interpreter (as -X importtime goes), in its configured env."""
    client = config.client(name)
    argv = expand(client.run, placeholders(config))
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", **config_env(config, client)}
    return subprocess.run([argv[0], "-v", *argv[1:], *CLOSED], capture_output=True, text=True, env=env,
                          timeout=120, check=False)


def loaded_from(stderr: str) -> list[str]:
    """Files `python -v` says it made a code object from (a .pyc when the cache was used)."""
    return [line.split(" from ", 1)[1].strip().strip("'") for line in stderr.splitlines()
            if line.startswith("# code object from ")]


def test_every_variant_names_an_original_and_runs_single_and_keepalive(config):
    variants = [c for c in config.clients if c.role == "variant"]
    assert len(variants) >= 6
    for client in variants:
        assert config.client(client.variant_of).role != "variant"
        assert client.supports("single") and client.supports("keepalive"), client.name


def test_cold_bytecode_reads_no_pyc_and_writes_none(built, tmp_path):
    warm = run_verbose(built, "python-requests")
    warm_files = loaded_from(warm.stderr)
    assert any(path.endswith(".pyc") and "/requests/" in path for path in warm_files)  # the control: cache used
    cold = run_verbose(built, "python-requests-cold-pyc")
    assert json.loads(cold.stdout.splitlines()[-1])["client"] == "python-requests"
    cold_files = loaded_from(cold.stderr)
    assert any(path.endswith("/requests/__init__.py") for path in cold_files)
    assert not [path for path in cold_files if path.endswith(".pyc")]
    assert not (built.root / "build" / "no-pycache").exists()  # -B: nothing written for the next run


def test_the_cold_label_says_frozen_modules_are_still_precompiled(built):
    """Not every module compiles from source: the interpreter's frozen modules (os, site, codecs ...) are
    bytecode built into its binary, in the cold variant too; its label must not claim otherwise."""
    cold = run_verbose(built, "python-requests-cold-pyc")
    frozen = [line for line in cold.stderr.splitlines() if line.startswith("import ") and "FrozenImporter" in line]
    assert frozen, "no frozen module under the cold variant's flags: the label's caveat would be wrong"
    label = built.client("python-requests-cold-pyc").variant or ""
    assert "frozen" in label and "every run" not in label.replace("frozen", "")


def test_fast_exit_skips_finalization_and_the_default_does_not(built):
    # `python -v` reports module clean-up at finalization ("# cleanup[...]"); os._exit skips it.
    plain = run_verbose(built, "python-requests")
    fast = run_verbose(built, "python-requests-fast-exit")
    for done in (plain, fast):
        line = json.loads(done.stdout.splitlines()[-1])
        assert line["client"] == "python-requests" and line["errors"] and done.returncode == 1
    assert "# cleanup[" in plain.stderr
    assert "# cleanup[" not in fast.stderr


def test_run_pyc_executes_the_compiled_script(built):
    done = run_verbose(built, "python-requests-run-pyc")
    assert json.loads(done.stdout.splitlines()[-1])["client"] == "python-requests"
    assert not [p for p in loaded_from(done.stderr) if p.endswith("client_requests.py")]  # never the source


@pytest.mark.parametrize(("name", "flag"), [("python-requests-isolated", "isolated"),
                                            ("python-requests-nosite", "no_site")])
def test_interpreter_flag_variants_run_with_their_flag(built, name, flag):
    client = built.client(name)
    argv = expand(client.run, placeholders(built))
    env = {"PATH": "/usr/bin:/bin", **config_env(built, client)}
    probe = f"import sys, requests, _contract; print(sys.flags.{flag})"
    # from the scripts' folder, which -S leaves on sys.path ('' for -c) and -I does not (its .pth adds it)
    done = subprocess.run([argv[0], *argv[1:-1], "-c", probe], capture_output=True, text=True, env=env,
                          timeout=60, check=False, cwd=built.root / "clients" / "python")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"


CURL_JQ = "clients/shell/curl_jq.sh"


@pytest.mark.slow  # runs the curl-jq client (no build needed, but a configured client: tests/tiers.py)
@pytest.mark.parametrize(("args", "code"), [
    (["single", "--url", "http://127.0.0.1:9/$(touch PWNED)", "--run-id", "x"], 2),  # never reaches a shell
    (["single", "--url", "http://127.0.0.1:9", "--run-id", "a b;c"], 2),
    (["keepalive", "--url", "http://127.0.0.1:9", "--run-id", "x", "--requests", "1]"], 2),
    (["single", "--url", "http://127.0.0.1:9", "--run-id", "x", "--evil", "1"], 2),
    (["concurrent", "--url", "http://127.0.0.1:9", "--run-id", "x", "--concurrency", "2"], 3),
])
def test_curl_jq_takes_its_arguments_as_argv_only(config, tmp_path, args, code):
    done = subprocess.run([str(config.root / CURL_JQ), *args], capture_output=True, text=True, cwd=tmp_path,
                          timeout=30, check=False)
    assert done.returncode == code, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not done.stdout
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.slow
def test_curl_jq_reports_a_failed_call_in_the_contract_line(config):
    done = subprocess.run([str(config.root / CURL_JQ), *CLOSED], capture_output=True, text=True, timeout=60,
                          check=False)
    line = json.loads(done.stdout)
    assert done.returncode == 1 and line["client"] == "curl-jq" and line["ok"] == 0 and line["errors"]
    assert line["receipt"] == "0" * 32 and line["t_entry_ns"] <= line["t_ready_ns"] <= line["t_done_ns"]
