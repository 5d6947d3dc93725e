"""Fixtures shared across the test tree: the config, a built tree, a live server."""

from __future__ import annotations

import pytest

from orchestrator.config.model import load_config


@pytest.fixture(scope="session")
def config():
    return load_config()


@pytest.fixture(scope="session")
def live_server():
    """One real gunicorn server for the whole session (started once: ~1 s)."""
    from orchestrator.server_control.shared_server import SharedServer

    with SharedServer() as server:
        yield server
