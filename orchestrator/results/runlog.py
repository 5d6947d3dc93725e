"""Reading runs.jsonl back safely, and never appending to a torn line.

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
from pathlib import Path
from typing import Any

from ..errors import PolybenchError
from ..words import counted


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
    # (or another helper's field) must not make a log unresumable (RunRecord.extra).
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
