"""Fixtures shared across the test tree (the config, a live server) and the tiers (tests/tiers.py)."""

from __future__ import annotations

import sys

# Cache compiled modules even when PYTHONDONTWRITEBYTECODE is set (it is, on the machines this suite runs on):
# without .pyc files every xdist worker compiles orchestrator/ and re-does pytest's assertion rewriting of
# every test module (about 5 s of CPU each, measured), and every `python -m orchestrator` a test starts
# compiles what it imports again. Only the test processes write (into __pycache__/, ignored by git and by
# .dockerignore); the environment is unchanged, so the processes they start read those files and write none.
sys.dont_write_bytecode = False

import gc  # noqa: E402

# The cyclic garbage collector's default thresholds (700, 10, 10) made it run about 2,000 times per xdist
# worker, 11-12 s of the fast tier's CPU (measured with gc.callbacks): pytest, hypothesis and the collected
# items are hundreds of thousands of long-lived objects that every full collection walks again. A larger
# first generation and rarer full collections, and the collected suite frozen out of the collector's sight
# (pytest_collection_finish below), cut that to about 2-3 s; the fast tier took about 15 s less CPU and 8 s
# less wall on 2 cores. Cycles are still collected; only the test processes are tuned.
gc.set_threshold(20_000, 50, 1_000)

import pytest  # noqa: E402

from tests import shared_runs, tiers  # noqa: E402
from tests.shipped import shipped_config  # noqa: E402

_PROGRAMS = tiers.client_programs(shipped_config())


@pytest.fixture(scope="session")
def config():
    return shipped_config()


@pytest.fixture(scope="session")
def live_server():
    """One real gunicorn server for the whole session (started once: ~1 s)."""
    from orchestrator.server_control.shared_server import SharedServer

    with SharedServer() as server:
        yield server


@pytest.fixture
def runs_on_live_server(live_server):
    """Whole runs on the session's server instead of one per run (tests/shared_runs.py)."""
    with shared_runs.runs_on(live_server):
        yield


@pytest.hookimpl(tryfirst=True)  # before `-m` selects: the marks it adds count
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    tiers.mark_slow(items)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Move what collection built (modules, items, fixtures' definitions) out of the collector's sight (gc.freeze)."""
    gc.collect()
    gc.freeze()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    """Watch every process the test starts (setup, call and teardown) for a configured client's program."""
    with tiers.watching(_PROGRAMS) as starts:
        item.stash[_STARTS] = starts
        return (yield)


_STARTS = pytest.StashKey[list]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """A test outside the full tier that started a configured client fails (tests/tiers.py)."""
    report = yield
    starts = item.stash.get(_STARTS, [])
    if starts and report.when == "call" and not report.failed and item.get_closest_marker("slow") is None:
        clients = sorted({name for name, _ in starts})
        report.outcome = "failed"
        report.longrepr = (f"{item.nodeid} {tiers.SLOW_REASON} ({', '.join(clients)}: {starts[0][1]}) "
                           "but is not marked slow: mark it @pytest.mark.slow (the full tier, "
                           "`invoke test --all`), or use a fake (tests/fakes/)")
    return report


# No test writes into the repository's results/ or reports/ (tests/output_guard.py).
from tests.output_guard import pytest_sessionfinish, pytest_sessionstart  # noqa: E402,F401
