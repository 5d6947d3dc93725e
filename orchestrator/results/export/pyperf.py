"""pyperf's JSON format, written through pyperf's own API, so `python -m pyperf stats|hist|compare_to` read it.

One pyperf Benchmark per cell, named "CLIENT CASE"; one pyperf Run per counted, verified process run,
holding that process's wall time in seconds as its single value (loops=1), the way `pyperf command`
records a command: each value is one whole process. The runs carry what polybench recorded about them
(`date` the spawn time in UTC, `duration`, `command_max_rss` the peak RSS in bytes, as `pyperf command`
names it) and the cell's and host's facts (client, case, the host's name, CPU and OS). Warm-up runs are
counted in `polybench_warmup_runs`; their times are not in results.json, so they are not pyperf warmups.

Runs are built with collect_metadata=False: the machine that exports is not the one that measured.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Mapping
from typing import Any

import pyperf

from ...errors import PolybenchError
from ..records import Results, Run
from .cells import Cell, cell_name, counted_runs, measured_cells, seconds

FILE_NAME = "pyperf.json"


def _date(epoch_ns: int) -> str:
    # pyperf writes dates as datetime.isoformat(' ') (JSON format 5 and later); polybench's are UTC
    return datetime.datetime.fromtimestamp(epoch_ns / 1e9, tz=datetime.UTC).replace(tzinfo=None).isoformat(" ")


def _text(value: Any) -> str:
    # pyperf refuses empty text metadata and line breaks in it
    return " ".join(str(value).split())


def _host_metadata(data: Results) -> dict[str, Any]:
    """pyperf's own metadata names for what results.json knows about the measuring host."""
    host = data.environment.host
    metadata: dict[str, Any] = {
        "hostname": _text(host.hostname or ""),
        "cpu_model_name": _text(host.cpu_model or ""),
        "platform": _text(" ".join(str(value or "") for value in (host.os, host.kernel, host.machine))),
    }
    if host.cpu_count is not None and host.cpu_count > 0:
        metadata["cpu_count"] = host.cpu_count
    return {key: value for key, value in metadata.items() if value != ""}


def _cell_metadata(data: Results, bench: Cell) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "name": _text(cell_name(bench)), "unit": "second", "loops": 1,
        "polybench_client": _text(bench.client), "polybench_case": _text(bench.case),
        "polybench_scenario": _text(bench.scenario),
        "polybench_library": _text(bench.library or ""),
        "polybench_profile": _text(data.profile or ""),
        "polybench_calls": bench.calls,
        "polybench_warmup_runs": bench.warmup_runs,
    }
    return {**_host_metadata(data), **{key: value for key, value in metadata.items() if value != ""}}


def _run(cell_metadata: Mapping[str, Any], run: Run) -> pyperf.Run:
    wall = seconds(run.wall_ns)
    metadata = {**cell_metadata, "duration": wall}
    if run.started_epoch_ns:
        metadata["date"] = _date(run.started_epoch_ns)
    if run.peak_rss_kib:
        metadata["command_max_rss"] = run.peak_rss_kib * 1024
    return pyperf.Run([wall], metadata=metadata, collect_metadata=False)


def benchmark(data: Results, bench: Cell) -> pyperf.Benchmark:
    """One cell (which must have counted runs) as a pyperf Benchmark."""
    metadata = _cell_metadata(data, bench)
    return pyperf.Benchmark([_run(metadata, run) for run in counted_runs(bench)])


def suite(data: Results) -> pyperf.BenchmarkSuite:
    """Every measured cell as one pyperf BenchmarkSuite.

    Raises PolybenchError when no cell has a counted run: pyperf has no empty suite.
    """
    benchmarks = [benchmark(data, bench) for bench in measured_cells(data)]
    if not benchmarks:
        raise PolybenchError("no cell has a verified run: pyperf's format cannot hold an empty suite")
    return pyperf.BenchmarkSuite(benchmarks)


def render(data: Results) -> str:
    """The whole export file, as pyperf's BenchmarkSuite.dump writes it."""
    buffer = io.StringIO()
    suite(data).dump(buffer, compact=False)
    return buffer.getvalue()


def files(data: Results) -> dict[str, str]:
    """{file name: text} this format writes."""
    return {FILE_NAME: render(data)}
