"""Lineage of a trained student: base model, teacher, data hash, recipe and stages, in ``lineage.json``.

The file sits beside the saved model or adapter (and is copied next to evaluation results), so the
leaderboard ingest can record where a number came from. The keys are r1bench's
(:data:`r1bench.results.lineage.R1TRAIN_KEYS`, the schema the leaderboard reads): ``base_model``,
``teacher``, ``train_data_sha256``, ``recipe``, ``stages``, plus ``adapter`` / ``pretrained`` (what
to load the adapter onto), ``r1train_version``, ``created``, and those ``r1train merge`` /
``r1train eval`` add (``merged_from``, ``evaluated_model``, ``eval_command``).
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
from pathlib import Path
from typing import Any

from r1bench.results.lineage import LINEAGE_FIELDS, LINEAGE_FILE, R1TRAIN_KEYS
from r1train import __version__

__all__ = ["LINEAGE_FILE", "read_lineage", "write_lineage", "build_lineage", "recipe_info"]

logger = logging.getLogger(__name__)


def read_lineage(model_dir: str | Path) -> dict[str, Any] | None:
    """The lineage stored beside a model, or None when there is none (a hub id, a plain model)."""
    path = Path(model_dir) / LINEAGE_FILE
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def write_lineage(model_dir: str | Path, lineage: dict[str, Any]) -> Path:
    """Write ``lineage.json`` into ``model_dir``; returns its path. A key outside the shared schema
    is written but named in a warning (the leaderboard will ignore it); the file is never lost."""
    from r1bench.io import atomic_write_json

    unknown = sorted(set(lineage) - set(R1TRAIN_KEYS) - set(LINEAGE_FIELDS))
    if unknown:
        logger.warning("lineage key(s) %s are not in r1bench's lineage schema: the leaderboard ignores them",
                       ", ".join(unknown))
    path = Path(model_dir) / LINEAGE_FILE
    atomic_write_json(path, lineage)
    return path


def recipe_info(path: str | Path | None) -> dict[str, Any] | None:
    """Name (``<model>/<method>/config_<tag>`` when under recipes/), path and sha256 of a recipe file."""
    if path is None:
        return None
    import hashlib

    p = Path(path)
    parts = p.resolve().parts
    name = "/".join(parts[parts.index("recipes") + 1 :]) if "recipes" in parts else p.name
    return {"name": name.removesuffix(".yaml"), "path": str(p), "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}


def build_lineage(
    *,
    stage: dict[str, Any],
    previous: dict[str, Any] | None,
    base_model: str,
    recipe: dict[str, Any] | None,
    adapter: bool,
    pretrained: str,
) -> dict[str, Any]:
    """Extend ``previous`` (the lineage of the model this stage started from) with one stage."""
    stages = [*(previous or {}).get("stages", []), stage]
    teachers = [s.get("teacher") for s in stages if s.get("teacher")]
    return {
        "base_model": (previous or {}).get("base_model") or base_model,
        "teacher": stage.get("teacher") or (teachers[-1] if teachers else None),
        "train_data_sha256": stage.get("train_data_sha256"),
        "recipe": recipe,
        "stages": stages,
        "adapter": adapter,
        "pretrained": pretrained,
        "r1train_version": __version__,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }
