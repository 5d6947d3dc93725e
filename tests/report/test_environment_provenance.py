"""The report shows what environment the clients ran with, and warns about inherited knobs."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_tables import read_report
from synthetic import make_results, write_results

from orchestrator.provenance.process_env import EnvPolicy
from orchestrator.report import generate_report

pytestmark = pytest.mark.usefixtures("charts_not_rendered")  # the markdown is under test (conftest.py)


def _report(tmp_path: Path, process_environment) -> str:
    data = make_results(failed_run=False, cases=[("single", {}, 1)])
    if process_environment is not None:
        data["environment"]["process_environment"] = process_environment
    data["environment"]["clients"]["python-requests"]["interpreter"] = "build/venvs/python-requests/bin/python"
    data["environment"]["clients"]["python-requests"]["packages"] = {"requests": "2.34.2", "urllib3": "2.8.0"}
    results = write_results(tmp_path / "r", data)
    return read_report(generate_report([results], output_root=tmp_path / "reports", quiet=True))


def test_recorded_environment_and_its_warning_are_shown(tmp_path: Path) -> None:
    host = {"PATH": "/usr/bin", "HOME": "/home/x", "GOGC": "off", "TOKEN": "hunter2"}
    recorded = EnvPolicy(inherit=("GOGC", "TOKEN", "NOPE")).record({"go-nethttp": {"GODEBUG": "x=1"}}, host=host)
    recorded["server"] = {"PATH": "/usr/bin"}
    text = _report(tmp_path, recorded)
    before_findings = text.split("## Findings", 1)[0]
    assert "> **Environment**: inherited GOGC=off: changes Go's garbage collector." in before_findings
    assert "GOGC=off, TOKEN (value not recorded); NOPE asked for but not set" in text
    assert "go-nethttp: GODEBUG=x=1" in text
    assert "hunter2" not in text
    assert "- python-requests (`build/venvs/python-requests/bin/python`): requests 2.34.2, urllib3 2.8.0" in text
    assert "| TMPDIR, TMP, TEMP, TEMPDIR: a private folder per timed run" in text


def test_the_packages_shown_are_the_recorded_report_settings(tmp_path: Path) -> None:
    """polybench.yaml `report.packages_shown` as recorded (every client's library first): a library added to
    the config is shown without a code change, names compared as pip does (curl_cffi is curl-cffi)."""
    data = make_results(failed_run=False, cases=[("single", {}, 1)])
    data["environment"]["python_packages"] = {"pycurl": "7.45", "curl_cffi": "0.13", "flask": "3.1", "numpy": "2"}
    data["environment"]["report"] = {"focus": None, "article": None, "packages_shown": ["curl-cffi", "pycurl"]}
    text = read_report(generate_report([write_results(tmp_path / "r", data)], output_root=tmp_path / "o",
                                       quiet=True))
    assert "- curl_cffi 0.13, pycurl 7.45 (4 packages in the environment in all)" in text


def test_results_without_a_recorded_environment_say_so(tmp_path: Path) -> None:
    text = _report(tmp_path, None)
    assert "not recorded (inherited the orchestrator's whole environment)" in text
    assert "> **Environment**" not in text


def test_server_address_hides_a_start_time_port_but_not_a_remote_address():
    from orchestrator.report.sections.provenance import server_address

    assert server_address("http://127.0.0.1:41234") == "http://127.0.0.1 (port chosen at start)"
    assert server_address("http://server:8123", remote=True) == "http://server:8123"
    assert server_address(None) == "unknown"
