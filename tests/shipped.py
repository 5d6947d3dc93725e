"""The shipped polybench.yaml, loaded once per test process."""

from __future__ import annotations

from functools import cache

from orchestrator.config.model import Config, load_config


@cache
def shipped_config() -> Config:
    """load_config() of the repository's polybench.yaml, the first time it is asked for.

    For what modules read at import (the clients tests are parametrized by) and the session's `config`
    fixture: about 40 ms per load, and pytest-xdist's workers each import every test module to collect it.
    Tests that load a config of their own, or the shipped one after changing something, call load_config.
    """
    return load_config()
