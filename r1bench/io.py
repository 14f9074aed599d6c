"""Safe file I/O shared by every r1bench and r1train command.

Writes go to a temporary file in the destination folder, then one ``os.replace``: a crash, a
Ctrl-C or a full disk leaves either the old file or the new one, never half of one. Reads of JSON
refuse what Python's ``json`` accepts but no other tool does (NaN, Infinity) and turn every
decoding failure (bad UTF-8, nesting too deep for the parser) into one :class:`FileFormatError`
that names the file, the line and what to do.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = [
    "FileFormatError",
    "atomic_write_bytes",
    "atomic_write_text",
    "atomic_write_json",
    "atomic_writer",
    "same_file",
    "strict_json_loads",
    "read_json_file",
    "decode_line",
]


class FileFormatError(ValueError):
    """A file cannot be read as what it should be; the message names the file and the place."""


def _tmp_in(p: Path) -> tuple[int, str]:
    if p.parent and not p.parent.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
    return tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)


def atomic_write_bytes(path: str | os.PathLike, data: bytes, *, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    p = Path(path)
    fd, tmp = _tmp_in(p)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """UTF-8 text variant of :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | os.PathLike, data: Any, *, indent: int | None = 2) -> None:
    """``data`` as JSON (UTF-8 kept, NaN refused, trailing newline), written atomically."""
    atomic_write_text(path, json.dumps(data, indent=indent, ensure_ascii=False, allow_nan=False) + "\n")


@contextmanager
def atomic_writer(path: str | os.PathLike) -> Iterator[IO[str]]:
    """A text handle whose content replaces ``path`` only when the ``with`` block ends normally."""
    p = Path(path)
    fd, tmp = _tmp_in(p)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """True when ``a`` and ``b`` name the same existing file (links and ``..`` resolved)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(a).resolve() == Path(b).resolve()


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON (use null, or a finite number)")


def strict_json_loads(text: str | bytes, *, where: str = "<json>") -> Any:
    """``json.loads`` that refuses NaN/Infinity and reports every failure as one FileFormatError."""
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise FileFormatError(f"{where}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except UnicodeDecodeError as exc:
        raise FileFormatError(f"{where}: not UTF-8 (byte {exc.start}: {exc.reason}); save the file as UTF-8") from None
    except RecursionError:
        raise FileFormatError(f"{where}: JSON nested too deeply to read (hostile or corrupt file?)") from None
    except ValueError as exc:
        raise FileFormatError(f"{where}: {exc}") from None


def read_json_file(path: str | os.PathLike) -> Any:
    """A JSON file, strictly parsed (see :func:`strict_json_loads`); OSError becomes FileFormatError."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise FileFormatError(f"{p}: cannot read: {exc.strerror or exc}") from None
    text = decode_line(data, where=str(p))
    return strict_json_loads(text, where=str(p))


def decode_line(data: bytes, *, where: str, first_line: int = 1) -> str:
    """``data`` as UTF-8, or a FileFormatError naming ``where``, the line and the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + first_line
        raise FileFormatError(f"{where}: line {line}: not UTF-8 (byte {exc.start}: {exc.reason}); "
                              "save the file as UTF-8") from None
