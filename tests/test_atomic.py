"""orchestrator/atomic.py: a write leaves the old file or the new one, never half of either."""

from __future__ import annotations

import json
import os
import stat

import pytest

from orchestrator.atomic import point_symlink, write_json_atomic, write_text_atomic


def test_write_replaces_the_whole_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "deep" / "results.json"  # missing parents are made
    write_text_atomic(path, "old\n")
    write_json_atomic(path, {"a": [1, 2]})
    assert json.loads(path.read_text()) == {"a": [1, 2]} and path.read_text().endswith("\n")
    assert [p.name for p in path.parent.iterdir()] == ["results.json"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # shared, not mkstemp's 0600


def test_a_failed_write_keeps_the_old_file_and_removes_its_temporary(tmp_path, monkeypatch):
    path = tmp_path / "results.json"
    write_text_atomic(path, "old\n")

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space"):
        write_text_atomic(path, "new\n")
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_a_symlink_is_repointed_relatively(tmp_path):
    first, second = tmp_path / "runs" / "1", tmp_path / "runs" / "2"
    first.mkdir(parents=True)
    second.mkdir()
    link = tmp_path / "runs" / "latest"
    point_symlink(link, first)
    point_symlink(link, second)
    assert os.readlink(link) == "2" and link.resolve() == second.resolve()
    assert sorted(p.name for p in link.parent.iterdir()) == ["1", "2", "latest"]
