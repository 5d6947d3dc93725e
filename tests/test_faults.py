"""Faults survived, nothing lost (issue 13): each fault an adversarial user caused, as a test.

Signals, escaped descendants, endless output, torn runs.jsonl lines, a failed
start hijacking --resume, a server that dies or answers nonsense mid-run.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from orchestrator import cli
from orchestrator.config.model import DEFAULT_CONFIG, load_config
from orchestrator.config.scenarios import API_PAYLOAD, PARAMETER_RANGES
from orchestrator.errors import PolybenchError
from orchestrator.measure.process import OUTPUT_LIMIT, run_process
from orchestrator.measure.verify import count_bodies
from orchestrator.results.runlog import RUNS_FILE, LoggedRun, RunLog, read_run_log
from orchestrator.server_control.shared_server import SharedServer
from tests.tiers import build_clients

ROOT = DEFAULT_CONFIG.parent


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def wait_for(predicate, timeout_s: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


# --- escaped descendants -------------------------------------------------------------------

ESCAPER = """
import os, sys, time
pid = os.fork()
if pid == 0:
    os.setsid()                     # leaves the client's process group
    if os.fork() == 0:              # and a grandchild of that
        open(sys.argv[1] + ".grandchild", "w").write(str(os.getpid()))
        time.sleep(300)
        os._exit(0)
    open(sys.argv[1], "w").write(str(os.getpid()))
    time.sleep(300)
    os._exit(0)
while not (os.path.exists(sys.argv[1]) and os.path.exists(sys.argv[1] + ".grandchild")):
    time.sleep(0.01)
time.sleep(float(sys.argv[2]))
"""


@pytest.mark.parametrize(("client_sleep_s", "timeout_s"), [(30.0, 2.0), (0.0, 30.0)],
                         ids=["timed-out", "exited-normally"])
def test_setsid_descendants_do_not_survive_the_run(tmp_path, client_sleep_s, timeout_s):
    marker = tmp_path / "escaped"
    result = run_process([sys.executable, "-c", ESCAPER, str(marker), str(client_sleep_s)], timeout_s=timeout_s)
    assert result.timed_out == (client_sleep_s > timeout_s)
    for path in (marker, Path(str(marker) + ".grandchild")):
        pid = int(path.read_text())
        wait_for(lambda pid=pid: not alive(pid), 10, f"escaped process {pid} to be gone")


# --- output capture ------------------------------------------------------------------------

def test_an_endless_writer_is_stopped_at_the_output_limit(tmp_path):
    writer = "import sys\nchunk = 'x' * 65536\nwhile True:\n    sys.stdout.write(chunk)\n"
    result = run_process([sys.executable, "-c", writer], timeout_s=120)
    assert result.output_exceeded
    assert not result.timed_out, "stopped by the size limit, not by the clock"
    assert len(result.stdout) <= OUTPUT_LIMIT


def test_the_largest_bodies_output_the_config_allows_fits():
    # curl in `keepalive` with the config's largest request count prints one body per call.
    calls = PARAMETER_RANGES["requests"][1]
    body = json.dumps(API_PAYLOAD, separators=(",", ":"))
    printer = f"import sys\nsys.stdout.write({body!r} * {calls})\n"
    result = run_process([sys.executable, "-c", printer], timeout_s=120)
    assert result.exit_code == 0 and not result.output_exceeded
    counted = count_bodies(result.stdout, API_PAYLOAD, calls)
    assert counted["ok"] == calls


def test_time_discards_stdout_by_default(capsys):
    code = cli.main(["time", "--warmup", "0", "--min-runs", "1", "--max-runs", "1", "--",
                     sys.executable, "-c", "print('x' * 100_000_000)"])
    assert code == 0, capsys.readouterr().err


# --- runs.jsonl ------------------------------------------------------------------------------

def record(index: int) -> LoggedRun:
    return LoggedRun(run_id=f"pb-{index}", client="c", case="single", kind="counted", index=index, wall_ns=1000,
                     user_ns=1, sys_ns=1, peak_rss_kib=1, exit_code=0, timed_out=False, verified=True)


def test_a_whole_last_record_without_its_newline_is_kept(tmp_path, capsys):
    log = RunLog(tmp_path, {"profile": "p"})
    log.append(record(0))
    log.append(record(1))
    log.close()
    path = tmp_path / RUNS_FILE
    path.write_bytes(path.read_bytes().rstrip(b"\n"))  # only the newline was lost
    log = RunLog(tmp_path)  # --resume opens it for appending
    log.append(record(2))
    log.close()
    meta, kept = read_run_log(tmp_path)
    assert [r.run_id for r in kept] == ["pb-0", "pb-1", "pb-2"], "a measured run is never dropped"
    assert "dropped" not in capsys.readouterr().err


def test_latest_goes_beside_a_finished_run_wherever_its_folder_is(tmp_path):
    from orchestrator.results.model import mark_latest

    elsewhere = tmp_path / "kept" / "20260101T000000Z"  # a folder given to --resume, outside results/
    elsewhere.mkdir(parents=True)
    mark_latest(elsewhere)
    assert (tmp_path / "kept" / "latest").resolve() == elsewhere.resolve()


def test_a_torn_last_line_is_dropped_and_never_glued_to_the_next(tmp_path, capsys):
    log = RunLog(tmp_path, {"profile": "p"})
    log.append(record(0))
    log.append(record(1))
    log.close()
    with (tmp_path / RUNS_FILE).open("a") as handle:
        handle.write('{"type":"run","run_id":"pb-2","cli')  # the disk filled mid-line
    meta, kept = read_run_log(tmp_path)
    assert [r.run_id for r in kept] == ["pb-0", "pb-1"]
    assert "partial last line" in capsys.readouterr().err
    log = RunLog(tmp_path)  # --resume opens it for appending
    log.append(record(3))
    log.close()
    assert "dropped a partial last line" in capsys.readouterr().err
    meta, kept = read_run_log(tmp_path)
    assert meta["profile"] == "p"
    assert [r.run_id for r in kept] == ["pb-0", "pb-1", "pb-3"]


@pytest.mark.parametrize(("line", "message"), [
    (b"\xff\xfe not utf-8\n", "not UTF-8"),
    (b'{"type":"run","run_id":"x"}\n', "without"),
    (b'[1, 2, 3]\n', "not a record"),
    (b'{"type":"run","run_id":"pb-9","client":"c","case":"single","kind":"counted","index":0,"wall_ns":"fast",'
     b'"user_ns":1,"sys_ns":1,"peak_rss_kib":1,"exit_code":0,"timed_out":false,"verified":true}\n', "wall_ns"),
    (b'{"type":"run", NaN}\n', "not a JSON line"),
])
def test_a_damaged_middle_line_is_refused_not_dropped(tmp_path, line, message):
    log = RunLog(tmp_path, {"profile": "p"})
    log.append(record(0))
    log.close()
    with (tmp_path / RUNS_FILE).open("ab") as handle:
        handle.write(line)
        handle.write((json.dumps(record(1).to_json()) + "\n").encode())
    with pytest.raises(PolybenchError, match=message) as error:
        read_run_log(tmp_path)
    assert "\n" not in str(error.value)


# --- whole runs against a real server -----------------------------------------------------------

def fake_config(tmp_path: Path, scenarios: dict[str, Any], runs: dict[str, Any]) -> Path:
    """The shipped config with python-urllib only (no compiler needed) and one profile 't'."""
    raw = yaml.load(DEFAULT_CONFIG.read_text(), Loader=yaml.CSafeLoader)
    raw["clients"] = [copy.deepcopy(next(c for c in raw["clients"] if c["name"] == "python-urllib"))]
    raw["profiles"] = {"t": {"runs": runs, "scenarios": scenarios}}
    raw["baselines"] = []  # they name the other clients (tests/test_baselines.py covers them)
    raw.pop("report", None)  # its focus is another client
    path = tmp_path / "polybench.yaml"
    path.write_text(yaml.dump(raw, Dumper=yaml.CSafeDumper))
    return path


@pytest.fixture(scope="module")
def urllib_built() -> None:
    config = load_config()
    build_clients(config, [config.client("python-urllib")])


def run_lines(results_root: Path) -> list[dict[str, Any]]:
    lines = []
    for path in (results_root / "results").glob("2*/" + RUNS_FILE):
        lines += [json.loads(line) for line in path.read_text().splitlines() if line.endswith("}")]
    return [line for line in lines if line.get("type") == "run"]


def test_a_server_that_dies_mid_run_stops_it_and_keeps_what_was_measured(tmp_path, urllib_built, capsys):
    config = fake_config(tmp_path, {"single": {}}, {"warmup": 0, "min": 30, "max": 30, "budget_s": 600})
    with SharedServer(stats_token=None) as server:  # as `invoke serve` without a token: --server-url reads it
        def kill_after_first_run() -> None:
            wait_for(lambda: any(r["verified"] for r in run_lines(tmp_path)), 120, "a verified run")
            os.killpg(server.pid, signal.SIGKILL)
        killer = threading.Thread(target=kill_after_first_run, daemon=True)
        killer.start()
        code = cli.main(["run", "--config", str(config), "--profile", "t", "--quiet", "--server-url", server.url,
                         "--results-root", str(tmp_path)])
        killer.join()
    err = capsys.readouterr().err.strip().splitlines()
    assert code != 0
    assert len(err) == 1 and "stopped answering" in err[0] and "--resume" in err[0], err
    assert any(r["verified"] for r in run_lines(tmp_path)), "the verified runs before the death are kept"


class _WrongShape(BaseHTTPRequestHandler):
    answers: dict[str, Any] = {}

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        body = json.dumps(self.answers.get(self.path.split("?")[0], {})).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Polybench-Nonce", os.urandom(16).hex())  # a client reads it (docs/contract.md)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def wrong_server() -> Iterator[tuple[str, type[_WrongShape]]]:
    handler = type("Handler", (_WrongShape,), {"answers": {}})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("health", [[1, 2], "ok", {"status": "bad"}, {"state": "ok"}, None])
def test_health_of_the_wrong_shape_is_one_line(tmp_path, wrong_server, health, urllib_built, capsys):
    url, handler = wrong_server
    handler.answers["/health"] = health
    config = fake_config(tmp_path, {"single": {}}, {"warmup": 0, "min": 1, "max": 1})
    code = cli.main(["run", "--config", str(config), "--profile", "t", "--quiet", "--server-url", url,
                     "--results-root", str(tmp_path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith("polybench: error: "), err
    assert not (tmp_path / "results").exists(), "a failed start leaves nothing for --resume to pick up"


@pytest.mark.parametrize("stats", [[1], {"requests": "1", "connections": 1}, {"requests": 1},
                                   {"requests": 1, "connections": 1, "paths": ["/api"]}])
def test_stats_of_the_wrong_shape_fail_the_run_not_the_program(tmp_path, wrong_server, stats, urllib_built,
                                                                capsys):
    url, handler = wrong_server
    handler.answers["/health"] = {"status": "ok", "worker": "fake", "workers": 1}
    handler.answers["/stats"] = stats
    handler.answers["/api"] = API_PAYLOAD
    config = fake_config(tmp_path, {"single": {}}, {"warmup": 0, "min": 1, "max": 1})
    code = cli.main(["run", "--config", str(config), "--profile", "t", "--quiet", "--server-url", url,
                     "--results-root", str(tmp_path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1, err  # every run failed: not a success
    assert len(err) == 1 and "no client produced a verified run" in err[0], err
    failed = run_lines(tmp_path)
    assert failed and not any(r["verified"] for r in failed)
    assert all("/stats unavailable" in r["reason"] for r in failed)


@pytest.mark.usefixtures("runs_on_live_server")  # what a run does with no client: no server life
def test_a_run_where_every_client_is_skipped_fails(tmp_path, monkeypatch, capsys):
    import orchestrator.measure.matrix

    monkeypatch.setattr(orchestrator.measure.matrix, "read_manifest", lambda config: {"clients": {}})
    config = fake_config(tmp_path, {"single": {}}, {"warmup": 0, "min": 1, "max": 1})
    code = cli.main(["run", "--config", str(config), "--profile", "t", "--quiet", "--results-root", str(tmp_path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and "no client produced a verified run" in err[-1], err


def test_a_case_beyond_a_clients_limit_is_skipped_with_the_reason():
    config = load_config()
    curl = config.client("curl")
    within = next(c for c in config.profile("default").cases if c.scenario == "concurrent")
    beyond = type(within)("concurrent", {**within.params, "concurrency": 400})
    assert curl.beyond_limits(within) is None
    assert "beyond curl's limit of 300" in curl.beyond_limits(beyond)


def test_resume_skips_a_newer_folder_without_measurements(tmp_path):
    from orchestrator.measure.matrix import SCHEDULE_METHOD

    meta = {"profile": "p", "config_sha256": "x", "clients": ["c"], "cases": ["single"], "inherit_env": None,
            "schedule": {"method": SCHEDULE_METHOD, "seed": 1, "pin": None}}
    older = tmp_path / "results" / "20260101T000000Z"
    log = RunLog(older, meta)
    log.append(record(0))
    log.close()
    RunLog(tmp_path / "results" / "20260102T000000Z", meta).close()  # a failed start: metadata only
    from orchestrator.measure.matrix import _resume_dir

    directory, previous, _ = _resume_dir(tmp_path, {**meta, "schedule": {**meta["schedule"], "seed": None}})
    assert directory == older and len(previous) == 1


# --- signals ---------------------------------------------------------------------------------

def scratch_dirs(pid: int) -> list[Path]:
    return list(Path("/dev/shm").glob(f"polybench-run-{pid}-*"))


def new_scratch_dirs(pid: int, before: set[Path]) -> set[Path]:
    """pid's run folders that were not there before it started: pids wrap (at 32,768 here), and a killed
    process's folder under the same pid is kept until that pid is free (the sweep spares live pids)."""
    return set(scratch_dirs(pid)) - before


@pytest.mark.parametrize("signo", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signalled_run_stops_the_server_and_keeps_finished_runs(tmp_path, signo, urllib_built):
    config = fake_config(tmp_path, {"concurrent": {"requests": [1], "concurrency": [1], "delay_ms": [1500]}},
                         {"warmup": 0, "min": 20, "max": 20, "budget_s": 600})
    before = set(Path("/dev/shm").glob("polybench-run-*"))
    process = subprocess.Popen([sys.executable, "-m", "orchestrator", "run", "--config", str(config), "--profile",
                                "t", "--quiet", "--results-root", str(tmp_path)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: any(r["verified"] for r in run_lines(tmp_path)) or process.poll() is not None, 120,
                 "a verified run")
        spawned = children(process.pid)
        assert spawned, "the server and the launcher run under the orchestrator"
        process.send_signal(signo)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    for pid in spawned:
        wait_for(lambda pid=pid: not alive(pid), 10, f"child {pid} to stop")
    assert not new_scratch_dirs(process.pid, before)
    assert any(r["verified"] for r in run_lines(tmp_path))


def test_a_signalled_serve_stops_its_server(tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "orchestrator", "serve"], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert "polybench server at" in process.stdout.readline()
        arbiter = children(process.pid)
        assert arbiter
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    for pid in arbiter:
        wait_for(lambda pid=pid: not alive(pid), 10, f"server {pid} to stop")


def test_a_full_disk_while_logging_is_one_line_and_keeps_the_earlier_runs(tmp_path, monkeypatch):
    import errno

    import orchestrator.results.runlog

    log = RunLog(tmp_path, {"profile": "p"})
    log.append(record(0))

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(orchestrator.results.runlog.os, "fsync", full)
    with pytest.raises(PolybenchError, match="No space left on device"):
        log.append(record(1))
    log.close()
    monkeypatch.undo()
    assert [r.run_id for r in read_run_log(tmp_path)[1]][:1] == ["pb-0"]


def test_the_server_stops_when_the_orchestrator_is_killed_outright():
    """SIGKILL leaves no handler to run: the server must notice its parent's death itself (PR_SET_PDEATHSIG)."""
    code = ("import sys, time\nfrom orchestrator.server_control.shared_server import SharedServer\n"
            "server = SharedServer().start()\nprint(server.pid, flush=True)\ntime.sleep(120)\n")
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        server_pid = int(parent.stdout.readline())
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()

        def gone() -> bool:
            try:
                os.kill(server_pid, 0)
            except ProcessLookupError:
                return True
            try:  # a zombie re-parented to init is gone in all but name
                return Path(f"/proc/{server_pid}/stat").read_text().split()[2] == "Z"
            except FileNotFoundError:
                return True

        wait_for(gone, 20, "the server to stop after its parent was killed")
    finally:
        if parent.poll() is None:
            parent.kill()
