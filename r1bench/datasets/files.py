"""Locating benchmark files: a local directory in the hub's layout, or the Hugging Face hub.

``data_dir`` argument, else ``$R1BENCH_DATA_DIR``, else the hub. Pinned sha256 digests are checked
either way; a missing file or a mismatch is a :class:`DataError` naming the file and the fix.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from r1bench.datasets.specs import DataFile, get_spec

__all__ = [
    "DataError",
    "DataNotFoundError",
    "ChecksumError",
    "SchemaError",
    "DATA_DIR_ENV",
    "SKIP_SHA256_ENV",
    "resolve_data_dir",
    "locate",
    "download",
    "sha256_file",
    "check_sha256",
    "read_records",
    "read_json",
]

logger = logging.getLogger(__name__)

DATA_DIR_ENV = "R1BENCH_DATA_DIR"
SKIP_SHA256_ENV = "R1BENCH_SKIP_SHA256"  # "1": do not enforce pins (for hand-made fixtures)
CACHE_ENV = "R1BENCH_DATA_CACHE"  # where hub-built files (hub_mode="dataset") are materialised
GPQA_TERMS_URL = "https://huggingface.co/datasets/Idavidrein/gpqa"


class DataError(Exception):
    """Benchmark data is missing, corrupt or not in the expected schema."""


class DataNotFoundError(DataError, FileNotFoundError):
    """Neither the local data directory nor the hub could provide a file."""


class ChecksumError(DataError):
    """A file's sha256 is not one of the pinned digests."""


class SchemaError(DataError, ValueError):
    """A file does not have the fields or shape its loader expects."""


def resolve_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path | None:
    """The local data directory to use: the argument, else ``$R1BENCH_DATA_DIR``, else None (hub)."""
    if data_dir is not None and str(data_dir) != "":
        return Path(data_dir).expanduser()
    env = os.environ.get(DATA_DIR_ENV, "").strip()
    return Path(env).expanduser() if env else None


def _fetch_hint(task: str, file: DataFile, data_dir: str = "DIR") -> str:
    hint = (
        f"On a machine with internet run `r1bench data fetch {task} --data-dir {data_dir}` "
        f"and point --data-dir / ${DATA_DIR_ENV} at that folder."
    )
    if file.gated:
        hint += (
            f" {file.repo_id} is gated: accept its terms at {GPQA_TERMS_URL} with your hub account,"
            " then set HF_TOKEN (a read token) before fetching."
        )
    return hint


def skip_sha256() -> bool:
    """True when ``$R1BENCH_SKIP_SHA256`` asks to use files whose digests do not match."""
    return _skip_sha256()


def _skip_sha256() -> bool:
    return os.environ.get(SKIP_SHA256_ENV, "").strip().lower() in {"1", "true", "yes"}


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_sha256(path: Path, file: DataFile, *, verify: bool = True) -> str:
    """Check ``path`` against ``file``'s pinned digests (if any); return its digest.

    Raises :class:`ChecksumError` on a mismatch unless ``verify`` is False or
    ``$R1BENCH_SKIP_SHA256`` is set (then it only logs a warning).
    """
    actual = sha256_file(path)
    if file.sha256 and actual not in file.sha256:
        msg = (
            f"{path}: sha256 {actual} does not match the pinned digest "
            f"{' or '.join(file.sha256)} of {file.rel_path}. The file is corrupt, truncated or a "
            f"different version; fetch it again (`r1bench data fetch`), or set {SKIP_SHA256_ENV}=1 "
            "to use it anyway (results will not be comparable)."
        )
        if file.hub_mode == "dataset" and verify and not _skip_sha256():
            # Written by a dataset writer (bytes vary): the loader checks the content fingerprint.
            logger.info("%s: bytes differ from the pinned copy; its content is checked against the "
                        "pinned fingerprint instead", path)
            return actual
        if verify and not _skip_sha256():
            raise ChecksumError(msg)
        logger.warning("%s (checksum not enforced)", msg)
    return actual


def _local_candidates(file: DataFile, root: Path) -> list[Path]:
    base = root / file.repo_id
    found = [base / file.filename] if (base / file.filename).is_file() else []
    for pattern in file.local_alternatives:
        found += sorted(p for p in base.glob(pattern) if p.is_file())
    return found


def locate(
    file: DataFile,
    task: str,
    data_dir: str | os.PathLike[str] | None = None,
    *,
    verify: bool = True,
) -> Path:
    """Path of ``file``: from the local data dir when one is set (never the hub then), else the hub.

    The file is sha256-checked when pinned. Raises :class:`DataNotFoundError` with the fetch
    command when it is not there.
    """
    root = resolve_data_dir(data_dir)
    if root is not None:
        candidates = _local_candidates(file, root)
        if not candidates:
            where = "--data-dir" if data_dir else f"${DATA_DIR_ENV}"
            raise DataNotFoundError(
                f"{task}: missing data file {root / file.repo_id / file.filename} "
                f"(data dir {root} from {where}; expected the hub layout <dir>/{file.rel_path}). "
                + _fetch_hint(task, file, str(root))
            )
        path = candidates[0]
        logger.info("%s: reading %s", task, path)
        check_sha256(path, file, verify=verify)
        return path
    try:
        path = download(file)
    except DataError:
        raise
    except Exception as exc:  # network, auth, missing package: all mean "not available here"
        raise DataNotFoundError(
            f"{task}: could not get {file.rel_path} from the Hugging Face hub "
            f"({type(exc).__name__}: {exc}). " + _fetch_hint(task, file)
        ) from exc
    check_sha256(path, file, verify=verify)
    return path


def _cache_root() -> Path:
    env = os.environ.get(CACHE_ENV, "").strip()
    return Path(env).expanduser() if env else Path.home() / ".cache" / "r1bench" / "data"


def download(file: DataFile, root: str | os.PathLike[str] | None = None) -> Path:
    """Download ``file`` from the hub; into ``<root>/<repo_id>/<filename>`` when ``root`` is given.

    ``hub_mode="file"`` uses ``huggingface_hub.hf_hub_download`` (the hub cache when ``root`` is
    None); ``"dataset"`` loads the split with ``datasets.load_dataset`` and writes JSON lines
    (under ``$R1BENCH_DATA_CACHE`` or ``~/.cache/r1bench/data`` when ``root`` is None).
    Needs network access; the token comes from ``HF_TOKEN`` / ``huggingface-cli login``.
    """
    token = os.environ.get("HF_TOKEN") or None
    if file.hub_mode == "file":
        from huggingface_hub import hf_hub_download

        kwargs: dict[str, Any] = {
            "repo_id": file.repo_id,
            "filename": file.filename,
            "repo_type": "dataset",
            "token": token,
        }
        if root is not None:
            kwargs["local_dir"] = str(Path(root) / file.repo_id)
        return Path(hf_hub_download(**kwargs))

    import datasets

    target = Path(root if root is not None else _cache_root()) / file.repo_id / file.filename
    ds = datasets.load_dataset(file.repo_id, file.config, split=file.split, token=token)
    from r1bench.io import atomic_writer

    with atomic_writer(target) as fh:
        for row in ds:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return target


def read_json(path: Path) -> Any:
    """Parse a JSON file; a :class:`SchemaError` naming the file, line and column on bad JSON."""
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except json.JSONDecodeError as exc:
        raise SchemaError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SchemaError(f"{path}:{lineno}: invalid JSON: {exc.msg}") from exc
            if not isinstance(row, dict):
                raise SchemaError(
                    f"{path}:{lineno}: expected a JSON object, got {type(row).__name__}"
                )
            rows.append(row)
    return rows


def read_records(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Rows of a ``.jsonl``, ``.json`` (array of objects or JSON lines), ``.parquet`` or ``.csv`` file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return _read_jsonl(path)
    if suffix == ".json":
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
        except json.JSONDecodeError as exc:
            if exc.msg == "Extra data":  # JSON lines saved as .json
                return _read_jsonl(path)
            raise SchemaError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc
        if (
            isinstance(data, dict)
            and len(data) == 1
            and isinstance(next(iter(data.values())), list)
        ):
            data = next(iter(data.values()))  # {"data": [...]} wrapper
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise SchemaError(f"{path}: expected a JSON array of objects (or JSON lines)")
        return data
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    if suffix == ".csv":
        with open(path, encoding="utf-8", newline="") as fh:
            return [dict(row) for row in csv.DictReader(fh)]
    raise SchemaError(f"{path}: unsupported file type {suffix!r} (jsonl, json, parquet, csv)")


def require_fields(row: dict[str, Any], fields: tuple[str, ...], path: Path, index: int) -> None:
    """Raise a :class:`SchemaError` naming the file and row when ``row`` lacks any of ``fields``."""
    missing = [f for f in fields if f not in row]
    if missing:
        raise SchemaError(
            f"{path}: row {index + 1}: missing field(s) {', '.join(missing)}; "
            f"has {', '.join(sorted(row)) or 'no fields'}"
        )


def check_size(docs: list[dict[str, Any]], path: Path, task: str) -> list[dict[str, Any]]:
    """``docs`` unchanged; a warning when their number differs from the task's size in the registry."""
    from r1bench.registry import get_task

    expected = get_task(task).n_questions
    if len(docs) != expected:
        logger.warning("%s: %d rows, expected %d", path, len(docs), expected)
    return docs


def spec_file(task: str, index: int = 0) -> DataFile:
    """The ``index``-th main file of ``task``'s spec (a convenience for the loaders)."""
    return get_spec(task).files[index]
