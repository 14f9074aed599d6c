"""MATH-500 (HuggingFaceH4/MATH-500, test.jsonl) as normalised math docs."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from r1bench.datasets.files import (
    SchemaError,
    check_size,
    locate,
    read_records,
    require_fields,
    spec_file,
)

__all__ = ["TASK", "load", "normalise"]

logger = logging.getLogger(__name__)

TASK = "r1_math500"
FIELDS = ("problem", "solution", "answer", "subject", "level", "unique_id")


def normalise(rows: list[dict[str, Any]], path: Path) -> list[dict[str, Any]]:
    """MATH-500 rows -> docs ``{id, kind, problem, answer, solution, subject, level}``."""
    docs = []
    for i, row in enumerate(rows):
        require_fields(row, FIELDS, path, i)
        try:
            level = int(row["level"])
        except (TypeError, ValueError):
            raise SchemaError(
                f"{path}: row {i + 1}: level {row['level']!r} is not an integer"
            ) from None
        docs.append(
            {
                "id": str(row["unique_id"]),
                "kind": "math",
                "problem": str(row["problem"]),
                "answer": str(row["answer"]).strip(),
                "solution": str(row["solution"]),
                "subject": str(row["subject"]),
                "level": level,
            }
        )
    return docs


def load(
    *, data_dir: str | os.PathLike[str] | None = None, verify: bool = True
) -> list[dict[str, Any]]:
    """Load the 500 MATH-500 test problems (sha256-pinned) from a data dir or the hub."""
    path = locate(spec_file(TASK), TASK, data_dir, verify=verify)
    return check_size(normalise(read_records(path), path), path, TASK)
