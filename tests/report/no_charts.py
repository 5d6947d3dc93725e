"""Reports without rendered charts, for the tests that read only the markdown (conftest.py's charts_not_rendered)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest


@contextmanager
def no_chart_rendering() -> Iterator[None]:
    """Charts are neither drawn nor rendered to SVG and PNG (empty files stand in, so which charts a report
    saves is still seen): for tests of the markdown alone, in any fixture scope.

    The sections still compute what each chart shows and call its module's `render(..., path, ...)`; that
    call only touches the files. Drawing (matplotlib's figure and artists, about 0.9 s of a synthetic
    report's 1.3 s) and rendering (savefig, twice per chart) are pinned by test_figures.py,
    test_chart_labels.py, test_pasteable.py and test_report.py, which draw and render them (the session's
    report_path).
    """
    from orchestrator.report import charts
    from orchestrator.report.charts import style

    def placeholder(path: Path) -> None:
        path.touch()
        style.png_path(path).touch()

    def touching(render: Callable[..., None]) -> Callable[..., None]:
        signature = inspect.signature(render)

        def touch(*args: Any, **kwargs: Any) -> None:
            placeholder(signature.bind(*args, **kwargs).arguments["path"])
        return touch

    with pytest.MonkeyPatch.context() as patch:
        for info in pkgutil.iter_modules(charts.__path__):  # each chart module's render(..., path, ...)
            module = importlib.import_module(f"{charts.__name__}.{info.name}")
            render = getattr(module, "render", None)
            if callable(render) and "path" in inspect.signature(render).parameters:
                patch.setattr(module, "render", touching(render))
        patch.setattr(style, "save", lambda fig, path: placeholder(path))  # a chart drawn another way
        yield
