"""r1bench's per-task efficiency summary of a run, written into lm-eval's results JSON.

lm-eval aggregates per-question values (pass@1, the rates); the efficiency figures of
:mod:`r1bench.efficiency` are means and medians over *samples*, some of them defined only for some
samples (``first_correct_tokens``: those whose reasoning held a correct candidate), which lm-eval's
``metric_list`` cannot express. So r1bench computes them from the samples file's records
(:func:`r1bench.metrics.efficiency_summary`, the same function the leaderboard entry and
``r1bench report`` use) and adds them to the results JSON under :data:`EFFICIENCY_KEY`:
``{task: {field: {"mean", "median", "n"}}}``.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from r1bench.io import atomic_write_bytes
from r1bench.metrics import efficiency_summary
from r1bench.results.runs import find_runs, load_results_json, read_samples
from r1bench.results.schema import ResultsFileError

__all__ = ["EFFICIENCY_KEY", "run_efficiency", "add_efficiency"]

log = logging.getLogger(__name__)

#: Top-level key of the results JSON holding r1bench's efficiency summary per task.
EFFICIENCY_KEY = "r1bench_efficiency"


def run_efficiency(samples: dict[str, Path]) -> dict[str, dict[str, Any]]:
    """Efficiency summary per task of a run's samples files (task -> path); a task whose records
    carry no efficiency (older records) or whose samples file cannot be read is left out, logged."""
    out: dict[str, dict[str, Any]] = {}
    for task, path in sorted(samples.items()):
        try:
            records = [r for d in read_samples(path) for r in d.records]
        except ResultsFileError as exc:
            log.warning("no efficiency summary for %s: %s", task, exc)
            continue
        summary = efficiency_summary(records)
        if summary is not None:
            out[task] = summary
    return out


def add_efficiency(path: str | os.PathLike) -> dict[str, dict[str, dict[str, Any]]]:
    """Add the efficiency summary of every task with a samples file to each results_<ts>.json under
    ``path`` (a run folder or one results file), atomically; returns {results path: summary}.

    Idempotent: the summary is recomputed from the records each time. A results file without
    samples files is left as it is.
    """
    written: dict[str, dict[str, dict[str, Any]]] = {}
    for files in find_runs(path):
        summary = run_efficiency(files.samples)
        if not summary:
            continue
        data = load_results_json(files.results_path)
        data[EFFICIENCY_KEY] = summary
        # lm-eval's own layout (indent 2, UTF-8 kept), through a temporary file and a rename.
        text = json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
        atomic_write_bytes(files.results_path, text.encode("utf-8"))
        written[str(files.results_path)] = summary
    return written
