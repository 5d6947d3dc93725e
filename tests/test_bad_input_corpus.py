"""The bad-input corpus: every input an adversarial user tried (issue 13), one row each.

Each row must end in exactly one `polybench: error: ...` line on stderr, no
traceback, and the row's exit code (2 for bad input; 1 where the input was
fine but gave nothing to stand on). Config rows go through `polybench run
--config FILE` (the config is refused before anything is created); command
line rows through the same `main` the tasks call.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import pickle
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from orchestrator import cli
from orchestrator.config.model import DEFAULT_CONFIG, load_config
from tests.report.synthetic import make_results

SHIPPED = yaml.load(DEFAULT_CONFIG.read_text(), Loader=yaml.CSafeLoader)


@cache
def example_results() -> dict[str, Any]:
    """A valid v2 results file, built like the real one: once per process, when a test first needs it
    (not at import: every pytest-xdist worker imports this module to collect it). Never changed: broken()
    changes a copy. Two cases, not the synthetic report's seven: a third of the bytes, and every row reads
    and checks the whole file (jsonschema, the reference, takes 0.4 s for the seven-case file)."""
    return make_results(cases=[("single", {}, 1), ("keepalive", {"requests": 10}, 10)])


@cache
def example_text() -> str:
    return json.dumps(example_results())


@pytest.fixture(autouse=True)
def a_build_manifest(monkeypatch):
    """Rows that get past the config must not depend on whether this checkout has built its clients."""
    import orchestrator.measure.matrix
    from orchestrator.build.clients import read_manifest

    def manifest(config):
        return read_manifest(config) or {"clients": {c.name: {"status": "built", "message": ""}
                                                     for c in config.clients}}
    monkeypatch.setattr(orchestrator.measure.matrix, "read_manifest", manifest)


def run_cli(argv: list[str], capsys) -> tuple[int, str]:
    try:
        code = cli.main(argv)
    except SystemExit as exit_:  # argparse
        code = exit_.code
    return code, capsys.readouterr().err


def assert_one_error_line(code: int, err: str, expected_code: int, fragment: str = "") -> None:
    lines = err.strip().splitlines()
    assert "Traceback" not in err, err
    assert len(lines) == 1, f"expected one line, got:\n{err}"
    assert lines[0].startswith("polybench: error: "), lines[0]
    assert fragment.lower() in lines[0].lower(), lines[0]
    assert code == expected_code, (code, lines[0])


# --- config: whole-file cases (bytes) ---------------------------------------------------

SHIPPED_TEXT = DEFAULT_CONFIG.read_text()
LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8))

RAW_CONFIGS: dict[str, tuple[bytes, str]] = {
    "not utf-8 at the start": (b"\xff\xfe" + SHIPPED_TEXT.encode(), "not UTF-8"),
    "not utf-8 in a comment": (SHIPPED_TEXT.encode().replace(b"# polybench", b"# poly\xe9bench", 1), "not UTF-8"),
    "latin-1 file": ("clients: [{name: caf\u00e9}]".encode("latin-1"), "not UTF-8"),
    "over the size cap": (b"# " + b"x" * (1 << 20) + b"\n" + SHIPPED_TEXT.encode(), "bytes"),
    "billion laughs": (LAUGHS.encode(), "anchors and aliases"),
    "billion laughs inside the config": (SHIPPED_TEXT.encode() + b"\n" + LAUGHS.replace("a:", "zz:").encode(),
                                         "anchors and aliases"),
    "duplicate top-level key": (SHIPPED_TEXT.encode() + b"\nprofiles: {}\n", "duplicate key 'profiles'"),
    "duplicate nested key": (SHIPPED_TEXT.replace("    runs: {warmup: 1,", "    runs: {warmup: 1, warmup: 2,", 1)
                             .encode(), "duplicate key 'warmup'"),
    "integer top-level key": (SHIPPED_TEXT.encode() + b"\n1: one\n", "must be a string"),
    "boolean key (on:)": (SHIPPED_TEXT.encode() + b"\non: push\n", "must be a string"),
    "null key": (SHIPPED_TEXT.encode() + b"\n~: nothing\n", "must be a string"),
    "list key": (b"? [a, b]\n: c\n", "must be a string"),
    "invalid YAML": (b"clients:\n  - name: [unclosed\n", "not valid YAML"),
    "tab indentation": (b"clients:\n\t- name: x\n", "not valid YAML"),
    "python object tag": (b"clients: !!python/object:os.system [echo]\n", "not valid YAML"),
    "undefined alias": (b"clients: *nothing\n", "not valid YAML"),
    "NUL bytes": (b"clients: [\x00]\n", "not valid YAML"),
    "nested 5000 deep": (b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n", ""),
    # past about 30,000 levels libyaml's composer overflowed the C stack: the process died (adversarial review)
    "nested 40000 deep": (b"a: " + b"[" * 40_000 + b"]" * 40_000 + b"\n", "nested too deeply"),
    "nested 40000 mappings deep": (b"a: " + b"{b: " * 40_000 + b"1" + b"}" * 40_000 + b"\n", "nested too deeply"),
    "a compact sequence 200000 deep": (b"a:\n" + b"- " * 200_000 + b"x\n", "nested too deeply"),
    # a value its tag cannot read: PyYAML's constructors raise ValueError and the like, not a YAMLError
    "!!int of a word": (b"clients: !!int x\n", "not valid YAML"),
    "!!int of nothing": (b"clients: !!int ''\n", "not valid YAML"),
    "!!bool of a word": (b"clients: !!bool x\n", "not valid YAML"),
    "!!float of a word": (b"clients: !!float x\n", "not valid YAML"),
    "!!timestamp of a word": (b"clients: !!timestamp x\n", "not valid YAML"),
    "!!map on a sequence": (b"clients: !!map [x]\n", "not valid YAML"),
    "!!set on a sequence": (b"clients: !!set [x]\n", "not valid YAML"),
    # the keys of a mapping that is only merged into another are checked too
    "duplicate key in a merged mapping": (b"clients: [{<<: {name: decoy, name: curl}}]\n", "duplicate key 'name'"),
    "duplicate key in a merged list": (b"clients: [{<<: [{name: a, name: b}]}]\n", "duplicate key 'name'"),
    "integer key in a merged mapping": (b"clients: [{<<: {1: x}}]\n", "must be a string"),
    "empty file": (b"", "expected a mapping"),
    "a list": (b"- a\n- b\n", "expected a mapping"),
    "a scalar": (b"hello\n", "expected a mapping"),
    "unknown top-level key": (SHIPPED_TEXT.encode() + b"\nplugins: []\n", "unknown key 'plugins'"),
}


@pytest.mark.parametrize("name", RAW_CONFIGS)
def test_bad_config_file(name, tmp_path, capsys):
    data, fragment = RAW_CONFIGS[name]
    path = tmp_path / "polybench.yaml"
    path.write_bytes(data)
    code, err = run_cli(["run", "--config", str(path), "--profile", "quick", "--results-root", str(tmp_path)], capsys)
    assert_one_error_line(code, err, 2, fragment)
    assert not (tmp_path / "results").exists()


# --- config: mutations of the shipped config ------------------------------------------

Mutation = Callable[[dict[str, Any]], None]


def client(raw: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in raw["clients"] if c["name"] == name)


def setter(path: str, value: Any) -> Mutation:
    """A mutation that sets raw[a][b]... (list indices and client names allowed) to value."""
    def mutate(raw: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = raw
        for part in parents:
            if isinstance(node, list):
                node = client(raw, part) if not part.isdigit() else node[int(part)]
            else:
                node = node.setdefault(part, {})
        node[last] = value
    return mutate


URLLIB = "clients.python-urllib"
GO = "clients.go-nethttp"
UREQ = "clients.rust-ureq"
CURL = "clients.curl"
QUICK = "profiles.quick"

MUTATIONS: dict[str, tuple[Mutation, str]] = {
    # placeholders: plain names only, and only known ones
    "attribute placeholder": (setter(f"{URLLIB}.run", ["{python}", "{root.parent}/x.py"]), "plain names"),
    "attribute on python": (setter(f"{URLLIB}.run", ["{python.nope}"]), "plain names"),
    "index placeholder": (setter(f"{URLLIB}.run", ["{root[0]}"]), "plain names"),
    "conversion placeholder": (setter(f"{URLLIB}.run", ["{root!r}"]), "plain names"),
    "format spec placeholder": (setter(f"{URLLIB}.run", ["{root:>99}"]), "plain names"),
    "positional placeholder": (setter(f"{URLLIB}.run", ["{0}"]), "plain names"),
    "empty placeholder": (setter(f"{URLLIB}.run", ["x{}"]), "plain names"),
    "unknown placeholder": (setter(f"{URLLIB}.run", ["{home}/x"]), "unknown placeholder {home}"),
    "unbalanced open brace": (setter(f"{URLLIB}.run", ["{root"]), "literal brace"),
    "unbalanced close brace": (setter(f"{URLLIB}.run", ["root}"]), "literal brace"),
    "url placeholder in a build command": (setter(f"{GO}.build.commands", [["go", "{url}"]]), "unknown placeholder"),
    "parameter placeholder in a version command": (setter("toolchains.go.version", ["go", "{requests}"]),
                                                   "unknown placeholder"),
    "bytes placeholder for single": (setter(f"{CURL}.scenario_argv.single", ["curl", "{url}/bytes/{bytes}"]),
                                     "unknown placeholder {bytes}"),
    "placeholder in library command": (setter(f"{GO}.library.version", {"command": ["go", "{root.x}"]}),
                                       "plain names"),
    "NUL in an argv element": (setter(f"{URLLIB}.run", ["{python}", "a\0b"]), "NUL"),
    # paths that leave the repository
    "build.cwd parent": (setter(f"{GO}.build.cwd", "../../.."), "inside the repository"),
    "build.cwd absolute": (setter(f"{GO}.build.cwd", "/"), "inside the repository"),
    "build.cwd home": (setter(f"{GO}.build.cwd", "~/x"), "inside the repository"),
    "build.cwd climbs back": (setter(f"{GO}.build.cwd", "clients/../../x"), "inside the repository"),
    "inputs absolute glob": (setter(f"{GO}.build.inputs", ["/etc/*"]), "inside the repository"),
    "inputs escaping glob": (setter(f"{GO}.build.inputs", ["../**/*.py"]), "inside the repository"),
    "inputs not a list": (setter(f"{GO}.build.inputs", "clients/go/*.go"), "list of strings"),
    "outputs escaping": (setter(f"{GO}.build.outputs", ["../x"]), "inside the repository"),
    "outputs absolute": (setter(f"{GO}.build.outputs", ["/usr/bin/go-nethttp"]), "inside the repository"),
    "cargo_lock.file escaping": (setter(f"{UREQ}.library.version",
                                        {"cargo_lock": {"file": "../../etc/passwd", "crate": "ureq"}}),
                                 "inside the repository"),
    "cargo_lock.file absolute": (setter(f"{UREQ}.library.version",
                                        {"cargo_lock": {"file": "/etc/passwd", "crate": "ureq"}}),
                                 "inside the repository"),
    # library.version sources
    "library.version a string": (setter(f"{UREQ}.library.version", "1.0"), "expected a mapping"),
    "library.version a list": (setter(f"{UREQ}.library.version", ["1.0"]), "expected a mapping"),
    "library.version unknown source": (setter(f"{UREQ}.library.version", {"pypi": "x"}), "unknown key 'pypi'"),
    "library.version two sources": (setter(f"{UREQ}.library.version", {"package": "a", "command": ["a"]}),
                                    "exactly one"),
    "package a number": (setter(f"{UREQ}.library.version", {"package": 3}), "non-empty string"),
    "cargo_lock a string": (setter(f"{UREQ}.library.version", {"cargo_lock": "Cargo.lock"}), "expected a mapping"),
    "cargo_lock without crate": (setter(f"{UREQ}.library.version", {"cargo_lock": {"file": "Cargo.lock"}}),
                                 "crate"),
    "cargo_lock unknown key": (setter(f"{UREQ}.library.version",
                                      {"cargo_lock": {"file": "a", "crate": "b", "path": "c"}}), "unknown key"),
    "command a shell line": (setter(f"{GO}.library.version", {"command": "go version"}), "never a shell line"),
    "library unknown key": (setter(f"{GO}.library.homepage", "x"), "unknown key 'homepage'"),
    "library label empty": (setter(f"{GO}.library.label", ""), "non-empty string"),
    # grids and caps
    "grid 400x400x400": (setter(f"{QUICK}.scenarios.concurrent",
                                {"requests": list(range(1, 401)), "concurrency": list(range(1, 401)),
                                 "delay_ms": list(range(400))}), "more than 256"),
    "one long list": (setter(f"{QUICK}.scenarios.keepalive", {"requests": list(range(1, 300))}), "more than 256"),
    "cases summed over scenarios": (setter(f"{QUICK}.scenarios.sequential", {"requests": list(range(1, 250))}),
                                    "more than 256"),
    "nested list value": (setter(f"{QUICK}.scenarios.keepalive", {"requests": [[1]]}), "expected an integer"),
    "string value": (setter(f"{QUICK}.scenarios.keepalive", {"requests": ["10"]}), "expected an integer"),
    "boolean value": (setter(f"{QUICK}.scenarios.keepalive", {"requests": [True]}), "expected an integer"),
    "float value": (setter(f"{QUICK}.scenarios.keepalive", {"requests": [1.5]}), "expected an integer"),
    "negative value": (setter(f"{QUICK}.scenarios.keepalive", {"requests": [-1]}), "expected an integer"),
    "null value": (setter(f"{QUICK}.scenarios.keepalive", {"requests": [None]}), "expected an integer"),
    "empty value list": (setter(f"{QUICK}.scenarios.keepalive", {"requests": []}), "at least one value"),
    "requests over the cap": (setter(f"{QUICK}.scenarios.keepalive", {"requests": [100_001]}), "100000"),
    "concurrency over the cap": (setter(f"{QUICK}.scenarios.concurrent", {"concurrency": [1024]}),
                                 "from 1 to 512"),
    "bytes over the cap": (setter(f"{QUICK}.scenarios.stream", {"bytes": [1 << 31]}), "expected an integer"),
    "fanout over the server cap": (setter(f"{QUICK}.scenarios.fanout_sync", {"requests": [17]}), "fan-out cap"),
    "parameters a list": (setter(f"{QUICK}.scenarios.keepalive", [10]), "expected a mapping"),
    "unknown parameter": (setter(f"{QUICK}.scenarios.keepalive", {"calls": [10]}), "unknown key 'calls'"),
    "unknown scenario": (setter(f"{QUICK}.scenarios.teleport", {}), "unknown scenario"),
    "no scenarios": (setter(f"{QUICK}.scenarios", {}), "at least one scenario"),
    # client limits
    "limit zero": (setter(f"{CURL}.limits", {"concurrency": 0}), "expected an integer"),
    "limit a string": (setter(f"{CURL}.limits", {"concurrency": "300"}), "expected an integer"),
    "limit unknown": (setter(f"{CURL}.limits", {"threads": 3}), "unknown key 'threads'"),
    "limits a list": (setter(f"{CURL}.limits", [300]), "expected a mapping"),
    # build env
    "env value a list": (setter(f"{GO}.build.env", {"CGO_ENABLED": ["0"]}), "expected a string value"),
    "env name with =": (setter(f"{GO}.build.env", {"A=B": "1"}), "without '='"),
    "env a list": (setter(f"{GO}.build.env", ["CGO_ENABLED=0"]), "expected a mapping"),
    "build commands a string": (setter(f"{GO}.build.commands", "go build"), "argv lists"),
    "build command a shell line": (setter(f"{GO}.build.commands", ["go build ."]), "never a shell line"),
    "build unknown key": (setter(f"{GO}.build.script", "x"), "unknown key 'script'"),
    "build requires unknown": (setter(f"{GO}.build.requires", ["fortran"]), "unknown toolchain"),
    # run settings
    "warmup negative": (setter(f"{QUICK}.runs.warmup", -1), "warmup"),
    "min zero": (setter(f"{QUICK}.runs.min", 0), "min"),
    "max zero": (setter(f"{QUICK}.runs.max", 0), "max"),
    "max below min": (setter(f"{QUICK}.runs.max", 1), "at least min"),
    "target_rel_ci NaN": (setter(f"{QUICK}.runs.target_rel_ci", float("nan")), "target_rel_ci"),
    "budget infinite": (setter(f"{QUICK}.runs.budget_s", float("inf")), "budget_s"),
    "timeout zero": (setter(f"{QUICK}.runs.timeout_s", 0), "timeout_s"),
    "timeout a string": (setter(f"{QUICK}.runs.timeout_s", "60s"), "timeout_s"),
    "runs a list": (setter(f"{QUICK}.runs", [1, 2]), "expected a mapping"),
    "runs unknown key": (setter(f"{QUICK}.runs.repeat", 3), "unknown key 'repeat'"),
    # profiles
    "profiles empty": (setter("profiles", {}), "at least one profile"),
    "profiles a list": (setter("profiles", ["quick"]), "expected a mapping"),
    "profile unknown key": (setter(f"{QUICK}.clients", ["curl"]), "unknown key 'clients'"),
    # clients
    "clients empty": (setter("clients", []), "non-empty list"),
    "clients a mapping": (setter("clients", {"a": 1}), "non-empty list"),
    "client a string": (lambda raw: raw["clients"].append("curl"), "expected a mapping"),
    "client without name": (lambda raw: raw["clients"][0].pop("name"), "name: expected a non-empty string"),
    "client name upper case": (setter(f"{URLLIB}.name", "Python"), "lower-case"),
    "client name with a slash": (setter(f"{URLLIB}.name", "../evil"), "lower-case"),
    "client name too long": (setter(f"{URLLIB}.name", "a" * 60), "lower-case"),
    "duplicate client": (lambda raw: raw["clients"].append(copy.deepcopy(raw["clients"][0])), "duplicate name"),
    "client output unknown": (setter(f"{CURL}.output", "telepathy"), "expected one of"),
    "run a shell line": (setter(f"{URLLIB}.run", "python x.py"), "never a shell line"),
    "run empty": (setter(f"{URLLIB}.run", []), "never a shell line"),
    "run with a mapping element": (setter(f"{URLLIB}.run", ["{python}", {"a": 1}]), "never a shell line"),
    "run with a boolean element": (setter(f"{URLLIB}.run", ["{python}", True]), "never a shell line"),
    "contract client without run": (lambda raw: client(raw, "python-urllib").pop("run"), "required"),
    "bodies client without argv": (lambda raw: client(raw, "curl").pop("scenario_argv"), "required"),
    "scenario_argv a list": (setter(f"{CURL}.scenario_argv", ["curl"]), "expected a mapping"),
    "scenario_argv unknown scenario": (setter(f"{CURL}.scenario_argv.teleport", ["curl"]), "unknown scenario"),
    "scenarios a string": (setter(f"{URLLIB}.scenarios", "single"), "list of strings"),
    "scenarios unknown": (setter(f"{URLLIB}.scenarios", ["teleport"]), "unknown scenario"),
    "importtime a string": (setter(f"{URLLIB}.importtime", "-X importtime"), "list of strings"),
    "language missing": (lambda raw: client(raw, "python-urllib").pop("language"), "language"),
    "client unknown key": (setter(f"{URLLIB}.colour", "red"), "unknown key 'colour'"),
    # toolchains
    "toolchain version a string": (setter("toolchains.go.version", "go version"), "never a shell line"),
    "toolchain without fix": (lambda raw: raw["toolchains"]["go"].pop("fix"), "fix"),
    "toolchain bad name": (setter("toolchains.Go Lang", {"version": ["go"], "fix": "x"}), "toolchain names"),
    "toolchains a list": (setter("toolchains", ["go"]), "expected a mapping"),
}


# In JSON text, what YAML 1.1 reads otherwise: NaN and infinities, exponents (1e-05 is a string to
# YAML 1.1) and surrogate escapes (ASCII JSON writes a character past U+FFFF as a pair). Inside a string
# too: that only sends the config to yaml.dump.
_NOT_YAML_AS_JSON = re.compile(r"NaN|Infinity|[0-9][eE]|\\u[dD][89a-fA-F]")


def config_text(raw: dict[str, Any]) -> str:
    """The config's text: JSON (a YAML subset; json's C encoder, about 2 ms for the shipped config) where
    PyYAML reads it back as the same data, else yaml.dump (its Python representer: about 40 ms)."""
    text = json.dumps(raw)
    if json.loads(text) == raw and not _NOT_YAML_AS_JSON.search(text):  # == : keys that JSON made strings
        return text
    return yaml.dump(raw, Dumper=yaml.CSafeDumper, allow_unicode=True)


@pytest.mark.parametrize("raw", [SHIPPED, {"a": float("nan")}, {"a": [float("-inf")]}, {"a": 1e-05}, {"a": 2.5},
                                 {"a": "caf\u00e9 \U0001f600 a\0b"}, {"a": {1: "x"}}, {"a": {"b": [True, None, -3]}}])
def test_config_text_reads_back_as_the_same_data(raw):
    read = yaml.load(config_text(raw), Loader=yaml.CSafeLoader)
    assert repr(read) == repr(raw)  # repr: NaN is not equal to itself


def _cut(raw: dict[str, Any], names: set[str]) -> dict[str, Any]:
    """raw with only the clients named, and the baselines and article rows that name no other client."""
    cut = pickle.loads(pickle.dumps(raw))  # a deep copy that keeps what the anchors share, 10x copy's speed
    cut["clients"] = [c for c in cut["clients"] if c["name"] in names]
    cut["baselines"] = [b for b in cut["baselines"] if b.get("compare", {}).get("client", next(iter(names))) in names]
    article = cut["report"]["article"]
    article["escapes"] = [row for row in article["escapes"] if row["client"] in names]
    return cut


# The mutations start from the shipped config cut to the clients they change (with the focus and the
# article's baseline): each row still meets every check, and a load takes about 11 ms instead of 41.
# test_the_mutations_start_from_a_valid_config pins that the cut config itself loads.
MUTATIONS_BASE = _cut(SHIPPED, {"python-urllib", "python-requests", "go-nethttp", "rust-ureq", "curl"})


def test_the_mutations_start_from_a_valid_config(tmp_path):
    path = tmp_path / "polybench.yaml"
    path.write_text(config_text(MUTATIONS_BASE))
    assert {c.name for c in load_config(path).clients} == {c["name"] for c in MUTATIONS_BASE["clients"]}
    assert len(MUTATIONS_BASE["clients"]) == 5 and MUTATIONS_BASE["baselines"]


@pytest.mark.parametrize("name", MUTATIONS)
def test_bad_config(name, tmp_path, capsys):
    mutate, fragment = MUTATIONS[name]
    raw = pickle.loads(pickle.dumps(MUTATIONS_BASE))
    mutate(raw)
    path = tmp_path / "polybench.yaml"
    path.write_text(config_text(raw))
    code, err = run_cli(["run", "--config", str(path), "--profile", "quick", "--results-root", str(tmp_path)], capsys)
    assert_one_error_line(code, err, 2, fragment)
    assert not (tmp_path / "results").exists()


# --- command lines -----------------------------------------------------------------------

def results_file(tmp_path: Path, data: Any, name: str = "r") -> str:
    folder = tmp_path / name
    folder.mkdir()
    text = data if isinstance(data, (str, bytes)) else json.dumps(data)
    (folder / "results.json").write_bytes(text.encode() if isinstance(text, str) else text)
    return str(folder)


def broken(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = json.loads(example_text())  # a deep copy, several times faster than copy.deepcopy
    change(data)
    return data


def _set_first_median(data: dict[str, Any], value: Any) -> None:
    next(b for b in data["benchmarks"] if b["summary"])["summary"]["wall_ms"]["median"] = value


def _first_run(data: dict[str, Any]) -> dict[str, Any]:
    """The first counted run with phases (a contract client's)."""
    return next(run for b in data["benchmarks"] for run in b["runs"] if run["phases_ns"])


# name -> what the file holds (text, bytes or a JSON value), made when a test asks (each is a copy of the example)
BAD_RESULTS: dict[str, Callable[[], Any]] = {
    "empty file": lambda: "",
    "not JSON": lambda: "{results}",
    "a JSON list": lambda: [1, 2],
    "a JSON string": lambda: "\"results\"",
    "not UTF-8": lambda: b"\xff\xfe{}",
    "NaN where a number belongs": lambda: json.dumps(broken(lambda d: _set_first_median(d, 0.0))).replace(
        '"median": 0.0', '"median": NaN', 1),
    "Infinity": lambda: example_text().replace('"finished": true', '"finished": Infinity', 1),
    "other schema": lambda: broken(lambda d: d.update(schema="polybench/results/v0")),
    "an older (v1) file": lambda: broken(lambda d: d.update(schema="polybench/results/v1")),
    "a benchmark without its summary key": lambda: broken(lambda d: d["benchmarks"][0].pop("summary")),
    "a run without its user time": lambda: broken(
        lambda d: next(b for b in d["benchmarks"] if b["runs"])["runs"][0].pop("user_ns")),
    "finished a string": lambda: broken(lambda d: d.update(finished="yes")),
    "missing benchmarks": lambda: broken(lambda d: d.pop("benchmarks")),
    "missing environment": lambda: broken(lambda d: d.pop("environment")),
    "benchmarks a mapping": lambda: broken(lambda d: d.update(benchmarks={})),
    "a string where a number belongs": lambda: broken(lambda d: _set_first_median(d, "fast")),
    "a benchmark without its client": lambda: broken(lambda d: d["benchmarks"][0].pop("client")),
    "a run with a string wall time": lambda: broken(
        lambda d: next(b for b in d["benchmarks"] if b["runs"])["runs"][0].update(wall_ns="12")),
    "nested 100000 deep": lambda: "[" * 100_000 + "]" * 100_000,
    "a number that overflows to infinity": lambda: json.dumps(broken(lambda d: _set_first_median(d, 1.5))).replace(
        '"median": 1.5', '"median": 1e999', 1),
    "every run's wall time zero": lambda: broken(
        lambda d: [run.update(wall_ns=0) for b in d["benchmarks"] for run in b["runs"]]),
    "one cell twice (pyperf export would crash, report would hide it)": lambda: broken(
        lambda d: d["benchmarks"].__setitem__(1, copy.deepcopy(d["benchmarks"][0]))),
    "a negative phase duration": lambda: broken(
        lambda d: _first_run(d)["phases_ns"].update(network=-10**12)),
    "a wall time of 1e30 ns": lambda: json.dumps(broken(lambda d: _first_run(d).update(wall_ns=123456789))).replace(
        '"wall_ns": 123456789', '"wall_ns": 1e30', 1),
    "a wall time of a year, as an integer": lambda: broken(
        lambda d: _first_run(d).update(wall_ns=365 * 86_400 * 10**9)),
    "phases that add up to ten times the wall time": lambda: broken(
        lambda d: _first_run(d)["phases_ns"].update(network=10 * _first_run(d)["wall_ns"])),
    "an unverified run among the counted runs": lambda: broken(lambda d: _first_run(d).update(verified=False)),
    # adversarial review: these passed the check, then report, export and compare died with a traceback
    "a list nested 300 deep inside a benchmark's parameters": lambda: broken(
        lambda d: d["benchmarks"][0]["params"].update(deep=functools.reduce(lambda inner, _: [inner], range(300), []))),
    "a lone surrogate in a client's name": lambda: json.dumps(broken(
        lambda d: d["benchmarks"][0].update(client="\ud800"))),
    "a lone surrogate as a key": lambda: json.dumps(broken(lambda d: d["benchmarks"][0].update({"\ud800": 1}))),
    "a negative standard deviation": lambda: broken(
        lambda d: next(b for b in d["benchmarks"] if b["summary"])["summary"]["wall_ms"].update(stdev=-1.0)),
}


@cache
def bad_result(name: str) -> Any:
    """BAD_RESULTS[name]'s file content, made once per process (three tests write each)."""
    return BAD_RESULTS[name]()


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_report_and_compare_refuse_what_is_not_a_regular_file(kind, tmp_path, capsys):
    folder = tmp_path / "r"
    folder.mkdir()
    if kind == "fifo":  # would block on open
        os.mkfifo(folder / "results.json")
    else:  # would never end
        (folder / "results.json").symlink_to("/dev/zero")
    good = results_file(tmp_path, example_text(), "good")
    for argv in (["report", str(folder), "--output", str(tmp_path / "out"), "--quiet"],
                 ["compare", str(folder), good], ["compare", good, str(folder)]):
        code, err = run_cli(argv, capsys)
        assert_one_error_line(code, err, 2, "not a regular file")
    assert not (tmp_path / "out").exists()


def test_a_config_that_is_a_fifo_is_refused_not_waited_for(tmp_path, capsys):
    fifo = tmp_path / "polybench.yaml"
    os.mkfifo(fifo)
    code, err = run_cli(["run", "--config", str(fifo)], capsys)
    assert_one_error_line(code, err, 2, "not a regular file")


@pytest.mark.parametrize("name", BAD_RESULTS)
def test_report_refuses_what_is_not_results(name, tmp_path, capsys):
    folder = results_file(tmp_path, bad_result(name))
    code, err = run_cli(["report", folder, "--output", str(tmp_path / "out"), "--quiet"], capsys)
    assert_one_error_line(code, err, 2)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", BAD_RESULTS)
def test_compare_refuses_what_report_refuses(name, tmp_path, capsys):
    """One home for "is this results file usable": whatever report refuses, compare refuses too, either side."""
    good = results_file(tmp_path, example_text(), "good")
    bad = results_file(tmp_path, bad_result(name), "bad")
    for argv in (["compare", good, bad], ["compare", bad, good]):
        code, err = run_cli(argv, capsys)
        assert_one_error_line(code, err, 2)


@pytest.mark.parametrize("name", BAD_RESULTS)
def test_export_refuses_what_report_refuses(name, tmp_path, capsys):
    """The same one check before any format is written (pyperf, the strictest reader, stands for all)."""
    folder = results_file(tmp_path, bad_result(name))
    code, err = run_cli(["export", folder, "--format", "pyperf", "--output", str(tmp_path / "out")], capsys)
    assert_one_error_line(code, err, 2)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_fail_on_regression_with_nothing_in_common_fails(tmp_path, capsys):
    old = results_file(tmp_path, example_text(), "old")
    renamed = broken(lambda d: [b.update(client=f"other-{b['client']}") for b in d["benchmarks"]])
    new = results_file(tmp_path, renamed, "new")
    code, err = run_cli(["compare", old, new, "--fail-on-regression"], capsys)
    assert_one_error_line(code, err, 1, "nothing to compare")


def _file(tmp_path: Path) -> str:
    path = tmp_path / "a-file"
    path.write_text("x")
    return str(path)


def _good(tmp_path: Path) -> str:
    """A valid results folder (the same one however often it is asked for)."""
    folder = tmp_path / "good-run"
    if not folder.exists():
        results_file(tmp_path, example_text(), folder.name)
    return str(folder)


def _link(tmp_path: Path, target: str) -> str:
    """A symlink to target (which need not exist)."""
    link = tmp_path / f"link-{len(list(tmp_path.glob('link-*')))}"
    link.symlink_to(target)
    return str(link)


def _loop(tmp_path: Path) -> str:
    """Two symlinks that point at each other."""
    (tmp_path / "loop-a").symlink_to(tmp_path / "loop-b")
    (tmp_path / "loop-b").symlink_to(tmp_path / "loop-a")
    return str(tmp_path / "loop-a")


CLI_CASES: dict[str, tuple[Callable[[Path], list[str]], int, str]] = {
    # --server-url: checked before anything starts or is created
    "server url ftp": (lambda t: ["run", "--server-url", "ftp://127.0.0.1:1"], 2, "http://HOST:PORT"),
    "server url without host": (lambda t: ["run", "--server-url", "http://"], 2, "http://HOST:PORT"),
    "server url port not a number": (lambda t: ["run", "--server-url", "http://127.0.0.1:http"], 2, "port"),
    "server url port too large": (lambda t: ["run", "--server-url", "http://127.0.0.1:99999"], 2, "port"),
    "server url port zero": (lambda t: ["run", "--server-url", "http://127.0.0.1:0"], 2, "port 0"),
    "server url bad ipv6": (lambda t: ["run", "--server-url", "http://[::1:80"], 2, "http://HOST:PORT"),
    "server url with a space": (lambda t: ["run", "--server-url", "http://a b:80"], 2, "http://HOST:PORT"),
    "server url with a path": (lambda t: ["run", "--server-url", "http://127.0.0.1:80/api"], 2, "HOST:PORT"),
    "server url with a user": (lambda t: ["run", "--server-url", "http://me@127.0.0.1:80"], 2, "no user"),
    "server url with a query": (lambda t: ["run", "--server-url", "http://127.0.0.1:80?x=1"], 2, "no user"),
    "server url without scheme": (lambda t: ["run", "--server-url", "127.0.0.1:8000"], 2, "http://HOST:PORT"),
    "server url without port": (lambda t: ["run", "--server-url", "http://127.0.0.1"], 2, "no port"),
    "server url ipv6 without brackets": (lambda t: ["run", "--server-url", "http://::1:8123"], 2, "brackets"),
    "server url with a newline": (lambda t: ["run", "--server-url", "http://127.0.0.1:80\n"], 2, "control"),
    "server not listening": (lambda t: ["run", "--profile", "quick", "--quiet", "--server-url", "http://127.0.0.1:9",
                                        "--results-root", str(t)], 2, "cannot read"),
    # other run options
    "unknown profile": (lambda t: ["run", "--profile", "nope"], 2, "unknown profile"),
    "unknown client": (lambda t: ["run", "--profile", "quick", "--clients", "nope"], 2, "unknown client"),
    "unknown scenario": (lambda t: ["run", "--profile", "quick", "--scenarios", "nope"], 2, "unknown scenario"),
    "results root is a file": (lambda t: ["run", "--profile", "quick", "--results-root", _file(t)], 2,
                               "not a directory"),
    "results root under a file": (lambda t: ["run", "--profile", "quick", "--results-root", _file(t) + "/x"], 2,
                                  "not a writable directory"),
    "resume a folder without runs": (lambda t: ["run", "--profile", "quick", "--resume", str(t)], 2, "--resume"),
    "resume with nothing to resume": (lambda t: ["run", "--profile", "quick", "--quiet", "--resume",
                                                 "--results-root", str(t)], 2, "no earlier run"),
    "missing config": (lambda t: ["run", "--config", str(t / "nope.yaml")], 2, "cannot read config"),
    "config is a directory": (lambda t: ["run", "--config", str(t)], 2, "cannot read config"),
    "unknown flag": (lambda t: ["run", "--colour"], 2, "unrecognized"),
    "unknown verb": (lambda t: ["teleport"], 2, "invalid choice"),
    "no verb": (lambda t: [], 2, "required"),
    # report
    "report missing results": (lambda t: ["report", str(t / "nope")], 2, ""),
    "report output is a file": (lambda t: ["report", str(DEFAULT_CONFIG.parent / "docs" / "example"),
                                           "--output", _file(t)], 2, "not a directory"),
    "report output on a read-only file system": (lambda t: ["report", results_file(t, example_text()), "--quiet",
                                                           "--output", "/proc/polybench-reports"], 2, ""),
    "results root on a read-only file system": (lambda t: ["run", "--profile", "quick", "--quiet",
                                                           "--results-root", "/proc/polybench-results"], 2, ""),
    # compare
    "report the same file twice": (lambda t: ["report", _good(t), _good(t)], 2, "same results file"),
    "report a folder and its results.json": (lambda t: ["report", _good(t), _good(t) + "/results.json"], 2,
                                             "same results file"),
    "report a link to a file it also names": (lambda t: ["report", _good(t), _link(t, _good(t))], 2,
                                              "same results file"),
    "report a broken link": (lambda t: ["report", _link(t, str(t / "deleted-run"))], 2,
                             "broken link to "),
    "export a broken link": (lambda t: ["export", _link(t, str(t / "deleted-run")), "--format", "csv"], 2,
                             "broken link to "),
    "compare missing file": (lambda t: ["compare", str(t / "a"), str(t / "b")], 2, "no such results"),
    "compare the same file twice": (lambda t: ["compare", _good(t), _good(t)], 2, "same results file"),
    "compare a folder and its results.json": (lambda t: ["compare", _good(t) + "/results.json", _good(t)], 2,
                                              "same results file"),
    "compare a loop of links": (lambda t: ["compare", _good(t), _loop(t)], 2, "loop of links"),
    "compare a broken link": (lambda t: ["compare", _good(t), _link(t, str(t / "deleted-run"))], 2,
                              "broken link to "),
    "compare threshold NaN": (lambda t: ["compare", "a", "b", "--threshold", "nan"], 2, "threshold"),
    "compare threshold negative": (lambda t: ["compare", "a", "b", "--threshold", "-1"], 2, "threshold"),
    "compare threshold a word": (lambda t: ["compare", "a", "b", "--threshold", "five"], 2, "invalid float"),
    "compare one argument": (lambda t: ["compare", "a"], 2, "required"),
    # time
    "time max-runs 0": (lambda t: ["time", "--max-runs", "0", "--", "true"], 2, "--max-runs"),
    "time min above max": (lambda t: ["time", "--min-runs", "9", "--max-runs", "3", "--", "true"], 2, "more than"),
    "time negative warmup": (lambda t: ["time", "--warmup", "-1", "--", "true"], 2, "--warmup"),
    "time huge max-runs": (lambda t: ["time", "--max-runs", str(10**9), "--", "true"], 2, "at most"),
    "time warmup a word": (lambda t: ["time", "--warmup", "three", "--", "true"], 2, "invalid int"),
    "time output unknown": (lambda t: ["time", "--output", "pipe2", "--", "true"], 2, "invalid choice"),
    "time nothing to time": (lambda t: ["time", "--"], 2, "nothing to time"),
    "time missing executable": (lambda t: ["time", "--", "no-such-program-xyz"], 2, "not found"),
    "time failing command": (lambda t: ["time", "--warmup", "0", "--", "false"], 2, "exited 1"),
    "time 5000 arguments": (lambda t: ["time", "--", "true", *["a"] * 5000], 2, "4096"),
    "time 2 MiB of arguments": (lambda t: ["time", "--", "true", *["a" * 100_000] * 20], 2, "bytes"),
    "time NUL in an argument": (lambda t: ["time", "--", "echo", "a\0b"], 2, "NUL"),
    # serve
    "serve port a word": (lambda t: ["serve", "--port", "http"], 2, "invalid int"),
    "serve port too large": (lambda t: ["serve", "--port", "70000"], 2, "cannot listen"),
    "serve port negative": (lambda t: ["serve", "--port", "-5"], 2, "cannot listen"),
    # build
    "build unknown client": (lambda t: ["build", "--clients", "nope"], 2, "unknown client"),
}


@pytest.mark.parametrize("name", CLI_CASES)
def test_bad_command_line(name, tmp_path, capsys):
    make_argv, expected_code, fragment = CLI_CASES[name]
    code, err = run_cli(make_argv(tmp_path), capsys)
    assert_one_error_line(code, err, expected_code, fragment)
    assert not (tmp_path / "results").exists()


def test_non_utf8_argument_reaches_the_command_as_its_bytes(tmp_path, capsys):
    # sys.argv holds undecodable bytes as surrogates; they must go out as the same bytes.
    target = tmp_path / "out"
    name = os.fsdecode(b"caf\xe9")
    code, err = run_cli(["time", "--warmup", "0", "--min-runs", "1", "--max-runs", "1", "--",
                         "python3", "-c", f"import os,sys; open({str(target)!r}, 'wb').write(os.fsencode(sys.argv[1]))",
                         name], capsys)
    assert code == 0, err
    assert target.read_bytes() == b"caf\xe9"


def test_the_corpus_is_large_enough():
    assert len(RAW_CONFIGS) + len(MUTATIONS) + len(BAD_RESULTS) + len(CLI_CASES) >= 100


def test_invoke_time_keeps_the_shells_quoting(tmp_path):
    # invoke re-joins the words after `--`; an unbalanced quote in them once ended in a traceback.
    import subprocess
    import sys

    seen = tmp_path / "argv.json"
    writer = f"import json, sys; open({str(seen)!r}, 'w').write(json.dumps(sys.argv[1:]))"
    invoke = Path(sys.executable).with_name("invoke")
    done = subprocess.run([str(invoke), "time", "--warmup", "0", "--min-runs", "1", "--max-runs", "1", "--",
                           sys.executable, "-c", writer, "it's", "two words"], cwd=DEFAULT_CONFIG.parent,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(seen.read_text()) == ["it's", "two words"]


def test_a_path_through_a_symbolic_link_out_of_the_repository_is_refused(tmp_path, capsys):
    link = DEFAULT_CONFIG.parent / "build" / "polybench-test-escape"
    link.parent.mkdir(exist_ok=True)
    link.unlink(missing_ok=True)
    link.symlink_to("/")
    try:
        raw = copy.deepcopy(SHIPPED)
        client(raw, "go-nethttp")["build"]["cwd"] = "build/polybench-test-escape"
        path = tmp_path / "polybench.yaml"
        path.write_text(yaml.safe_dump(raw))
        code, err = run_cli(["run", "--config", str(path), "--profile", "quick"], capsys)
        assert_one_error_line(code, err, 2, "outside the repository")
    finally:
        link.unlink()
