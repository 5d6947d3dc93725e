"""Conformance needs every client built: build once per session (a no-op when up to date)."""

from __future__ import annotations

import pytest

from orchestrator.measure.launcher import ensure_launcher
from tests.tiers import build_clients


@pytest.fixture(scope="session")
def built(config):
    ensure_launcher()
    manifest = build_clients(config)
    return {name: outcome for name, outcome in manifest["clients"].items()}
