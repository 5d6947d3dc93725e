"""The Go, Rust and Node clients' own unit tests (argument parsing, payload checks, output shape)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.slow


def _run(argv: list[str], cwd: Path) -> None:
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, f"{' '.join(argv)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


@pytest.mark.skipif(shutil.which("go") is None, reason="go not installed")
def test_go_client_unit_tests():
    _run(["go", "vet", "./..."], ROOT / "clients" / "go")
    _run(["go", "test", "./..."], ROOT / "clients" / "go")


@pytest.mark.skipif(shutil.which("cargo") is None, reason="cargo not installed")
def test_rust_client_unit_tests():
    # --release shares the optimised dependency builds with `invoke build`.
    _run(["cargo", "test", "--release", "--locked", "--workspace"], ROOT / "clients" / "rust")


@pytest.mark.skipif(shutil.which("node") is None, reason="node not installed")
def test_node_client_unit_tests():
    _run(["node", "--test", "clients/node/"], ROOT)
