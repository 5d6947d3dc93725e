"""Fixtures for the report tests: synthetic results files and the reports made from them (once per session)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from markdown_tables import Table, parse_tables, read_report
from no_charts import no_chart_rendering
from synthetic import make_results, write_results

from orchestrator.report import generate_report
from tests.once_per_session import once_per_session


@pytest.fixture(scope="session")
def results_data() -> dict[str, Any]:
    return make_results()


@pytest.fixture(scope="session")
def report_path(tmp_path_factory: pytest.TempPathFactory, results_data: dict[str, Any]) -> Path:
    """The synthetic results' report with its charts drawn and rendered (about 4 s of CPU, most of it
    matplotlib): made once per session, not once per pytest-xdist worker; its tests only read it."""
    def make(folder: Path) -> Path:
        return generate_report([write_results(folder / "results", results_data)], output_root=folder / "reports",
                               quiet=True)
    return once_per_session(tmp_path_factory, "synthetic-report", make)


# Enough for a fit per host (three call counts), small enough to stay quick.
FEW_CASES = [("single", {}, 1), ("keepalive", {"requests": 10}, 10), ("keepalive", {"requests": 100}, 100)]


@pytest.fixture(scope="session")
def two_host_report_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    first = write_results(tmp_path_factory.mktemp("host-a"), make_results("bench-a", seed=1, cases=FEW_CASES))
    second = write_results(tmp_path_factory.mktemp("host-b"),
                           make_results("bench-b", seed=2, failed_run=False, cases=FEW_CASES))
    with no_chart_rendering():  # its test reads the markdown and which charts were saved
        return generate_report([first, second.parent], output_root=tmp_path_factory.mktemp("reports2"), quiet=True)


@pytest.fixture(scope="session")
def markdown(report_path: Path) -> str:
    return read_report(report_path)


@pytest.fixture(scope="session")
def tables(markdown: str) -> list[Table]:
    return parse_tables(markdown)


@pytest.fixture
def charts_not_rendered() -> Iterator[None]:
    """no_chart_rendering for one test."""
    with no_chart_rendering():
        yield
