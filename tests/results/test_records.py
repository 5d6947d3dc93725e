"""The typed results model: lossless both ways, and the same fields as docs/results.schema.json."""

from __future__ import annotations

import dataclasses
import json
import sys
import types
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import pytest

from orchestrator.results import records
from orchestrator.results.check import SCHEMA_FILE, check_results_shape
from orchestrator.results.records import ModelError, Record, Results, Run

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
from synthetic import make_results  # noqa: E402

# an excerpt (6 of its benchmarks) of a default-profile file written by an earlier v2 writer (no baselines,
# no `compiled`): the session-3 docs/example/results.json
EXAMPLE = Path(__file__).resolve().parent / "fixtures" / "older-v2-results.json"
SCHEMA = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    """A real default-profile results file (docs/example, written by an earlier v2 writer)."""
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def test_a_written_results_file_round_trips_exactly() -> None:
    data = make_results()  # built by orchestrator.results.assemble, as `invoke run` builds one
    back = Results.from_json(data).to_json()
    assert back == data


def test_a_real_run_round_trips_keeping_absent_keys_absent(example: dict[str, Any]) -> None:
    results = Results.from_json(example)
    assert results.baselines is None and "baselines" in results.absent
    record = results.environment.clients["python-requests"]
    assert record.compiled is None and "compiled" in record.absent  # written before `compiled` was recorded
    run = results.benchmarks[0].runs[0]
    assert run.server is not None and run.server.server_ns is not None and run.server.server_ns > 0
    back = results.to_json()
    # the only additions are stats.Summary's two newer fields, at their defaults
    assert _without(back, {"outliers_assessed", "median_ci_sequential"}) == example
    # key order too (the model declares fields in the writer's order): a rewritten file reads the same
    assert json.dumps(_without(back, {"outliers_assessed", "median_ci_sequential"})) == json.dumps(example)
    assert Results.from_json(back) == results
    check_results_shape(back, EXAMPLE)


def _without(value: Any, keys: set[str]) -> Any:
    if isinstance(value, dict):
        return {k: _without(v, keys) for k, v in value.items() if k not in keys}
    if isinstance(value, list):
        return [_without(v, keys) for v in value]
    return value


def test_unknown_keys_are_kept_and_written_back() -> None:
    data = make_results()
    data["benchmarks"][0]["runs"][0]["from_a_newer_writer"] = {"x": [1, 2]}
    data["environment"]["from_a_newer_writer"] = {"share": 0.5}
    results = Results.from_json(data)
    assert results.benchmarks[0].runs[0].extra == {"from_a_newer_writer": {"x": [1, 2]}}
    assert results.to_json() == data


@pytest.mark.parametrize(("where", "value", "message"), [
    (("benchmarks", 0, "runs", 1, "wall_ns"), "12", "benchmarks/0/runs/1/wall_ns: expected an integer"),
    (("benchmarks", 0, "runs", 1, "wall_ns"), True, "benchmarks/0/runs/1/wall_ns: expected an integer"),
    (("benchmarks", 2, "status"), "great", "benchmarks/2/status: expected one of ok, failed"),
    (("environment", "host"), [], "environment/host: expected an object"),
    (("ratios", 0, "ratio"), "fast", "ratios/0/ratio: expected a number"),
])
def test_a_value_that_does_not_fit_is_one_line_naming_where(where: tuple[Any, ...], value: Any,
                                                            message: str) -> None:
    data = make_results()
    target = data
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    with pytest.raises(ModelError, match=message) as raised:
        Results.from_json(data)
    assert "\n" not in str(raised.value)


def test_a_missing_key_is_named() -> None:
    data = make_results()
    del data["benchmarks"][1]["runs"][0]["verified"]
    with pytest.raises(ModelError, match="at benchmarks/1/runs/0: 'verified' is missing"):
        Results.from_json(data)


@pytest.mark.parametrize("schema", ["polybench/results/v1", "polybench/results/v9", None])
def test_other_schemas_are_refused_in_one_line(schema: str | None) -> None:
    with pytest.raises(ModelError) as raised:
        Results.from_json({"schema": schema, "benchmarks": []})
    assert "\n" not in str(raised.value)
    assert ("older polybench" in str(raised.value)) == (schema == "polybench/results/v1")


def test_a_run_reads_by_its_own_name() -> None:
    data = make_results()["benchmarks"][0]["runs"][0]
    run = Run.from_json(data, "run")
    assert run.wall_ns == data["wall_ns"] and run.to_json() == data


# --- the model and docs/results.schema.json describe the same fields -------------


def _node(node: dict[str, Any]) -> dict[str, Any]:
    """A schema node with $ref followed and a null alternative (oneOf) dropped."""
    while True:
        if "$ref" in node:
            target: Any = SCHEMA
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        elif "oneOf" in node:
            others = [n for n in node["oneOf"] if n != {"type": "null"}]
            assert len(others) == 1, node
            node = others[0]
        else:
            return node


def _record_class(hint: Any) -> Any:
    """The dataclass a field holds (through `| None`, list[...] and dict[str, ...]), with how to reach it."""
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        (inner,) = [a for a in args if a is not type(None)]
        return _record_class(inner)
    if origin in (list, tuple):
        found = _record_class(args[0])
        return (("items", *found[0]), found[1]) if found else None
    if origin is dict:
        found = _record_class(args[1])
        return (("additionalProperties", *found[0]), found[1]) if found else None
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return ((), hint)
    return None


def _walk(cls: type, node: dict[str, Any], where: str, seen: list[str]) -> None:
    node = _node(node)
    names = [f.name for f in dataclasses.fields(cls) if f.name not in Record.EXTRA_FIELDS]
    must = {f.name for f in dataclasses.fields(cls) if f.name not in Record.EXTRA_FIELDS
            and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    described = set(node.get("properties", {})) | set(node.get("required", []))
    assert set(names) == described, (
        f"{where or 'top level'} ({cls.__name__}): only in the model {sorted(set(names) - described)}, "
        f"only in the schema {sorted(described - set(names))}")
    required = set(node.get("required", []))
    if issubclass(cls, Record):  # a key a record may miss must not be required, and the other way round
        assert required == must, f"{where} ({cls.__name__}): required {sorted(required ^ must)} disagree"
    else:  # stats' Summary: defaults keep old calls working, the file requires some of them
        assert must <= required, f"{where} ({cls.__name__}): {sorted(must - required)} not required"
    seen.append(cls.__name__)
    hints = get_type_hints(cls)
    for name in names:
        _check_literal(hints[name], node.get("properties", {}).get(name), f"{where}/{name}")
        found = _record_class(hints[name])
        if not found:
            continue
        path, inner = found
        child = _node(node["properties"][name])
        for step in path:
            child = _node(child[step])
        _walk(inner, child, f"{where}/{name}", seen)


def _check_literal(hint: Any, node: dict[str, Any] | None, where: str) -> None:
    """A Literal field and the schema's enum list the same values."""
    options = [a for a in get_args(hint) if a is not type(None)] if get_origin(hint) in (
        Union, types.UnionType) else [hint]
    literal = next((a for a in options if get_origin(a) is Literal), None)
    if literal is None or node is None:
        return
    node = _node(node)
    assert set(get_args(literal)) == set(node.get("enum", [node.get("const")])), where


def test_the_model_and_the_json_schema_have_the_same_fields() -> None:
    seen: list[str] = []
    _walk(Results, SCHEMA, "", seen)
    declared = {name for name, value in vars(records).items()
                if isinstance(value, type) and issubclass(value, Record) and value is not Record}
    assert declared <= set(seen), f"records the walk never reached: {sorted(declared - set(seen))}"


def test_the_schema_names_its_version() -> None:
    assert SCHEMA["properties"]["schema"]["const"] == records.SCHEMA == SCHEMA["$id"]
