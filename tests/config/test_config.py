"""polybench.yaml loads into typed records; every mistake is one line naming its key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from orchestrator.config.model import DEFAULT_CONFIG, expand, load_config
from orchestrator.errors import ConfigError


def write(tmp_path: Path, data) -> Path:
    path = tmp_path / "polybench.yaml"
    # libyaml's dumper: the same text as yaml.safe_dump, about 6x faster for the shipped config
    path.write_text(yaml.dump(data, Dumper=yaml.CSafeDumper) if not isinstance(data, str) else data)
    return path


@pytest.fixture
def raw():
    return yaml.load(DEFAULT_CONFIG.read_text(), Loader=yaml.CSafeLoader)


def test_shipped_config_loads(config):
    assert {c.name for c in config.clients} >= {"python-requests", "go-nethttp", "rust-ureq", "curl"}
    assert {"quick", "default"} <= set(config.profiles)
    quick = config.profile("quick")
    assert {case.scenario for case in quick.cases} >= {
        "single", "sequential", "keepalive", "concurrent", "stream", "rest"}


def test_parameter_lists_expand_to_one_case_each(config):
    keepalive = [c for c in config.profile("default").cases if c.scenario == "keepalive"]
    assert [c.params["requests"] for c in keepalive] == [10, 100, 300]
    assert keepalive[0].id == "keepalive[requests=10]"
    assert keepalive[0].calls == 10


def test_a_profile_can_run_the_variants_in_a_subset_of_its_cases(config):
    default = config.profile("default")
    by_id = {case.id: case for case in default.cases}
    variant = next(c for c in config.clients if c.role == "variant" and c.supports("stream"))
    contender = config.client(variant.variant_of)
    assert default.measures(variant, by_id["single"]) and default.measures(variant, by_id["keepalive[requests=10]"])
    for case_id in ("keepalive[requests=100]", "keepalive[requests=300]", "sequential[requests=10]",
                    "stream[bytes=33554432]"):
        assert not default.measures(variant, by_id[case_id])
        assert default.measures(contender, by_id[case_id])  # only the variants are narrowed
    quick = config.profile("quick")  # no `variants:`: every case they declare
    assert quick.variant_cases is None
    assert all(quick.measures(variant, case) for case in quick.cases if variant.supports(case.scenario))


def test_rest_and_single_calls_are_fixed(config):
    by_scenario = {c.scenario: c for c in config.profile("quick").cases}
    assert by_scenario["single"].calls == 1
    assert by_scenario["rest"].calls == 5


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda r: r["clients"][0].update(run="python x.py"),
         "clients[0] (python-urllib).run: expected a non-empty list"),
        (lambda r: r["clients"][0].update(colour="red"), "unknown key 'colour'"),
        (lambda r: r["clients"][1].update(name="python-urllib"), "duplicate name 'python-urllib'"),
        (lambda r: r["clients"][0].update(name="Bad Name"), "must be lower-case"),
        (lambda r: next(c for c in r["clients"] if c["name"] == "curl-jq").update(variant_of="curl-jq"),
         "'curl-jq' is itself"),
        # `$` would match before a trailing newline: a name that breaks a report's bullet list
        (lambda r: r["clients"][0].update(name="python-urllib\n"), "must be lower-case"),
        (lambda r: r["clients"][0]["build"].update(requires=["fortran"]), "unknown toolchain 'fortran'"),
        (lambda r: r["profiles"]["quick"]["scenarios"].update(teleport={}), "unknown scenario 'teleport'"),
        (lambda r: r["profiles"]["quick"]["scenarios"]["concurrent"].update(delay_ms=[999999]),
         "profiles.quick.scenarios.concurrent.delay_ms: expected an integer from 0 to 10000"),
        (lambda r: r["profiles"]["quick"]["scenarios"]["single"].__setitem__("requests", 3), "unknown key 'requests'"),
        (lambda r: r["profiles"]["quick"]["runs"].update(min=10, max=2), "max: must be at least min"),
        (lambda r: r["profiles"]["default"]["variants"]["keepalive"].update(requests=[10, 50]),
         "profiles.default.variants: keepalive[requests=50] not among the profile's scenarios"),
        (lambda r: r.pop("clients"), "clients: expected a non-empty list"),
        (lambda r: r["clients"][8].update(output="telepathy"), "output: expected one of contract, bodies"),
    ],
)
def test_bad_config_is_one_clear_line(tmp_path, raw, mutate, message):
    mutate(raw)
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, raw))
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_invalid_yaml_names_the_line(tmp_path):
    with pytest.raises(ConfigError, match=r"line \d+: not valid YAML"):
        load_config(write(tmp_path, "clients:\n  - name: [unclosed\n"))


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(tmp_path / "nope.yaml")


def test_expand_keeps_one_element_per_argument():
    argv = expand(("curl", "-H", "X-Polybench-Run: {run_id}", "{url}/api?i=[1-{requests}]"),
                  {"run_id": "a b; rm -rf /", "url": "http://x", "requests": 3})
    assert argv == ["curl", "-H", "X-Polybench-Run: a b; rm -rf /", "http://x/api?i=[1-3]"]


def test_cli_reports_bad_config_without_traceback(tmp_path, raw):
    raw["clients"][0]["run"] = "not a list"
    path = write(tmp_path, raw)
    done = subprocess.run([sys.executable, "-m", "orchestrator", "run", "--config", str(path)],
                          capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "polybench: error:" in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_toolchain_skips_that_client_with_its_fix(tmp_path, monkeypatch):
    from orchestrator.build import clients as build_module

    data = {
        "toolchains": {
            "python": {"version": ["{python}", "--version"], "fix": "install python"},
            "zig": {"version": ["no-such-zig-compiler", "version"], "fix": "install Zig from ziglang.org"},
        },
        "clients": [
            {"name": "zig-client", "language": "zig", "build": {"requires": ["zig"]}, "run": ["zig-out/client"]},
            {"name": "py-client", "language": "python", "build": {"requires": ["python"]}, "run": ["{python}"]},
        ],
        "profiles": {"p": {"scenarios": {"single": {}}}},
    }
    config = load_config(write(tmp_path, data))
    monkeypatch.setattr(build_module, "write_json_atomic", lambda path, data: None)
    lines: list[str] = []
    manifest = build_module.build_all(config, log=lines.append)
    assert manifest["clients"]["zig-client"]["status"] == "skipped"
    assert "zig not found: install Zig from ziglang.org" in manifest["clients"]["zig-client"]["message"]
    assert manifest["clients"]["py-client"]["status"] in ("built", "up-to-date")
    assert manifest["toolchains"]["zig"] is None
    assert any("zig-client" in line and "skipped" in line for line in lines)


def test_role_and_placement_keys(tmp_path):
    """compiled / role / variant_of / variant / chart / debian are read from the YAML entry, and checked."""
    raw = yaml.load(DEFAULT_CONFIG.read_text(), Loader=yaml.CSafeLoader)
    base = raw["clients"][0]
    variant = dict(base, name="toy-variant", role="variant", variant_of=base["name"], variant="warm",
                   compiled=False, chart={"color": "#123456", "marker": "o"}, debian=["libcurl4-openssl-dev"])
    raw["clients"].append(variant)
    path = DEFAULT_CONFIG.parent / "build" / "test-config-roles.yaml"
    path.parent.mkdir(exist_ok=True)
    try:
        path.write_text(yaml.dump(raw, Dumper=yaml.CSafeDumper))
        client = load_config(path).client("toy-variant")
        assert (client.role, client.variant_of, client.variant, client.chart["color"], client.debian) == (
            "variant", base["name"], "warm", "#123456", ("libcurl4-openssl-dev",))
        for bad in ({"role": "star"}, {"variant_of": "nobody"}, {"compiled": "yes"}, {"chart": {"size": "9"}},
                    {"debian": ["libc6=2.41"]}, {"role": "contender"}):
            raw["clients"][-1] = dict(variant, **bad)
            path.write_text(yaml.dump(raw, Dumper=yaml.CSafeDumper))
            with pytest.raises(ConfigError):
                load_config(path)
    finally:
        path.unlink(missing_ok=True)


def test_a_variant_started_by_another_clients_venv_shares_its_build():
    """What the escapes section's "runs with the build of" shows: the variants run by python-requests'
    interpreter share its build; a bundle, or two clients of one recipe (one cargo build), do not."""
    from orchestrator.config.model import load_config, shared_builds

    config = load_config()
    shared = {client.name: shared_builds(config, client) for client in config.clients}
    assert shared["python-requests-nosite"] == ["python-requests"]
    assert shared["python-requests-worker"] == ["python-requests"]  # its service is python-requests' interpreter
    assert shared["python-requests-nuitka-onefile"] == []
    assert shared["rust-ureq"] == [] and shared["python-requests"] == []


def test_the_bounded_loader_reads_the_shipped_config_as_pyyamls_own_safe_loader_does():
    """safe_yaml parses with libyaml (CSafeLoader) for speed: the data must be what PyYAML's pure-Python
    SafeLoader makes of the same text, or the faster parser changed what polybench runs."""
    from orchestrator.config.safe_yaml import load_yaml

    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    assert load_yaml(text.encode(), "polybench.yaml") == yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506


def test_paths_through_symbolic_links_are_judged_by_where_they_lead(tmp_path, raw):
    """build.cwd through a link that leaves the repository is refused; one that stays inside, or a link loop
    (which leads nowhere: Path.resolve() raised RuntimeError here, a traceback), loads."""
    links = DEFAULT_CONFIG.parent / "build" / "polybench-test-links"
    links.mkdir(parents=True, exist_ok=True)
    try:
        (links / "out").symlink_to("/")
        (links / "in").symlink_to(DEFAULT_CONFIG.parent / "clients")
        (links / "loop-a").symlink_to(links / "loop-b")
        (links / "loop-b").symlink_to(links / "loop-a")
        for target, refused in [("out", True), ("out/tmp", True), ("in/go", False), ("loop-a", False),
                                ("loop-a/x", False)]:
            raw["clients"][0]["build"]["cwd"] = f"build/polybench-test-links/{target}"
            path = write(tmp_path, raw)
            if refused:
                with pytest.raises(ConfigError, match="leads outside the repository"):
                    load_config(path)
            else:
                assert load_config(path).clients[0].build.cwd == f"build/polybench-test-links/{target}"
    finally:
        for name in ("out", "in", "loop-a", "loop-b"):
            (links / name).unlink(missing_ok=True)
        links.rmdir()


def test_globs_outputs_and_odd_names_cannot_lead_outside_through_a_link(tmp_path, raw):
    """Adversarial review: a path with a glob character skipped the check, and an output could be a link to a
    folder outside (the build measured /etc as its product). A glob's fixed folders are checked at load, each
    match when the build expands it; elsewhere `[` is an ordinary character; an output may link to a file."""
    from orchestrator.build.clients import _input_digest  # what expands a build's input patterns

    name = "polybench-test-links-2"
    links = DEFAULT_CONFIG.parent / "build" / name
    links.mkdir(parents=True, exist_ok=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "hostname").write_text("a file outside the repository\n")
    made = {"etc[": outside, "toetc": outside, "root": "/", "python": sys.executable}
    try:
        for link, target in made.items():
            (links / link).symlink_to(target)
        build = raw["clients"][0]["build"]

        def loads(field: str, value) -> Path:
            build[field] = value
            return write(tmp_path, raw)

        refused = [("cwd", f"build/{name}/etc[", "leads outside"),
                   ("inputs", [f"build/{name}/toetc/host*"], "leads outside"),
                   ("outputs", [f"build/{name}/root"], "symbolic link to a folder outside"),
                   ("outputs", [f"build/{name}/toetc"], "symbolic link to a folder outside"),
                   ("outputs", [f"build/{name}/toetc/hostname"], "leads outside"),
                   ("outputs", ["."], "names the repository itself")]
        for field, value, message in refused:
            saved = build.get(field)
            with pytest.raises(ConfigError, match=message):
                load_config(loads(field, value))
            if saved is None:
                del build[field]
            else:
                build[field] = saved
        config = load_config(loads("outputs", [f"build/{name}/python"]))  # a venv's bin/python: a file link
        assert config.clients[0].build.outputs == (f"build/{name}/python",)
        # a glob whose fixed folders stay inside can still match through a link: refused when expanded
        for pattern in (f"build/{name}/to*/hostname", f"build/{name}/toet[c]/hostname"):
            config = load_config(loads("inputs", [pattern]))
            with pytest.raises(ConfigError, match=f"matches 'build/{name}/toetc/hostname', which leads outside"):
                _input_digest(config, config.clients[0].build, {})
    finally:
        for link in made:
            (links / link).unlink(missing_ok=True)
        links.rmdir()
