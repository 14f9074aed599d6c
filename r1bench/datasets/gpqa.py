"""GPQA-Diamond (Idavidrein/gpqa, gpqa_diamond.csv; gated) as choice docs with stable shuffles.

The four options are shown in an order fixed by a sha256 of the question's ``Record ID``, the same
on every run, machine, backend and Python version; the permutation and gold letter go in the doc.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from pathlib import Path
from typing import Any

from r1bench.datasets.files import SchemaError, check_size, locate, read_records, spec_file

__all__ = ["TASK", "LETTERS", "load", "normalise", "option_permutation", "clean_text"]

logger = logging.getLogger(__name__)

TASK = "r1_gpqa_diamond"
LETTERS = "ABCD"
PERMUTATION_SALT = "r1bench-gpqa-v1"  # changing it changes every shown order: bump task versions
FIELDS = (
    "Question",
    "Correct Answer",
    "Incorrect Answer 1",
    "Incorrect Answer 2",
    "Incorrect Answer 3",
    "Record ID",
)


def clean_text(text: Any) -> str:
    """Strip stray whitespace: CRLF -> LF, trailing spaces per line, blank edges."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t]+\n", "\n", text)
    return text.strip()


def option_permutation(record_id: str, n: int = 4) -> list[int]:
    """Shown position -> original option index (0 = correct answer), from sha256 of ``record_id``."""

    def key(i: int) -> str:
        return hashlib.sha256(f"{PERMUTATION_SALT}|{record_id}|{i}".encode()).hexdigest()

    return sorted(range(n), key=key)


def normalise(rows: list[dict[str, Any]], path: Path) -> list[dict[str, Any]]:
    """GPQA CSV rows -> choice docs ``{id, kind, question, choices, answer, permutation, ...}``."""
    docs = []
    seen: set[str] = set()
    for i, row in enumerate(rows):
        missing = [f for f in FIELDS if f not in row]
        if missing:
            raise SchemaError(f"{path}: row {i + 2}: missing column(s) {', '.join(missing)}")
        record_id = clean_text(row["Record ID"])
        if not record_id or record_id in seen:
            raise SchemaError(f"{path}: row {i + 2}: empty or duplicate Record ID {record_id!r}")
        seen.add(record_id)
        original = [clean_text(row[f]) for f in FIELDS[1:5]]
        if any(not opt for opt in original):
            raise SchemaError(f"{path}: row {i + 2} ({record_id}): an answer option is empty")
        perm = option_permutation(record_id)
        docs.append(
            {
                "id": record_id,
                "kind": "choice",
                "question": clean_text(row["Question"]),
                "choices": [original[j] for j in perm],
                "answer": LETTERS[perm.index(0)],
                "permutation": perm,
                "domain": clean_text(row.get("High-level domain", "")),
                "subdomain": clean_text(row.get("Subdomain", "")),
            }
        )
    return docs


def load(
    *, data_dir: str | os.PathLike[str] | None = None, verify: bool = True
) -> list[dict[str, Any]]:
    """Load the 198 GPQA-Diamond questions (gated on the hub: needs HF_TOKEN) with fixed shuffles."""
    path = locate(spec_file(TASK), TASK, data_dir, verify=verify)
    return check_size(normalise(read_records(path), path), path, TASK)
