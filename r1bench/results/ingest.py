"""Build leaderboard entries from lm-eval runs: one entry (schema v1) per task of a run.

The steps live in their own modules and are re-exported here for callers of the ingest:
:mod:`~r1bench.results.runs` (read results JSON and samples files), :mod:`~r1bench.results.lineage`
(the training lineage shared with r1train), :mod:`~r1bench.results.model_info` (model and backend),
:mod:`~r1bench.results.protocol` (the run's protocol), :mod:`~r1bench.results.verify` (re-grade and
cross-check). Scores come from :mod:`r1bench.metrics`, as in lm-eval's hooks and the report.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from r1bench.metrics import aggregate, doc_metrics, efficiency_summary, task_scores
from r1bench.results.leaderboard import TASK_TO_BENCHMARK, entry_id
from r1bench.results.lineage import (
    LINEAGE_FIELDS,
    LINEAGE_FILE,
    merge_lineage,
    normalize_lineage,
    read_lineage_file,
)
from r1bench.results.model_info import backend_version, clean_name, model_info
from r1bench.results.protocol import task_protocol
from r1bench.results.runs import (
    REQUIRED_RECORD_FIELDS,
    RunFiles,
    SampleDoc,
    TaskRun,
    api_failures,
    find_runs,
    is_partial,
    load_results_json,
    load_task_runs,
    parse_record,
    read_samples,
    task_kind,
)
from r1bench.results.schema import ResultsFileError
from r1bench.results.verify import check_verdicts, gold_of, pct, regrade, verify_run

__all__ = [
    "REQUIRED_RECORD_FIELDS",
    "LINEAGE_FILE",
    "LINEAGE_FIELDS",
    "RunFiles",
    "SampleDoc",
    "TaskRun",
    "find_runs",
    "load_results_json",
    "parse_record",
    "read_samples",
    "load_task_runs",
    "read_lineage_file",
    "normalize_lineage",
    "merge_lineage",
    "api_failures",
    "is_partial",
    "task_kind",
    "task_protocol",
    "model_info",
    "backend_version",
    "score_summary",
    "build_entry",
    "regrade",
    "verify_run",
    "clean_name",
]

log = logging.getLogger(__name__)


def _score(s: Any) -> dict[str, Any]:
    return {"value": pct(s.value), "stderr": pct(s.stderr), "ci95": [pct(s.ci95[0]), pct(s.ci95[1])]}


def _efficiency(records: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Efficiency means and medians over the samples (rounded to 4 decimals), None for old records."""
    summary = efficiency_summary(records)
    if summary is None:
        return None
    return {name: {"mean": None if v["mean"] is None else round(v["mean"], 4),
                   "median": None if v["median"] is None else round(v["median"], 4), "n": v["n"]}
            for name, v in summary.items()}


def score_summary(docs: list[SampleDoc], k: int, kind: str = "math") -> dict[str, Any]:
    """pass@1, pass@k and maj@k (mean, stderr, seeded bootstrap CI) and the rates of a task's
    records, in percent (:func:`r1bench.metrics.doc_metrics` per question); the efficiency
    summary when the records carry one."""
    from r1bench.grading import answer_equality

    equal = answer_equality(kind)
    per_doc = [doc_metrics(d.records, gold_of(d), k, equal=equal) for d in docs]
    means = aggregate(per_doc)
    allrecs = [r for d in docs for r in d.records]
    reasoning = [r.get("reasoning_tokens") for r in allrecs]
    out = {
        "metrics": {name: _score(s) for name, s in task_scores(per_doc).items()},
        "rates": {
            "truncated": pct(means["truncated_rate"]),
            "no_answer": pct(means["no_answer_rate"]),
            "loop": pct(means["loop_rate"]),
        },
        "mean_completion_tokens": round(means["mean_completion_tokens"], 2),
        "mean_reasoning_tokens": (round(sum(reasoning) / len(reasoning), 2)
                                  if all(isinstance(x, (int, float)) for x in reasoning) else None),
    }
    efficiency = _efficiency(allrecs)
    if efficiency is not None:
        out["efficiency"] = efficiency
    return out


def _samples_in_run_folder(run: TaskRun) -> str:
    """The samples file's path relative to the run folder; refused if it (or its link) leads outside."""
    sp, folder = run.samples_path, run.files.results_path.parent
    try:
        rel = sp.resolve().relative_to(folder.resolve())
    except ValueError:
        raise ResultsFileError(sp, f"resolves to {sp.resolve()}, outside the run folder {folder}: "
                               "copy the samples file into the run folder", entry=run.task) from None
    if not sp.resolve().is_file():
        raise ResultsFileError(sp, "not a file", entry=run.task)
    return rel.as_posix()


def _date(run: TaskRun) -> str | None:
    ts = run.results.get("date")
    if isinstance(ts, (int, float)):
        return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return run.files.timestamp or None


def _rel(path: Path) -> str:
    """The samples path relative to the current folder (never an absolute, machine-specific path)."""
    return os.path.relpath(path.resolve(), Path.cwd().resolve())


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def build_entry(run: TaskRun, *, lineage: dict[str, Any] | None = None, model_name: str | None = None,
                revision: str | None = None, allow_partial: bool = False, allow_failures: bool = False,
                notes: str | None = None, verify: bool = True) -> dict[str, Any]:
    """One leaderboard entry (schema v1) for one task of a run; raises on anything inconsistent.

    ``verify`` re-grades the raw outputs (:func:`verify_run`); a caller that compares the entry
    with its board first passes False and calls :func:`verify_run` itself, before writing.

    ``lineage`` (already normalised: base_model, teacher, data_hash, recipe) overrides the run's own
    ``lineage.json`` field by field. Samples whose API request failed refuse the run unless
    ``allow_failures`` (then they count as wrong and their number is stored).
    """
    rp = run.files.results_path
    if run.task not in TASK_TO_BENCHMARK:
        raise ResultsFileError(rp, f"task {run.task!r} has no leaderboard (known: {', '.join(TASK_TO_BENCHMARK)})",
                               entry=run.task)
    if run.samples_path is None or not run.docs:
        raise ResultsFileError(rp, f"no samples_{run.task}_{run.files.timestamp}.jsonl beside it: run "
                               "lm-eval with --log_samples so the raw outputs are kept", entry=run.task)
    ns = run.results.get("n-samples", {}).get(run.task) or {}
    limit = run.results["config"].get("limit")
    partial = is_partial(run)
    if partial and not allow_partial:
        raise ResultsFileError(rp, f"partial run ({ns.get('effective')} of {ns.get('original')} questions, "
                               f"limit={limit}); leaderboards take full runs (--allow-partial to override)",
                               entry=run.task, field="n-samples")
    failed = api_failures(run.docs)
    if failed and not allow_failures:
        d, r = failed[0]
        total = sum(len(x.records) for x in run.docs)
        raise ResultsFileError(
            run.samples_path,
            f"{len(failed)} of {total} samples failed at the API (first: doc {d.doc_id}, sample "
            f"{r.get('sample_index', 0)}: {str(r['extra']['api_error'])[:200]}); they would count as wrong. "
            "Re-run the same eval command: the API store keeps the finished responses and resends only "
            "the failed requests. Or pass --allow-failures to add the run with the failures counted",
            entry=f"line {d.line}", field="extra.api_error")
    if failed:
        log.warning("%s: %d sample(s) failed at the API; added as wrong (--allow-failures)", run.task,
                    len(failed))
    protocol = task_protocol(run)
    counts = [len(d.records) for d in run.docs]
    if min(counts) < protocol["k"]:
        short = next(d for d in run.docs if len(d.records) < protocol["k"])
        raise ResultsFileError(run.samples_path, f"doc {short.doc_id} has {len(short.records)} sample(s), "
                               f"below k = {protocol['k']}", entry=f"line {short.line}", field="filtered_resps")
    samples_rel = _samples_in_run_folder(run)
    run.regraded = regrade(run)
    check_verdicts(run, run.regraded)  # before the totals: names the first sample that differs
    summary = score_summary(run.docs, protocol["k"], task_kind(run.task, run.docs))
    res = run.results["results"].get(run.task, {})
    reported = res.get("pass@1,r1")
    mine = summary["metrics"]["pass@1"]["value"]
    if isinstance(reported, (int, float)) and abs(pct(reported) - mine) > 1e-3:
        raise ResultsFileError(rp, f"pass@1 {pct(reported)} disagrees with its samples file ({mine})",
                               entry=run.task, field=f"results.{run.task}.pass@1,r1")
    info = model_info(run.results)
    if model_name:
        info["model"]["name"] = model_name
    for key in ("name", "base_model", "adapter"):
        if isinstance(info["model"][key], str):
            info["model"][key] = clean_name(info["model"][key]) or "unknown"
    if revision:
        info["model"]["revision"] = revision
    run_hash = _sha256(run.samples_path)
    graders = Counter(str(r.get("grader", "unknown")) for d in run.docs for r in d.records)
    versions = Counter(str(r.get("r1bench_version")) for d in run.docs for r in d.records if r.get("r1bench_version"))
    if info["backend"]["name"] == "r1bench-chat" and versions:
        info["backend"]["version"] = versions.most_common(1)[0][0]  # the r1bench that ran the requests
    entry = {
        "id": entry_id(info["model"], protocol, run_hash),
        **info,
        "protocol": protocol,
        "grader": {"name": graders.most_common(1)[0][0], "version": protocol["grader_version"]},
        "r1bench_version": versions.most_common(1)[0][0] if versions else None,
        "date": _date(run),
        **summary,
        "n_questions": len(run.docs),
        "samples_per_question": min(counts),
        "samples_path": samples_rel,
        "results_path": _rel(rp),
        "run_hash": run_hash,
        "lineage": merge_lineage(run.lineage, lineage),
        "partial": partial,
        "failed_samples": len(failed),
    }
    if notes:
        entry["notes"] = notes
    if verify:
        verify_run(run, protocol)
    log.info("%s: %s pass@1 %.2f (k=%d, %d questions)", run.task, entry["model"]["name"], mine,
             protocol["k"], len(run.docs))
    return entry

