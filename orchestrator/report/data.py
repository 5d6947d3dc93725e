"""Results files as the report sees them: one Source per file, one Bench per (client, case).

Only reading and light reshaping happens here (ns to ms; the records are
orchestrator.results.records'); every statistic the report shows is either read from the
file or computed by orchestrator.stats from the runs in it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from ..config.model import ClientSpec, Config, load_config
from ..errors import PolybenchError
from ..results.model import load_results
from ..results.records import (
    Article,
    Baseline,
    Benchmark,
    CellSummary,
    ClientRecord,
    Environment,
    ImportTime,
    Ratio,
    ReportSettings,
    Results,
    Run,
    Settings,
)
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

    cell: Benchmark

    @property
    def client(self) -> str:
        return self.cell.client

    @property
    def language(self) -> str:
        return self.cell.language

    @property
    def concurrency_model(self) -> str:
        return self.cell.concurrency_model

    @property
    def scenario(self) -> str:
        return self.cell.scenario

    @property
    def case(self) -> str:
        return self.cell.case

    @property
    def params(self) -> Mapping[str, int]:
        return self.cell.params

    @property
    def calls(self) -> int:
        return self.cell.calls

    @property
    def status(self) -> str:
        return self.cell.status

    @property
    def status_reason(self) -> str | None:
        return self.cell.status_reason

    @property
    def imports(self) -> list[ImportTime] | None:
        return self.cell.imports

    @property
    def runs(self) -> list[Run]:
        return list(self.cell.runs)

    @property
    def failed_runs(self) -> list[Run]:
        return list(self.cell.failed_runs)

    @property
    def summary(self) -> CellSummary | None:
        return self.cell.summary

    @property
    def ok(self) -> bool:
        return self.cell.summary is not None and bool(self.cell.runs)

    def metric(self, name: str) -> Summary:
        """wall_ms, user_ms, sys_ms or peak_rss_mib as a Summary; only for a bench that is `ok`."""
        found = getattr(self.cell.summary, name, None) if self.cell.summary else None
        if not isinstance(found, Summary):
            raise ValueError(f"{self.client} {self.case} has no {name} statistics (status {self.status})")
        return found

    @property
    def wall(self) -> Summary:
        return self.metric("wall_ms")

    @property
    def phases(self) -> dict[str, Summary] | None:
        summary = self.cell.summary
        if not summary or not summary.phases_ms:
            return None
        return {phase: summary.phases_ms[phase] for phase in PHASES}

    @property
    def walls_ms(self) -> list[float]:
        return [run.wall_ns / NS_PER_MS for run in self.cell.runs]

    def phase_ms(self, phase: str) -> list[float]:
        """One phase of every run, in ms (empty unless every run has phases)."""
        runs = self.cell.runs
        if not runs or not all(run.phases_ns for run in runs):
            return []
        return [run.phases_ns[phase] / NS_PER_MS for run in runs if run.phases_ns]


@dataclass(frozen=True)
class Source:
    """One results.json: one host's run of one profile."""

    label: str  # how tables name the host
    path: Path
    results: Results = field(repr=False)

    @cached_property
    def benches(self) -> list[Bench]:
        return [Bench(cell) for cell in self.results.benchmarks]

    @property
    def environment(self) -> Environment:
        return self.results.environment

    @property
    def settings(self) -> Settings:
        return self.results.settings

    def client_record(self, client: str) -> ClientRecord | None:
        """What the results file's environment says about a client (its YAML keys, build, versions)."""
        return self.environment.clients.get(client)

    def setup_in_network(self, client: str) -> str | None:
        """Why the client's network phase also holds set-up, by its own account (polybench.yaml
        `setup_in_network`), or None. Where set, the phases do not split fixed from per-call cost: the
        report's one rule is to mark the client's phase split and leave it out of fixed / per-call claims."""
        record = self.client_record(client)
        return (record.setup_in_network or None) if record is not None else None

    def resident(self, client: str) -> bool:
        """Whether the client's runs talk to a resident process (polybench.yaml `service:`), never timed."""
        record = self.client_record(client)
        return bool(record and record.service)

    def role(self, client: str) -> str:
        """contender | reference | floor | variant (polybench.yaml `role`; older files: contender)."""
        record = self.client_record(client)
        return str(record.role if record and record.role else "contender")

    def compiled(self, client: str) -> bool:
        """polybench.yaml `compiled` where the file records it; older files: today's config's."""
        record = self.client_record(client)
        if record is not None and record.compiled is not None:
            return record.compiled
        spec = _client_now(client)
        return spec.compiled if spec is not None else False

    def compiled_contender(self, client: str) -> bool:
        """A compiled client under test: the side of "when does a compiled client beat it?" (not a
        reference, a floor or a variant). Older files record no role: today's config's is used here."""
        record = self.client_record(client)
        role = record.role if record is not None and record.role is not None else \
            getattr(_client_now(client), "role", "contender")
        return self.compiled(client) and role == "contender"

    @property
    def report_settings(self) -> ReportSettings:
        """polybench.yaml `report:` as recorded in the file ({focus, article}); older files: today's config's."""
        recorded = self.environment.report
        if recorded is None:
            config = _config_now()
            recorded = ReportSettings.from_json(config.report.to_json() if config else {}, "report")
        return recorded

    @property
    def packages_shown(self) -> list[str]:
        """The orchestrator's packages the report lists with their versions (`report.packages_shown`);
        a file recorded before that key existed: today's config's."""
        shown = self.report_settings.packages_shown
        if shown is None:
            config = _config_now()
            shown = list(config.report.packages_shown) if config else []
        return list(shown)

    @property
    def article(self) -> Article | None:
        """The article the report quotes (`report.article`); its start-up and escape rows are today's
        config's for a file recorded before they were (same title only, else none)."""
        article = self.report_settings.article
        if article is None or (article.startup_ms is not None and article.escapes is not None):
            return article
        config = _config_now()
        now = config.report.article if config else None
        if not now or now.get("title") != article.title:
            return replace(article, startup_ms=article.startup_ms or [], escapes=article.escapes or [])
        rows = Article.from_json({**article.to_json(), "startup_ms": now["startup_ms"], "escapes": now["escapes"]},
                                 "report.article")
        return replace(article, startup_ms=article.startup_ms or rows.startup_ms,
                       escapes=article.escapes or rows.escapes)

    @property
    def focus(self) -> str | None:
        """The client the findings are about (`report.focus`), or None."""
        return self.report_settings.focus

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
        record = self.client_record(client)
        recorded = record.language if record is not None else None
        return recorded or getattr(_client_now(client), "language", None)

    def chart_style(self, client: str) -> Mapping[str, str]:
        """polybench.yaml `chart` ({color, marker, hatch}), or {} for the default look."""
        record = self.client_record(client)
        return (record.chart if record is not None else None) or {}

    def variant_label(self, client: str) -> str | None:
        """polybench.yaml `variant` (how a variant runs its original, e.g. "Nuitka"), or None."""
        record = self.client_record(client)
        return record.variant if record is not None else None

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

    def ratio(self, case: str, client: str) -> Ratio | None:
        return next((r for r in self.results.ratios if r.case == case and r.client == client), None)

    def failed_runs(self) -> list[tuple[Bench, Run]]:
        return [(bench, run) for bench in self.benches for run in bench.failed_runs]

    @property
    def baselines(self) -> list[Baseline]:
        """The timed baseline commands (baseline, not a client); [] in files written before them."""
        return list(self.results.baselines or [])

    def variants(self) -> dict[str, list[str]]:
        """original client -> its variants (role variant, `variant_of`), in the file's client order."""
        found: dict[str, list[str]] = {}
        for client in self.clients():
            record = self.client_record(client)
            if self.role(client) == "variant" and record is not None and record.variant_of:
                found.setdefault(str(record.variant_of), []).append(client)
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
    names = [data.environment.host.hostname or "unknown host" for _, data in loaded]
    sources = []
    for (file, data), name in zip(loaded, names, strict=True):
        label = name if names.count(name) == 1 else f"{name} ({data.created})"
        sources.append(Source(label, file, data))
    labels = [s.label for s in sources]
    if len(set(labels)) != len(labels):  # same host, same second: fall back to position
        sources = [Source(f"{s.label} #{i}", s.path, s.results) for i, s in enumerate(sources, 1)]
    return sources
