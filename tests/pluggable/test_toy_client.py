"""A client from nothing to a report with one folder and one YAML entry (README, "Adding a client").

The test does exactly the README's recipe, in a copy of the repository (so
its root, build/, results/ and reports/ are the copy's, and every path in
the config stays inside that repository): it copies tests/pluggable/toy/
to clients/toy/, appends one client entry (and the `toolchains:` entry for
the interpreter it runs on) to polybench.yaml, then runs `build`, `run` and
`report` as a user would. Nothing else in the copy changes, and the report
has the toy client's verified rows.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from orchestrator.config.model import ROOT

pytestmark = pytest.mark.slow

TOY = Path(__file__).parent / "toy"
_NOT_COPIED_ANYWHERE = shutil.ignore_patterns(".git", ".venv", "target", "__pycache__",
                                              "deps", "node_modules", ".pytest_cache", ".ruff_cache", ".mypy_cache",
                                              ".hypothesis", "tests")


def NOT_COPIED(folder: str, names: list[str]) -> set[str]:
    """What the copy leaves out: caches anywhere, and the repository's own outputs (build/, results/,
    reports/ at its top, not orchestrator/build or orchestrator/results, the stages' packages)."""
    ignored = set(_NOT_COPIED_ANYWHERE(folder, names))
    return ignored | (set(OUTPUTS) if Path(folder) == ROOT else set())
OUTPUTS = ("build", "results", "reports")  # what build, run and report write, and nothing else


def readme_recipe() -> dict:
    """The YAML of the README's "Adding a client" step 2: the entries this test adds, read from there."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Adding a client\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    return yaml.safe_load(textwrap.dedent(block))


def tree_digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))
            if p.is_file() and p.relative_to(root).parts[0] not in OUTPUTS and "__pycache__" not in p.parts}


def polybench(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "orchestrator", *args], cwd=repo, capture_output=True,
                          text=True, timeout=600, stdin=subprocess.DEVNULL, check=False)
    assert done.returncode == 0, f"polybench {' '.join(args)}: exit {done.returncode}\n{done.stderr[-3000:]}"
    return done


def test_a_toy_client_goes_from_a_folder_and_a_yaml_entry_to_the_report(tmp_path):
    repo = tmp_path / "polybench"
    shutil.copytree(ROOT, repo, ignore=NOT_COPIED, symlinks=True)
    before = tree_digests(repo)

    # 1. the folder
    shutil.copytree(TOY, repo / "clients" / "toy", ignore=shutil.ignore_patterns("__pycache__"))
    # 2. the YAML entries, the README's (inserted as text, so the rest of the file stays byte for byte)
    config = repo / "polybench.yaml"
    text = config.read_text(encoding="utf-8")
    recipe = readme_recipe()
    text = text.replace("\ntoolchains:\n", "\ntoolchains:\n" + _indented(recipe["toolchains"]) + "\n", 1)
    text = text.replace("\nclients:\n", "\nclients:\n" + _indented(recipe["clients"]) + "\n", 1)
    config.write_text(text, encoding="utf-8")
    added = {"polybench.yaml", "clients/toy/client.py"}

    # 3. build, run, report, as a user types them
    built = polybench(repo, "build", "--clients", "toy-http")
    assert "toy-http" in built.stdout + built.stderr
    polybench(repo, "run", "--profile", "quick", "--clients", "toy-http", "--scenarios", "single,keepalive",
              "--quiet")
    polybench(repo, "report", "--quiet")

    (results,) = [p for p in (repo / "results").glob("*/results.json") if not p.parent.is_symlink()]
    data = json.loads(results.read_text())
    benches = [b for b in data["benchmarks"] if b["client"] == "toy-http"]
    assert {b["scenario"] for b in benches} == {"single", "keepalive"}
    for bench in benches:
        assert bench["runs"] and not bench["failed_runs"], bench.get("status_reason")
        # the server's records decide: each run's receipt is the server's, its count the case's
        for run in bench["runs"]:
            assert run["verified"] and run["server"]["requests"] == bench["calls"]
    (report,) = [p for p in (repo / "reports").glob("*/report.md") if not p.parent.is_symlink()]
    markdown = report.read_text()
    assert "toy-http" in markdown
    assert any(line.startswith("| toy-http ") for line in markdown.splitlines())

    after = tree_digests(repo)
    changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    assert changed == added, f"files touched beyond the folder and the YAML entry: {sorted(changed - added)}"


def _indented(value: object) -> str:
    """A YAML block at the config's two-space indent under its top-level key."""
    dumped = yaml.safe_dump(value, sort_keys=False, default_flow_style=None, width=120)
    return "\n".join(f"  {line}" for line in dumped.rstrip("\n").splitlines())


def test_a_client_whose_toolchain_is_missing_is_skipped_with_one_line_and_listed_in_the_report(tmp_path):
    """The same recipe, plus a second client needing a toolchain this machine lacks: build skips it
    with the toolchain's fix, run skips it with one line, and the report says it was not run."""
    repo = tmp_path / "polybench"
    shutil.copytree(ROOT, repo, ignore=NOT_COPIED, symlinks=True)
    shutil.copytree(TOY, repo / "clients" / "toy", ignore=shutil.ignore_patterns("__pycache__"))
    recipe = readme_recipe()
    absent = {"version": ["polybench-absent-runtime", "--version"], "fix": "install polybench-absent-runtime"}
    missing = dict(recipe["clients"][0], name="toy-absent", build={"requires": ["absent-runtime"]},
                   run=["polybench-absent-runtime", "{root}/clients/toy/client.py"])
    config = repo / "polybench.yaml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("\ntoolchains:\n", "\ntoolchains:\n" + _indented({**recipe["toolchains"],
                                                                            "absent-runtime": absent}) + "\n", 1)
    text = text.replace("\nclients:\n", "\nclients:\n" + _indented([*recipe["clients"], missing]) + "\n", 1)
    config.write_text(text, encoding="utf-8")

    built = polybench(repo, "build", "--clients", "toy-http,toy-absent", "--no-install")
    (line,) = [line for line in built.stdout.splitlines() if line.startswith("toy-absent")]
    assert "skipped" in line and "install polybench-absent-runtime" in line
    ran = polybench(repo, "run", "--profile", "quick", "--clients", "toy-http,toy-absent", "--scenarios", "single")
    skips = [line for line in ran.stderr.splitlines() if line.startswith("skipping toy-absent")]
    assert len(skips) == 1 and "install polybench-absent-runtime" in skips[0]
    report = polybench(repo, "report", "--stdout", "--quiet").stdout
    (warning,) = [line for line in report.splitlines() if "Clients not run" in line]
    assert "toy-absent" in warning and "install polybench-absent-runtime" in warning
    assert any(line.startswith("| toy-http ") for line in report.splitlines())
