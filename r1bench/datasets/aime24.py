"""AIME 2024 in either schema (HuggingFaceH4/aime_2024 or Maxwell-Jia/AIME_2024) as math docs.

Answers become plain integer strings ("025" -> "25"); ``source_id`` ("2024-I-1") names the problem
the same way in both schemas so runs on either copy can be compared.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any, Literal

from r1bench.datasets.files import (
    DataNotFoundError,
    SchemaError,
    check_size,
    locate,
    read_records,
    resolve_data_dir,
)
from r1bench.datasets.specs import get_spec

__all__ = ["TASK", "load", "normalise", "normalise_answer"]

logger = logging.getLogger(__name__)

TASK = "r1_aime24"
Source = Literal["auto", "HuggingFaceH4/aime_2024", "Maxwell-Jia/AIME_2024"]

_URL_RE = re.compile(r"(\d{4})_AIME_(I{1,2})_Problems/Problem_(\d+)")
_ID_RE = re.compile(r"^(\d{4})-(I{1,2})-(\d+)$")


def normalise_answer(value: Any, where: str) -> str:
    """An AIME answer (int, "033", " 33 ") as a plain integer string ("33")."""
    text = str(value).strip()
    if isinstance(value, bool) or not re.fullmatch(r"\d{1,3}", text):
        raise SchemaError(f"{where}: AIME answer {value!r} is not an integer 0-999")
    return str(int(text))


def _h4_doc(row: dict[str, Any], where: str) -> dict[str, Any]:
    match = _URL_RE.search(str(row.get("url") or ""))
    year = row.get("year")
    source_id = None
    if match:
        source_id = f"{match.group(1)}-{match.group(2)}-{int(match.group(3))}"
        year = year or match.group(1)
    return {
        "id": str(row["id"]),
        "kind": "math",
        "problem": str(row["problem"]),
        "answer": normalise_answer(row["answer"], where),
        "solution": str(row.get("solution") or ""),
        "year": str(year) if year not in (None, "") else None,
        "url": row.get("url"),
        "source_id": source_id,
    }


def _maxwell_doc(row: dict[str, Any], where: str) -> dict[str, Any]:
    ident = str(row["ID"]).strip()
    match = _ID_RE.match(ident)
    return {
        "id": ident,
        "kind": "math",
        "problem": str(row["Problem"]),
        "answer": normalise_answer(row["Answer"], where),
        "solution": str(row.get("Solution") or ""),
        "year": match.group(1) if match else None,
        "url": None,
        "source_id": f"{match.group(1)}-{match.group(2)}-{int(match.group(3))}" if match else None,
    }


def normalise(rows: list[dict[str, Any]], path: Path) -> list[dict[str, Any]]:
    """Rows of either schema -> math docs, detected per row by its field names."""
    docs = []
    for i, row in enumerate(rows):
        where = f"{path}: row {i + 1}"
        if {"id", "problem", "answer"} <= row.keys():
            docs.append(_h4_doc(row, where))
        elif {"ID", "Problem", "Answer"} <= row.keys():
            docs.append(_maxwell_doc(row, where))
        else:
            raise SchemaError(
                f"{where}: neither the HuggingFaceH4 schema (id, problem, answer) nor the "
                f"Maxwell-Jia schema (ID, Problem, Answer); fields: {', '.join(sorted(row))}"
            )
    return docs


def load(
    *,
    data_dir: str | os.PathLike[str] | None = None,
    source: Source = "auto",
    verify: bool = True,
) -> list[dict[str, Any]]:
    """Load AIME 2024 (30 problems). ``source="auto"``: HuggingFaceH4 first, then Maxwell-Jia."""
    spec = get_spec(TASK)
    files = spec.all_files()
    if source != "auto":
        files = tuple(f for f in files if f.repo_id == source)
        if not files:
            known = ", ".join(f.repo_id for f in spec.all_files())
            raise ValueError(f"{TASK}: unknown source {source!r}; use auto, {known}")
    elif resolve_data_dir(data_dir) is None:
        files = files[:1]  # on the hub, the default source only
    errors: list[str] = []
    for file in files:
        try:
            path = locate(file, TASK, data_dir, verify=verify)
        except DataNotFoundError as exc:
            errors.append(str(exc))
            continue
        return check_size(normalise(read_records(path), path), path, TASK)
    raise DataNotFoundError(" | ".join(errors))
