"""Versioned JSON files of the results store: loading, JSON Schema validation, atomic writes.

Every file under ``results/`` carries ``schema_version`` and a ``kind`` (``references`` or
``leaderboard``); the JSON Schemas live beside this module in ``schemas/``. Errors name the file,
the entry and the field, so a bad hand edit is found in seconds, and nothing is written until
everything validated (writes go through a temporary file and a rename).
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from r1bench import io as _io

__all__ = [
    "SCHEMA_VERSION",
    "KINDS",
    "ResultsFileError",
    "load_schema",
    "validate_document",
    "load_document",
    "read_json",
    "dumps_canonical",
    "atomic_write_bytes",
    "atomic_write_text",
    "check_run_relative",
]

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
KINDS = ("references", "leaderboard")
_SCHEMA_FILES = {"references": "references.schema.json", "leaderboard": "leaderboard.schema.json"}


class ResultsFileError(ValueError):
    """A results file is unreadable or invalid; the message names file, entry and field."""

    def __init__(self, path: str | os.PathLike | None, message: str, *, entry: str | None = None,
                 field: str | None = None) -> None:
        self.path = str(path) if path is not None else "<memory>"
        self.entry = entry
        self.field = field
        where = self.path
        if entry is not None:
            where += f": entry {entry}"
        if field is not None:
            where += f": field '{field}'"
        super().__init__(f"{where}: {message}")


@cache
def load_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (a dict) for one file kind, read from the package's ``schemas/`` folder."""
    if kind not in _SCHEMA_FILES:
        raise ValueError(f"unknown results file kind {kind!r} (known: {', '.join(KINDS)})")
    text = resources.files("r1bench.results").joinpath("schemas", _SCHEMA_FILES[kind]).read_text(
        encoding="utf-8"
    )
    return json.loads(text)


def _entry_label(doc: dict[str, Any], path_parts: list[Any]) -> tuple[str | None, str | None]:
    """Turn a jsonschema error path into (entry label, dotted field name)."""
    if len(path_parts) >= 2 and path_parts[0] == "entries" and isinstance(path_parts[1], int):
        idx = path_parts[1]
        entries = doc.get("entries") or []
        ident = entries[idx].get("id") if idx < len(entries) and isinstance(entries[idx], dict) else None
        label = f"#{idx}" + (f" (id={ident})" if ident else "")
        rest = path_parts[2:]
    else:
        label, rest = None, path_parts
    field = ".".join(str(p) for p in rest) or None
    return label, field


def validate_document(doc: Any, path: str | os.PathLike | None = None) -> str:
    """Check ``doc`` against its schema (chosen by ``kind``); return the kind or raise ResultsFileError."""
    if not isinstance(doc, dict):
        raise ResultsFileError(path, f"top level must be a JSON object, got {type(doc).__name__}")
    if "schema_version" not in doc:
        raise ResultsFileError(path, "missing required field", field="schema_version")
    version = doc["schema_version"]
    if version != SCHEMA_VERSION or isinstance(version, bool):
        raise ResultsFileError(
            path, f"unknown schema_version {version!r} (this r1bench reads {SCHEMA_VERSION})",
            field="schema_version",
        )
    kind = doc.get("kind")
    if kind not in KINDS:
        raise ResultsFileError(path, f"unknown kind {kind!r} (known: {', '.join(KINDS)})", field="kind")
    validator = jsonschema.Draft202012Validator(load_schema(kind))
    errors = sorted(validator.iter_errors(doc), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    if errors:
        err = errors[0]
        parts = list(err.absolute_path)
        if err.validator == "required":
            # The missing property is named in the message; point the field at it.
            missing = err.message.split("'")[1] if "'" in err.message else None
            parts = parts + ([missing] if missing else [])
        entry, field = _entry_label(doc, parts)
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise ResultsFileError(path, err.message + more, entry=entry, field=field)
    _check_semantics(doc, kind, path)
    return kind


def _check_semantics(doc: dict[str, Any], kind: str, path: str | os.PathLike | None) -> None:
    """Rules a JSON Schema cannot say: unique ids, known source ids, ordered CIs."""
    seen: dict[str, int] = {}
    for i, entry in enumerate(doc["entries"]):
        label = f"#{i} (id={entry['id']})"
        if entry["id"] in seen:
            raise ResultsFileError(path, f"duplicate id (also entry #{seen[entry['id']]})",
                                   entry=label, field="id")
        seen[entry["id"]] = i
        if kind == "references" and entry["source"] not in doc["sources"]:
            raise ResultsFileError(path, f"source {entry['source']!r} is not listed in 'sources'",
                                   entry=label, field="source")
        for fld in ("model", "model.name", "model.base_model", "model.adapter"):
            value: Any = entry
            for part in fld.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if isinstance(value, str) and _CONTROL.search(value):
                raise ResultsFileError(path, f"control character (newline, tab...) in {value!r}: it would "
                                       "break the Markdown tables; use one line of plain text",
                                       entry=label, field=fld)
        if kind == "leaderboard":
            check_run_relative(entry["samples_path"], path, entry=label, field="samples_path")
            for name, score in entry["metrics"].items():
                for key in ("value", "stderr"):
                    x = score.get(key)
                    if isinstance(x, float) and not math.isfinite(x):
                        raise ResultsFileError(path, f"{x} is not a score", entry=label,
                                               field=f"metrics.{name}.{key}")
                ci = score.get("ci95")
                if ci is not None and not ci[0] <= ci[1]:
                    raise ResultsFileError(path, f"ci95 lower bound {ci[0]} above upper {ci[1]}",
                                           entry=label, field=f"metrics.{name}.ci95")
            if entry["protocol"]["task"] != doc["task"]:
                raise ResultsFileError(path, f"task {entry['protocol']['task']!r} differs from the "
                                       f"board's {doc['task']!r}", entry=label, field="protocol.task")


_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def check_run_relative(value: str, path: str | os.PathLike | None, *, entry: str | None = None,
                       field: str = "samples_path") -> None:
    """A path stored in a board must be relative to its run folder and stay inside it."""
    posix = value.replace("\\", "/")
    parts = [p for p in posix.split("/") if p not in ("", ".")]
    if not parts or posix.startswith("/") or re.match(r"^[A-Za-z]:", posix) or ".." in parts:
        raise ResultsFileError(path, f"{value!r} must be a path inside the run folder (relative, no '..')",
                               entry=entry, field=field)


def load_document(path: str | os.PathLike, *, kind: str | None = None) -> dict[str, Any]:
    """Read and validate one results file; ``kind`` (if given) must match the file's kind."""
    p = Path(path)
    try:
        doc = _io.read_json_file(p)
    except _io.FileFormatError as exc:
        # The message already names the file; strip it so ResultsFileError does not repeat it.
        raise ResultsFileError(p, str(exc).removeprefix(f"{p}: ")) from None
    found = validate_document(doc, p)
    if kind is not None and found != kind:
        raise ResultsFileError(p, f"expected a {kind} file, found kind {found!r}", field="kind")
    return doc


def read_json(path: str | os.PathLike, *, strict: bool) -> Any:
    """A JSON file as one ResultsFileError on any failure (bad UTF-8, too deep, NaN when ``strict``)."""
    p = Path(path)
    try:
        if strict:
            return _io.read_json_file(p)
        text = _io.decode_line(p.read_bytes(), where=str(p))
        return json.loads(text)
    except OSError as exc:
        raise ResultsFileError(p, f"cannot read: {exc.strerror or exc}") from None
    except _io.FileFormatError as exc:
        raise ResultsFileError(p, str(exc).removeprefix(f"{p}: ")) from None
    except json.JSONDecodeError as exc:
        raise ResultsFileError(p, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise ResultsFileError(p, "JSON nested too deeply to read (corrupt or hostile file?)") from None


def dumps_canonical(doc: Any) -> str:
    """Stable JSON text: 2-space indent, UTF-8 characters kept, trailing newline (diff friendly)."""
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    _io.atomic_write_bytes(path, data)
    log.debug("wrote %s (%d bytes)", path, len(data))


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """UTF-8 text variant of :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode("utf-8"))
