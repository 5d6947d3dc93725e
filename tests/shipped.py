"""What the repository ships, loaded once per test process: polybench.yaml, and the results schema's
reference validator."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from orchestrator.config.model import Config, load_config
from orchestrator.results.check import SCHEMA_FILE


@cache
def shipped_config() -> Config:
    """load_config() of the repository's polybench.yaml, the first time it is asked for.

    For what modules read at import (the clients tests are parametrized by) and the session's `config`
    fixture: about 40 ms per load, and pytest-xdist's workers each import every test module to collect it.
    Tests that load a config of their own, or the shipped one after changing something, call load_config.
    """
    return load_config()


@cache
def results_schema() -> dict[str, Any]:
    """docs/results.schema.json, parsed."""
    data: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return data


@cache
def reference_validator() -> Any:
    """jsonschema's Draft202012Validator of the results schema (the reference the compiled check is held to).

    `jsonschema.validate(data, schema)` checks the schema against its metaschema on every call, about 0.4 s
    each; test_report.py checks it once. Use `reference_validator().validate(data)`: ValidationError.
    """
    import jsonschema

    return jsonschema.Draft202012Validator(results_schema())
