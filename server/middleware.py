"""WSGI middleware that feeds RunStats, outside Flask so it sees every request.

It sits below Flask's routing and error handling, so 404s, 405s and 413s are
counted exactly like successes, with the status line Flask really sent.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .connections import ConnectionIds
from .run_stats import RunStats, is_valid_run_id

RUN_HEADER_ENVIRON_KEY = "HTTP_X_POLYBENCH_RUN"
INTERNAL_HEADER = "X-Polybench-Internal"
INTERNAL_HEADER_ENVIRON_KEY = "HTTP_X_POLYBENCH_INTERNAL"
INTERNAL_SECRET_EXTENSION = "polybench.internal_secret"
NONCE_HEADER = "X-Polybench-Nonce"
NONCE_BYTES = 16
# Set by the /bytes view: the StreamRecord of the body it is about to send.
STREAM_ENVIRON_KEY = "polybench.stream"
# The orchestrator's own calls; counting them would break the counts it checks.
UNCOUNTED_PATHS = frozenset({"/stats", "/health"})

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def request_path(environ: dict[str, Any]) -> str:
    """The path as /stats reports it: no query string (curl's `?i=[1-N]` globs
    must land on one key)."""
    return str(environ.get("SCRIPT_NAME", "")) + str(environ.get("PATH_INFO", ""))


class _TrackedBody:
    """Wraps a response iterable: counts the bytes the server took, notices
    whether it was sent to the end, and reports on close().

    A chunk counts as sent once the server asks for the next one (it has then
    written the previous one); the body is complete once the wrapped iterable
    is exhausted. A write that fails stops the iteration before that.
    """

    def __init__(self, body: Iterable[bytes], on_close: Callable[[bool, int], None]) -> None:
        self._body = body
        self._on_close = on_close
        self._closed = False
        self._exhausted = False
        self.bytes_sent = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._body:
            yield chunk
            self.bytes_sent += len(chunk)
        self._exhausted = True

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        completed = self._exhausted
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        except Exception:
            completed = False
            raise
        finally:
            self._on_close(completed, self.bytes_sent)


class RunCountingMiddleware:
    """Counts requests that carry a valid `X-Polybench-Run` header, stamps each
    response with a fresh nonce, and records how each response ended."""

    def __init__(self, app: WSGIApp, run_stats: RunStats, internal_secret: str) -> None:
        self._app = app
        self._run_stats = run_stats
        self._internal_secret = internal_secret.encode()
        self._connection_ids = ConnectionIds()

    def _is_internal(self, environ: dict[str, Any]) -> bool:
        marker = environ.get(INTERNAL_HEADER_ENVIRON_KEY)
        return marker is not None and hmac.compare_digest(marker.encode("latin-1"), self._internal_secret)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        run_id = environ.get(RUN_HEADER_ENVIRON_KEY)
        path = request_path(environ)
        # An invalid id is served but not counted: it cannot be asked for anyway.
        if path in UNCOUNTED_PATHS or not is_valid_run_id(run_id):
            return self._app(environ, start_response)

        started_ns = time.perf_counter_ns()
        stats = self._run_stats
        internal = self._is_internal(environ)
        stats.request_started(run_id, path, self._connection_ids.key(environ), internal=internal)
        nonce = os.urandom(NONCE_BYTES)
        status_code: str | None = None

        def counting_start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            nonlocal status_code
            # Flask calls this once; a second call (an error replacing a response
            # before headers are sent) would not change what we counted.
            if status_code is None:
                status_code = status.split(" ", 1)[0]
                stats.response_started(run_id, status_code, internal=internal)
            headers = [*headers, (NONCE_HEADER, nonce.hex())]
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        def finished(completed: bool, bytes_sent: int) -> None:
            stream = environ.get(STREAM_ENVIRON_KEY)
            if stream is not None:
                stream.bytes_sent = bytes_sent
                stream.completed = completed
            stats.request_finished(run_id, time.perf_counter_ns() - started_ns, internal=internal,
                                   status=status_code, completed=completed,
                                   nonce=int.from_bytes(nonce, "big"), stream=stream)

        try:
            body = self._app(environ, counting_start_response)
        except BaseException:
            finished(False, 0)
            raise
        return _TrackedBody(body, finished)
