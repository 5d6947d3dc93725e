"""Conformance needs every client built: build once per session (a no-op when up to date)."""

from __future__ import annotations

import pytest

from orchestrator.build.clients import build_all
from orchestrator.measure.launcher import ensure_launcher


@pytest.fixture(scope="session")
def built(config):
    ensure_launcher()
    manifest = build_all(config, log=lambda line: None)
    return {name: outcome for name, outcome in manifest["clients"].items()}
