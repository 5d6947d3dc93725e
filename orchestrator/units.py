"""Units, the names of a run's phases and the form of a recorded time: one home for each.

docs/contract.md defines the phases.
"""

from __future__ import annotations

import time

NS_PER_MS = 1e6  # nanoseconds per millisecond: every duration is recorded in ns and shown in ms
CLOCK_TOLERANCE_NS = int(NS_PER_MS)  # 1 ms: one epoch clock read in two processes (a phase may be this far below 0)
PHASES = ("runtime_start", "imports", "network", "exit")  # a run's phases, in the order they happen


def utc_now() -> str:
    """The current UTC time as results.json and build/manifest.json record it: "2026-11-30T12:00:00Z"."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
