"""The environment every timed process and the server get: small, explicit and recorded.

pyperf's rule is the anchor (a clean environment; `--inherit-environ` passes
chosen variables): a client inherits nothing from the orchestrator by default.
What it gets, in this order (later wins):

1. the fixed base: PATH (the orchestrator's value, as pyperf keeps it),
   LANG=C.UTF-8, TMPDIR (the orchestrator's temporary directory) and HOME, an
   empty folder of polybench's own: a caller's ~/.curlrc (`rate = 2/s` made
   curl 100x slower, verified), ~/.netrc or user site-packages must not change
   a client (`--inherit-env HOME` passes the caller's);
2. the `env:` mapping of the client's entry in polybench.yaml;
3. the variables the user names with `--inherit-env NAME,...` (or every
   variable with `--inherit-all-env`, hyperfine's default).

Whatever these say, a timed run's TMPDIR and its kin (TMP_VARIABLES) then
name a private folder, empty at the start of every run and emptied after it,
timed out or not (orchestrator/measure/process.py): a onefile bundle killed at its time
limit must not leave its unpacked copy in the caller's /tmp.

Loopback is never proxied: no proxy variable reaches a client unless the user
inherits one, and then NO_PROXY and no_proxy are set to cover 127.0.0.1,
localhost and ::1 (added to any inherited value).

Builds and toolchain version probes (provenance/toolchains.py, provenance/versions.py) get another
controlled environment, toolchain_environment(): the caller's, because a
build needs HOME (rustup's toolchains, Go's and Cargo's caches and registry
settings live there), without the variables that change what a toolchain
builds or what its version command prints (TOOLCHAIN_CHANGING: a
RUSTUP_TOOLCHAIN naming a toolchain that is not installed made rustc and cargo
count as missing, verified; GOTOOLCHAIN switches Go; JAVA_TOOL_OPTIONS adds a
"Picked up ..." line and can make java fail; RUSTFLAGS or CFLAGS change the
binary), with Go's toolchain switching off (GOTOOLCHAIN=local) and
run from the repository root (a rust-toolchain.toml in the caller's folder must
not choose the compiler). The results record which it removed and set.

What is recorded (docs/environment.md): the base and the config's variables
with their values; inherited variables by name, with their value only where
the name is a known tuning knob (PYTHON*, GOGC, LANG ...; proxy URLs with any
user:password removed). Anything else a user passes may be a secret: its
name is recorded, its value is not.
"""

from __future__ import annotations

import fnmatch
import os
import re
import tempfile
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .. import paths
from ..config.model import BaselineSpec, ClientSpec, Config, expand
from ..errors import PolybenchError

NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
FIXED = {"LANG": "C.UTF-8"}
FROM_HOST = ("PATH",)
DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
PROXY_NAMES = ("http_proxy", "https_proxy", "all_proxy", "ftp_proxy", "no_proxy")
# The variables that name a temporary folder, all set to a timed run's private one:
# TMPDIR (POSIX: Go, Rust, Node, Nuitka's and PyInstaller's onefile unpacking),
# TMP, TEMP, TEMPDIR (Python's tempfile and Node read these too).
TMP_VARIABLES = ("TMPDIR", "TMP", "TEMP", "TEMPDIR")
PRIVATE_TMP = ("a private folder per timed run (under polybench's scratch folder), "
               "empty when the run starts and emptied after it, timed out or not")

# Inherited variables known to change what is measured (glob, case-sensitive
# unless listed in lower case, which matches either case), and why.
RESULT_CHANGING: tuple[tuple[str, str], ...] = (
    ("PYTHON*", "changes how the Python interpreter starts and runs"),
    ("GODEBUG", "changes Go runtime behaviour (e.g. inittrace, http2 settings)"),
    ("GOGC", "changes Go's garbage collector"),
    ("GOMEMLIMIT", "changes Go's garbage collector"),
    ("GOMAXPROCS", "changes how many threads Go runs goroutines on"),
    ("RUST_*", "changes Rust programs' behaviour (logging, backtraces, threads)"),
    ("TOKIO_*", "changes tokio's runtime"),
    ("JAVA_TOOL_OPTIONS", "adds options to every JVM (heap, JIT, trust store)"),
    ("_JAVA_OPTIONS", "adds options to every JVM (heap, JIT, trust store)"),
    ("JDK_JAVA_OPTIONS", "adds options to the java launcher (heap, JIT, trust store)"),
    ("NODE_OPTIONS", "adds options to Node.js (JIT, memory, preloaded code)"),
    ("NODE_EXTRA_CA_CERTS", "adds certificate authorities Node.js trusts"),
    ("REQUESTS_CA_BUNDLE", "changes the CA bundle requests trusts"),
    ("CURL_CA_BUNDLE", "changes the CA bundle some clients trust"),
    ("SSL_CERT_*", "changes the CAs OpenSSL-based clients trust"),
    ("LD_PRELOAD", "loads extra code into every client"),
    ("LD_LIBRARY_PATH", "changes which shared libraries the clients load"),
    ("MALLOC_*", "changes glibc's allocator"),
    ("GLIBC_TUNABLES", "changes glibc's allocator and other tunables"),
    ("http_proxy", "routes some clients' calls through a proxy"),
    ("https_proxy", "routes some clients' calls through a proxy"),
    ("all_proxy", "routes some clients' calls through a proxy"),
    ("no_proxy", "changes which calls are proxied"),
    ("LANG", "changes the locale"),
    ("LC_*", "changes the locale"),
    ("SSL_CERT_FILE", "changes which CA bundle TLS clients load"),
    ("SSL_CERT_DIR", "changes which CA bundle TLS clients load"),
    ("CURL_*", "read by libcurl and its command-line tool"),
)


# Variables that change what a toolchain builds or what its version command prints (glob, as
# RESULT_CHANGING): removed from builds' and version probes' environment. HOME, PATH, proxies,
# GOPROXY, PKG_CONFIG_PATH and the like stay: they say where things are, not what is built.
TOOLCHAIN_CHANGING: tuple[str, ...] = (
    "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "NODE_OPTIONS", "PYTHON*",
    "GOTOOLCHAIN", "GOFLAGS", "GOEXPERIMENT", "GOARCH", "GOOS", "GOAMD64", "CGO_*",
    "RUSTUP_TOOLCHAIN", "RUSTC", "RUSTC_WRAPPER", "RUSTC_WORKSPACE_WRAPPER", "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS", "CARGO_BUILD_*", "CARGO_PROFILE_*", "CARGO_TARGET_*", "CARGO_INCREMENTAL",
    "CC", "CXX", "CFLAGS", "CPPFLAGS", "CXXFLAGS", "LDFLAGS", "MAKEFLAGS", "MFLAGS",
    "LD_PRELOAD", "LD_LIBRARY_PATH", "GLIBC_TUNABLES", "MALLOC_*",
)
# Set for builds and probes: the installed Go, never one a go.mod or the caller's go env file asks for.
TOOLCHAIN_FIXED = {"GOTOOLCHAIN": "local"}
TOOLCHAIN_POLICY = ("the caller's environment without the variables that change what a toolchain builds or prints "
                    "(removed), with set; run from the repository root")


def _matches(name: str, pattern: str) -> bool:
    if pattern.islower():
        return fnmatch.fnmatchcase(name.lower(), pattern)
    return fnmatch.fnmatchcase(name, pattern)


def why_result_changing(name: str) -> str | None:
    """Why an inherited variable changes what is measured, or None if it is not known to."""
    return next((why for pattern, why in RESULT_CHANGING if _matches(name, pattern)), None)


def is_proxy(name: str) -> bool:
    return name.lower() in PROXY_NAMES


def _redact_url(value: str) -> str:
    """A proxy URL without any user:password (they are credentials)."""
    try:
        parts = urllib.parse.urlsplit(value)
    except ValueError:
        return "(not recorded: not a URL)"
    if parts.username is None and parts.password is None:
        return value
    host = parts.hostname or ""
    netloc = f"***@{host}" + (f":{parts.port}" if parts.port else "")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def recordable_value(name: str, value: str) -> str | None:
    """What the results may say of an inherited variable's value; None: withheld (may be a secret)."""
    if is_proxy(name):
        return value if name.lower() == "no_proxy" else _redact_url(value)
    return value if why_result_changing(name) else None


def parse_names(text: str | None) -> tuple[str, ...]:
    """`--inherit-env A,B` as names; a malformed name is a PolybenchError."""
    names = tuple(item.strip() for item in (text or "").split(",") if item.strip())
    for name in names:
        if not NAME_PATTERN.fullmatch(name):
            raise PolybenchError(f"--inherit-env: {name!r} is not an environment variable name")
    return names


def config_env(config: Config, client: ClientSpec | BaselineSpec) -> dict[str, str]:
    """The client's `env:` from polybench.yaml, placeholders filled."""
    from .toolchains import placeholders  # here: toolchains runs its probes in toolchain_environment()

    values = placeholders(config)
    return {name: expand((value,), values)[0] for name, value in client.env.items()}


_empty_home: str | None = None


def empty_home() -> str:
    """An empty folder of this process's own (paths.private_folder), the clients' HOME; removed at exit."""
    global _empty_home
    if _empty_home is None or not os.path.isdir(_empty_home):
        _empty_home = str(paths.private_folder(paths.HOME_PREFIX))
    return _empty_home


def base_environment(host: Mapping[str, str] | None = None) -> dict[str, str]:
    """The fixed base every process gets (PATH from `host`, default os.environ; HOME an empty folder)."""
    host = os.environ if host is None else host
    base = {name: host[name] for name in FROM_HOST if name in host}
    base.setdefault("PATH", DEFAULT_PATH)
    base.update(FIXED)
    base["TMPDIR"] = tempfile.gettempdir()
    base["HOME"] = empty_home()
    return base


def _with_loopback_unproxied(env: dict[str, str]) -> dict[str, str]:
    if not any(is_proxy(name) and name.lower() != "no_proxy" for name in env):
        return env
    existing = [h for name in ("NO_PROXY", "no_proxy") for h in env.get(name, "").split(",") if h.strip()]
    hosts = list(dict.fromkeys([*existing, *LOOPBACK_HOSTS]))
    return {**env, "NO_PROXY": ",".join(hosts), "no_proxy": ",".join(hosts)}


@dataclass(frozen=True)
class EnvPolicy:
    """Which of the orchestrator's variables the clients inherit (none by default)."""

    inherit: tuple[str, ...] = ()
    inherit_all: bool = False

    def inherited(self, host: Mapping[str, str] | None = None) -> dict[str, str]:
        host = os.environ if host is None else host
        if self.inherit_all:
            return dict(host)
        return {name: host[name] for name in self.inherit if name in host}

    def for_process(self, config_env: Mapping[str, str] | None = None,
                    host: Mapping[str, str] | None = None) -> dict[str, str]:
        """The whole environment of one client process.

        With inherit_all it is the caller's environment as it is (hyperfine's
        way) plus the config's variables; loopback stays unproxied either way.
        """
        host = os.environ if host is None else host
        if self.inherit_all:
            return _with_loopback_unproxied({**host, **(config_env or {})})
        env = base_environment(host)
        env.update(config_env or {})
        env.update(self.inherited(host))
        return _with_loopback_unproxied(env)

    def warnings(self, host: Mapping[str, str] | None = None) -> list[str]:
        """One line per inherited variable known to change what is measured."""
        lines = []
        base = base_environment(host)
        for name, value in sorted(self.inherited(host).items()):
            why = why_result_changing(name)
            if why and base.get(name) != value:  # LANG=C.UTF-8 inherited changes nothing
                shown = recordable_value(name, value)
                lines.append(f"inherited {name}={shown if shown is not None else '(value not recorded)'}: {why}")
        return lines

    def record(self, clients_env: Mapping[str, Mapping[str, str]],
               host: Mapping[str, str] | None = None) -> dict[str, Any]:
        """What the clients ran with, safe to publish (docs/environment.md).

        clients_env: each client's `env:` from the config (name -> variables).
        """
        host = os.environ if host is None else host
        inherited = self.inherited(host)
        base = {name: value for name, value in base_environment(host).items() if name not in TMP_VARIABLES}
        return {
            "policy": "inherit everything (--inherit-all-env)" if self.inherit_all
            else "clean: fixed base + config env + --inherit-env",
            "base": None if self.inherit_all else base,
            "temporary_folder": {"variables": list(TMP_VARIABLES), "value": PRIVATE_TMP},
            "inherited": {name: recordable_value(name, value) for name, value in sorted(inherited.items())},
            "inherit_requested": list(self.inherit),
            "inherit_missing": [name for name in self.inherit if name not in host],
            "loopback_no_proxy": any(is_proxy(n) and n.lower() != "no_proxy" for n in inherited),
            "clients": {name: dict(env) for name, env in clients_env.items() if env},
            "warnings": self.warnings(host),
        }


def _toolchain_changing(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in TOOLCHAIN_CHANGING)


def toolchain_environment(host: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment builds and toolchain version probes run in (host: default os.environ): host
    without TOOLCHAIN_CHANGING, plus TOOLCHAIN_FIXED; PATH defaults to DEFAULT_PATH if host has none."""
    host = os.environ if host is None else host
    env = {name: value for name, value in host.items() if not _toolchain_changing(name)}
    env.setdefault("PATH", DEFAULT_PATH)
    return {**env, **TOOLCHAIN_FIXED}


def toolchain_record(host: Mapping[str, str] | None = None) -> dict[str, Any]:
    """What builds and version probes ran with, for the results: {policy, removed (names only: a value
    may be a secret), set}."""
    host = os.environ if host is None else host
    return {"policy": TOOLCHAIN_POLICY, "removed": sorted(name for name in host if _toolchain_changing(name)),
            "set": dict(TOOLCHAIN_FIXED)}


def server_environment(host: Mapping[str, str] | None = None) -> dict[str, str]:
    """The server's own environment: the fixed base only (nothing the user's shell set reaches it)."""
    return base_environment(host)
