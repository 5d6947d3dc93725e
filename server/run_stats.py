"""Per-run request counts, the server's side of a run's verification.

A client sends `X-Polybench-Run: <id>` on every request; the orchestrator
later asks GET /stats?run=<id> and checks the counts against what the
scenario should have done (docs/contract.md, "How the orchestrator checks a
run"). Counts live in this one process's memory, which is why the server runs
exactly one worker (docs/server.md).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from . import limits
from .connections import ConnectionKey

_RUN_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def is_valid_run_id(value: str | None) -> bool:
    """True for ids the contract allows: `[A-Za-z0-9._-]{1,64}`."""
    return value is not None and _RUN_ID.fullmatch(value) is not None


def empty_snapshot(run_id: str) -> dict[str, Any]:
    """What /stats reports for a run it has never seen (or has evicted)."""
    return _RunCounts().snapshot(run_id)


@dataclass
class _RunCounts:
    requests: int = 0
    paths: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    connections: set[ConnectionKey] = field(default_factory=set)
    server_ns: int = 0
    server_max_ns: int = 0

    def snapshot(self, run_id: str) -> dict[str, Any]:
        return {
            "run": run_id,
            "requests": self.requests,
            "paths": dict(self.paths),
            "statuses": dict(self.statuses),
            "connections": len(self.connections),
            "server_ns": self.server_ns,
            "server_max_ns": self.server_max_ns,
        }


class RunStats:
    """Thread-safe counts per run id, the least recently active run evicted first."""

    def __init__(self, max_runs: int | None = None) -> None:
        self._max_runs = limits.MAX_RUNS if max_runs is None else max_runs
        self._runs: OrderedDict[str, _RunCounts] = OrderedDict()
        self._lock = threading.Lock()

    def request_started(self, run_id: str, path: str, connection: ConnectionKey) -> None:
        """Count a request as soon as it arrives, so the count is complete by the
        time its client has a response."""
        with self._lock:
            counts = self._runs.get(run_id)
            if counts is None:
                counts = self._runs[run_id] = _RunCounts()
                while len(self._runs) > self._max_runs:
                    self._runs.popitem(last=False)
            else:
                self._runs.move_to_end(run_id)
            counts.requests += 1
            if path not in counts.paths and len(counts.paths) >= limits.MAX_PATHS_PER_RUN:
                path = limits.OVERFLOW_PATH
            counts.paths[path] = counts.paths.get(path, 0) + 1
            if len(counts.connections) < limits.MAX_CONNECTIONS_PER_RUN:
                counts.connections.add(connection)

    def response_started(self, run_id: str, status: str) -> None:
        """Count the status line (e.g. "200") when the app starts its response."""
        with self._lock:
            counts = self._runs.get(run_id)
            if counts is not None:  # None: evicted while the request ran
                counts.statuses[status] = counts.statuses.get(status, 0) + 1

    def request_finished(self, run_id: str, elapsed_ns: int) -> None:
        """Add the handling time once the response body has been closed."""
        with self._lock:
            counts = self._runs.get(run_id)
            if counts is not None:
                counts.server_ns += elapsed_ns
                counts.server_max_ns = max(counts.server_max_ns, elapsed_ns)

    def snapshot(self, run_id: str) -> dict[str, Any]:
        """The /stats body for one run; zeros for an unknown run."""
        with self._lock:
            counts = self._runs.get(run_id)
            return counts.snapshot(run_id) if counts is not None else empty_snapshot(run_id)

    def __len__(self) -> int:
        with self._lock:
            return len(self._runs)
