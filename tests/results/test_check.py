"""The results-file check (orchestrator/results/check.py): the compiled validator it runs (jsonschema_rs)
finds exactly what jsonschema, the reference implementation of Draft 2020-12, finds.

Two validators of one schema may drift (a keyword one implements differently, a version bump): these tests
compare every error path the two report, sorted, so the place check_results_shape names is the same too.
The fast tier compares a few departures of each kind on a small file; the full tier (slow: the reference
takes seconds on a large file) compares every departure of every value of a small file, the bad-input
corpus (tests/test_bad_input_corpus.py), docs/example's default-profile file and the older v2 fixture.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from orchestrator.errors import PolybenchError
from orchestrator.paths import ROOT
from orchestrator.results.check import SCHEMA_FILE, check_results_shape, parse_results_json, schema_errors
from tests.report.synthetic import make_results
from tests.test_bad_input_corpus import BAD_RESULTS

REFERENCE = jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
FILES = [ROOT / "docs" / "example" / "results.json",
         Path(__file__).resolve().parent / "fixtures" / "older-v2-results.json"]
DELETE = object()  # a departure: the key removed


def reference_paths(data: Any) -> list[list[str | int]]:
    return sorted([list(error.absolute_path) for error in REFERENCE.iter_errors(data)])


def checked_paths(data: Any) -> list[list[str | int]]:
    return [where for where, _ in schema_errors(data)]


@cache
def small_results() -> dict[str, Any]:
    """A valid file with one of each object the schema describes, small enough for the reference to check
    thousands of copies: two benchmarks (one with a run and a failed run, one with none), a ratio, and a
    baseline (the synthetic files have none: docs/example's first, cut to one run)."""
    data = make_results(cases=[("single", {}, 1), ("keepalive", {"requests": 10}, 10), ("stream", {"bytes": 1024}, 1)])
    data["benchmarks"] = [next(b for b in data["benchmarks"] if b["failed_runs"]),
                          next(b for b in data["benchmarks"] if b["summary"] is None)]
    data["ratios"] = data["ratios"][:1]
    baseline = json.loads(FILES[0].read_text(encoding="utf-8"))["baselines"][0]
    data["baselines"] = [baseline]
    for record in [*data["benchmarks"], baseline]:
        record["runs"] = record["runs"][:1]
    assert reference_paths(data) == [] and data["ratios"]
    return data


def paths(node: Any, path: list[str | int]) -> Iterator[list[str | int]]:
    """Every path under node (the first item of each list: the others have the same schema)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield [*path, key]
            yield from paths(value, [*path, key])
    elif isinstance(node, list):
        for index, value in enumerate(node[:1]):
            yield [*path, index]
            yield from paths(value, [*path, index])


def value_at(data: Any, path: list[str | int]) -> Any:
    for part in path:
        data = data[part]
    return data


def departed(data: dict[str, Any], path: list[str | int], value: Any) -> dict[str, Any] | None:
    """A copy of data with the value at path replaced (or deleted); None if path is not in data or names a
    list's item to delete."""
    copied = copy.deepcopy(data)
    parent: Any = copied
    for part in path[:-1]:
        parent = parent[part]
    if not isinstance(parent, (dict, list)):
        return None
    if value is DELETE:
        if isinstance(parent, list) or path[-1] not in parent:
            return None
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return copied


def departures(value: Any) -> list[Any]:
    """What the exhaustive test puts in value's place: the key gone (required), null (the null
    alternatives), another type, and a negative number for a number (the minimums)."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return [DELETE, None, 5 if isinstance(value, str) else "x", *([-1] if number else [])]


def disagreements(cases: Iterator[tuple[str, Any]]) -> tuple[list[str], int]:
    """Where the two differ ("name: jsonschema [paths], checked [paths]"), and how many cases both refused."""
    differ, refused = [], 0
    for name, data in cases:
        expected, checked = reference_paths(data), checked_paths(data)
        if expected != checked:
            differ.append(f"{name}: jsonschema {expected}, checked {checked}")
        refused += bool(expected) and bool(checked)
    return differ, refused


SOME_PATHS = [["schema"], ["finished"], ["schedule"], ["benchmarks", 1, "summary"],
              ["environment", "host", "cpu_count"],
              ["environment", "clients", "python-requests", "library_version"], ["benchmarks", 0, "status"],
              ["benchmarks", 0, "runs", 0, "wall_ns"], ["benchmarks", 0, "runs", 0, "phases_ns"],
              ["benchmarks", 0, "runs", 0, "phases_ns", "network"], ["benchmarks", 0, "runs", 0, "server"],
              ["benchmarks", 0, "failed_runs", 0, "output"],
              ["benchmarks", 0, "summary", "wall_ms", "median"], ["benchmarks", 0, "summary", "user_ms"],
              ["benchmarks", 0, "summary", "phases_ms"], ["benchmarks", 0, "imports"], ["ratios", 0, "low"],
              ["baselines", 0, "compare"], ["baselines", 0, "summary"]]


def test_the_check_agrees_with_jsonschema_on_a_few_departures_of_each_kind() -> None:
    data = small_results()
    assert checked_paths(data) == []
    cases = [(f"{path} = {value!r}", departed(data, path, value))
             for path in SOME_PATHS for value in departures(value_at(data, path))]
    differ, refused = disagreements((name, case) for name, case in cases if case is not None)
    assert differ == []
    assert refused >= len(cases) // 2  # most departures are refused: the agreement is not only on valid files


def test_a_key_the_compiled_validator_cannot_take_is_checked_by_the_reference() -> None:
    # JSON can spell a lone surrogate ("\udcff"); jsonschema_rs cannot take one in a key (Rust strings).
    data = json.loads(json.dumps(small_results()).replace('"toolchains": {', '"toolchains": {"\\udcff": 5, ', 1))
    assert checked_paths(data) == reference_paths(data) == [["environment", "toolchains", "\udcff"]]
    with pytest.raises(PolybenchError, match="at environment/toolchains/\udcff: 5 is not of type"):
        check_results_shape(data, Path("results.json"))
    data["environment"]["toolchains"]["\udcff"] = "1.0"
    check_results_shape(data, Path("results.json"))


def test_the_first_departure_is_named_in_one_line() -> None:
    data = departed(small_results(), ["benchmarks", 0, "runs", 0, "wall_ns"], "12")
    data = departed(data, ["ratios", 0, "ratio"], "fast")  # type: ignore[arg-type]
    with pytest.raises(PolybenchError) as raised:
        check_results_shape(data, Path("results.json"))
    assert str(raised.value).startswith("results.json: not a valid polybench results file (at benchmarks/0/runs/0/"
                                        "wall_ns: ")
    assert "\n" not in str(raised.value)


@pytest.mark.slow  # ~1,900 copies through the reference: 15-25 s of CPU
def test_the_check_agrees_with_jsonschema_on_every_departure_of_a_small_file() -> None:
    data = small_results()
    cases = [(f"{path} = {value!r}", departed(data, path, value))
             for path in paths(data, []) for value in departures(value_at(data, path))]
    differ, refused = disagreements((name, case) for name, case in cases if case is not None)
    assert differ == []
    assert refused >= len(cases) // 2


@pytest.mark.slow  # the reference on 20-odd copies of a 37-benchmark file: 5-8 s
def test_the_check_agrees_with_jsonschema_on_the_bad_input_corpus() -> None:
    def parsed() -> Iterator[tuple[str, Any]]:
        for name, make in BAD_RESULTS.items():
            content = make()
            raw = content.encode() if isinstance(content, str) else content
            try:
                yield name, (parse_results_json(raw, Path(name)) if isinstance(raw, bytes) else content)
            except PolybenchError:  # not JSON: refused before any schema
                continue

    cases = list(parsed())
    differ, refused = disagreements(iter(cases))
    assert differ == []
    assert len(cases) >= 20 and refused >= 10  # the rest pass the schema and are refused by check_cells


@pytest.mark.slow  # the reference on docs/example (6 MB): 3-6 s
@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_the_check_agrees_with_jsonschema_on_real_files(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert checked_paths(data) == reference_paths(data) == []
    broken = copy.deepcopy(data)
    next(b for b in reversed(broken["benchmarks"]) if b["runs"])["runs"][-1]["wall_ns"] = -1
    broken["benchmarks"][0]["summary"] = {"wall_ms": None}
    assert checked_paths(broken) == reference_paths(broken) != []
