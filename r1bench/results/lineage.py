"""The lineage of a trained model, one schema shared by r1train (writer) and the leaderboard (reader).

``r1train`` writes ``lineage.json`` beside a saved model or adapter and copies it beside the
evaluation results (keys: :data:`R1TRAIN_KEYS`); the leaderboard ingest maps it onto an entry's
``lineage`` (fields: :data:`LINEAGE_FIELDS`) with :func:`normalize_lineage`.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from r1bench.results.schema import ResultsFileError, read_json

__all__ = [
    "LINEAGE_FILE",
    "LINEAGE_FIELDS",
    "R1TRAIN_KEYS",
    "read_lineage_file",
    "normalize_lineage",
    "merge_lineage",
]

log = logging.getLogger(__name__)

#: The file name, beside a model (r1train) and beside a run's results_<ts>.json.
LINEAGE_FILE = "lineage.json"
#: An entry's ``lineage`` fields on a leaderboard (also ``r1bench leaderboard add`` flags).
LINEAGE_FIELDS = ("base_model", "teacher", "data_hash", "recipe", "method", "rewards")
#: The keys of r1train's ``lineage.json`` (``r1train.lineage.write_lineage`` warns on others).
R1TRAIN_KEYS = ("base_model", "teacher", "train_data_sha256", "recipe", "stages", "adapter", "pretrained",
                "r1train_version", "created", "merged_from", "evaluated_model", "eval_command")


def read_lineage_file(path: str | os.PathLike, *, missing_ok: bool = False) -> dict[str, Any] | None:
    """Read a lineage JSON file (r1train's ``lineage.json`` or a hand-written one), normalised."""
    p = Path(path)
    if missing_ok and not p.is_file():
        return None
    try:
        data = read_json(p, strict=True)
    except ResultsFileError as exc:
        if "cannot read" in str(exc):
            raise ResultsFileError(p, str(exc).removeprefix(f"{p}: ").replace("cannot read",
                                   "cannot read lineage file")) from None
        raise
    return normalize_lineage(data, where=str(p))


def _recipe_text(value: Any, where: str) -> str | None:
    if value is None or isinstance(value, str):
        return value or None
    if isinstance(value, dict):
        name = value.get("name") or value.get("path")
        sha = value.get("sha256")
        if not name and not sha:
            raise ResultsFileError(where, "recipe object has neither name nor sha256", field="recipe")
        return f"{name}@{sha}" if name and sha else str(name or sha)
    raise ResultsFileError(where, f"recipe must be a string or an object, got {type(value).__name__}",
                           field="recipe")


def normalize_lineage(data: Any, *, where: str = "<lineage>") -> dict[str, Any] | None:
    """Map a lineage object onto the entry's fields (base_model, teacher, data_hash, recipe, method,
    rewards).

    r1train's keys are translated: ``train_data_sha256`` -> ``data_hash`` (unless ``data_hash`` is
    given), ``recipe`` {name, sha256} -> ``"name@sha256"``. Other keys are ignored (unknown ones with
    a warning, r1train's own quietly). Returns None when no field is set.
    """
    if not isinstance(data, dict):
        raise ResultsFileError(where, f"lineage must be a JSON object, got {type(data).__name__}")
    unknown = sorted(set(data) - set(LINEAGE_FIELDS) - set(R1TRAIN_KEYS))
    if unknown:
        log.warning("%s: ignoring unknown lineage field(s): %s (known: %s)", where, ", ".join(unknown),
                    ", ".join(LINEAGE_FIELDS))
    out: dict[str, Any] = {}
    for key in ("base_model", "teacher"):
        out[key] = data.get(key)
    out["data_hash"] = data.get("data_hash") or data.get("train_data_sha256")
    out["recipe"] = _recipe_text(data.get("recipe"), where)
    stages = [st for st in data.get("stages") or [] if isinstance(st, dict)]
    # How the student was made: the stages' methods in order ("full+grpo"), and the reward
    # weights of the last RL stage ("accuracy=1.0,format=0.2"), so a GRPO student says so on a board.
    out["method"] = data.get("method") or ("+".join(str(st["method"]) for st in stages if st.get("method")) or None)
    rewards = data.get("rewards")
    if rewards is None:
        rewards = next((st["rewards"] for st in reversed(stages) if isinstance(st.get("rewards"), dict)), None)
    if isinstance(rewards, dict):
        rewards = ",".join(f"{name}={weight}" for name, weight in rewards.items())
    out["rewards"] = rewards
    for key, value in out.items():
        if value is not None and not isinstance(value, (str, int, float)):
            raise ResultsFileError(where, f"must be a string, got {type(value).__name__}", field=key)
    clean = {k: (None if v in (None, "") else str(v)) for k, v in out.items()}
    return clean if any(v is not None for v in clean.values()) else None


def merge_lineage(*layers: dict[str, Any] | None) -> dict[str, Any] | None:
    """Later layers override earlier ones field by field (a None field keeps the earlier value)."""
    out: dict[str, Any] = dict.fromkeys(LINEAGE_FIELDS)
    for layer in layers:
        for key, value in (layer or {}).items():
            if key not in out:
                raise ValueError(f"unknown lineage field {key!r} (known: {', '.join(LINEAGE_FIELDS)})")
            if value not in (None, ""):
                out[key] = str(value)
    return out if any(v is not None for v in out.values()) else None

