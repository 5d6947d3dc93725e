"""The clean environment clients, the server and `time` get, and what of it is recorded (process_env.py)."""

from __future__ import annotations

import pytest

from orchestrator.errors import PolybenchError
from orchestrator.process_env import EnvPolicy, base_environment, parse_names, server_environment

HOST = {
    "PATH": "/opt/bin:/usr/bin",
    "HOME": "/home/someone",
    "LANG": "de_DE.UTF-8",
    "PYTHONVERBOSE": "1",
    "GODEBUG": "inittrace=1",
    "RUST_LOG": "trace",
    "http_proxy": "http://user:secret@127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "API_TOKEN": "do-not-publish",
    "LD_PRELOAD": "/tmp/evil.so",
}


def test_clean_by_default_nothing_but_the_fixed_base():
    env = EnvPolicy().for_process(host=HOST)
    assert set(env) == {"PATH", "HOME", "LANG", "TMPDIR"}
    assert env["PATH"] == HOST["PATH"] and env["HOME"] == HOST["HOME"]
    assert env["LANG"] == "C.UTF-8"  # fixed, not the caller's locale


def test_config_env_is_added_and_inherited_names_win():
    env = EnvPolicy(inherit=("GODEBUG",)).for_process({"GOGC": "100", "GODEBUG": "x=1"}, host=HOST)
    assert env["GOGC"] == "100"
    assert env["GODEBUG"] == "inittrace=1"
    assert "PYTHONVERBOSE" not in env and "RUST_LOG" not in env


def test_a_missing_inherited_name_is_recorded_not_invented():
    policy = EnvPolicy(inherit=("NOT_SET_ANYWHERE",))
    assert "NOT_SET_ANYWHERE" not in policy.for_process(host=HOST)
    assert policy.record({}, host=HOST)["inherit_missing"] == ["NOT_SET_ANYWHERE"]


def test_no_proxy_variable_unless_inherited_and_then_loopback_is_exempt():
    assert not any("proxy" in name.lower() for name in EnvPolicy().for_process(host=HOST))
    env = EnvPolicy(inherit=("http_proxy",)).for_process(host={**HOST, "NO_PROXY": "example.org"})
    for name in ("NO_PROXY", "no_proxy"):
        hosts = env[name].split(",")
        assert {"127.0.0.1", "localhost", "::1"} <= set(hosts)
    assert "example.org" not in env["NO_PROXY"]  # NO_PROXY itself was not inherited


def test_inherit_all_is_the_callers_environment_with_loopback_still_unproxied():
    env = EnvPolicy(inherit_all=True).for_process(host=HOST)
    assert env["LANG"] == "de_DE.UTF-8" and env["API_TOKEN"] == "do-not-publish"
    assert "127.0.0.1" in env["NO_PROXY"].split(",")


def test_recorded_values_never_include_secrets():
    policy = EnvPolicy(inherit=("API_TOKEN", "http_proxy", "PYTHONVERBOSE", "LANG"))
    record = policy.record({"go-nethttp": {"GOGC": "100"}}, host=HOST)
    assert record["inherited"]["API_TOKEN"] is None  # name recorded, value withheld
    assert record["inherited"]["http_proxy"] == "http://***@127.0.0.1:9"
    assert record["inherited"]["PYTHONVERBOSE"] == "1"
    assert record["clients"] == {"go-nethttp": {"GOGC": "100"}}
    assert record["loopback_no_proxy"] is True
    assert "do-not-publish" not in repr(record) and "secret" not in repr(record)


def test_warnings_name_each_result_changing_variable_and_only_those():
    policy = EnvPolicy(inherit=("API_TOKEN", "PYTHONVERBOSE", "GODEBUG", "RUST_LOG", "LD_PRELOAD", "HTTPS_PROXY",
                                "LANG"))
    warnings = policy.warnings(host=HOST)
    for name in ("PYTHONVERBOSE", "GODEBUG", "RUST_LOG", "LD_PRELOAD", "HTTPS_PROXY", "LANG"):
        assert sum(line.startswith(f"inherited {name}=") for line in warnings) == 1, name
    assert not any("API_TOKEN" in line for line in warnings)
    assert not any("secret" in line for line in warnings)
    assert EnvPolicy().warnings(host=HOST) == []


def test_server_gets_the_base_only():
    assert server_environment(HOST) == base_environment(HOST)
    assert "PYTHONVERBOSE" not in server_environment(HOST)


@pytest.mark.parametrize("text", ["A B", "1ABC", "A=B", "A;B"])
def test_bad_inherit_names_are_one_clear_error(text):
    with pytest.raises(PolybenchError, match="--inherit-env"):
        parse_names(text)


def test_inherit_names_parse():
    assert parse_names(" PYTHONPATH, GOGC ,") == ("PYTHONPATH", "GOGC")
    assert parse_names(None) == ()
