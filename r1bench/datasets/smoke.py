"""r1_smoke: a dozen very easy embedded problems (smoke.jsonl) so a fresh install runs end to end.

Every doc has the same keys (``problem`` is None on choice docs, ``question``/``choices`` None on
math docs) so the mixed set converts to one table.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from r1bench.datasets.files import SchemaError

__all__ = ["TASK", "SMOKE_FILE", "load", "validate"]

TASK = "r1_smoke"
SMOKE_FILE = "smoke.jsonl"
KEYS = ("id", "kind", "answer_type", "problem", "question", "choices", "answer")


def validate(doc: dict[str, Any], where: str) -> None:
    """Raise :class:`SchemaError` unless ``doc`` is a well-formed math or choice doc."""
    if tuple(doc) != KEYS:
        raise SchemaError(f"{where}: keys {list(doc)} != {list(KEYS)}")
    if not isinstance(doc["answer"], str) or not doc["answer"].strip():
        raise SchemaError(f"{where}: empty answer")
    if doc["kind"] == "math":
        if not isinstance(doc["problem"], str) or not doc["problem"].strip():
            raise SchemaError(f"{where}: math doc without a problem")
    elif doc["kind"] == "choice":
        choices = doc["choices"]
        if (
            not isinstance(choices, list)
            or len(choices) != 4
            or not all(isinstance(c, str) and c for c in choices)
        ):
            raise SchemaError(f"{where}: a choice doc needs 4 non-empty choices")
        if doc["answer"] not in "ABCD" or len(doc["answer"]) != 1:
            raise SchemaError(f"{where}: choice answer {doc['answer']!r} is not a letter A-D")
        if not isinstance(doc["question"], str) or not doc["question"].strip():
            raise SchemaError(f"{where}: choice doc without a question")
    else:
        raise SchemaError(f"{where}: kind {doc['kind']!r} is neither math nor choice")


def load(**_: Any) -> list[dict[str, Any]]:
    """The embedded smoke problems (no download, no options)."""
    text = resources.files("r1bench.datasets").joinpath(SMOKE_FILE).read_text(encoding="utf-8")
    docs = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.strip():
            doc = json.loads(line)
            validate(doc, f"r1bench/datasets/{SMOKE_FILE}:{lineno}")
            docs.append(doc)
    return docs
