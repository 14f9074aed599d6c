"""Read trace rows from JSONL, JSON or parquet files (or a folder of them) and write JSONL.

Every row carries where it came from (file and line or row number), so a bad row is reported by
location instead of crashing a conversion that already did most of its work.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["SourceRow", "DataFileError", "read_rows", "iter_source_rows", "source_files", "write_jsonl",
           "rows_sha256"]

logger = logging.getLogger(__name__)

_SUFFIXES = (".jsonl", ".json", ".parquet")


class DataFileError(ValueError):
    """A data file that cannot be read at all (missing, unknown type, not JSON)."""


@dataclass(frozen=True)
class SourceRow:
    """One input row and its location (``where`` = ``file:line`` for JSONL, ``file[row]`` otherwise)."""

    data: Any
    where: str


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix in _SUFFIXES and p.is_file())
        if not files:
            raise DataFileError(f"{path}: no .jsonl, .json or .parquet files in this folder")
        return files
    if not path.exists():
        raise DataFileError(f"{path}: no such file")
    if path.suffix not in _SUFFIXES:
        raise DataFileError(f"{path}: unknown file type {path.suffix!r} (use .jsonl, .json or .parquet)")
    return [path]


def source_files(path: str | Path) -> list[Path]:
    """The data files a path names (itself, or the .jsonl/.json/.parquet files of a folder)."""
    return _files(Path(path))


def iter_source_rows(path: str | Path) -> Iterator[SourceRow]:
    """Yield every row of a file or folder with its location; undecodable JSONL lines come back as
    ``SourceRow(data=None, where=...)`` so the caller can count them as dropped."""
    for file in _files(Path(path)):
        if file.suffix == ".jsonl":
            with file.open("rb") as fh:
                for lineno, line in enumerate(fh, 1):
                    if not line.strip():
                        continue
                    try:
                        yield SourceRow(json.loads(line.decode("utf-8")), f"{file}:{lineno}")
                    except (ValueError, RecursionError) as err:  # bad JSON, bad UTF-8, too deep
                        logger.warning("%s:%d: not valid UTF-8 JSON (%s)", file, lineno,
                                       "nested too deeply" if isinstance(err, RecursionError) else err)
                        yield SourceRow(None, f"{file}:{lineno}")
        elif file.suffix == ".json":
            try:
                data = json.loads(file.read_bytes().decode("utf-8"))
            except UnicodeDecodeError as err:
                line = file.read_bytes().count(b"\n", 0, err.start) + 1
                raise DataFileError(f"{file}: line {line}: not UTF-8 (byte {err.start}); save it as UTF-8") from None
            except json.JSONDecodeError as err:
                raise DataFileError(f"{file}: not valid JSON: {err}") from None
            except RecursionError:
                raise DataFileError(f"{file}: JSON nested too deeply to read") from None
            if not isinstance(data, (list, dict)):
                raise DataFileError(f"{file}: expected a JSON array of rows or an object with one list")
            if isinstance(data, dict):
                # {"data": [...]} / {"train": [...]}: the one list-valued key.
                lists = [v for v in data.values() if isinstance(v, list)]
                if len(lists) != 1:
                    raise DataFileError(f"{file}: expected a JSON array of rows or an object with one list")
                data = lists[0]
            for i, row in enumerate(data):
                yield SourceRow(row, f"{file}[{i}]")
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            try:
                table = pq.read_table(file)
            except (pa.ArrowException, OSError) as err:
                raise DataFileError(f"{file}: not a readable parquet file ({err})") from None
            for i, row in enumerate(table.to_pylist()):
                yield SourceRow(row, f"{file}[{i}]")


def read_rows(path: str | Path) -> list[dict[str, Any]]:
    """All decodable rows of a file or folder, as plain dicts (locations dropped)."""
    return [r.data for r in iter_source_rows(path) if isinstance(r.data, dict)]


def write_jsonl(rows: Iterable[dict[str, Any]], path: str | Path) -> int:
    """Write rows as JSONL atomically (temp file then rename); returns the number written."""
    from r1bench.io import atomic_writer

    n = 0
    with atomic_writer(path) as fh:  # a crash leaves the old file, never half a new one
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def rows_sha256(rows: Iterable[dict[str, Any]]) -> str:
    """sha256 of the rows as canonical JSON lines: the training data's identity in the lineage."""
    h = hashlib.sha256()
    for row in rows:
        h.update(json.dumps(row, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()
