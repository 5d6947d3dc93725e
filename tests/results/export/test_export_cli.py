"""`polybench export` at the edge: files where promised, and bad input as one line and exit 2."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from orchestrator.cli import main


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("polybench: error: "), err
    return lines[0]


def test_default_output_is_the_results_directory(results_dir: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "results-copy"
    shutil.copytree(results_dir, copy)
    assert main(["export", str(copy), "--format", "csv"]) == 0
    assert (copy / "runs.csv").is_file() and (copy / "cells.csv").is_file()
    assert f"wrote {copy / 'runs.csv'}" in capsys.readouterr().out


def test_results_json_path_and_output_directory(results_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "new" / "folder"
    assert main(["export", str(results_dir / "results.json"), "--format", "hyperfine", "--output", str(out)]) == 0
    assert (out / "hyperfine.json").is_file()


def test_unknown_format(results_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(results_dir), "--format", "xml", "--output", str(tmp_path)]) == 2
    assert "unknown export format 'xml'" in _one_error_line(capsys)


def test_missing_results(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(tmp_path / "nowhere"), "--format", "csv"]) == 2
    assert "no such results" in _one_error_line(capsys)


def test_a_broken_latest_link_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    import orchestrator.results.export

    monkeypatch.setattr(orchestrator.results.export, "ROOT", tmp_path)
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "latest").symlink_to("20261201T120000Z")
    assert main(["export", "--format", "csv"]) == 2
    assert f"broken link to {tmp_path / 'results' / '20261201T120000Z'}" in _one_error_line(capsys)


def test_directory_without_results(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(tmp_path), "--format", "pyperf"]) == 2
    assert "results.json" in _one_error_line(capsys)


def test_invalid_results(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "results.json").write_text("{not json")
    assert main(["export", str(tmp_path), "--format", "hyperfine"]) == 2
    assert "not valid JSON" in _one_error_line(capsys)
    (tmp_path / "results.json").write_text('{"schema": "something/else"}')
    assert main(["export", str(tmp_path), "--format", "hyperfine"]) == 2
    assert "not a polybench results file" in _one_error_line(capsys)


def test_unwritable_output(results_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    assert main(["export", str(results_dir), "--format", "csv", "--output", str(blocker / "out")]) == 2
    assert "cannot write" in _one_error_line(capsys)
