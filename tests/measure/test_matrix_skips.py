"""`invoke run` says what it skips in one line per reason, not one line per client or baseline."""

from __future__ import annotations

import dataclasses

import pytest

from orchestrator.config.model import DEFAULT_CONFIG, load_config
from orchestrator.errors import PolybenchError
from orchestrator.measure import matrix


def test_one_line_per_reason_with_how_many_and_which() -> None:
    lines = matrix.skip_summary("clients", {"a": "not built", "b": None, "c": "not built", "d": "build failed: x"})
    assert lines == ["skipping 2 of 4 clients (a, c): not built", "skipping d: build failed: x"]
    assert matrix.skip_summary("clients", {"a": None}) == []


def test_an_unbuilt_checkout_prints_one_line_for_its_baselines_and_one_for_its_clients(
        tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    config = dataclasses.replace(load_config(DEFAULT_CONFIG), root=tmp_path)  # nothing built under it
    monkeypatch.setattr(matrix, "read_manifest", lambda config: {"clients": {}})

    class NoServer(PolybenchError):
        pass

    def no_server(*args: object) -> None:
        raise NoServer("stopped before the server: only the lines before it matter here")

    monkeypatch.setattr(matrix, "_server", no_server)
    with pytest.raises(NoServer):
        matrix.run_benchmarks(config, "quick", results_root=tmp_path)
    skips = [line for line in capsys.readouterr().err.splitlines() if line.startswith("skipping")]
    baselines = [line for line in skips if "baselines" in line]
    total = len(config.baselines)
    assert total > 1 and len(baselines) == 1, skips
    assert baselines[0].startswith(f"skipping {total} of {total} baselines (")
    assert all(b.name in baselines[0] for b in config.baselines)
    assert "build/venvs/python-urllib/bin/python" in baselines[0] and str(tmp_path) not in baselines[0]
    assert len(skips) == 2, skips  # every client: "not built"
