"""Is this file really a polybench results file? Checked (by model.load_results) before report, export or
compare read a field.

A results file is input like any other (it may come from another machine, or
be edited): valid JSON that is not results (keys missing, NaN, a string where a
number belongs) must be one clear line, not a KeyError deep in the report.
The contract is docs/results.schema.json, the same schema the tests hold
every written file to.
"""

from __future__ import annotations

import json
import math
import re
import stat
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import PolybenchError
from ..paths import ROOT
from ..units import CLOCK_TOLERANCE_NS

if TYPE_CHECKING:
    import jsonschema_rs

SCHEMA_FILE = ROOT / "docs" / "results.schema.json"
MAX_RESULTS_BYTES = 1 << 30  # a default-profile results.json is about 6 MB


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number (JSON has no NaN or Infinity)")


def check_regular_file(path: Path) -> None:
    """A results file must be a regular file of a sane size: a FIFO would block, /dev/zero never end."""
    try:
        info = path.stat()
    except OSError:
        return  # the read that follows says what is wrong, in one line
    if not stat.S_ISREG(info.st_mode):
        raise PolybenchError(f"{path}: not a regular file, so not a results file")
    if info.st_size > MAX_RESULTS_BYTES:
        raise PolybenchError(f"{path}: {info.st_size:,} bytes, more than a results file can be "
                             f"({MAX_RESULTS_BYTES:,})")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 parses as infinity: JSON has no infinities either
        raise ValueError(f"{text} is not a finite number")
    return value


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
def parse_results_json(raw: bytes, path: Path) -> Any:
    """The JSON value in raw; PolybenchError for bytes that are not strict JSON (NaN and Infinity included),
    for text with a lone UTF-16 surrogate (JSON's \\u escapes can spell one; no report, table or chart can
    print it)."""
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant, parse_float=_finite)
    except UnicodeDecodeError:
        raise PolybenchError(f"{path} is not UTF-8 text: not a results file") from None
    except RecursionError:
        raise PolybenchError(f"{path} is nested too deeply: not a results file") from None
    except ValueError as exc:
        raise PolybenchError(f"{path} is not valid JSON: {exc}") from None
    if _SURROGATE_ESCAPE.search(raw):  # only an escape can make one: the UTF-8 decoder refuses encoded ones
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise PolybenchError(f"{path} holds a lone UTF-16 surrogate (a \\uD800-\\uDFFF escape without its "
                                 "pair): not Unicode text, so not a results file") from None
    return data


@cache
def _schema() -> Any:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


@cache
def _validator() -> jsonschema_rs.Validator:
    import jsonschema_rs  # ~40 ms of import, paid only by the verbs that read a results file

    return jsonschema_rs.Draft202012Validator(_schema())


@cache
def _reference_validator() -> Any:
    import jsonschema  # imported only for the rare file jsonschema_rs cannot take

    return jsonschema.Draft202012Validator(_schema())


def schema_errors(data: Any) -> list[tuple[list[str | int], str]]:
    """Every place data departs from docs/results.schema.json: (path from the top, message), in path order.

    Checked by jsonschema_rs (compiled, Draft 2020-12: about 20 ms for a 6 MB default-profile file, where
    the pure-Python jsonschema takes seconds). A value it cannot convert (a key that is a lone surrogate,
    which JSON's \\u escapes can spell and Rust strings cannot hold, or a value nested past its 255 levels) is
    checked by jsonschema instead, the reference the tests hold both to (tests/results/test_check.py); one
    nested past Python's stack too is one error at the top level. Errors: none raised for any JSON value.
    """
    try:
        found = [(list(e.instance_path), e.message) for e in _validator().iter_errors(data)]
    except (UnicodeEncodeError, ValueError):  # ValueError: "Recursion limit reached", past 255 levels
        try:
            found = [(list(e.absolute_path), e.message) for e in _reference_validator().iter_errors(data)]
        except RecursionError:  # past what Python's stack takes (a results file nests about 8 levels)
            return [([], "nested too deeply to check")]
    return sorted(found, key=lambda error: error[0])


def check_results_shape(data: Any, path: Path) -> None:
    """Raise PolybenchError naming the first place data departs from docs/results.schema.json."""
    errors = schema_errors(data)
    if errors:
        where_path, message = errors[0]
        where = "/".join(str(part) for part in where_path) or "the top level"
        message = " ".join(message.split())
        message = message if len(message) <= 160 else message[:157] + "..."
        raise PolybenchError(f"{path}: not a valid polybench results file (at {where}: {message})")


MAX_WALL_NS = 86_400 * 10**9  # one day: no run of any profile comes near it (the longest time limit is minutes)
CLOCK_DRIFT = 1e-3  # the phases are epoch-clock differences, wall_ns monotonic: allow 1000 ppm of slew between them


def _run_problem(run: dict[str, Any], counted: bool) -> str | None:
    """Why one run cannot be a measured run (None: it can). counted: it is in a cell's `runs`."""
    wall = run["wall_ns"]
    if counted and not wall > 0:
        return "every run needs a positive integer wall_ns"
    if wall >= MAX_WALL_NS:
        return f"wall_ns {wall:.3g} is more than a day"
    if counted and run["verified"] is not True:
        return "a run in runs is not verified (failed runs belong in failed_runs)"
    phases = run["phases_ns"]
    if phases is None:
        return None
    low = min(phases.values())
    if low < -CLOCK_TOLERANCE_NS:
        return f"a phase lasts {low:.3g} ns: phases cannot be negative"
    if sum(phases.values()) > wall * (1 + CLOCK_DRIFT) + 4 * CLOCK_TOLERANCE_NS:
        return f"the phases add up to more than wall_ns {wall} (they split spawn to reap)"
    return None


def check_cells(data: Any, path: Path) -> None:
    """What docs/results.schema.json cannot say, for data that passed check_results_shape: every counted
    run is verified and has a positive wall time (what every ratio divides by); no run lasts a day or more;
    no phase is negative beyond the clock tolerance and the phases add up to no more than wall_ns (within
    clock tolerance and drift); each (client, case) cell is one benchmark (every reader keys them so).
    Errors: PolybenchError naming the first place that departs, in one line."""
    seen: dict[tuple[str, str], int] = {}
    for index, bench in enumerate(data["benchmarks"]):
        for kind in ("runs", "failed_runs"):
            for position, run in enumerate(bench.get(kind) or ()):
                problem = _run_problem(run, counted=kind == "runs")
                if problem is not None:
                    raise PolybenchError(f"{path}: not a valid polybench results file (at benchmarks/{index}/"
                                         f"{kind}/{position}: {problem})")
        first = seen.setdefault((bench["client"], bench["case"]), index)
        if first != index:
            raise PolybenchError(f"{path}: not a valid polybench results file (benchmarks/{index} repeats "
                                 f"benchmarks/{first}: {bench['client']} {bench['case']})")
