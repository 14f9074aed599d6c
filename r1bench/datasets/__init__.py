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

__all__ = [
    "load_task_docs",
    "dataset_fingerprint",
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

# task -> module with a `load(*, data_dir=None, **options) -> list[dict]`
TASKS: dict[str, str] = {
    "r1_math500": "r1bench.datasets.math500",
    "r1_aime24": "r1bench.datasets.aime24",
    "r1_gpqa_diamond": "r1bench.datasets.gpqa",
    "r1_moleculeqa100": "r1bench.datasets.moleculeqa",
    "r1_smoke": "r1bench.datasets.smoke",
}


def load_task_docs(
    task: str, *, data_dir: str | os.PathLike[str] | None = None, **options: Any
) -> list[dict]:
    """Normalised docs of ``task`` (one of :data:`TASKS`); ``options`` go to that task's loader.

    Options: ``verify`` (all but smoke; False skips pinned sha256 checks), ``source`` (AIME),
    ``quotas``, ``allocation``, ``n``, ``seed``, ``molecule`` (MoleculeQA).
    """
    if task not in TASKS:
        raise KeyError(f"unknown task {task!r}; known tasks: {', '.join(sorted(TASKS))}")
    module = importlib.import_module(TASKS[task])
    if task == "r1_smoke":
        if options:
            raise TypeError(f"r1_smoke takes no options, got {', '.join(sorted(options))}")
        return module.load()
    return module.load(data_dir=data_dir, **options)


def dataset_fingerprint(docs: Iterable[dict[str, Any]]) -> str:
    """sha256 over the sorted (id, answer) pairs: names the exact questions and golds of a run.

    ``source_id`` is used when present, so the same AIME problems give the same fingerprint from
    either hub schema (their ids differ: "60" vs "2024-I-1").
    """
    pairs = sorted((str(d.get("source_id") or d["id"]), str(d["answer"])) for d in docs)
    return hashlib.sha256(
        json.dumps(pairs, ensure_ascii=False, separators=(",", ":")).encode()
    ).hexdigest()
