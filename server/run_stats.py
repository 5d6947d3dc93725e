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
import time
from array import array
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from . import limits
from .connections import ConnectionKey
from .payload import sent_sha256

_RUN_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def is_valid_run_id(value: str | None) -> TypeGuard[str]:
    """True for ids the contract allows: `[A-Za-z0-9._-]{1,64}`."""
    return value is not None and _RUN_ID.fullmatch(value) is not None


def empty_snapshot(run_id: str) -> dict[str, Any]:
    """What /stats reports for a run it has never seen (or has evicted)."""
    return _RunCounts().snapshot(run_id, [])


def _median(values: array[int]) -> int:
    """The median handling time in ns (the lower middle for an even count), 0 for none."""
    if not values:
        return 0
    return int(sorted(values)[(len(values) - 1) // 2])


@dataclass
class StreamRecord:
    """One /bytes response: enough to recompute what was sent (server/payload.py)."""

    path: str
    seed: bytes
    size: int
    bytes_sent: int = 0
    completed: bool = False
    sha256: str | None = None  # computed on the first /stats after completion

    def snapshot(self) -> dict[str, Any]:
        return {"path": self.path, "bytes": self.size, "bytes_sent": self.bytes_sent,
                "completed": self.completed, "sha256": self.sha256}


OWNERS_KEPT = 65536  # connections whose first run is remembered (oldest forgotten first)


@dataclass
class _RunCounts:
    requests: int = 0
    paths: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    connections: set[ConnectionKey] = field(default_factory=set)
    # connections that carried this run's requests but were opened by (first carried) another run's:
    # a process cannot share a connection with another, so only a resident process reusing a
    # connection across runs (a warm worker that keeps its Session) makes one.
    foreign_connections: set[ConnectionKey] = field(default_factory=set)
    server_ns: int = 0
    server_max_ns: int = 0
    # The proof (docs/contract.md, "Proof of receipt"): responses to the
    # client itself, not the server's internal calls.
    internal_requests: int = 0
    completed: dict[str, int] = field(default_factory=dict)
    aborted: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    receipt: int = 0
    handling_ns: array[int] = field(default_factory=lambda: array("q"))
    streams: list[StreamRecord] = field(default_factory=list)
    # Unix-epoch ns (the clock the clients' own timestamps use): when the
    # client's first request arrived and when the server started its last
    # response. A client's t_ready must come before the first, its t_done
    # after the second, whatever it prints (orchestrator/measure/verify.py).
    first_arrival_epoch_ns: int | None = None
    last_response_epoch_ns: int | None = None

    def snapshot(self, run_id: str, streams: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "run": run_id,
            "requests": self.requests,
            "paths": dict(self.paths),
            "statuses": dict(self.statuses),
            "connections": len(self.connections),
            "foreign_connections": len(self.foreign_connections),
            "server_ns": self.server_ns,
            "server_max_ns": self.server_max_ns,
            "internal_requests": self.internal_requests,
            "completed": dict(self.completed),
            "aborted": self.aborted,
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
            "receipt": f"{self.receipt:032x}",
            "server_median_ns": _median(self.handling_ns),
            "timed_responses": len(self.handling_ns),
            "streams": streams,
            "first_arrival_epoch_ns": self.first_arrival_epoch_ns,
            "last_response_epoch_ns": self.last_response_epoch_ns,
        }


class RunStats:
    """Thread-safe counts per run id, the least recently active run evicted first."""

    def __init__(self, max_runs: int | None = None) -> None:
        self._max_runs = limits.MAX_RUNS if max_runs is None else max_runs
        self._runs: OrderedDict[str, _RunCounts] = OrderedDict()
        # connection -> the run whose request it carried first (socket-identified connections only)
        self._owners: OrderedDict[ConnectionKey, str] = OrderedDict()
        self._lock = threading.Lock()

    def request_started(self, run_id: str, path: str, connection: ConnectionKey, internal: bool = False) -> None:
        """Count a request as soon as it arrives, so the count is complete by the
        time its client has a response. `internal`: the server's own call (fan-out)."""
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
            if not internal and isinstance(connection, tuple) and len(connection) == 3:  # (addr, port, serial)
                owner = self._owners.setdefault(connection, run_id)
                if owner != run_id and len(counts.foreign_connections) < limits.MAX_CONNECTIONS_PER_RUN:
                    counts.foreign_connections.add(connection)
                while len(self._owners) > OWNERS_KEPT:
                    self._owners.popitem(last=False)
            if internal:
                counts.internal_requests += 1
            else:
                if counts.first_arrival_epoch_ns is None:
                    counts.first_arrival_epoch_ns = time.time_ns()
                counts.in_flight += 1
                counts.max_in_flight = max(counts.max_in_flight, counts.in_flight)

    def response_started(self, run_id: str, status: str, internal: bool = False) -> None:
        """Count the status line (e.g. "200") when the app starts its response."""
        with self._lock:
            counts = self._runs.get(run_id)
            if counts is not None:  # None: evicted while the request ran
                counts.statuses[status] = counts.statuses.get(status, 0) + 1
                if not internal:
                    counts.last_response_epoch_ns = time.time_ns()

    def request_finished(self, run_id: str, elapsed_ns: int, *, internal: bool = False,
                         status: str | None = None, completed: bool = False, nonce: int = 0,
                         stream: StreamRecord | None = None) -> None:
        """Once the response body has been closed: handling time and, for the
        client's own responses, completion, receipt and the stream's record.

        `completed`: the body was sent to its end and closed without error.
        """
        with self._lock:
            counts = self._runs.get(run_id)
            if counts is None:
                return
            counts.server_ns += elapsed_ns
            counts.server_max_ns = max(counts.server_max_ns, elapsed_ns)
            if internal:
                return
            counts.in_flight -= 1
            if len(counts.handling_ns) < limits.MAX_TIMINGS_PER_RUN:
                counts.handling_ns.append(elapsed_ns)
            if completed and status is not None:
                counts.completed[status] = counts.completed.get(status, 0) + 1
                counts.receipt ^= nonce
            else:
                counts.aborted += 1
            if stream is not None and len(counts.streams) < limits.MAX_STREAMS_PER_RUN:
                counts.streams.append(stream)

    def snapshot(self, run_id: str) -> dict[str, Any]:
        """The /stats body for one run; zeros for an unknown run.

        The digests of completed streams are computed here, outside the lock
        (they take time, and under gevent they yield), once per stream.
        """
        with self._lock:
            counts = self._runs.get(run_id)
            pending = [s for s in counts.streams if s.completed and s.sha256 is None] if counts else []
        for stream in pending:
            stream.sha256 = sent_sha256(stream.seed, stream.bytes_sent)
        with self._lock:
            counts = self._runs.get(run_id)
            if counts is None:
                return empty_snapshot(run_id)
            return counts.snapshot(run_id, [stream.snapshot() for stream in counts.streams])

    def __len__(self) -> int:
        with self._lock:
            return len(self._runs)
