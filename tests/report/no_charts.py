"""Reports without rendered charts, for the tests that read only the markdown (conftest.py's charts_not_rendered)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest


@contextmanager
def no_chart_rendering() -> Iterator[None]:
    """Charts are drawn but not rendered to SVG and PNG (empty files stand in, so which charts a report
    saves is still seen): for tests of the markdown alone, in any fixture scope.

    Rendering is most of a report's CPU time (matplotlib's savefig, twice per chart); the charts themselves are
    pinned by test_figures.py, test_chart_labels.py, test_pasteable.py and test_report.py, which render them
    (the session's report_path).
    """
    from orchestrator.report.charts import style

    def placeholder(fig: Any, path: Path) -> None:
        path.touch()
        style.png_path(path).touch()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(style, "save", placeholder)
        yield
