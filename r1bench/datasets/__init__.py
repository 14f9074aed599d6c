"""Benchmark loaders: rows from the hub or a local directory -> normalised docs.

``load_task_docs(task)`` is the one entry point (the schemas are in each loader's docstring). Math docs:
``id, kind="math", problem, answer`` (+ metadata); choice docs: ``id, kind="choice", question,
choices (4, shown order), answer (letter)`` (+ ``permutation`` / ``category`` /
``selection_fingerprint``). Data dir: argument, else ``$R1BENCH_DATA_DIR``, else the hub.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
from collections.abc import Iterable
from typing import Any

from r1bench.datasets.files import (
    DATA_DIR_ENV,
    ChecksumError,
    DataError,
    DataNotFoundError,
    SchemaError,
)
from r1bench.datasets.specs import TASK_DATASETS, DataFile, DatasetSpec
from r1bench.registry import TASK_SPECS, get_task

__all__ = [
    "load_task_docs",
    "dataset_fingerprint",
    "check_fingerprint",
    "TASK_DATASETS",
    "TASKS",
    "DatasetSpec",
    "DataFile",
    "DataError",
    "DataNotFoundError",
    "ChecksumError",
    "SchemaError",
    "DATA_DIR_ENV",
]

# task -> loader ("module:function" with `load(*, data_dir=None, **options) -> list[dict]`); a view
# of the task registry (r1bench.registry), where a task's loader is written.
TASKS: dict[str, str] = {t.name: t.loader for t in TASK_SPECS.values()}


def load_task_docs(
    task: str, *, data_dir: str | os.PathLike[str] | None = None, **options: Any
) -> list[dict]:
    """Normalised docs of ``task`` (one of :data:`TASKS`); ``options`` go to that task's loader.

    Options: ``verify`` (all but smoke; False skips pinned sha256 checks), ``source`` (AIME),
    ``quotas``, ``allocation``, ``n``, ``seed``, ``molecule`` (MoleculeQA).
    """
    spec = get_task(task)
    module, _, function = spec.loader.partition(":")
    load = getattr(importlib.import_module(module), function)
    if spec.embedded:
        if options:
            raise TypeError(f"{task} takes no options, got {', '.join(sorted(options))}")
        return load()
    docs = load(data_dir=data_dir, **options)
    check_fingerprint(task, docs, verify=options.get("verify", True))
    return docs


def check_fingerprint(task: str, docs: list[dict[str, Any]], *, verify: bool = True) -> str:
    """The docs' fingerprint; ChecksumError when ``task`` pins its selection and this is not it.

    Catches an edited gold (e.g. an AIME answer changed to 999) whatever file format carried it.
    ``verify=False`` or ``$R1BENCH_SKIP_SHA256`` only warn, as for file digests.
    """
    from r1bench.datasets.files import skip_sha256
    from r1bench.datasets.specs import pinned_fingerprints

    value = dataset_fingerprint(docs)
    pins = pinned_fingerprints(task)
    if pins and value not in pins:
        msg = (f"{task}: the {len(docs)} loaded questions and gold answers have fingerprint {value}, "
               f"not the pinned {' or '.join(pins)}: a file was edited, truncated or is another "
               "version; fetch it again (`r1bench data fetch`), or set R1BENCH_SKIP_SHA256=1 to use "
               "it anyway (results will not be comparable)")
        if verify and not skip_sha256():
            raise ChecksumError(msg)
        logging.getLogger(__name__).warning("%s (not enforced)", msg)
    return value


def dataset_fingerprint(docs: Iterable[dict[str, Any]]) -> str:
    """sha256 over the sorted (id, answer) pairs: names the exact questions and golds of a run.

    ``source_id`` is used when present, so the same AIME problems give the same fingerprint from
    either hub schema (their ids differ: "60" vs "2024-I-1").
    """
    pairs = sorted((str(d.get("source_id") or d["id"]), str(d["answer"])) for d in docs)
    return hashlib.sha256(
        json.dumps(pairs, ensure_ascii=False, separators=(",", ":")).encode()
    ).hexdigest()
