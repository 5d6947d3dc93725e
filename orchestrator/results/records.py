"""The results file as typed records: one dataclass per object in docs/results.schema.json.

results.json is the seam between measuring and reporting (docs/results-schema.md);
this module is its one definition. ``Results.from_json`` turns the parsed JSON of
a results file into records, ``Results.to_json`` turns records back into the same
JSON (``from_json(x).to_json() == x`` for every file the current writer makes;
tests/results/test_records.py), and tests hold docs/results.schema.json and these
records to the same fields, both ways.

Records are built by keyword only, and their fields are declared in the file's
key order. Three rules keep reading and writing lossless:
- a field with a default may be absent from a file (written by an earlier v2
  writer); a record remembers which ones were (``absent``) and leaves them out
  again when written;
- keys a record does not know (a newer writer's, or provenance details nobody
  reads by name) are kept in ``extra`` and written back;
- parts whose keys are open by nature (toolchains by name, package versions,
  environment variables, a build's outputs) are plain ``dict[str, ...]``.

The statistics of a cell reuse orchestrator.stats' Summary and Drift: the file
holds exactly what stats computes.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, ClassVar, Literal, TypeVar, Union, cast, get_args, get_origin, get_type_hints

from ..errors import PolybenchError
from ..stats import Drift, Summary

SCHEMA = "polybench/results/v2"
OLDER_SCHEMAS = ("polybench/results/v1",)

JSONObject = dict[str, Any]  # a JSON object whose keys are open (provenance details, per-scenario output)

RecordT = TypeVar("RecordT")


class ModelError(PolybenchError):
    """A JSON value that does not fit the results model; the message names where (``benchmarks/3/runs/0``)."""


@dataclass(kw_only=True)
class Record:
    """What every results record shares: unknown keys kept, keys absent from the file remembered."""

    extra: JSONObject = field(default_factory=dict, repr=False)
    absent: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    EXTRA_FIELDS: ClassVar[frozenset[str]] = frozenset({"extra", "absent"})

    @classmethod
    def from_json(cls: type[RecordT], data: Any, where: str = "") -> RecordT:
        """The record of a parsed JSON object; ModelError naming the first value that does not fit."""
        return _decode_record(cls, data, where)

    def to_json(self) -> JSONObject:
        """The JSON object of this record: its fields in declaration order, then ``extra``."""
        return _encode_record(self)


# --- the top level ----------------------------------------------------------------


@dataclass(kw_only=True)
class Settings(Record):
    """The profile's run settings (polybench.yaml `profiles.<name>.runs`), as the run used them."""

    warmup: int
    min_runs: int
    max_runs: int
    target_rel_ci: float
    budget_s: float
    timeout_s: float


@dataclass(kw_only=True)
class Schedule(Record):
    """How runs were ordered: randomized interleaved rounds from a recorded seed; ``pin``: CPUs, or None."""

    method: str
    seed: int
    pin: dict[str, list[int] | None] | None
    rounds: int


@dataclass(kw_only=True)
class StatisticsSettings(Record):
    """The constants of orchestrator.stats the summaries were computed with."""

    confidence: float
    median_interval: str
    resamples: int
    seed: int
    outlier_z: float
    noisy_cv: float
    modes: dict[str, float]
    drift: dict[str, float]
    cpu_split_min_ms: float


# --- environment and provenance ---------------------------------------------------


@dataclass(kw_only=True)
class Host(Record):
    """The machine the clients ran on (environment.host)."""

    hostname: str
    cpu_model: str | None
    cpu_count: int | None
    cpu_affinity: int | None = None
    cpu_governor: str | None
    memory_bytes: int | None = None
    kernel: str
    os: str | None = None
    machine: str | None = None
    load_average: list[float] | None = None


@dataclass(kw_only=True)
class ClientRecord(Record):
    """What the run recorded about one client: its YAML entry's report keys, build, versions.

    ``compiled``, ``role``, ``chart`` and ``service`` are None in files written
    before they were recorded (readers then use today's polybench.yaml).
    """

    language: str
    library: str
    library_version: str | None
    concurrency_model: str
    compiled: bool | None = None
    role: Literal["contender", "reference", "floor", "variant"] | None = None
    variant_of: str | None = None
    variant: str | None = None
    chart: dict[str, str] | None = None
    setup_in_network: str | None = None
    service: bool | None = None
    build: JSONObject | None
    interpreter: str | None = None
    packages: dict[str, str] | None = None
    shares_build_of: list[str] | None = None  # other clients whose build outputs it runs with


@dataclass(kw_only=True)
class ArticleStartupRow(Record):
    """One row of the article's start-up breakdown, set beside the baseline running `python -c CODE`."""

    code: str
    row: str
    ms: float


@dataclass(kw_only=True)
class ArticleEscapeRow(Record):
    """One row of the article's compiled-vs-uncompiled table, with the client that runs that way here."""

    row: str
    ms: float
    client: str


@dataclass(kw_only=True)
class Article(Record):
    """The article a report compares with (polybench.yaml `report.article`); the only figures a
    report quotes that no run measured. ``startup_ms``/``escapes`` are None in older files."""

    title: str
    baseline: str
    mean_ms: dict[str, float]
    startup_ms: list[ArticleStartupRow] | None = None
    escapes: list[ArticleEscapeRow] | None = None


@dataclass(kw_only=True)
class ReportSettings(Record):
    """polybench.yaml `report:` as recorded: what the prose is about."""

    focus: str | None = None
    article: Article | None = None
    packages_shown: list[str] | None = None  # the orchestrator's packages the report lists (None: older file)


@dataclass(kw_only=True)
class TemporaryFolder(Record):
    """Each run's private temporary folder: the variables set to it and their value."""

    variables: list[str]
    value: str


@dataclass(kw_only=True)
class ToolchainEnvironment(Record):
    """The environment builds and toolchain version probes ran in (process_env.toolchain_environment):
    the caller's without ``removed`` (names only), plus ``set``."""

    policy: str
    removed: list[str]
    set: dict[str, str]


@dataclass(kw_only=True)
class ProcessEnvironment(Record):
    """The environment variables given to clients and the server (docs/environment.md)."""

    policy: str
    base: dict[str, str] | None
    inherited: dict[str, str | None]
    inherit_requested: list[str] | None = None
    inherit_missing: list[str] | None = None
    loopback_no_proxy: bool | None = None
    clients: dict[str, dict[str, str]]
    warnings: list[str]
    server: dict[str, str] | None
    temporary_folder: TemporaryFolder | None = None  # None: an older file (the caller's TMPDIR)
    toolchains: ToolchainEnvironment | None = None  # None: an older file (probes saw the caller's environment)


@dataclass(kw_only=True)
class Git(Record):
    """The commit the run was made from; ``dirty`` when the work tree had changes."""

    commit: str | None
    dirty: bool | None


@dataclass(kw_only=True)
class ServerInfo(Record):
    """The shared server the clients talked to: local (started by the run) or remote."""

    url: str
    remote: bool
    worker_model: str


@dataclass(kw_only=True)
class StealTime(Record):
    """CPU time the hypervisor took while the runs ran.

    From /proc/stat before and after the runs (orchestrator/provenance/system_info.py)."""

    steal_ticks: int
    total_ticks: int
    steal_share: float | None


@dataclass(kw_only=True)
class Environment(Record):
    """Everything about where and with what the run was made (docs/results-schema.md)."""

    host: Host
    system: JSONObject | None = None
    interpreters: JSONObject | None = None
    toolchains: dict[str, str | None]
    clients: dict[str, ClientRecord]
    python_packages: dict[str, str] | None = None
    report: ReportSettings | None = None
    git: Git
    container: JSONObject | None
    server: ServerInfo
    process_environment: ProcessEnvironment | None = None
    steal_during_run: StealTime | None = None


# --- runs -------------------------------------------------------------------------


@dataclass(kw_only=True)
class RunOutput(Record):
    """What a client printed (docs/contract.md): counts, receipt, and its phase clock readings.

    verify.parse_contract_output checked the contract keys' types before a run's
    output was kept (orchestrator/measure/verify.py `_trim` keeps these keys); a client
    that prints lines of bodies instead (curl) has no clock readings."""

    requests: int | None = None
    ok: int | None = None
    bytes: int | None = None
    sha256: Any = None  # not a contract key: as the client printed it (a stream's digest, or null)
    receipt: str | None = None
    errors: list[Any] | None = None
    t_entry_ns: int | None = None
    t_ready_ns: int | None = None
    t_done_ns: int | None = None


@dataclass(kw_only=True)
class ServerRecord(Record):
    """What the server recorded for one run (its /stats, as verify kept it): requests, connections, handling time."""

    requests: int | None = None
    connections: int | None = None
    server_ns: int | None = None
    server_max_ns: int | None = None
    statuses: dict[str, int] | None = None
    internal_requests: int | None = None
    completed: dict[str, int] | None = None
    aborted: int | None = None
    in_flight: int | None = None
    max_in_flight: int | None = None
    receipt: str | None = None
    server_median_ns: int | None = None
    streams: list[JSONObject] | None = None
    first_arrival_epoch_ns: int | None = None
    last_response_epoch_ns: int | None = None


@dataclass(kw_only=True)
class Run(Record):
    """One timed process run of a cell, as results.json keeps it (nanoseconds, KiB).

    ``phases_ns`` holds runtime_start, imports, network and exit (docs/contract.md)
    or is None; ``round``/``position`` place it in the schedule (1-based).
    """

    run_id: str
    kind: Literal["warmup", "counted", "importtime"]
    index: int
    wall_ns: int
    user_ns: int
    sys_ns: int
    peak_rss_kib: int
    exit_code: int
    timed_out: bool
    verified: bool
    unsupported: bool = False
    reason: str | None
    phases_ns: dict[str, int] | None
    output: RunOutput | None
    server: ServerRecord | None
    started_epoch_ns: int = 0
    round: int | None
    position: int | None


@dataclass(kw_only=True)
class CellSummary(Record):
    """The statistics of a cell's verified counted runs (results.summarise_runs): milliseconds unless named.

    ``user_ms``/``sys_ms`` are None unless ``cpu_split_resolvable``;
    ``phases_ms`` is None unless every run has phases; ``server_ms`` None
    where the server recorded no handling time.
    """

    wall_ms: Summary
    cpu_ms: Summary
    cpu_per_wall: Summary
    cpu_split_resolvable: bool
    user_ms: Summary | None
    sys_ms: Summary | None
    drift: Drift
    peak_rss_mib: Summary
    phases_ms: dict[str, Summary] | None
    server_ms: Summary | None


@dataclass(kw_only=True)
class ImportTime(Record):
    """One module of a client's `python -X importtime` profile (microseconds)."""

    module: str
    self_us: int
    cumulative_us: int
    depth: int


Status = Literal["ok", "failed", "unsupported", "skipped", "not-run"]


@dataclass(kw_only=True)
class Benchmark(Record):
    """One cell: a client in one case, with its counted and failed runs and their statistics."""

    client: str
    language: str
    library: str
    concurrency_model: str
    scenario: str
    case: str
    params: dict[str, int]
    calls: int
    status: Status
    status_reason: str | None
    stop_reason: str | None
    warmup_runs: int
    runs: list[Run]
    failed_runs: list[Run]
    summary: CellSummary | None
    imports: list[ImportTime] | None


@dataclass(kw_only=True)
class Ratio(Record):
    """A client's median wall time over the case's fastest (``baseline``), with its interval (None for itself)."""

    case: str
    client: str
    baseline: str
    ratio: float
    low: float | None
    high: float | None


@dataclass(kw_only=True)
class BaselineCompare(Record):
    """Where the report sets a baseline command beside a client's phase."""

    client: str
    phase: str


@dataclass(kw_only=True)
class Baseline(Record):
    """A command timed in the same rounds as the clients and never verified: a baseline, not a client."""

    name: str
    label: str
    about: str
    argv: list[str]
    compare: BaselineCompare | None = None
    status: Literal["ok", "failed", "skipped", "not-run"]
    status_reason: str | None
    stop_reason: str | None
    warmup_runs: int
    runs: list[Run]
    failed_runs: list[Run]
    summary: CellSummary | None


@dataclass(kw_only=True)
class Results(Record):
    """A whole results.json: one run of one profile (schema ``SCHEMA``).

    ``baselines`` is None (and left out) in files written before baselines.
    """

    schema: str
    created: str
    finished: bool
    profile: str
    settings: Settings
    config_sha256: str
    schedule: Schedule | None
    statistics: StatisticsSettings | None = None
    environment: Environment
    benchmarks: list[Benchmark]
    ratios: list[Ratio]
    baselines: list[Baseline] | None = None

    @classmethod
    def from_json(cls: type[RecordT], data: Any, where: str = "") -> RecordT:
        """A results file's parsed JSON as records.

        Errors: ModelError for an older schema (one line saying so) or any value
        that does not fit (the message names where)."""
        if isinstance(data, dict) and data.get("schema") in OLDER_SCHEMAS:
            raise ModelError(f"results schema {data['schema']} is from an older polybench; this one reads {SCHEMA}"
                             " (interleaved rounds, CPU time, drift): run `invoke run` again")
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise ModelError(f"not a polybench results file (expected schema {SCHEMA})")
        return _decode_record(cls, data, where)

    def bench(self, client: str, case: str) -> Benchmark | None:
        """The cell of client in case, if the file has it."""
        return next((b for b in self.benchmarks if b.client == client and b.case == case), None)


# --- converting -----------------------------------------------------------------
# One decoder per type, built once from the type hints: reading a default-profile
# file (thousands of runs) must not walk typing objects for every value.

Decoder = Callable[[Any, Any], Any]  # (value, where: see _path)


class _Mismatch(Exception):
    pass


def _fields(cls: type) -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(cls) if f.name not in Record.EXTRA_FIELDS]


def _has_default(f: dataclasses.Field[Any]) -> bool:
    return f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING


# Where a value sits, for error messages: the caller's top-level name (a str, "" for the file itself) or
# (parent, key), rendered by _path only when a value does not fit. Formatting "benchmarks/12/runs/3/wall_ns"
# for every value of a file that fits cost a third of reading it.
Where = Any


def _path(where: Where) -> str:
    """The "a/b/3" form of a place: the keys from the top, joined by "/" after the first non-empty one."""
    keys: list[object] = []
    while isinstance(where, tuple):
        where, key = where
        keys.append(key)
    text = str(where)
    for key in reversed(keys):
        text = f"{text}/{key}" if text else str(key)
    return text


def _decode_record(cls: type[RecordT], data: Any, where: str) -> RecordT:
    hint: Any = cls  # a class is hashable (the cache's key), whatever a dataclass's instances are
    try:
        return cast(RecordT, _decoder(hint)(data, where))
    except _Mismatch as mismatch:
        raise ModelError(f"not a valid polybench results file ({mismatch})") from None


def _dataclass_decoder(cls: type) -> Decoder:
    hints = get_type_hints(cls)
    plan = [(f.name, _decoder(hints[f.name]), _has_default(f)) for f in _fields(cls)]
    known = frozenset(name for name, _, _ in plan)
    keeps_extra = issubclass(cls, Record)

    def decode(data: Any, where: Where) -> Any:
        if not isinstance(data, dict):
            raise _Mismatch(f"at {_path(where) or 'the top level'}: expected an object")
        values: dict[str, Any] = {}
        absent = []
        for name, decode_value, optional in plan:
            if name in data:
                values[name] = decode_value(data[name], (where, name))
            elif optional:
                absent.append(name)
            else:
                raise _Mismatch(f"at {_path(where) or 'the top level'}: {name!r} is missing")
        if keeps_extra:
            values["extra"] = {key: value for key, value in data.items() if key not in known}
            values["absent"] = frozenset(absent)
        return cls(**values)

    return decode


def _union_decoder(args: tuple[Any, ...]) -> Decoder:
    nullable = type(None) in args
    options = [_decoder(a) for a in args if a is not type(None)]

    def decode(value: Any, where: Where) -> Any:
        if value is None and nullable:
            return None
        for option in options[:-1]:
            try:
                return option(value, where)
            except _Mismatch:
                continue
        return options[-1](value, where)

    return decode


def _scalar_decoder(hint: type) -> Decoder:
    if hint is float:  # JSON does not tell 1 from 1.0: an int is kept as written
        accepted: tuple[type, ...] = (int, float)
        what = "a number"
    else:
        accepted = (hint,)
        what = "an integer" if hint is int else f"a {hint.__name__}"

    def decode(value: Any, where: Where) -> Any:
        if isinstance(value, accepted) and (hint is bool or not isinstance(value, bool)):
            return value
        raise _Mismatch(f"at {_path(where)}: expected {what}")

    return decode


@cache
def _decoder(hint: Any) -> Decoder:
    origin, args = get_origin(hint), get_args(hint)
    if hint is Any:
        return lambda value, where: value
    if origin in (Union, types.UnionType):
        return _union_decoder(args)
    if origin is Literal:
        def literal(value: Any, where: Where) -> Any:
            if value not in args:
                raise _Mismatch(f"at {_path(where)}: expected one of {', '.join(map(str, args))}")
            return value
        return literal
    if origin is list or origin is tuple:
        item = _decoder(args[0])
        make = list if origin is list else tuple

        def array(value: Any, where: Where) -> Any:
            if not isinstance(value, list):
                raise _Mismatch(f"at {_path(where)}: expected an array")
            return make(item(entry, (where, i)) for i, entry in enumerate(value))
        return array
    if origin is dict:
        member = _decoder(args[1])

        def obj(value: Any, where: Where) -> Any:
            if not isinstance(value, dict):
                raise _Mismatch(f"at {_path(where)}: expected an object")
            return {key: member(entry, (where, key)) for key, entry in value.items()}
        return obj
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass_decoder(hint)
    if hint in (int, float, str, bool):
        return _scalar_decoder(hint)
    raise TypeError(f"results model: no JSON reading for {hint!r}")  # a bug in this module


@cache
def _field_plan(cls: type) -> tuple[tuple[str, Any], ...]:
    """(name, default or MISSING) of each of a dataclass's fields, in declaration order."""
    return tuple((f.name, f.default if f.default is not dataclasses.MISSING
                  else f.default_factory() if f.default_factory is not dataclasses.MISSING
                  else dataclasses.MISSING) for f in _fields(cls))


def _encode_record(record: Record) -> JSONObject:
    absent = record.absent
    data = {}
    cls: Any = type(record)
    for name, default in _field_plan(cls):
        value = getattr(record, name)
        if absent and name in absent and value == default:
            continue  # absent from the file it was read from: stays absent
        data[name] = _encode(value)
    if record.extra:
        data.update(record.extra)
    return data


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, Record):
        return _encode_record(value)
    if isinstance(value, list | tuple):
        return [_encode(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _encode(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # stats' Summary and Drift
        return {name: _encode(getattr(value, name)) for name, _ in _field_plan(type(value))}
    raise TypeError(f"results model: no JSON writing for {type(value).__name__}")  # a bug in this module
