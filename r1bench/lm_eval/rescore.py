"""Offline rescoring: the ``r1`` filter and the per-doc metrics re-run on a saved samples file."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from r1bench.lm_eval.filter import score_doc
from r1bench.lm_eval.hooks import SampleCountError, aggregate, process_results

__all__ = ["saved_records", "rescore_samples"]


def saved_records(sample: Mapping[str, Any]) -> list[Mapping[str, Any]] | None:
    """The ``r1`` records saved in a samples line's ``filtered_resps``, or None when absent."""
    from r1bench.records import flatten_filtered_resps, parse_saved_record

    saved = sample.get("filtered_resps")
    if not isinstance(saved, list) or not saved:
        return None
    try:
        return [parse_saved_record(item) for item in flatten_filtered_resps(saved)]
    except ValueError:
        return None


def rescore_samples(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Re-score an lm-eval ``samples_<task>_*.jsonl`` from its raw outputs; deterministic.

    finish_reason, API token counts and API errors come from the saved ``filtered_resps``
    records (the API metadata of the original process is gone), so an API run rescores to the
    same truncated_rate and mean_completion_tokens.

    Returns ``{"n_docs", "k", "metrics": {name: mean}, "per_doc": [...]}``. Errors name the file
    and line.
    """
    path = Path(path)
    per_doc: list[dict[str, float]] = []
    ks: set[int] = set()
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                sample = json.loads(line)
                doc = sample["doc"]
                outputs = sample["resps"][0]
            except (json.JSONDecodeError, KeyError, IndexError, TypeError) as exc:
                raise ValueError(f"{path}:{lineno}: not an lm-eval samples line ({exc})") from exc
            if sample.get("filter", "r1") != "r1":
                continue
            try:
                records = score_doc(doc, outputs, saved_records(sample))
                per_doc.append(process_results(doc, [records]))
            except SampleCountError as exc:
                raise SampleCountError(f"{path}:{lineno}: {exc}") from None
            ks.add(int(doc["r1_k"]))
    if not per_doc:
        raise ValueError(f"{path}: no samples of the r1 filter")
    return {
        "n_docs": len(per_doc),
        "k": sorted(ks)[0] if len(ks) == 1 else sorted(ks),
        "metrics": aggregate(per_doc),
        "per_doc": per_doc,
    }
