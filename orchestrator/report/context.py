"""What every section renders from: the loaded results and where charts go."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from .data import Source

T = TypeVar("T")


@dataclass(frozen=True)
class Chart:
    name: str  # SVG file name, relative to the report
    section: str  # the section of the details it belongs to
    caption: str  # what it shows, in words


@dataclass
class Context:
    sources: list[Source]
    out_dir: Path
    charts: list[str] = field(default_factory=list)  # chart file names (SVG), relative to out_dir
    gallery: list[Chart] = field(default_factory=list)  # the charts the main report shows, in order
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    @property
    def multi_host(self) -> bool:
        return len(self.sources) > 1

    def host_cells(self, source: Source) -> list[str]:
        """The leading host column of a table row, present only when hosts are compared."""
        return [source.label] if self.multi_host else []

    def host_headers(self) -> list[str]:
        return ["host"] if self.multi_host else []

    def chart_file(self, stem: str, section: str = "", caption: str = "") -> tuple[Path, str]:
        """A fresh SVG path in the report directory and its relative name for the markdown.

        With a section and caption, the chart is also listed in the main report's gallery.
        (Each chart is written as SVG and, beside it, PNG: charts/style.save.)
        """
        slug = re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-").lower() or "chart"
        name = f"{slug}.svg"
        suffix = 1
        while name in self.charts:
            suffix += 1
            name = f"{slug}-{suffix}.svg"
        self.charts.append(name)
        if section:
            self.gallery.append(Chart(name, section, caption))
        return self.out_dir / name, name

    def cached(self, key: Any, compute: Callable[[], T]) -> T:
        """Compute once per report (bootstrap fits are shared by findings and their section)."""
        if key not in self._cache:
            self._cache[key] = compute()
        return cast(T, self._cache[key])
