"""Units and the names of a run's phases: one home for each (docs/contract.md defines the phases)."""

from __future__ import annotations

NS_PER_MS = 1e6  # nanoseconds per millisecond: every duration is recorded in ns and shown in ms
PHASES = ("runtime_start", "imports", "network", "exit")  # a run's phases, in the order they happen
