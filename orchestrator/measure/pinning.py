"""`invoke run --pin server=1,clients=0`: the server and the clients on separate CPUs.

Off by default: pinning changes what a multi-threaded client can do (four
goroutines on one CPU are not four on two), so it is a choice the results
record, never a silent default. Affinity is set with os.sched_setaffinity,
no `taskset`: on every thread of the server's process tree after it starts
(gunicorn's arbiter included, so a worker it forks later inherits it), and
on the launcher that spawns every client (children inherit it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import PolybenchError

ROLES = ("server", "clients")


@dataclass(frozen=True)
class Pin:
    """CPU sets per role; None leaves that role unpinned."""

    server: frozenset[int] | None = None
    clients: frozenset[int] | None = None

    def to_json(self) -> dict[str, Any]:
        return {role: sorted(cpus) if cpus is not None else None
                for role, cpus in (("server", self.server), ("clients", self.clients))}


def _cpus(text: str, role: str) -> frozenset[int]:
    """'1' or '0-1' (a range, inclusive)."""
    try:
        if "-" in text:
            first, last = (int(part) for part in text.split("-", 1))
            cpus = frozenset(range(first, last + 1))
        else:
            cpus = frozenset({int(text)})
    except ValueError:
        raise PolybenchError(f"--pin: {role}={text!r} is not a CPU number or range (e.g. {role}=1 or {role}=0-1)")\
            from None
    if not cpus:
        raise PolybenchError(f"--pin: {role}={text!r} is an empty range")
    return cpus


def parse_pin(text: str, available: frozenset[int] | None = None) -> Pin:
    """Parse `server=CPUS,clients=CPUS` (either part may be left out) against the usable CPUs.

    ``available`` defaults to the CPUs this process may run on
    (os.sched_getaffinity). Raises PolybenchError on bad syntax or a CPU
    that is not there.
    """
    usable = available if available is not None else frozenset(os.sched_getaffinity(0))
    chosen: dict[str, frozenset[int]] = {}
    for part in (p.strip() for p in text.split(",")):
        role, sep, value = part.partition("=")
        if not sep or role not in ROLES:
            raise PolybenchError(f"--pin: expected server=CPUS,clients=CPUS, got {text!r}")
        if role in chosen:
            raise PolybenchError(f"--pin: {role} given twice")
        chosen[role] = _cpus(value.strip(), role)
        missing = sorted(chosen[role] - usable)
        if missing:
            raise PolybenchError(f"--pin: CPU {missing[0]} is not available here "
                                 f"(usable: {', '.join(str(c) for c in sorted(usable))})")
    return Pin(server=chosen.get("server"), clients=chosen.get("clients"))


def _process_tree(pid: int) -> list[int]:
    """pid and every descendant, from /proc/<pid>/task/<tid>/children."""
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                pending += [int(child) for child in children.read_text().split()]
            except OSError:
                continue
    return tree


def pin_tree(pid: int, cpus: frozenset[int]) -> None:
    """Set the affinity of every thread of pid and its descendants."""
    for process in _process_tree(pid):
        threads = [int(t.name) for t in Path(f"/proc/{process}/task").glob("*") if t.name.isdigit()] or [process]
        for thread in threads:
            try:
                os.sched_setaffinity(thread, cpus)
            except ProcessLookupError:
                continue  # it exited meanwhile
