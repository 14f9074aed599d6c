"""Read an lm-eval output directory (results_<ts>.json + samples_<task>_<ts>.jsonl) into records.

lm-eval writes ``<output_path>/<model>/results_<ts>.json`` and, with ``--log_samples``, one
``samples_<task>_<ts>.jsonl`` per task whose ``filtered_resps`` hold the r1 filter's per-sample
records. lm-eval 0.4.13 stringifies everything inside ``filtered_resps`` with ``str()``, so a
record arrives as a dict, a JSON string or a Python-literal string; :func:`parse_record` reads all
three without evaluating code. A ``lineage.json`` beside the results file (written by
``r1train eval``) is read as the run's lineage (:mod:`r1bench.results.lineage`).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from r1bench import io as _io
from r1bench.records import flatten_filtered_resps, parse_saved_record
from r1bench.results.leaderboard import BENCHMARKS, TASK_TO_BENCHMARK
from r1bench.results.lineage import LINEAGE_FILE, read_lineage_file
from r1bench.results.schema import ResultsFileError, read_json

__all__ = [
    "REQUIRED_RECORD_FIELDS",
    "RunFiles",
    "SampleDoc",
    "TaskRun",
    "find_runs",
    "load_results_json",
    "parse_record",
    "read_samples",
    "load_task_runs",
    "is_partial",
    "api_failures",
    "task_kind",
]

_RESULTS_RE = re.compile(r"^results_(?P<ts>.+)\.json$")
# Record fields the results code relies on (a subset of r1bench.records.SampleRecord).
REQUIRED_RECORD_FIELDS = ("correct", "extracted", "truncated", "loop_detected", "completion_tokens")


@dataclass(frozen=True)
class RunFiles:
    """One lm-eval results file and the samples files written with it (task -> path)."""

    results_path: Path
    timestamp: str
    samples: dict[str, Path]


@dataclass
class SampleDoc:
    """One question of a samples file: lm-eval's doc and its k per-sample record dicts."""

    doc_id: int
    doc: dict[str, Any]
    target: str
    records: list[dict[str, Any]]
    line: int = 0
    outputs: list[Any] | None = None  # lm-eval's raw ``resps`` of the doc, when saved


@dataclass
class TaskRun:
    """One task of one run: the results JSON, the task name and its parsed samples."""

    files: RunFiles
    results: dict[str, Any]
    task: str
    docs: list[SampleDoc] = field(default_factory=list)
    lineage: dict[str, Any] | None = None
    regraded: list[list[Any]] | None = None  # set by build_entry: the re-grade of every sample

    @property
    def samples_path(self) -> Path | None:
        return self.files.samples.get(self.task)


def find_runs(path: str | os.PathLike) -> list[RunFiles]:
    """All results_<ts>.json under ``path`` (a file or a folder, searched recursively), oldest first."""
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{p}: no such file or directory")
    files = [p] if p.is_file() else sorted(p.rglob("results_*.json"))
    runs = []
    for rp in files:
        m = _RESULTS_RE.match(rp.name)
        if not m:
            raise ResultsFileError(rp, "not an lm-eval results file (expected results_<timestamp>.json)")
        ts = m.group("ts")
        samples = {}
        for sp in sorted(rp.parent.glob(f"samples_*_{ts}.jsonl")):
            task = sp.name[len("samples_"): -len(f"_{ts}.jsonl")]
            samples[task] = sp
        runs.append(RunFiles(rp, ts, samples))
    if not runs:
        raise FileNotFoundError(f"{p}: no lm-eval results_<timestamp>.json found (run lm-eval with --output_path)")
    return sorted(runs, key=lambda r: (r.timestamp, str(r.results_path)))


def load_results_json(path: str | os.PathLike) -> dict[str, Any]:
    """Parse an lm-eval results JSON and check the keys r1bench reads."""
    p = Path(path)
    data = read_json(p, strict=False)
    if not isinstance(data, dict):
        raise ResultsFileError(p, "top level must be a JSON object")
    for key, typ in (("results", dict), ("configs", dict), ("config", dict)):
        if not isinstance(data.get(key), typ):
            raise ResultsFileError(p, "missing or not an object (is this lm-eval output?)", field=key)
    return data


# Types of the record fields the leaderboard counts: a string "no" must never count as correct.
_RECORD_TYPES: dict[str, tuple[type, ...]] = {
    "correct": (bool,), "truncated": (bool,), "loop_detected": (bool,), "completion_tokens": (int,),
    "extracted": (str, type(None)),
}


def parse_record(value: Any, *, where: str = "") -> dict[str, Any]:
    """A saved per-sample record (:func:`r1bench.records.parse_saved_record`) with the fields the
    leaderboard needs, each of its type (``correct`` a JSON boolean...); ValueError otherwise."""
    rec = parse_saved_record(value, where=where)
    missing = [f for f in REQUIRED_RECORD_FIELDS if f not in rec]
    if missing:
        raise ValueError(f"{where}: record lacks field(s) {', '.join(missing)}")
    for key, types in _RECORD_TYPES.items():
        v = rec.get(key)
        if not isinstance(v, types) or (key == "completion_tokens" and (isinstance(v, bool) or v < 0)):
            want = " or ".join("null" if t is type(None) else t.__name__ for t in types)
            raise ValueError(f"{where}: record field '{key}' is {v!r}, expected {want}")
    return rec


_flatten = flatten_filtered_resps


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def read_samples(path: str | os.PathLike) -> list[SampleDoc]:
    """Parse a samples_<task>_<ts>.jsonl: one SampleDoc per line, sorted by doc_id."""
    p = Path(path)
    docs: list[SampleDoc] = []
    with p.open("rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            where = f"{p}:{lineno}"
            try:
                row = json.loads(_io.decode_line(raw, where=str(p), first_line=lineno),
                                 parse_constant=_no_constant)
            except _io.FileFormatError as exc:
                raise ResultsFileError(p, str(exc).removeprefix(f"{p}: ")) from None
            except json.JSONDecodeError as exc:
                raise ResultsFileError(p, f"line {lineno}: invalid JSON: {exc.msg}") from None
            except RecursionError:
                raise ResultsFileError(p, f"line {lineno}: JSON nested too deeply to read") from None
            except ValueError as exc:
                raise ResultsFileError(p, f"line {lineno}: {exc}") from None
            if not isinstance(row, dict) or "filtered_resps" not in row:
                raise ResultsFileError(p, f"line {lineno}: not an lm-eval sample (no filtered_resps)",
                                       field="filtered_resps")
            try:
                records = [parse_record(v, where=where) for v in _flatten(row["filtered_resps"])]
            except ValueError as exc:
                raise ResultsFileError(p, str(exc), entry=f"line {lineno}", field="filtered_resps") from exc
            if not records:
                raise ResultsFileError(p, "no records", entry=f"line {lineno}", field="filtered_resps")
            records.sort(key=lambda r: r.get("sample_index", 0))
            doc = row.get("doc") if isinstance(row.get("doc"), dict) else {}
            resps = row.get("resps")
            outputs = resps[0] if isinstance(resps, list) and len(resps) == 1 and isinstance(resps[0], list) else None
            try:
                doc_id = int(row.get("doc_id", len(docs)))
            except (TypeError, ValueError):
                raise ResultsFileError(p, f"doc_id {row.get('doc_id')!r} is not an integer",
                                       entry=f"line {lineno}", field="doc_id") from None
            docs.append(SampleDoc(doc_id, doc, str(row.get("target", "")), records, lineno, outputs))
    if not docs:
        raise ResultsFileError(p, "samples file is empty")
    docs.sort(key=lambda d: d.doc_id)
    return docs


def load_task_runs(path: str | os.PathLike, *, tasks: list[str] | None = None,
                   with_samples: bool = True) -> list[TaskRun]:
    """Every task (optionally only ``tasks``) of every run under ``path``, samples and lineage parsed."""
    out = []
    for files in find_runs(path):
        results = load_results_json(files.results_path)
        lineage = read_lineage_file(files.results_path.parent / LINEAGE_FILE, missing_ok=True)
        for task in sorted(results["configs"]):
            if tasks and task not in tasks:
                continue
            run = TaskRun(files, results, task, lineage=lineage)
            if with_samples and task in files.samples:
                run.docs = read_samples(files.samples[task])
            out.append(run)
    return out


def is_partial(run: TaskRun) -> bool:
    """True for a --limit run (or one whose n-samples says fewer questions ran than the task has)."""
    ns = run.results.get("n-samples", {}).get(run.task) or {}
    limit = run.results["config"].get("limit")
    return limit not in (None, 0) or (ns.get("effective") is not None and ns.get("original") is not None
                                      and ns["effective"] < ns["original"])


def api_failures(docs: list[SampleDoc]) -> list[tuple[SampleDoc, dict[str, Any]]]:
    """(doc, record) of every sample whose API request failed (``extra.api_error`` set)."""
    return [(d, r) for d in docs for r in d.records
            if isinstance(r.get("extra"), dict) and r["extra"].get("api_error")]


def task_kind(task: str, docs: list[SampleDoc] | None = None) -> str:
    """'math' or 'choice' for a task (from the benchmark table, else the docs' ``kind``)."""
    if task in TASK_TO_BENCHMARK:
        return BENCHMARKS[TASK_TO_BENCHMARK[task]].kind
    for d in docs or []:
        if d.doc.get("kind") in {"math", "choice"}:
            return str(d.doc["kind"])
    return "math"
