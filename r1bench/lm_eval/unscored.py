"""Crash dumps: raw outputs that could not be scored are saved before the error propagates."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from r1bench.io import atomic_writer

__all__ = ["unscored_dir", "save_unscored"]


def unscored_dir() -> Path:
    """Beside the run's output: ``$R1BENCH_UNSCORED_DIR`` (set by ``r1bench eval``), else lm-eval's
    ``--output_path`` from this process's command line, else the current folder."""
    env = os.environ.get("R1BENCH_UNSCORED_DIR")
    if env:
        return Path(env)
    argv = sys.argv
    for i, arg in enumerate(argv):
        if arg in ("--output_path", "-o") and i + 1 < len(argv):
            return Path(argv[i + 1])
        if arg.startswith("--output_path="):
            return Path(arg.split("=", 1)[1])
    return Path.cwd()


def save_unscored(resps: Sequence[Sequence[str]], docs: Sequence[Mapping[str, Any]]) -> Path:
    """Write every doc with its raw outputs to ``r1bench-unscored-<task>-<time>-<pid>.jsonl`` in
    :func:`unscored_dir`: generations may have cost hours, never lose them to a scoring error."""
    task = str(docs[0].get("r1_task") or "task") if docs else "task"
    folder = unscored_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"r1bench-unscored-{task}-{int(time.time())}-{os.getpid()}.jsonl"
    with atomic_writer(path) as fh:
        for doc, outs in zip(docs, resps):
            fh.write(json.dumps({"doc": dict(doc), "resps": [list(outs)]}, default=str) + "\n")
    return path
