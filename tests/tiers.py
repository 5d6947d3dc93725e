"""The suite's two tiers, and the guard that keeps configured clients out of the fast one.

- Fast tier (`invoke test`): lint and every test that starts no client from
  polybench.yaml: unit tests, the server in-process and live, the fakes that
  the checks must catch, stats, report, config, bad input.
- Full tier (`invoke test --all`, what the README and CI run): also the tests
  marked `slow`, which build the configured clients or start them (conformance,
  the clients' own unit tests, whole runs with a real client), and the few that
  take seconds of CPU alone (the report of the 6 MB docs/example file and of 30 clients, the checks that the
  compiled results validator agrees with jsonschema: tests/results/test_check.py, the statistics'
  coverage simulations, the config loader's fuzzing against PyYAML). Each says its cost beside its mark;
  every module keeps fast tests of the same code, so the fast tier still fails when it breaks.

A test is marked `slow` by hand, or by `mark_slow` when it uses a fixture that
builds configured clients (BUILD_FIXTURES): a test that needs a built client
cannot land in the fast tier by forgetting a mark. The guard covers the rest:
every process a test starts in this interpreter (subprocess, os.posix_spawn,
os.exec*, the timer's launcher) is compared with the configured clients'
programs, and a test that is not marked `slow` but started one fails, naming
the client. Its one blind spot: a client started by a child process (a test
that runs `python -m orchestrator run` in a subprocess); such a test needs the
client built, which is what BUILD_FIXTURES catches.
"""

from __future__ import annotations

import fcntl
import itertools
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pytest

from orchestrator.build.clients import build_all
from orchestrator.config.model import ClientSpec, Config, expand
from orchestrator.measure.process import _Launcher  # the timer's launcher: clients start through it, not through Popen
from orchestrator.provenance.toolchains import placeholders

# Fixtures that build configured clients (with build_clients); a test using one, even indirectly, is `slow`.
BUILD_FIXTURES = frozenset({"built", "urllib_built", "worker_config", "python_built"})
SLOW_REASON = "starts (or builds) a configured client"


def build_clients(config: Config, clients: list[ClientSpec] | None = None) -> dict[str, Any]:
    """build_all (every client, or these) under an exclusive lock, silently; the build manifest.

    pytest-xdist's workers each set up the session's build fixtures: the lock
    makes them build one after the other (the later ones find every client up
    to date) instead of writing the same outputs at once.
    """
    lock = config.root / "build" / ".tests-build.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes
        return build_all(config, clients, log=lambda line: None)


def mark_slow(items: list[pytest.Item]) -> None:
    """Mark `slow` every collected test whose fixtures (transitively) include one of BUILD_FIXTURES."""
    for item in items:
        if BUILD_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def client_programs(config: Config) -> dict[str | tuple[str, ...], str]:
    """How each configured client's start is known -> the client's name.

    A path key: the last argv element of the client's `run:`, `service:` or
    per-scenario argv that is a file inside the repository (its script, its
    binary, its jar; not the venv's interpreter, which provenance probes run
    too); any argv holding it starts the client. A tuple key, for an argv with
    no such file (curl) or whose code is inline (`python -c`, the baselines):
    the leading words before the first placeholder, which an argv must start
    with (so `curl --version` or a test's own hand-made curl fake is no client).
    """
    values = {**placeholders(config), "url": "http://127.0.0.1:9", "run_id": "pb-guard", "ca_file": "ca.pem",
              "requests": 1, "concurrency": 1, "delay_ms": 1, "bytes": 1}
    root = str(config.root) + os.sep
    programs: dict[str | tuple[str, ...], str] = {}
    for client in config.clients:
        for argv in [a for a in (client.run, client.service, *client.scenario_argv.values()) if a]:
            paths = [e for e in expand(argv, values) if e.startswith(root) and e != values["python"]]
            if paths and "-c" not in argv:
                programs.setdefault(os.path.normpath(paths[-1]), client.name)
            elif "-c" in argv:  # inline code: the whole argv is the client
                programs.setdefault(tuple(expand(argv, values)), client.name)
            else:
                fixed = tuple(itertools.takewhile(lambda word: "{" not in word, argv))
                programs.setdefault(fixed if len(fixed) > 1 else tuple(expand(argv, values)), client.name)
    return programs


def started_client(argv: Sequence[str], programs: dict[str | tuple[str, ...], str]) -> str | None:
    """The configured client whose program this argv starts, or None."""
    for element in argv:
        name = programs.get(os.path.normpath(element)) if element else None
        if name is not None:
            return name
    for key, name in programs.items():
        if isinstance(key, tuple) and tuple(argv[:len(key)]) == key:
            return name
    return None


# Every process start in this interpreter goes to each watcher (argv as a list of str).
_watchers: list[Callable[[list[str]], None]] = []


def _seen(argv: object) -> None:
    if isinstance(argv, (str, bytes, os.PathLike)):
        argv = [argv]
    words = [os.fsdecode(a) for a in argv] if isinstance(argv, (list, tuple)) else []
    for watcher in list(_watchers):
        watcher(words)


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "subprocess.Popen":  # (executable, args, cwd, env)
        _seen(args[1])
    elif event in ("os.posix_spawn", "os.exec"):  # (path, argv, env)
        _seen(args[1])


_installed = False


def install() -> None:
    """Route every process start (subprocess, posix_spawn, exec, the launcher) to the watchers; once."""
    global _installed
    if _installed:
        return
    _installed = True
    sys.addaudithook(_audit)  # audit hooks stay for the interpreter's life: _watchers decides what counts
    run = _Launcher.run

    def watched_run(self: _Launcher, argv: Sequence[str], *args: Any, **kwargs: Any) -> Any:
        _seen(list(argv))
        return run(self, argv, *args, **kwargs)

    watched_run.__wrapped__ = run  # type: ignore[attr-defined]
    _Launcher.run = watched_run  # type: ignore[method-assign]


def launcher_is_watched() -> bool:
    """Whether the launcher's run is the guard's wrapper (false if the launcher moved or was replaced)."""
    return hasattr(_Launcher.run, "__wrapped__")


@contextmanager
def watching(programs: dict[str | tuple[str, ...], str]) -> Iterator[list[tuple[str, list[str]]]]:
    """Collect (client, argv) for each start of one of `programs` while the block runs."""
    install()
    starts: list[tuple[str, list[str]]] = []

    def watcher(argv: list[str]) -> None:
        name = started_client(argv, programs)
        if name is not None:
            starts.append((name, argv))

    _watchers.append(watcher)
    try:
        yield starts
    finally:
        _watchers.remove(watcher)
