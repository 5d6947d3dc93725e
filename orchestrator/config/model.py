"""Load and validate polybench.yaml into typed, immutable records.

Every problem is reported as one ConfigError line that names the key
(`clients[2].run: expected a list of strings`), so a user can fix the file
without reading this code.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import os
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..paths import ROOT, glob_prefix, inside_root
from .safe_yaml import MAX_CONFIG_BYTES, load_yaml
from .scenarios import PARAMETER_RANGES, SCENARIOS, normalise_params

DEFAULT_CONFIG = ROOT / "polybench.yaml"
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,40}$")
OUTPUT_KINDS = ("contract", "bodies")
# Each parameter list is a grid axis; a profile runs every combination. Far
# above any real profile (the default has 14 cases), far below what exhausts
# memory (a 400x400x400 grid did) or takes days to run.
MAX_CASES_PER_PROFILE = 256
# {placeholders} an argv may use: build and version commands get only the
# first two; a run also gets the run's own values (scenario parameters too).
BUILD_PLACEHOLDERS = frozenset({"python", "root"})
RUN_PLACEHOLDERS = BUILD_PLACEHOLDERS | {"url", "run_id", "scratch"}
SERVICE_PLACEHOLDERS = BUILD_PLACEHOLDERS | {"scratch"}  # {scratch}: polybench's private folder of this process
LIBRARY_VERSION_SOURCES = ("package", "cargo_lock", "command")
# What a client is in the comparison (README, "Adding a client"):
#   contender  a client under test (the default)
#   reference  the outside yardstick (curl)
#   floor      the physical floor: the least a process can do for the calls, not a real client
#   variant    another way to run a contender (`variant_of`), e.g. compiled with Nuitka or kept warm
ROLES = ("contender", "reference", "floor", "variant")
CHART_KEYS = {"color", "marker", "hatch"}
# A Debian package, optionally by upstream version (`gcc-14=14.2.*`: the mirror's current revision of
# it, as docker/apt-install.sh installs it); never an exact revision (a mirror keeps only the newest).
DEBIAN_PACKAGE = re.compile(r"^[a-z0-9][a-z0-9+.-]{0,60}(=[0-9][0-9A-Za-z.+~]{0,30}\*)?$")


@dataclass(frozen=True)
class Toolchain:
    name: str
    version_argv: tuple[str, ...]
    fix: str
    debian: tuple[str, ...] = ()  # Debian packages that provide it (the image installs them)


@dataclass(frozen=True)
class BuildSpec:
    requires: tuple[str, ...] = ()
    commands: tuple[tuple[str, ...], ...] = ()
    cwd: str = "."
    env: Mapping[str, str] = field(default_factory=dict)
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()  # files or folders (a folder's size is its files' total)
    optional: bool = False  # a failed build skips the client with one line instead of failing `build`
    expected_s: float | None = None  # rough cold-build time on 2 cores: the progress line's estimate
    relocatable: bool = False  # outputs work from any clone: shared through the build cache (build/cache.py)


@dataclass(frozen=True)
class ClientSpec:
    name: str
    language: str
    library_label: str
    library_version: Mapping[str, Any]
    concurrency_model: str
    build: BuildSpec
    run: tuple[str, ...] | None
    output: str = "contract"
    scenarios: tuple[str, ...] | None = None  # None: every scenario
    scenario_argv: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    importtime: tuple[str, ...] | None = None
    env: Mapping[str, str] = field(default_factory=dict)  # added to the clean base (process_env.py)
    packages: tuple[str, ...] | None = None  # argv printing `name==version` lines: what the client runs with
    # Largest parameter values the client can honour (`limits: {concurrency: 300}`:
    # curl silently caps --parallel-max at 300); a case beyond them is skipped.
    limits: Mapping[str, int] = field(default_factory=dict)
    # How the report places the client, all from its YAML entry (no language names in code):
    compiled: bool = False  # ahead-of-time compiled to machine code (Go, Rust, C), not interpreted or JIT-only
    role: str = "contender"  # one of ROLES
    variant_of: str | None = None  # role variant: the client it is a way of running
    variant: str | None = None  # role variant: a short label of the way ("Nuitka --onefile")
    chart: Mapping[str, str] = field(default_factory=dict)  # {color, marker, hatch} for its series
    debian: tuple[str, ...] = ()  # Debian packages it needs beyond its toolchains (the image installs them)
    # argv of a resident process the client's runs talk to (a warm worker): started before the client's
    # first run, stopped when the run ends (orchestrator/measure/services.py); it prints one line when ready
    service: tuple[str, ...] | None = None
    # why its network phase also holds set-up it cannot do before t_ready (e.g. a shell pipeline starts
    # curl inside it); None for every client that builds its objects first (docs/contract.md)
    setup_in_network: str | None = None

    def beyond_limits(self, case: Case) -> str | None:
        """Why this client cannot run case faithfully (a parameter over its declared limit), or None."""
        for name, limit in sorted(self.limits.items()):
            if case.params.get(name, 0) > limit:
                return (f"{name} {case.params[name]} is beyond {self.name}'s limit of {limit} "
                        f"(limits.{name} in the config)")
        return None

    def supports(self, scenario: str) -> bool:
        if self.output == "bodies":
            return scenario in self.scenario_argv
        if not SCENARIOS[scenario].contract:
            return False  # not in the client contract (fanout_*): only a scenario_argv runs it
        return self.scenarios is None or scenario in self.scenarios


@dataclass(frozen=True)
class RunSettings:
    warmup: int
    min_runs: int
    max_runs: int
    target_rel_ci: float
    budget_s: float
    timeout_s: float


@dataclass(frozen=True)
class Case:
    """One scenario with one set of parameters: the unit that gets timed."""

    scenario: str
    params: Mapping[str, int]

    @property
    def id(self) -> str:
        if not self.params:
            return self.scenario
        values = ",".join(f"{k}={v}" for k, v in sorted(self.params.items()))
        return f"{self.scenario}[{values}]"

    @property
    def calls(self) -> int:
        return SCENARIOS[self.scenario].expected_calls(self.params)


@dataclass(frozen=True)
class Profile:
    """A named run plan: its run settings and the cases (scenario + parameters) it measures.

    ``variant_cases``: the cases the variants (role ``variant``: another way of
    running a contender) are measured in, a subset of ``cases``; ``None``: every
    case they declare, as the other clients. The escapes are about start-up, so
    the default profile runs them in `single` and the smaller keep-alive cases
    only (docs/config.md).
    """

    name: str
    description: str
    runs: RunSettings
    cases: tuple[Case, ...]
    variant_cases: tuple[Case, ...] | None = None

    def measures(self, client: ClientSpec, case: Case) -> bool:
        """Whether this profile runs ``client`` in ``case``: the client declares it (a variant: the profile too)."""
        if not client.supports(case.scenario):
            return False
        return client.role != "variant" or self.variant_cases is None or case.id in {c.id for c in self.variant_cases}


# What every baseline is called wherever it appears (results, report, exports).
BASELINE_LABEL = "baseline, not a client"
BASELINE_PHASES = ("runtime_start", "imports")  # the phases of a client a baseline can stand beside


@dataclass(frozen=True)
class BaselineSpec:
    """A command timed beside the clients (`python -c pass`), in the same rounds, never verified.

    It makes no HTTP call and is no client: it shows what part of a client's
    start-up any program on that runtime pays (docs/results-schema.md).
    """

    name: str
    run: tuple[str, ...]  # argv ({root}, {python}), spawned without a shell
    about: str  # one line for the report ("bare interpreter", "import requests")
    env: Mapping[str, str] = field(default_factory=dict)
    # {client, phase}: the client phase the report sets it beside (python -c pass ~ runtime_start)
    compare: Mapping[str, str] | None = None
    importtime: tuple[str, ...] | None = None  # never set: a baseline has no -X importtime run
    label: str = BASELINE_LABEL


@dataclass(frozen=True)
class ReportSettings:
    """The top-level `report:` key: what the report's prose is about (recorded into every results file).

    focus: the client the findings are written about (its language is "the interpreted side");
    article: published figures the report quotes, {title, baseline, mean_ms: {client: ms},
      startup_ms: [{code, row, ms}] (the article's start-up breakdown, by the `python -c CODE` of the
      baseline it is set beside), escapes: [{row, ms, client}] (its compiled-vs-script rows, each with
      the client that runs it here)};
    packages_shown: the orchestrator's packages the report lists with their versions: every client's
      `library.version.package`, then `report.packages_shown` (the server's, and the libraries' own).
    """

    focus: str | None = None
    article: Mapping[str, Any] | None = None
    packages_shown: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"focus": self.focus, "article": dict(self.article) if self.article else None,
                "packages_shown": list(self.packages_shown)}


@dataclass(frozen=True)
class Config:
    path: Path
    root: Path
    toolchains: Mapping[str, Toolchain]
    clients: tuple[ClientSpec, ...]
    profiles: Mapping[str, Profile]
    sha256: str
    report: ReportSettings = field(default_factory=ReportSettings)
    baselines: tuple[BaselineSpec, ...] = ()

    def client(self, name: str) -> ClientSpec:
        for client in self.clients:
            if client.name == name:
                return client
        raise ConfigError(f"unknown client {name!r} (known: {', '.join(c.name for c in self.clients)})")

    def profile(self, name: str) -> Profile:
        if name not in self.profiles:
            raise ConfigError(f"unknown profile {name!r} (known: {', '.join(self.profiles)})")
        return self.profiles[name]


def shared_builds(config: Config, client: ClientSpec) -> list[str]:
    """The other clients whose build outputs this client runs with (config order), e.g. a variant started by
    python-requests' venv interpreter: its own outputs are then only what it adds to that build.

    A path counts when the client's run, scenario, service or packages argv, or an `env:` value, names
    `{root}/OUTPUT` or a path inside OUTPUT, for an OUTPUT of another client's build that is not also
    one of its own (two clients of one recipe, such as one cargo build, share nothing by that).
    """
    prefix = "{root}/"
    argvs = [client.run or (), client.service or (), client.packages or (), *client.scenario_argv.values()]
    named = {text[len(prefix):] for argv in argvs for text in argv if text.startswith(prefix)}
    named |= {text[len(prefix):] for text in client.env.values() if text.startswith(prefix)}

    def inside(path: str, outputs: tuple[str, ...]) -> bool:
        return any(path == output or path.startswith(output.rstrip("/") + "/") for output in outputs)

    named = {path for path in named if not inside(path, client.build.outputs)}  # one recipe, both its outputs
    return [other.name for other in config.clients
            if other.name != client.name and any(inside(path, other.build.outputs) for path in named)]


# --- small typed readers: each names the key it failed on -------------------


def _mapping(value: Any, key: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{key}: expected a mapping, got {type(value).__name__}")
    return value


def _string(value: Any, key: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{key}: expected a non-empty string")
    return value


def _argv(value: Any, key: str, placeholders: frozenset[str] | set[str] = BUILD_PLACEHOLDERS) -> tuple[str, ...]:
    if (not isinstance(value, list) or not value
            or not all(isinstance(a, (str, int)) and not isinstance(a, bool) for a in value)):
        raise ConfigError(f"{key}: expected a non-empty list of strings (an argv, never a shell line)")
    argv = tuple(str(a) for a in value)
    for element in argv:
        _check_placeholders(element, key, placeholders)
    return argv


def _check_placeholders(element: str, key: str, allowed: frozenset[str] | set[str]) -> None:
    """Placeholders are plain names from `allowed`: no attribute, index, conversion or format spec."""
    if "\0" in element:
        raise ConfigError(f"{key}: argv element {element!r} contains a NUL character")
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(element)
                  if name is not None]
    except ValueError as exc:
        raise ConfigError(f"{key}: argv element {element!r}: {exc} (write a literal brace as {{{{ or }}}})") from None
    for name, spec, conversion in fields:
        if not name.isidentifier() or spec or conversion:
            raise ConfigError(f"{key}: argv element {element!r}: placeholders are plain names like "
                              f"{{root}}, not {{{name}{'!' + conversion if conversion else ''}"
                              f"{':' + spec if spec else ''}}}")
        if name not in allowed:
            raise ConfigError(f"{key}: unknown placeholder {{{name}}} (known here: "
                              f"{', '.join('{' + n + '}' for n in sorted(allowed))})")


def _repo_path(value: Any, key: str, *, file_may_link: bool = False, glob: bool = False) -> str:
    """A relative path that stays inside the repository: no absolute path, no '..', no link leading out.

    glob: the value is a pattern (build inputs): its leading folders without a glob character are checked
    here, and each match when the build expands it (build/clients.py). Elsewhere `*`, `?` and `[` are
    ordinary characters and the whole path is checked.
    file_may_link: an output: the folders on the way must stay inside, and the last component may be a
    symbolic link to a file (a venv's bin/python links to the interpreter it was made from; the build only
    checks that it exists), never to a folder outside (the build would measure and cache that folder).
    """
    text = _string(value, key)
    if "\0" in text:
        raise ConfigError(f"{key}: {text!r} contains a NUL character")
    parts = Path(text).parts
    if text.startswith(("/", "~")) or ".." in parts:
        raise ConfigError(f"{key}: {text!r} must be a path inside the repository (relative, without '..')")
    if file_may_link and not parts:
        raise ConfigError(f"{key}: {text!r} names the repository itself, not a path inside it")
    if glob:
        checked = glob_prefix(text)
    elif file_may_link:
        checked = str(Path(*parts[:-1])) if len(parts) > 1 else ""  # the folders on the way
    else:
        checked = text
    if not inside_root(checked):
        raise ConfigError(f"{key}: {text!r} leads outside the repository (through a symbolic link)")
    if file_may_link and os.path.isdir(ROOT / text) and not inside_root(text):
        raise ConfigError(f"{key}: {text!r} is a symbolic link to a folder outside the repository")
    return text


def _strings(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
        raise ConfigError(f"{key}: expected a list of strings")
    return tuple(value)


def _repo_paths(value: Any, key: str, *, file_may_link: bool = False, glob: bool = False) -> tuple[str, ...]:
    return tuple(_repo_path(item, f"{key}[{i}]", file_may_link=file_may_link, glob=glob)
                 for i, item in enumerate(_strings(value, key)))


def _number(value: Any, key: str, low: float, high: float, integer: bool = False) -> Any:
    ok_type = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok_type or not low <= value <= high:
        kind = "an integer" if integer else "a number"
        raise ConfigError(f"{key}: expected {kind} from {low} to {high}, got {value!r}")
    return value


def _no_unknown_keys(mapping: Mapping[str, Any], allowed: set[str], key: str) -> None:
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        raise ConfigError(f"{key}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})")


# --- sections -----------------------------------------------------------------


def _toolchain(name: str, raw: Any) -> Toolchain:
    key = f"toolchains.{name}"
    raw = _mapping(raw, key)
    _no_unknown_keys(raw, {"version", "fix", "debian"}, key)
    if not NAME_PATTERN.fullmatch(name):
        raise ConfigError(f"{key}: toolchain names are lower-case letters, digits, '.', '_' or '-'")
    return Toolchain(name, _argv(raw.get("version"), f"{key}.version"), _string(raw.get("fix"), f"{key}.fix"),
                     _debian(raw.get("debian", []), f"{key}.debian"))


def _debian(value: Any, key: str) -> tuple[str, ...]:
    """Debian packages: `name` or `name=UPSTREAM*` (no exact revision: a mirror keeps only the newest)."""
    names = _strings(value, key)
    for name in names:
        if not DEBIAN_PACKAGE.fullmatch(name):
            raise ConfigError(f"{key}: {name!r} is not a Debian package name, or name=UPSTREAM-VERSION* "
                              "(e.g. gcc-14=14.2.*; never an exact Debian revision)")
    return names


def debian_name(spec: str) -> str:
    """The package name of a `debian:` entry (`curl=8.14.*` -> `curl`)."""
    return spec.partition("=")[0]


def _chart(value: Any, key: str) -> dict[str, str]:
    raw = _mapping(value, key)
    _no_unknown_keys(raw, CHART_KEYS, key)
    return {name: _string(style, f"{key}.{name}") for name, style in raw.items()}


def _build(raw: Any, key: str, toolchains: Mapping[str, Toolchain]) -> BuildSpec:
    raw = _mapping(raw if raw is not None else {}, key)
    _no_unknown_keys(raw, {"requires", "commands", "cwd", "env", "inputs", "outputs", "optional", "expected_s",
                                "relocatable"}, key)
    requires = _strings(raw.get("requires", []), f"{key}.requires")
    for tool in requires:
        if tool not in toolchains:
            raise ConfigError(f"{key}.requires: unknown toolchain {tool!r} (declare it under toolchains)")
    commands = raw.get("commands", [])
    if not isinstance(commands, list):
        raise ConfigError(f"{key}.commands: expected a list of argv lists")
    env = _mapping(raw.get("env", {}), f"{key}.env")
    for name, value in env.items():
        if not isinstance(value, (str, int, float)) or isinstance(value, bool) or "=" in name or "\0" in str(value):
            raise ConfigError(f"{key}.env.{name}: expected a string value (and a name without '=')")
    optional, relocatable = raw.get("optional", False), raw.get("relocatable", False)
    if not isinstance(optional, bool) or not isinstance(relocatable, bool):
        raise ConfigError(f"{key}.{'optional' if not isinstance(optional, bool) else 'relocatable'}: "
                          "expected true or false")
    expected_s = raw.get("expected_s")
    return BuildSpec(
        requires=requires,
        commands=tuple(_argv(c, f"{key}.commands[{i}]") for i, c in enumerate(commands)),
        cwd=_repo_path(raw.get("cwd", "."), f"{key}.cwd"),
        env={str(k): _string(str(v), f"{key}.env.{k}") for k, v in env.items()},
        inputs=_repo_paths(raw.get("inputs", []), f"{key}.inputs", glob=True),
        outputs=_repo_paths(raw.get("outputs", []), f"{key}.outputs", file_may_link=True),
        optional=optional,
        relocatable=relocatable,
        expected_s=None if expected_s is None else _number(expected_s, f"{key}.expected_s", 1, 86400),
    )


def _library_version(value: Any, key: str) -> Mapping[str, Any]:
    """Where a library's version is read: {package: NAME} (from the client's `packages:` listing),
    {cargo_lock: {file, crate}} or {command: ARGV}."""
    raw = _mapping(value, key)
    if not raw:
        return raw
    _no_unknown_keys(raw, set(LIBRARY_VERSION_SOURCES), key)
    if len(raw) != 1:
        raise ConfigError(f"{key}: expected exactly one of {', '.join(LIBRARY_VERSION_SOURCES)}")
    if "package" in raw:
        return {"package": _string(raw["package"], f"{key}.package")}
    if "cargo_lock" in raw:
        lock = _mapping(raw["cargo_lock"], f"{key}.cargo_lock")
        _no_unknown_keys(lock, {"file", "crate"}, f"{key}.cargo_lock")
        return {"cargo_lock": {"file": _repo_path(lock.get("file"), f"{key}.cargo_lock.file"),
                               "crate": _string(lock.get("crate"), f"{key}.cargo_lock.crate")}}
    return {"command": list(_argv(raw["command"], f"{key}.command"))}


def _limits(raw: Any, key: str) -> dict[str, int]:
    raw = _mapping(raw, key)
    _no_unknown_keys(raw, set(PARAMETER_RANGES), key)
    return {name: _number(value, f"{key}.{name}", *PARAMETER_RANGES[name], integer=True)
            for name, value in raw.items()}


def _client(index: int, raw: Any, toolchains: Mapping[str, Toolchain]) -> ClientSpec:
    key = f"clients[{index}]"
    raw = _mapping(raw, key)
    allowed = {"name", "language", "library", "concurrency_model", "build", "run", "output",
               "scenarios", "scenario_argv", "importtime", "env", "packages", "limits",
               "compiled", "role", "variant_of", "variant", "chart", "debian", "service", "setup_in_network"}
    _no_unknown_keys(raw, allowed, key)
    name = _string(raw.get("name"), f"{key}.name")
    if not NAME_PATTERN.fullmatch(name):
        raise ConfigError(f"{key}.name: {name!r} must be lower-case letters, digits, '.', '_' or '-'")
    key = f"clients[{index}] ({name})"
    output = raw.get("output", "contract")
    if output not in OUTPUT_KINDS:
        raise ConfigError(f"{key}.output: expected one of {', '.join(OUTPUT_KINDS)}, got {output!r}")
    library = _mapping(raw.get("library", {}), f"{key}.library")
    _no_unknown_keys(library, {"label", "version"}, f"{key}.library")
    run = _argv(raw["run"], f"{key}.run", RUN_PLACEHOLDERS) if "run" in raw else None
    scenario_argv: dict[str, tuple[str, ...]] = {}
    for scenario, argv in _mapping(raw.get("scenario_argv", {}), f"{key}.scenario_argv").items():
        _known_scenario(scenario, f"{key}.scenario_argv")
        tls_placeholders = {"ca_file"} if SCENARIOS[scenario].tls else set()  # the CA a TLS case trusts
        scenario_argv[scenario] = _argv(argv, f"{key}.scenario_argv.{scenario}",
                                        RUN_PLACEHOLDERS | set(SCENARIOS[scenario].parameters) | tls_placeholders)
    if output == "contract" and run is None:
        raise ConfigError(f"{key}.run: required (the argv that starts the client)")
    if output == "bodies" and not scenario_argv:
        raise ConfigError(f"{key}.scenario_argv: required for output: bodies (one argv per scenario)")
    scenarios = None
    if "scenarios" in raw:
        scenarios = _strings(raw["scenarios"], f"{key}.scenarios")
        for scenario in scenarios:
            _known_scenario(scenario, f"{key}.scenarios")
    compiled = raw.get("compiled", False)
    if not isinstance(compiled, bool):
        raise ConfigError(f"{key}.compiled: expected true or false")
    role = raw.get("role", "contender")
    if role not in ROLES:
        raise ConfigError(f"{key}.role: expected one of {', '.join(ROLES)}, got {role!r}")
    variant_of = _string(raw["variant_of"], f"{key}.variant_of") if "variant_of" in raw else None
    variant = _string(raw["variant"], f"{key}.variant") if "variant" in raw else None
    if (role == "variant") != (variant_of is not None and variant is not None):
        raise ConfigError(f"{key}: role variant needs variant_of and variant (and only a variant has them)")
    return ClientSpec(
        name=name,
        language=_string(raw.get("language"), f"{key}.language"),
        library_label=_string(library.get("label", name), f"{key}.library.label"),
        library_version=_library_version(library.get("version", {}), f"{key}.library.version"),
        concurrency_model=_string(raw.get("concurrency_model", "-"), f"{key}.concurrency_model"),
        build=_build(raw.get("build"), f"{key}.build", toolchains),
        run=run,
        output=output,
        scenarios=scenarios,
        scenario_argv=scenario_argv,
        importtime=_strings(raw["importtime"], f"{key}.importtime") if "importtime" in raw else None,
        env=_env(raw.get("env", {}), f"{key}.env"),
        packages=_argv(raw["packages"], f"{key}.packages") if "packages" in raw else None,
        limits=_limits(raw.get("limits", {}), f"{key}.limits"),
        compiled=compiled,
        role=role,
        variant_of=variant_of,
        variant=variant,
        chart=_chart(raw.get("chart", {}), f"{key}.chart"),
        debian=_debian(raw.get("debian", []), f"{key}.debian"),
        service=_argv(raw["service"], f"{key}.service", SERVICE_PLACEHOLDERS) if "service" in raw else None,
        setup_in_network=(_string(raw["setup_in_network"], f"{key}.setup_in_network")
                          if "setup_in_network" in raw else None),
    )


ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _env(value: Any, key: str) -> dict[str, str]:
    """A client's `env:`: variable names to string values ({root}-style placeholders allowed)."""
    env = {}
    for name, text in _mapping(value, key).items():
        if not isinstance(name, str) or not ENV_NAME.fullmatch(name):
            raise ConfigError(f"{key}: {name!r} is not an environment variable name")
        if isinstance(text, bool) or not isinstance(text, (str, int, float)):
            raise ConfigError(f"{key}.{name}: expected a string")
        _check_placeholders(str(text), f"{key}.{name}", SERVICE_PLACEHOLDERS)  # {root} {python} {scratch}
        env[name] = str(text)
    return env


def _baseline(index: int, raw: Any, taken: set[str]) -> BaselineSpec:
    key = f"baselines[{index}]"
    raw = _mapping(raw, key)
    _no_unknown_keys(raw, {"name", "run", "about", "env", "compare"}, key)
    name = _string(raw.get("name"), f"{key}.name")
    if not NAME_PATTERN.match(name):
        raise ConfigError(f"{key}.name: {name!r} must be lower-case letters, digits, '.', '_' or '-'")
    if name in taken:
        raise ConfigError(f"{key}.name: {name!r} is already a client's or another baseline's name")
    taken.add(name)
    key = f"baselines[{index}] ({name})"
    compare = None
    if "compare" in raw:
        compare = _mapping(raw["compare"], f"{key}.compare")
        _no_unknown_keys(compare, {"client", "phase"}, f"{key}.compare")
        compare = {"client": _string(compare.get("client"), f"{key}.compare.client"),
                   "phase": _string(compare.get("phase"), f"{key}.compare.phase")}
        if compare["client"] not in taken:
            raise ConfigError(f"{key}.compare.client: unknown client {compare['client']!r}")
        if compare["phase"] not in BASELINE_PHASES:
            raise ConfigError(f"{key}.compare.phase: expected one of {', '.join(BASELINE_PHASES)}")
    return BaselineSpec(name=name, run=_argv(raw.get("run"), f"{key}.run"),
                        about=_string(raw.get("about"), f"{key}.about"),
                        env=_env(raw.get("env", {}), f"{key}.env"), compare=compare)


def _known_scenario(name: str, key: str) -> None:
    if name not in SCENARIOS:
        raise ConfigError(f"{key}: unknown scenario {name!r} (known: {', '.join(SCENARIOS)})")


def _run_settings(raw: Any, key: str) -> RunSettings:
    raw = _mapping(raw, key)
    _no_unknown_keys(raw, {"warmup", "min", "max", "target_rel_ci", "budget_s", "timeout_s"}, key)
    settings = RunSettings(
        warmup=_number(raw.get("warmup", 1), f"{key}.warmup", 0, 100, integer=True),
        min_runs=_number(raw.get("min", 5), f"{key}.min", 1, 10_000, integer=True),
        max_runs=_number(raw.get("max", 30), f"{key}.max", 1, 10_000, integer=True),
        target_rel_ci=_number(raw.get("target_rel_ci", 0.02), f"{key}.target_rel_ci", 0.0001, 1.0),
        budget_s=_number(raw.get("budget_s", 5.0), f"{key}.budget_s", 0.0, 86_400.0),
        timeout_s=_number(raw.get("timeout_s", 60.0), f"{key}.timeout_s", 0.1, 86_400.0),
    )
    if settings.max_runs < settings.min_runs:
        raise ConfigError(f"{key}.max: must be at least min ({settings.min_runs})")
    return settings


def _cases(raw: Any, key: str) -> tuple[Case, ...]:
    raw = _mapping(raw, key)
    cases: list[Case] = []
    for scenario_name, params in raw.items():
        _known_scenario(scenario_name, key)
        scenario = SCENARIOS[scenario_name]
        params = _mapping(params if params is not None else {}, f"{key}.{scenario_name}")
        _no_unknown_keys(params, set(scenario.parameters), f"{key}.{scenario_name}")
        axes: list[list[tuple[str, int]]] = []
        for name, values in params.items():
            values = values if isinstance(values, list) else [values]
            if not values:
                raise ConfigError(f"{key}.{scenario_name}.{name}: expected at least one value")
            low, high = PARAMETER_RANGES[name]
            axes.append([(name, _number(v, f"{key}.{scenario_name}.{name}", low, high, integer=True))
                         for v in values])
        grid = len(cases) + math.prod(len(axis) for axis in axes)
        if grid > MAX_CASES_PER_PROFILE:  # counted before any combination is made
            raise ConfigError(f"{key}.{scenario_name}: the parameter lists make {grid:,} cases in this profile, "
                              f"more than {MAX_CASES_PER_PROFILE}; split it into several profiles")
        for combination in itertools.product(*axes):
            cases.append(Case(scenario_name, normalise_params(scenario, dict(combination))))
    if not cases:
        raise ConfigError(f"{key}: expected at least one scenario")
    return tuple(cases)


def _profile(name: str, raw: Any) -> Profile:
    key = f"profiles.{name}"
    raw = _mapping(raw, key)
    _no_unknown_keys(raw, {"description", "runs", "scenarios", "variants"}, key)
    cases = _cases(raw.get("scenarios"), f"{key}.scenarios")
    variant_cases = None
    if "variants" in raw:
        variant_cases = _cases(raw["variants"], f"{key}.variants")
        extra = [case.id for case in variant_cases if case.id not in {c.id for c in cases}]
        if extra:
            raise ConfigError(f"{key}.variants: {', '.join(extra)} not among the profile's scenarios "
                              "(the variants run a subset of them)")
    return Profile(
        name=name,
        description=str(raw.get("description", "")),
        runs=_run_settings(raw.get("runs", {}), f"{key}.runs"),
        cases=cases,
        variant_cases=variant_cases,
    )


def _article_rows(value: Any, key: str, fields: dict[str, str], clients: set[str]) -> list[dict[str, Any]]:
    """A list of the article's rows, each a mapping of exactly `fields` (name -> "text", "ms" or "client")."""
    if not isinstance(value, list):
        raise ConfigError(f"{key}: expected a list")
    rows = []
    for index, item in enumerate(value):
        where = f"{key}[{index}]"
        item = _mapping(item, where)
        _no_unknown_keys(item, set(fields), where)
        row: dict[str, Any] = {}
        for name, kind in fields.items():
            if kind == "ms":
                row[name] = _number(item.get(name), f"{where}.{name}", 0.001, 1e7)
                continue
            row[name] = _string(item.get(name), f"{where}.{name}")
            if kind == "client" and row[name] not in clients:
                raise ConfigError(f"{where}.{name}: unknown client {row[name]!r}")
        rows.append(row)
    return rows


def _report(raw: Any, clients: tuple[ClientSpec, ...]) -> ReportSettings:
    raw = _mapping(raw if raw is not None else {}, "report")
    _no_unknown_keys(raw, {"focus", "article", "packages_shown"}, "report")
    names = {client.name for client in clients}
    packages = [str(c.library_version["package"]) for c in clients if "package" in c.library_version]
    packages += _strings(raw.get("packages_shown", []), "report.packages_shown")
    focus = _string(raw["focus"], "report.focus") if "focus" in raw else None
    if focus is not None and focus not in names:
        raise ConfigError(f"report.focus: unknown client {focus!r}")
    article = None
    if "article" in raw:
        key = "report.article"
        article_raw = _mapping(raw["article"], key)
        _no_unknown_keys(article_raw, {"title", "baseline", "mean_ms", "startup_ms", "escapes"}, key)
        means = _mapping(article_raw.get("mean_ms"), f"{key}.mean_ms")
        baseline = _string(article_raw.get("baseline"), f"{key}.baseline")
        if baseline not in means:
            raise ConfigError(f"{key}.baseline: {baseline!r} has no published figure in {key}.mean_ms")
        article = {"title": _string(article_raw.get("title"), f"{key}.title"), "baseline": baseline,
                   "mean_ms": {_string(name, f"{key}.mean_ms"): _number(ms, f"{key}.mean_ms.{name}", 0.001, 1e7)
                               for name, ms in means.items()},
                   "startup_ms": _article_rows(article_raw.get("startup_ms", []), f"{key}.startup_ms",
                                               {"code": "text", "row": "text", "ms": "ms"}, names),
                   "escapes": _article_rows(article_raw.get("escapes", []), f"{key}.escapes",
                                            {"row": "text", "ms": "ms", "client": "client"}, names)}
    return ReportSettings(focus, article, tuple(dict.fromkeys(packages)))


def load_config(path: Path | str | None = None) -> Config:
    """Read and validate a config file; raise ConfigError with one clear line."""
    path = Path(path) if path else DEFAULT_CONFIG
    if path.exists() and not path.is_file():  # a FIFO or a device would block or never end
        raise ConfigError(f"cannot read config {path}: not a regular file")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)  # never more than the cap into memory
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror or exc}") from None
    raw = load_yaml(data, str(path))
    raw = _mapping(raw, str(path.name))
    _no_unknown_keys(raw, {"toolchains", "clients", "profiles", "report", "baselines"}, path.name)
    toolchains = {n: _toolchain(n, t) for n, t in _mapping(raw.get("toolchains", {}), "toolchains").items()}
    raw_clients = raw.get("clients")
    if not isinstance(raw_clients, list) or not raw_clients:
        raise ConfigError("clients: expected a non-empty list")
    clients = tuple(_client(i, c, toolchains) for i, c in enumerate(raw_clients))
    seen: set[str] = set()
    for client in clients:
        if client.name in seen:
            raise ConfigError(f"clients: duplicate name {client.name!r}")
        seen.add(client.name)
    for client in clients:
        if client.variant_of is not None and client.variant_of not in seen:
            raise ConfigError(f"clients ({client.name}).variant_of: unknown client {client.variant_of!r}")
        original = next((c for c in clients if c.name == client.variant_of), None)
        if original is not None and (original is client or original.role == "variant"):
            what = "itself" if original is client else "a variant"
            raise ConfigError(f"clients ({client.name}).variant_of: {client.variant_of!r} is {what}: "
                              "name the client it is a way of running")
    raw_baselines = raw.get("baselines", [])
    if not isinstance(raw_baselines, list):
        raise ConfigError("baselines: expected a list")
    baselines = tuple(_baseline(i, b, seen) for i, b in enumerate(raw_baselines))
    profiles = {n: _profile(n, p) for n, p in _mapping(raw.get("profiles"), "profiles").items()}
    if not profiles:
        raise ConfigError("profiles: expected at least one profile")
    return Config(
        path=path.resolve(),
        root=ROOT,
        toolchains=toolchains,
        clients=clients,
        profiles=profiles,
        sha256=hashlib.sha256(data).hexdigest(),
        report=_report(raw.get("report"), clients),
        baselines=baselines,
    )


def expand(argv: tuple[str, ...], values: Mapping[str, Any]) -> list[str]:
    """Fill {placeholders} in each argv element; one element never becomes two."""
    out = []
    for element in argv:
        try:
            out.append(element.format_map(values))
        except (KeyError, IndexError, ValueError, AttributeError, TypeError) as exc:
            raise ConfigError(f"argv element {element!r}: unknown or bad placeholder ({exc})") from None
    return out
