"""The clean environment clients, the server and `time` get, and what of it is recorded (process_env.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestrator.errors import PolybenchError
from orchestrator.provenance.process_env import EnvPolicy, base_environment, parse_names, server_environment

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
    assert env["PATH"] == HOST["PATH"] and env["HOME"] != HOST["HOME"]
    assert Path(env["HOME"]).is_dir() and not any(Path(env["HOME"]).iterdir()), "an empty HOME: no ~/.curlrc"
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


# --- the config's `env:` and the verbs that use the policy --------------------


def _config_with_env(tmp_path, env):
    import yaml

    from orchestrator.config.model import DEFAULT_CONFIG

    raw = yaml.load(DEFAULT_CONFIG.read_text(), Loader=yaml.CSafeLoader)
    go = next(c for c in raw["clients"] if c["name"] == "go-nethttp")
    go["env"] = env
    path = tmp_path / "polybench.yaml"
    path.write_text(yaml.dump(raw, Dumper=yaml.CSafeDumper))
    return path


def test_config_env_is_validated_and_reaches_the_client(tmp_path):
    from orchestrator.config.model import load_config
    from orchestrator.measure.one_run import Runner

    config = load_config(_config_with_env(tmp_path, {"GOGC": 200, "EXTRA": "{root}/x"}))
    client = config.client("go-nethttp")
    env = Runner(config, server=None, timeout_s=1.0).client_env(client)
    assert env["GOGC"] == "200" and env["EXTRA"] == f"{config.root}/x"


@pytest.mark.parametrize(("env", "message"), [
    ({"NOT A NAME": "x"}, "is not an environment variable name"),
    ({"GOGC": ["a"]}, "env.GOGC: expected a string"),
    (["GOGC=1"], "env: expected a mapping"),
])
def test_bad_config_env_is_one_clear_line(tmp_path, env, message):
    from orchestrator.config.model import load_config
    from orchestrator.errors import ConfigError

    with pytest.raises(ConfigError, match=message):
        load_config(_config_with_env(tmp_path, env))


def test_time_runs_the_command_in_the_clean_environment(monkeypatch):
    from orchestrator.measure.timer import TimerSettings, time_command

    monkeypatch.setenv("POLYBENCH_TEST_LEAK", "1")
    monkeypatch.setenv("PYTHONVERBOSE", "1")
    settings = TimerSettings(warmup=0, min_runs=1, max_runs=1)
    absent = ["sh", "-c", 'test -z "$POLYBENCH_TEST_LEAK" && test "$LANG" = C.UTF-8']
    summary = time_command(absent, settings)
    assert summary["environment"]["inherited"] == {} and summary["environment"]["warnings"] == []
    present = ["sh", "-c", 'test "$POLYBENCH_TEST_LEAK" = 1']
    with pytest.raises(PolybenchError, match="exited 1"):
        time_command(present, settings)
    inherited = time_command(present, settings, EnvPolicy(inherit=("POLYBENCH_TEST_LEAK", "PYTHONVERBOSE")))
    assert inherited["environment"]["inherited"] == {"POLYBENCH_TEST_LEAK": None, "PYTHONVERBOSE": "1"}
    assert any("PYTHONVERBOSE" in line for line in inherited["environment"]["warnings"])
    assert time_command(present, settings, EnvPolicy(inherit_all=True))["runs"] == 1


def test_cli_flags_reach_the_policy():
    from orchestrator.cli import _env_policy, parser

    args = parser().parse_args(["time", "--inherit-env", "GOGC,PYTHONPATH", "--", "true"])
    assert _env_policy(args) == EnvPolicy(inherit=("GOGC", "PYTHONPATH"))
    args = parser().parse_args(["run", "--inherit-all-env"])
    assert _env_policy(args) == EnvPolicy(inherit_all=True)
