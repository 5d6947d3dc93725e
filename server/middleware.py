"""WSGI middleware that feeds RunStats, outside Flask so it sees every request.

It sits below Flask's routing and error handling, so 404s, 405s and 413s are
counted exactly like successes, with the status line Flask really sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .connections import ConnectionIds
from .run_stats import RunStats, is_valid_run_id

RUN_HEADER_ENVIRON_KEY = "HTTP_X_POLYBENCH_RUN"
# The orchestrator's own calls; counting them would break the counts it checks.
UNCOUNTED_PATHS = frozenset({"/stats", "/health"})

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def request_path(environ: dict[str, Any]) -> str:
    """The path as /stats reports it: no query string (curl's `?i=[1-N]` globs
    must land on one key)."""
    return environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")


class _TimedBody:
    """Wraps a response iterable so its close() reports the handling time."""

    def __init__(self, body: Iterable[bytes], on_close: Callable[[], None]) -> None:
        self._body = body
        self._on_close = on_close
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._body)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._on_close()


class RunCountingMiddleware:
    """Counts requests that carry a valid `X-Polybench-Run` header."""

    def __init__(self, app: WSGIApp, run_stats: RunStats) -> None:
        self._app = app
        self._run_stats = run_stats
        self._connection_ids = ConnectionIds()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        run_id = environ.get(RUN_HEADER_ENVIRON_KEY)
        path = request_path(environ)
        # An invalid id is served but not counted: it cannot be asked for anyway.
        if path in UNCOUNTED_PATHS or not is_valid_run_id(run_id):
            return self._app(environ, start_response)

        started_ns = time.perf_counter_ns()
        stats = self._run_stats
        stats.request_started(run_id, path, self._connection_ids.key(environ))
        status_recorded = False

        def counting_start_response(status: str, headers: list, exc_info: Any = None) -> Any:
            nonlocal status_recorded
            # Flask calls this once; a second call (an error replacing a response
            # before headers are sent) would not change what we counted.
            if not status_recorded:
                status_recorded = True
                stats.response_started(run_id, status.split(" ", 1)[0])
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        def finished() -> None:
            stats.request_finished(run_id, time.perf_counter_ns() - started_ns)

        try:
            body = self._app(environ, counting_start_response)
        except BaseException:
            finished()
            raise
        return _TimedBody(body, finished)
