"""Results files as the report sees them: one Source per file, one Bench per (client, case).

Only reading and light reshaping happens here (ns to ms, Summary dicts to
Summary objects); every statistic the report shows is either read from the
file or computed by orchestrator.stats from the runs in it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ..config.model import ClientSpec, Config, load_config
from ..errors import PolybenchError
from ..results.model import load_results
from ..stats import Summary
from ..units import NS_PER_MS, PHASES

PHASE_LABELS = {
    "runtime_start": "runtime start",
    "imports": "imports + set-up",
    "network": "network",
    "exit": "exit",
}


@functools.cache
def _config_now() -> Config | None:
    """polybench.yaml as it is today: what a results file older than its `compiled`/`role`/`report`
    records is read with (they were the config's then too); None if it does not load."""
    try:
        return load_config()
    except PolybenchError:
        return None


def _client_now(client: str) -> ClientSpec | None:
    config = _config_now()
    return next((c for c in config.clients if c.name == client), None) if config else None


@dataclass(frozen=True)
class Bench:
    """One client in one case, with its verified runs and their statistics."""

    raw: Mapping[str, Any]

    @property
    def client(self) -> str:
        return self.raw["client"]

    @property
    def language(self) -> str:
        return self.raw["language"]

    @property
    def concurrency_model(self) -> str:
        return self.raw["concurrency_model"]

    @property
    def scenario(self) -> str:
        return self.raw["scenario"]

    @property
    def case(self) -> str:
        return self.raw["case"]

    @property
    def params(self) -> Mapping[str, int]:
        return self.raw["params"]

    @property
    def calls(self) -> int:
        return self.raw["calls"]

    @property
    def status(self) -> str:
        return self.raw["status"]

    @property
    def status_reason(self) -> str | None:
        return self.raw.get("status_reason")

    @property
    def imports(self) -> list[Mapping[str, Any]] | None:
        return self.raw.get("imports")

    @property
    def runs(self) -> list[Mapping[str, Any]]:
        return list(self.raw["runs"])

    @property
    def failed_runs(self) -> list[Mapping[str, Any]]:
        return list(self.raw["failed_runs"])

    @property
    def ok(self) -> bool:
        return self.raw["summary"] is not None and bool(self.raw["runs"])

    def metric(self, name: str) -> Summary:
        """wall_ms, user_ms, sys_ms or peak_rss_mib as a Summary; only for a bench that is `ok`."""
        summary = self.raw["summary"]
        if not summary or not summary.get(name):
            raise ValueError(f"{self.client} {self.case} has no {name} statistics (status {self.status})")
        return Summary.from_dict(summary[name])

    @property
    def wall(self) -> Summary:
        return self.metric("wall_ms")

    @property
    def phases(self) -> dict[str, Summary] | None:
        summary = self.raw["summary"]
        if not summary or not summary.get("phases_ms"):
            return None
        return {phase: Summary.from_dict(summary["phases_ms"][phase]) for phase in PHASES}

    @property
    def walls_ms(self) -> list[float]:
        return [run["wall_ns"] / NS_PER_MS for run in self.raw["runs"]]

    def phase_ms(self, phase: str) -> list[float]:
        """One phase of every run, in ms (empty unless every run has phases)."""
        runs = self.raw["runs"]
        if not runs or not all(run.get("phases_ns") for run in runs):
            return []
        return [run["phases_ns"][phase] / NS_PER_MS for run in runs]


@dataclass(frozen=True)
class Source:
    """One results.json: one host's run of one profile."""

    label: str  # how tables name the host
    path: Path
    data: Mapping[str, Any] = field(repr=False)

    @cached_property
    def benches(self) -> list[Bench]:
        return [Bench(raw) for raw in self.data["benchmarks"]]

    @property
    def environment(self) -> Mapping[str, Any]:
        return self.data["environment"]

    @property
    def settings(self) -> Mapping[str, Any]:
        return self.data.get("settings") or {}

    def client_record(self, client: str) -> Mapping[str, Any]:
        """What the results file's environment says about a client (its YAML keys, build, versions)."""
        return (self.environment.get("clients") or {}).get(client) or {}

    def resident(self, client: str) -> bool:
        """Whether the client's runs talk to a resident process (polybench.yaml `service:`), never timed."""
        return bool(self.client_record(client).get("service"))

    def role(self, client: str) -> str:
        """contender | reference | floor | variant (polybench.yaml `role`; older files: contender)."""
        return str(self.client_record(client).get("role") or "contender")

    def compiled(self, client: str) -> bool:
        """polybench.yaml `compiled` where the file records it; older files: today's config's."""
        record = self.client_record(client)
        if "compiled" in record:
            return bool(record["compiled"])
        spec = _client_now(client)
        return spec.compiled if spec is not None else False

    def compiled_contender(self, client: str) -> bool:
        """A compiled client under test: the side of "when does a compiled client beat it?" (not a
        reference, a floor or a variant). Older files record no role: today's config's is used here."""
        record = self.client_record(client)
        role = record.get("role") if "role" in record else getattr(_client_now(client), "role", "contender")
        return self.compiled(client) and role == "contender"

    @property
    def report_settings(self) -> Mapping[str, Any]:
        """polybench.yaml `report:` as recorded in the file ({focus, article}); older files: today's config's."""
        recorded = self.environment.get("report")
        if recorded is None:
            config = _config_now()
            recorded = config.report.to_json() if config else {}
        return recorded

    def _report_setting(self, key: str) -> Any:
        """One key of `report_settings`; a file recorded before that key existed: today's config's."""
        if key in self.report_settings:
            return self.report_settings[key]
        config = _config_now()
        return config.report.to_json().get(key) if config else None

    @property
    def packages_shown(self) -> list[str]:
        """The orchestrator's packages the report lists with their versions (`report.packages_shown`)."""
        return list(self._report_setting("packages_shown") or [])

    @property
    def article(self) -> Mapping[str, Any] | None:
        """The article the report quotes (`report.article`); its start-up and escape rows are today's
        config's for a file recorded before they were (same title only)."""
        article = self.report_settings.get("article")
        if not article or ("startup_ms" in article and "escapes" in article):
            return article
        config = _config_now()
        now = config.report.article if config else None
        if not now or now.get("title") != article.get("title"):
            return {"startup_ms": [], "escapes": [], **article}
        return {"startup_ms": now["startup_ms"], "escapes": now["escapes"], **article}

    @property
    def focus(self) -> str | None:
        """The client the findings are about (`report.focus`), or None."""
        return self.report_settings.get("focus")

    def focus_side(self, client: str) -> bool:
        """Whether a client is on the focus client's side of the question: interpreted, in its language
        (every interpreted contender when the file names no focus)."""
        if self.compiled(client):
            return False
        focus = self.focus
        if focus is None:
            return self.role(client) == "contender"
        return self.language(client) == self.language(focus)

    def language(self, client: str) -> str | None:
        """The client's language: from its benchmarks or its record, else (a client this run left
        out, such as the focus) from today's config."""
        found = next((b for b in self.benches if b.client == client), None)
        if found is not None:
            return found.language
        recorded = self.client_record(client).get("language")
        return recorded or getattr(_client_now(client), "language", None)

    def chart_style(self, client: str) -> Mapping[str, str]:
        """polybench.yaml `chart` ({color, marker, hatch}), or {} for the default look."""
        return self.client_record(client).get("chart") or {}

    def bench(self, client: str, case: str) -> Bench | None:
        return next((b for b in self.benches if b.client == client and b.case == case), None)

    def cases(self, scenario: str | None = None) -> list[str]:
        """Case ids in the order they were run (first appearance)."""
        seen: dict[str, None] = {}
        for bench in self.benches:
            if scenario is None or bench.scenario == scenario:
                seen.setdefault(bench.case, None)
        return list(seen)

    def clients(self) -> list[str]:
        seen: dict[str, None] = {}
        for bench in self.benches:
            seen.setdefault(bench.client, None)
        return list(seen)

    def in_case(self, case: str) -> list[Bench]:
        return [b for b in self.benches if b.case == case]

    def single(self, client: str) -> Bench | None:
        """The client's `single` benchmark, if it has verified runs."""
        bench = next((b for b in self.benches if b.client == client and b.scenario == "single"), None)
        return bench if bench is not None and bench.ok else None

    def ratio(self, case: str, client: str) -> Mapping[str, Any] | None:
        return next((r for r in self.data["ratios"] if r["case"] == case and r["client"] == client), None)

    def failed_runs(self) -> list[tuple[Bench, Mapping[str, Any]]]:
        return [(bench, run) for bench in self.benches for run in bench.failed_runs]

    @property
    def baselines(self) -> list[Mapping[str, Any]]:
        """The timed baseline commands (baseline, not a client); [] in files written before them."""
        return list(self.data.get("baselines") or [])

    def variants(self) -> dict[str, list[str]]:
        """original client -> its variants (role variant, `variant_of`), in the file's client order."""
        found: dict[str, list[str]] = {}
        for client in self.clients():
            record = self.client_record(client)
            if self.role(client) == "variant" and record.get("variant_of"):
                found.setdefault(str(record["variant_of"]), []).append(client)
        return found

    def reference(self) -> str | None:
        """The outside yardstick (role reference, e.g. curl), if the file records one."""
        return next((c for c in self.clients() if self.role(c) == "reference"), None)


def load_sources(paths: list[Path]) -> list[Source]:
    """Load every results file; hosts that share a name are told apart by creation time."""
    loaded = []
    for path in paths:
        file = path / "results.json" if path.is_dir() else path
        loaded.append((file, load_results(file)))
    names = [data["environment"]["host"].get("hostname") or "unknown host" for _, data in loaded]
    sources = []
    for (file, data), name in zip(loaded, names, strict=True):
        label = name if names.count(name) == 1 else f"{name} ({data.get('created', file.parent.name)})"
        sources.append(Source(label, file, data))
    labels = [s.label for s in sources]
    if len(set(labels)) != len(labels):  # same host, same second: fall back to position
        sources = [Source(f"{s.label} #{i}", s.path, s.data) for i, s in enumerate(sources, 1)]
    return sources
