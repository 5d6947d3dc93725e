"""Fixtures for the server tests: a fresh Flask app per test (the real gunicorn: tests/conftest.py's live_server)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# `python -m pytest` from the repository root already has it on sys.path; a bare
# `pytest` (or an IDE) may not, and the tests import `server` and `orchestrator`.
ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from flask import Flask  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402

from server.app import create_app  # noqa: E402
from server.probes import RUN_STATS_EXTENSION  # noqa: E402
from server.run_stats import RunStats  # noqa: E402

RUN_HEADER = "X-Polybench-Run"


@pytest.fixture
def app() -> Flask:
    return create_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def run_stats(app: Flask) -> RunStats:
    return app.extensions[RUN_STATS_EXTENSION]

