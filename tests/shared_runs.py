"""Whole runs on a server that is already up, for tests of what a run does, not of the server's life."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest


@contextlib.contextmanager
def runs_on(server: Any) -> Iterator[None]:
    """While the block runs, matrix.run_benchmarks (and `polybench run`) uses `server` instead of starting
    and stopping one of its own (about 1 s of CPU and 1.4 s of wall each); a run given --server-url still
    reaches that URL. For tests of what a run does with its clients and results: the server's own start
    and stop are tests/test_faults.py's and tests/server/'s. Never with --pin server=...: it would pin
    the shared server."""
    from orchestrator.measure import matrix

    local = matrix._server

    @contextlib.contextmanager
    def server_of_the_run(server_url: str | None, tls_url: str | None = None,
                          ca_file: str | None = None) -> Iterator[Any]:
        if server_url:
            with local(server_url, tls_url, ca_file) as remote:
                yield remote
        else:
            yield server

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(matrix, "_server", server_of_the_run)
        yield


def one_run(config: Any, server: Any, client: Any, case: Any, *, timeout_s: float, **options: Any) -> Any:
    """One counted run of `client` in `case` through a Runner that is closed after it (`options` go to the
    Runner, e.g. env_policy).

    Closed, so that its services stop with it: a client's warm worker listens on `{scratch}/NAME.sock`, one
    path per process, and a worker left running by one test's Runner makes the next Runner's refuse to start
    (rightly: it never takes over a live socket)."""
    from orchestrator.measure.one_run import Runner

    with Runner(config, server, timeout_s=timeout_s, **options) as runner:
        return runner.run(client, case, "counted", 0)
