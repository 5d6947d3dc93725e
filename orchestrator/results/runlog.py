"""runs.jsonl, the run log: one metadata line, then one LoggedRun per line, as the runs happen.

It is appended, flushed and fsynced run by run, so a crash or Ctrl-C loses
nothing and `--resume` can continue. results.json (results/model.py) is made
from it once the matrix is done; each LoggedRun becomes a results.records.Run
there (LoggedRun.to_run).

runs.jsonl is written a line at a time (flushed and fsynced), so the only
damage a crash or a full disk can do is a last line cut short. Rules:
- A torn last line (no newline at the end) is dropped with a warning, and cut
  off the file before anything is appended: otherwise the next record would
  be glued to it and both lost.
- Any other line that is not a complete record is not guessed at: the file is
  refused with one line naming the line number, so no good run is dropped
  silently.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from ..errors import PolybenchError
from ..words import counted
from .records import Run

RUNS_FILE = "runs.jsonl"


def _warn(message: str) -> None:
    print(f"polybench: warning: {message}", file=sys.stderr)


def _is_whole_record(line: bytes) -> bool:
    try:
        record = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return False
    return isinstance(record, dict) and "type" in record


def cut_torn_tail(path: Path) -> None:
    """If path's last line has no newline (a write cut short), truncate it away, with a warning."""
    try:
        with path.open("rb+") as handle:
            size = handle.seek(0, os.SEEK_END)
            if size == 0:
                return
            handle.seek(size - 1)
            if handle.read(1) == b"\n":
                return
            keep = 0
            position = size
            while position > 0:  # find the last newline, reading backwards in blocks
                step = min(65536, position)
                position -= step
                handle.seek(position)
                block = handle.read(step)
                newline = block.rfind(b"\n")
                if newline >= 0:
                    keep = position + newline + 1
                    break
            handle.seek(keep)
            if _is_whole_record(handle.read(size - keep)):
                # Only the newline is missing: the record itself is whole, and kept.
                handle.seek(size)
                handle.write(b"\n")
                handle.flush()
                os.fsync(handle.fileno())
                return
            handle.truncate(keep)
            handle.flush()
            os.fsync(handle.fileno())
    except FileNotFoundError:
        return
    except OSError as exc:
        raise PolybenchError(f"cannot repair {path}: {exc.strerror}") from None
    _warn(f"{path}: dropped a partial last line ({counted(size - keep, 'byte')}, a write cut short)")


def read_records(path: Path) -> list[dict[str, Any]]:
    """Every complete line of a runs.jsonl as a JSON object; a torn last line is dropped with a warning."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PolybenchError(f"cannot read {path}: {exc.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_line = data[:exc.start].count(b"\n") + 1
        raise PolybenchError(f"{path} line {bad_line}: not UTF-8 text; not a runs.jsonl polybench wrote") from None
    lines = text.split("\n")
    torn = lines.pop()  # "" when the file ends in a newline, as every complete write does
    if torn.strip():
        _warn(f"{path}: ignoring a partial last line ({counted(len(torn), 'character')}, a write cut short)")
    out = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line, parse_constant=_no_constant)
        except ValueError as exc:
            raise PolybenchError(f"{path} line {number}: not a JSON line ({exc}); "
                                 "remove or fix it to resume") from None
        if not isinstance(record, dict):
            raise PolybenchError(f"{path} line {number}: a JSON {type(record).__name__}, not a record; "
                                 "remove or fix it to resume")
        out.append({**record, "_line": number})  # the line number, for checked_record's messages
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number polybench writes")


def checked_record(cls: type, data: dict[str, Any], path: Path) -> Any:
    """cls(**data) for a dataclass record, or one line naming the line and the field that is wrong."""
    line = data.pop("_line", "?")
    data = {key: value for key, value in data.items() if key != "type"}
    simple: dict[str, type | tuple[type, ...]] = {"int": int, "str": str, "bool": bool, "float": (int, float)}
    for spec in dataclasses.fields(cls):
        required = spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING
        if spec.name not in data:
            if required:
                raise PolybenchError(f"{path} line {line}: run record without {spec.name!r}; "
                                     "remove or fix the line to resume")
            continue
        expected = simple.get(str(spec.type))
        value = data[spec.name]
        wrong_bool = isinstance(value, bool) and expected is not bool
        if expected is not None and (not isinstance(value, expected) or wrong_bool):
            raise PolybenchError(f"{path} line {line}: {spec.name!r} is {value!r}, expected {spec.type}; "
                                 "remove or fix the line to resume")
    # Keys this version does not know are kept, not refused: a newer polybench
    # (or another helper's field) must not make a log unresumable (LoggedRun.extra).
    from_json = getattr(cls, "from_json", None)
    return from_json(data) if from_json is not None else cls(**data)


def has_measurements(directory: Path, runs_file: str) -> bool:
    """Whether a results directory's runs.jsonl holds at least one run line (not only its metadata)."""
    try:
        with (directory / runs_file).open("rb") as handle:
            return any(b'"type":"run"' in line for line in handle)
    except OSError:
        return False


def remove_if_unmeasured(directory: Path, runs_file: str) -> None:
    """After a failure before the first run: remove the folder it created (only runs.jsonl, no runs),
    so that nothing is left for --resume to pick up."""
    try:
        names = {p.name for p in directory.iterdir()}
    except OSError:
        return
    if names <= {runs_file} and not has_measurements(directory, runs_file):
        for name in names:
            (directory / name).unlink(missing_ok=True)
        directory.rmdir()
        try:
            directory.parent.rmdir()  # results/ itself, if this run was its only content
        except OSError:
            pass


@dataclass
class LoggedRun:
    """One process run, verified or not, as a line of runs.jsonl (the run log) holds it.

    Not the same record as results.records.Run, a run inside results.json: a
    logged run also names its cell (client, case), carries importtime's
    imports and keeps unknown keys (``extra``); ``to_run`` is the one
    conversion from the one to the other.

    ``round`` and ``position`` place it in the schedule (1-based: the round,
    and its place in that round's shuffled order; a cell's warm-ups share the
    round and position of the counted run they precede); None in a
    runs.jsonl written before rounds existed. ``extra`` keeps any keys this
    version does not know (fields other parts of polybench add, or a newer
    writer's), so reading and writing a record never drops them.
    """

    run_id: str
    client: str
    case: str
    kind: str  # warmup | counted | importtime
    index: int
    wall_ns: int
    user_ns: int
    sys_ns: int
    peak_rss_kib: int
    exit_code: int
    timed_out: bool
    verified: bool
    unsupported: bool = False
    reason: str | None = None
    phases_ns: dict[str, int] | None = None
    output: dict[str, Any] | None = None
    server: dict[str, Any] | None = None
    started_epoch_ns: int = 0
    imports: list[dict[str, Any]] | None = None  # importtime runs only
    round: int | None = None
    position: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        extra = data.pop("extra")
        return {"type": "run", **extra, **data}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LoggedRun:
        known = {f.name for f in fields(cls)} - {"extra"}
        values = {k: v for k, v in data.items() if k in known}
        extra = {k: v for k, v in data.items() if k not in known and k != "type"}
        return cls(**values, extra=extra)

    def to_run(self) -> Run:
        """This run as results.json keeps it: without type, client, case (its cell says) and imports.

        Raises results.records.ModelError if a field does not fit the results model."""
        data = self.to_json()
        for key in ("type", "client", "case", "imports"):
            data.pop(key, None)
        return Run.from_json(data, f"run {self.run_id}")


class RunLog:
    """runs.jsonl: one metadata line, then one line per run, durable as written."""

    def __init__(self, directory: Path, meta: Mapping[str, Any] | None = None):
        self.directory = directory
        self.path = directory / RUNS_FILE
        directory.mkdir(parents=True, exist_ok=True)
        cut_torn_tail(self.path)  # never append to a line a crash cut short
        fresh = not self.path.exists()
        self._handle = self.path.open("a", encoding="utf-8")
        if fresh:
            self._write({"type": "meta", **(meta or {})})

    def _write(self, data: Mapping[str, Any]) -> None:
        try:
            self._handle.write(json.dumps(data, separators=(",", ":")) + "\n")
            self._handle.flush()
            os.fsync(self._handle.fileno())
        except OSError as exc:  # a full disk: the lines before are safe; a partial one is cut on --resume
            raise PolybenchError(f"cannot write {self.path}: {exc.strerror}") from None

    def append(self, record: LoggedRun) -> None:
        self._write(record.to_json())

    def close(self) -> None:
        try:
            self._handle.close()
        except OSError:
            pass  # a write already failed and was reported; what was fsynced before is kept


def read_run_log(directory: Path) -> tuple[dict[str, Any], list[LoggedRun]]:
    """The metadata and the complete run lines of a runs.jsonl (a torn last line is ignored)."""
    path = directory / RUNS_FILE
    meta: dict[str, Any] = {}
    records: list[LoggedRun] = []
    for data in read_records(path):  # one clear line for anything but a torn last line
        if data.get("type") == "meta":
            meta = {key: value for key, value in data.items() if key != "_line"}
        elif data.get("type") == "run":
            records.append(checked_record(LoggedRun, data, path))
    return meta, records
