"""Pins clients/python/: the shared `_contract` helper, and every script against the real server."""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from orchestrator.measure.one_run import settled_stats
from orchestrator.measure.process import run_process
from orchestrator.server_control.shared_server import SharedServer

CLIENTS_DIR = Path(__file__).resolve().parents[2] / "clients" / "python"
SCRIPTS = {
    "python-urllib": "client_urllib.py",
    "python-requests": "client_requests.py",
    "python-httpx": "client_httpx.py",
    "python-aiohttp": "client_aiohttp.py",
    "python-requests-futures": "client_requests_futures.py",
    "python-httpclient": "client_httpclient.py",
    "python-urllib3": "client_urllib3.py",
    "python-pycurl": "client_pycurl.py",
    "python-curl-cffi": "client_curl_cffi.py",
    "python-pyreqwest": "client_pyreqwest.py",
    "python-niquests": "client_niquests.py",
}
FULL_CLIENTS = [name for name in SCRIPTS if name != "python-requests-futures"]


def _load_contract():
    spec = importlib.util.spec_from_file_location("_contract", CLIENTS_DIR / "_contract.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


contract = _load_contract()
URL = "http://127.0.0.1:9"


# --- the command line --------------------------------------------------------


def test_parse_args_reads_every_flag() -> None:
    options = contract.parse_args(
        ["concurrent", "--url", URL + "/", "--run-id", "pb-1", "--requests", "7",
         "--concurrency", "3", "--delay-ms", "0", "--bytes", "10"]
    )
    assert (options.scenario, options.url, options.run_id) == ("concurrent", URL, "pb-1")
    assert (options.requests, options.concurrency, options.delay_ms, options.bytes) == (7, 3, 0, 10)
    assert options.headers == {"X-Polybench-Run": "pb-1"}


def test_ca_file_is_kept_for_https_and_ignored_for_http(tmp_path: Path) -> None:
    https = contract.parse_args(["single", "--url", "https://127.0.0.1:9", "--run-id", "x", "--ca-file", "/x.pem"])
    assert (https.ca_file, https.tls) == ("/x.pem", True)
    http = contract.parse_args(["single", "--url", URL, "--run-id", "x", "--ca-file", "/x.pem"])
    assert (http.ca_file, http.tls, contract.ssl_context(http)) == (None, False, None)
    with pytest.raises(OSError):
        contract.ssl_context(https)  # no such file: the run fails, never an unverified context


def test_parse_args_defaults() -> None:
    options = contract.parse_args(["stream", "--run-id", "x", "--url", URL])
    assert (options.requests, options.concurrency, options.delay_ms, options.bytes) == (1, 1, 0, 1048576)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--url", URL, "--run-id", "x"],
        ["single", "--run-id", "x"],
        ["single", "--url", URL],
        ["single", "--url", "ftp://host", "--run-id", "x"],
        ["single", "--url", URL, "--run-id", "has space"],
        ["single", "--url", URL, "--run-id", "x" * 65],
        ["single", "--url", URL, "--run-id", "x", "--requests"],
        ["single", "--url", URL, "--run-id", "x", "--requests", "0"],
        ["single", "--url", URL, "--run-id", "x", "--requests", "-1"],
        ["single", "--url", URL, "--run-id", "x", "--requests", "1.5"],
        ["single", "--url", URL, "--run-id", "x", "--requests", "\u00b2"],
        ["single", "--url", URL, "--run-id", "x", "--frob", "1"],
        ["single", "--url", URL, "--run-id", "x", "--url", URL],
        ["single", f"--url={URL}", "--run-id", "x"],
        ["single", "--url", "https://127.0.0.1:9", "--run-id", "x"],
        ["single", "--url", "https://127.0.0.1:9", "--run-id", "x", "--ca-file"],
    ],
)
def test_parse_args_rejects(argv: list[str]) -> None:
    with pytest.raises(contract.UsageError):
        contract.parse_args(argv)


def test_unknown_scenario_is_unsupported_not_a_usage_error(monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.argv", ["client", "bogus", "--url", URL, "--run-id", "x"])
    with pytest.raises(SystemExit) as exit_:
        contract.main("python-test", {"single": lambda options, tally: None}, 0)
    assert exit_.value.code == contract.EXIT_UNSUPPORTED
    assert "not supported" in capsys.readouterr().err


# --- the tally and the output line -------------------------------------------


def new_tally(scenario: str = "sequential", requests: int = 3) -> Any:
    options = contract.parse_args([scenario, "--url", URL, "--run-id", "x", "--requests", str(requests)])
    return contract.Tally("python-test", options, time.time_ns())


def test_tally_call_counts_ok_and_records_errors() -> None:
    tally = new_tally()
    with tally.call("GET /api"):
        pass
    with tally.call("GET /api"):
        raise ConnectionRefusedError("refused")
    with tally.call("GET /api"):
        contract.expect_status(500, 200)
    assert tally.ok == 1
    assert tally.errors == [
        "GET /api: ConnectionRefusedError: refused",
        "GET /api: status 500, expected 200",
    ]


def test_tally_keeps_at_most_ten_errors() -> None:
    tally = new_tally(requests=20)
    for _ in range(20):
        with tally.call("GET /api"):
            raise TimeoutError("slow")
    assert len(tally.errors) == 10


def test_tally_lets_keyboard_interrupt_through() -> None:
    tally = new_tally()
    with pytest.raises(KeyboardInterrupt):
        with tally.call("GET /api"):
            raise KeyboardInterrupt


@pytest.mark.parametrize(("scenario", "expected"), [("single", 1), ("stream", 1), ("rest", 5), ("keepalive", 3)])
def test_tally_expects_the_scenarios_calls(scenario: str, expected: int) -> None:
    assert new_tally(scenario).requests == expected


def emitted(tally: Any, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    with pytest.raises(SystemExit) as exit_info:
        contract.emit(tally)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    return exit_info.value.code, json.loads(lines[0])


def test_emit_exits_0_when_every_call_passed(capsys: pytest.CaptureFixture[str]) -> None:
    tally = new_tally(requests=2)
    tally.ready()
    for _ in range(2):
        with tally.call("GET /api"):
            tally.bytes += 50
    tally.done()
    code, line = emitted(tally, capsys)
    assert code == 0
    assert line["ok"] == line["requests"] == 2 and line["bytes"] == 100 and line["errors"] == []
    assert line["sha256"] is None
    assert line["t_entry_ns"] <= line["t_ready_ns"] <= line["t_done_ns"]
    assert line["receipt"] == "0" * 32  # no nonce received
    assert set(line) == {"client", "scenario", "requests", "ok", "bytes", "sha256", "receipt", "errors",
                         "t_entry_ns", "t_ready_ns", "t_done_ns"}


def test_receipt_is_the_xor_of_the_received_nonces(capsys: pytest.CaptureFixture[str]) -> None:
    tally = new_tally(requests=2)
    tally.received("0f" * 16)
    tally.received("ff" * 16)
    _, line = emitted(tally, capsys)
    assert line["receipt"] == "f0" * 16


@pytest.mark.parametrize("nonce", [None, "", "0" * 31, "0" * 33, "AB" * 16, "0x" + "0" * 30, "g" * 32])
def test_a_malformed_nonce_is_a_mismatch(nonce: str | None) -> None:
    with pytest.raises(contract.Mismatch, match="X-Polybench-Nonce"):
        new_tally().received(nonce)


def test_emit_exits_1_on_a_failed_call(capsys: pytest.CaptureFixture[str]) -> None:
    tally = new_tally(requests=1)
    with tally.call("GET /api"):
        raise OSError("reset")
    code, line = emitted(tally, capsys)
    assert code == 1 and line["ok"] == 0 and line["errors"] == ["GET /api: OSError: reset"]


def test_main_reports_a_set_up_failure_as_a_failed_run(monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    def broken(options: Any, tally: Any) -> None:
        raise RuntimeError("no event loop")

    monkeypatch.setattr(sys, "argv", ["client", "single", "--url", URL, "--run-id", "x"])
    with pytest.raises(SystemExit) as exit_info:
        contract.main("python-test", {"single": broken}, time.time_ns())
    line = json.loads(capsys.readouterr().out)
    assert exit_info.value.code == 1
    assert line["ok"] == 0 and line["errors"] == ["single: RuntimeError: no event loop"]


def test_main_exits_3_for_a_scenario_the_client_lacks(monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["client", "stream", "--url", URL, "--run-id", "x"])
    with pytest.raises(SystemExit) as exit_info:
        contract.main("python-test", {}, time.time_ns())
    captured = capsys.readouterr()
    assert exit_info.value.code == 3 and captured.out == "" and len(captured.err.splitlines()) == 1


# --- the checks ----------------------------------------------------------------


def test_expect_api_and_delay() -> None:
    contract.expect_api({"data": [1, 2, 3], "message": "GET request received"})
    contract.expect_delay({"delay_ms": 5}, 5)
    with pytest.raises(contract.Mismatch):
        contract.expect_api({"data": [1, 2], "message": "GET request received"})
    with pytest.raises(contract.Mismatch):
        contract.expect_delay({"delay_ms": 4}, 5)


def test_expect_stream() -> None:
    contract.expect_stream("10", 10, 10)
    for args in [(None, 10, 10), ("9", 10, 10), ("10", 9, 10)]:
        with pytest.raises(contract.Mismatch):
            contract.expect_stream(*args)


def user(name: str, href: str = "/users/7") -> dict[str, Any]:
    return {"id": 7, "name": name, "email": "x@example.invalid", "_links": {"self": {"href": href}}}


def test_rest_plan_follows_the_link_and_checks_each_step() -> None:
    plan = contract.RestPlan("x")
    post, get, put, delete, gone = plan.steps
    assert [step.method for step in plan.steps] == ["POST", "GET", "PUT", "DELETE", "GET"]
    assert [step.status for step in plan.steps] == [201, 200, 200, 204, 404]
    assert post.body == {"name": "polybench-x", "email": "x@example.invalid"}
    assert put.body == {"name": "polybench-x-renamed", "email": "x@example.invalid"}
    assert get.body is None and not delete.returns_json
    assert plan.path(post) == "/users"
    with pytest.raises(contract.Mismatch):
        plan.path(get)  # nothing to follow before the POST succeeded
    post.check(user("polybench-x"), "/users/7")
    assert plan.path(get) == plan.path(gone) == "/users/7"
    get.check(user("polybench-x"), None)
    put.check(user("polybench-x-renamed"), None)
    delete.check(b"", None)
    gone.check({"error": "not found"}, None)


@pytest.mark.parametrize(
    ("index", "payload", "location"),
    [
        (0, user("polybench-x"), "/users/8"),  # Location differs from the link
        (0, {"name": "polybench-x", "email": "x@example.invalid"}, "/users/7"),  # no id, no _links
        (0, user("other"), "/users/7"),
        (1, user("polybench-x-renamed"), None),
        (2, user("polybench-x"), None),
        (3, b"{}", None),
        (4, {"id": 7}, None),
        (4, [], None),
    ],
)
def test_rest_plan_rejects(index: int, payload: object, location: str | None) -> None:
    plan = contract.RestPlan("x")
    with pytest.raises(contract.Mismatch):
        plan.steps[index].check(payload, location)


# --- the scripts against the real server (slow: one process per case) -----------


@pytest.fixture(scope="module")
def server() -> Iterator[SharedServer]:
    with SharedServer() as shared:
        yield shared


class Run:
    def __init__(self, argv: list[str]) -> None:
        started = time.time_ns()
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        stdout, stderr = process.communicate(timeout=120)
        self.reaped_ns = time.time_ns()
        self.started_ns = started
        self.exit_code = process.returncode
        self.stdout = stdout.decode()
        self.stderr = stderr.decode()

    @property
    def line(self) -> dict[str, Any]:
        lines = self.stdout.splitlines()
        assert len(lines) == 1, self.stdout
        return json.loads(lines[0])


def interpreter(client: str) -> str:
    """The client's own venv once built; else polybench's (which holds every client library, but
    urllib3-future in place of urllib3: README.md, so python-urllib3 is only faithful in its venv)."""
    own = CLIENTS_DIR.parents[1] / "build" / "venvs" / client / "bin" / "python"
    return str(own) if own.exists() else sys.executable


def run_client(client: str, scenario: str, url: str, run_id: str, *flags: str) -> Run:
    argv = [interpreter(client), str(CLIENTS_DIR / SCRIPTS[client]), scenario, "--url", url, "--run-id", run_id, *flags]
    return Run(argv)


CASES = [
    ("single", (), 1, "/api"),
    ("sequential", ("--requests", "4"), 4, "/api"),
    ("keepalive", ("--requests", "6"), 6, "/api"),
    ("concurrent", ("--requests", "12", "--concurrency", "4", "--delay-ms", "20"), 12, "/delay/20"),
    ("stream", ("--bytes", "1000003"), 1, "/bytes/1000003"),
    ("rest", (), 5, None),
]


@pytest.mark.slow
@pytest.mark.parametrize("client", FULL_CLIENTS)
@pytest.mark.parametrize(("scenario", "flags", "calls", "path"), CASES, ids=[case[0] for case in CASES])
def test_client_passes_every_scenario(server: SharedServer, client: str, scenario: str,
                                      flags: tuple[str, ...], calls: int, path: str | None) -> None:
    run_id = f"t-{client}-{scenario}-{os.getpid()}"
    run = run_client(client, scenario, server.url, run_id, *flags)
    assert run.exit_code == 0, run.stdout + run.stderr
    line = run.line
    assert (line["client"], line["scenario"]) == (client, scenario)
    assert line["ok"] == line["requests"] == calls and line["errors"] == []
    assert run.started_ns <= line["t_entry_ns"] <= line["t_ready_ns"] <= line["t_done_ns"] <= run.reaped_ns
    stats = settled_stats(server, run_id)
    assert stats["requests"] == calls
    assert line["receipt"] == stats["receipt"] and sum(stats["completed"].values()) == calls
    if path is not None:
        assert stats["paths"] == {path: calls}
    if scenario == "sequential":
        assert stats["connections"] == calls
    if scenario == "keepalive":
        assert stats["connections"] == 1
    if scenario == "concurrent":
        assert stats["connections"] <= calls
    if scenario == "stream":
        assert line["bytes"] == 1000003
        assert [line["sha256"]] == [stream["sha256"] for stream in stats["streams"]]


@pytest.mark.slow
@pytest.mark.parametrize("client", FULL_CLIENTS)
def test_stream_never_holds_the_body(server: SharedServer, client: str) -> None:
    size = 200 * 1024 * 1024
    argv = [interpreter(client), str(CLIENTS_DIR / SCRIPTS[client]), "stream", "--url", server.url,
            "--run-id", f"t-rss-{client}", "--bytes", str(size)]
    # Through the launcher: a child forked from pytest itself would report
    # pytest's own high-water mark as its peak RSS (orchestrator/measure/process.py).
    result = run_process(argv, timeout_s=120)
    line = json.loads(result.stdout)
    assert result.exit_code == 0 and line["bytes"] == size
    assert result.peak_rss_kib < 100 * 1024  # KiB: well under the 200 MB body


@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["single", "sequential", "keepalive", "stream", "rest"])
def test_requests_futures_supports_only_concurrent(scenario: str) -> None:
    run = run_client("python-requests-futures", scenario, URL, "x")
    assert run.exit_code == 3 and run.stdout == ""
    assert len(run.stderr.splitlines()) == 1


@pytest.mark.slow
@pytest.mark.parametrize("client", SCRIPTS)
def test_bad_flag_exits_2_without_traceback(client: str) -> None:
    run = run_client(client, "concurrent", URL, "x", "--requests", "many")
    assert run.exit_code == 2 and run.stdout == ""
    assert len(run.stderr.splitlines()) == 1 and "Traceback" not in run.stderr


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.mark.slow
@pytest.mark.parametrize("client", FULL_CLIENTS)
@pytest.mark.parametrize("scenario", ["sequential", "keepalive", "concurrent", "stream", "rest"])
def test_unreachable_server_still_prints_the_line(client: str, scenario: str) -> None:
    run = run_client(client, scenario, closed_port_url(), "x", "--requests", "2", "--concurrency", "2")
    assert run.exit_code == 1, run.stderr
    line = run.line
    assert line["ok"] == 0 and line["requests"] == len(line["errors"]) >= 1
    assert "Traceback" not in run.stderr
