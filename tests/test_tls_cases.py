"""TLS cases as data and as runs: tls_<scenario> is its plain scenario on the TLS port, checked the same way."""

from __future__ import annotations

import json

import pytest
import yaml

from orchestrator import cli
from orchestrator.config.model import Case, load_config
from orchestrator.config.scenarios import SCENARIOS, TLS_OF, normalise_params
from orchestrator.errors import ConfigError, PolybenchError
from orchestrator.measure.one_run import client_argv
from orchestrator.server_control.remote_server import RemoteServer, checked_tls_url
from orchestrator.server_control.shared_server import SharedServer
from tests.test_faults import fake_config, urllib_built  # noqa: F401  (a fixture)

CA = "/tmp/polybench-tls-x/ca.pem"


def case(name: str, **params: int) -> Case:
    return Case(name, normalise_params(SCENARIOS[name], params))


@pytest.mark.parametrize("plain", TLS_OF)
def test_a_tls_scenario_is_its_plain_one(plain):
    tls, base = SCENARIOS[f"tls_{plain}"], SCENARIOS[plain]
    assert tls.tls and not base.tls
    assert tls.client_scenario == plain and base.client_scenario == plain
    assert (tls.parameters, tls.connections, tls.contract) == (base.parameters, base.connections, base.contract)
    params = normalise_params(base, {"requests": 7, "concurrency": 2, "delay_ms": 5, "bytes": 9})
    assert normalise_params(tls, params) == params
    assert tls.expected_calls(params) == base.expected_calls(params)
    assert tls.path_prefix(params) == base.path_prefix(params)
    assert tls.payload(params) == base.payload(params)


def test_the_client_gets_the_plain_name_the_https_url_and_the_ca():
    config = load_config()
    client = config.client("go-nethttp")
    argv = client_argv(config, client, case("tls_sequential", requests=3), "https://127.0.0.1:9", "r1", ca_file=CA)
    assert argv[1:] == ["sequential", "--url", "https://127.0.0.1:9", "--run-id", "r1", "--ca-file", CA,
                        "--requests", "3"]
    plain = client_argv(config, client, case("sequential", requests=3), "http://127.0.0.1:8", "r1")
    assert "--ca-file" not in plain


def test_curl_gets_its_ca_through_the_placeholder():
    config = load_config()
    argv = client_argv(config, config.client("curl"), case("tls_single"), "https://127.0.0.1:9", "r1", ca_file=CA)
    assert argv[argv.index("--cacert") + 1] == CA
    assert argv[-1] == "https://127.0.0.1:9/api"


def test_ca_file_placeholder_only_in_a_tls_scenario_argv(tmp_path):
    raw = yaml.safe_load(fake_config(tmp_path, {"single": {}}, {}).read_text())
    argv = ["curl", "--cacert", "{ca_file}", "{url}/api"]
    curl = {"name": "c2", "language": "c", "library": {"label": "curl"}, "concurrency_model": "-",
            "output": "bodies", "build": {}, "scenario_argv": {"single": argv}}
    raw["clients"].append(curl)
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError, match="ca_file"):
        load_config(tmp_path / "bad.yaml")
    curl["scenario_argv"] = {"tls_single": curl["scenario_argv"]["single"]}
    (tmp_path / "good.yaml").write_text(yaml.safe_dump(raw))
    assert load_config(tmp_path / "good.yaml").client("c2").supports("tls_single")


def test_remote_tls_settings_go_together_and_are_checked():
    with pytest.raises(PolybenchError, match="go together"):
        RemoteServer("http://127.0.0.1:9", tls_url="https://127.0.0.1:10")
    for bad in ("http://127.0.0.1:10", "https://127.0.0.1:10/path", "https://"):
        with pytest.raises(PolybenchError, match="--server-tls-url"):
            checked_tls_url(bad)
    assert checked_tls_url("https://127.0.0.1:10/") == "https://127.0.0.1:10"


def _results(root):
    return json.loads(next((root / "results").glob("2*/results.json")).read_text())


@pytest.mark.slow
def test_a_remote_server_runs_tls_cases_only_when_given_its_tls_port(tmp_path, urllib_built, capsys):  # noqa: F811
    config = fake_config(tmp_path, {"single": {}, "tls_single": {}}, {"warmup": 0, "min": 1, "max": 1})
    with SharedServer(stats_token=None) as server:
        without = tmp_path / "without"
        assert cli.main(["run", "--config", str(config), "--profile", "t", "--server-url", server.url,
                         "--results-root", str(without)]) == 0
        err = [line for line in capsys.readouterr().err.splitlines() if "TLS" in line]
        assert len(err) == 1 and "skipping the TLS cases (tls_single)" in err[0], err
        assert [b["case"] for b in _results(without)["benchmarks"]] == ["single"]

        with_tls = tmp_path / "with"
        assert cli.main(["run", "--config", str(config), "--profile", "t", "--quiet", "--server-url", server.url,
                         "--server-tls-url", server.tls_url, "--server-ca-file", server.ca_file,
                         "--results-root", str(with_tls)]) == 0
        benches = {b["case"]: b for b in _results(with_tls)["benchmarks"]}
        assert benches["tls_single"]["status"] == "ok" and benches["tls_single"]["scenario"] == "tls_single"


def test_every_language_has_an_https_row():
    """Issue 12: HTTPS in every language; the report's TLS rows are per client, so some client of each
    language must declare the three TLS cases the default and quick profiles run."""
    config = load_config()
    wanted = ("tls_single", "tls_sequential", "tls_keepalive")
    missing = sorted(language for language in {client.language for client in config.clients}
                     if not any(all(client.supports(name) for name in wanted)
                                for client in config.clients if client.language == language))
    assert missing == []
