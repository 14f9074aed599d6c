"""Read an lm-eval output directory (results_<ts>.json + samples_<task>_<ts>.jsonl) into records.

lm-eval writes ``<output_path>/<model>/results_<ts>.json`` and, with ``--log_samples``, one
``samples_<task>_<ts>.jsonl`` per task whose ``filtered_resps`` hold the r1 filter's per-sample
records. lm-eval 0.4.13 stringifies everything inside ``filtered_resps`` with ``str()``, so a
record arrives as a dict, a JSON string or a Python-literal string; :func:`parse_record` reads all
three without evaluating code. :func:`build_entry` turns one task of a run into a leaderboard entry.
A ``lineage.json`` beside the results file (written by ``r1train eval``) is read as the run's lineage.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from r1bench import io as _io
from r1bench.metrics import bootstrap_ci, pass_at_k, stderr
from r1bench.records import flatten_filtered_resps, parse_saved_record
from r1bench.results.leaderboard import BENCHMARKS, TASK_TO_BENCHMARK, entry_id
from r1bench.results.schema import ResultsFileError

__all__ = [
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
    "task_protocol",
    "model_info",
    "score_summary",
    "build_entry",
    "regrade",
    "verify_run",
    "clean_name",
]

log = logging.getLogger(__name__)

_RESULTS_RE = re.compile(r"^results_(?P<ts>.+)\.json$")
# Record fields the results code relies on (a subset of r1bench.records.SampleRecord).
REQUIRED_RECORD_FIELDS = ("correct", "extracted", "truncated", "loop_detected", "completion_tokens")
LINEAGE_FILE = "lineage.json"
LINEAGE_FIELDS = ("base_model", "teacher", "data_hash", "recipe", "method", "rewards")
# Keys of r1train's lineage.json that have no leaderboard field: ignored without a warning.
_R1TRAIN_KEYS = frozenset({"train_data_sha256", "stages", "adapter", "pretrained", "eval_command",
                           "r1train_version", "created", "evaluated_model"})
# lm-eval backends that talk to an endpoint by model name (model_args ``model=``).
_API_BACKENDS = frozenset({"r1bench-chat", "local-chat-completions", "local-completions",
                           "openai-chat-completions", "openai-completions"})


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
    data = _load_json(p, strict=False)
    if not isinstance(data, dict):
        raise ResultsFileError(p, "top level must be a JSON object")
    for key, typ in (("results", dict), ("configs", dict), ("config", dict)):
        if not isinstance(data.get(key), typ):
            raise ResultsFileError(p, "missing or not an object (is this lm-eval output?)", field=key)
    return data


def _load_json(p: Path, *, strict: bool) -> Any:
    """A JSON file as one ResultsFileError on any failure (bad UTF-8, too deep, NaN when ``strict``)."""
    try:
        if strict:
            return _io.read_json_file(p)
        text = _io.decode_line(p.read_bytes(), where=str(p))
        return json.loads(text)
    except OSError as exc:
        raise ResultsFileError(p, f"cannot read: {exc.strerror or exc}") from None
    except _io.FileFormatError as exc:
        raise ResultsFileError(p, str(exc).removeprefix(f"{p}: ")) from None
    except json.JSONDecodeError as exc:
        raise ResultsFileError(p, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise ResultsFileError(p, "JSON nested too deeply to read (corrupt or hostile file?)") from None


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


def read_lineage_file(path: str | os.PathLike, *, missing_ok: bool = False) -> dict[str, Any] | None:
    """Read a lineage JSON file (r1train's ``lineage.json`` or a hand-written one), normalised."""
    p = Path(path)
    if missing_ok and not p.is_file():
        return None
    try:
        data = _load_json(p, strict=True)
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
    unknown = sorted(set(data) - set(LINEAGE_FIELDS) - _R1TRAIN_KEYS)
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


def _parse_args_string(text: str) -> dict[str, Any]:
    """``a=1,b=x,c={d:1,e:2}`` -> dict (commas inside braces/brackets kept); values stay strings."""
    out: dict[str, Any] = {}
    depth, cur, parts = 0, "", []
    for ch in text:
        if ch in "{[(":
            depth += 1
        elif ch in "}])":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    for part in parts:
        if "=" in part:
            k, v = part.split("=", 1)
            out[k.strip()] = v.strip()
    return out


def _model_args(results: dict[str, Any]) -> dict[str, Any]:
    args = results["config"].get("model_args")
    if isinstance(args, dict):
        return dict(args)
    if isinstance(args, str):
        return _parse_args_string(args)
    return {}


def _package_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def backend_version(backend: str, results: dict[str, Any]) -> str | None:
    """Version of the software that generated: transformers (hf), vllm, r1bench (r1bench-chat).

    lm-eval records only transformers' version, so vllm's and r1bench's are read from the installed
    packages (None when vllm is not installed here).
    """
    if backend in {"hf", "hf-auto"}:
        return results.get("transformers_version")
    if backend.startswith("vllm"):
        return _package_version("vllm")
    if backend == "r1bench-chat":
        from r1bench import __version__

        return __version__
    return None


def model_info(results: dict[str, Any]) -> dict[str, Any]:
    """Model, backend, dtype and parallelism of a run, from lm-eval's ``config`` and ``model_args``."""
    args = _model_args(results)
    backend = str(results["config"].get("model") or results.get("model_source") or "unknown")
    adapter = args.get("peft") or args.get("lora_local_path") or args.get("adapter")
    name = (args.get("pretrained") or args.get("model") or args.get("path") or results.get("model_name")
            or "unknown")
    raw_args = results["config"].get("model_args")
    return {
        "model": {
            "name": str(adapter or name),
            "revision": str(args["revision"]) if args.get("revision") else None,
            "adapter": str(adapter) if adapter else None,
            "base_model": str(name) if adapter else None,
        },
        "backend": {
            "name": backend,
            "version": backend_version(backend, results),
            "lm_eval_version": results.get("lm_eval_version"),
            "transformers_version": results.get("transformers_version"),
            "model_args": raw_args if isinstance(raw_args, str) else json.dumps(raw_args or {}, sort_keys=True),
            "endpoint_model": str(args["model"]) if backend in _API_BACKENDS and args.get("model") else None,
        },
        "dtype": str(args.get("dtype") or args.get("torch_dtype")) if (args.get("dtype") or args.get("torch_dtype")) else None,
        "tensor_parallel_size": int(args.get("tensor_parallel_size") or 1),
        "data_parallel_size": int(args.get("data_parallel_size") or 1),
    }


def _gen_kwargs(results: dict[str, Any], task: str) -> dict[str, Any]:
    gk = dict(results["configs"][task].get("generation_kwargs") or {})
    cli = results["config"].get("gen_kwargs")
    if isinstance(cli, str) and cli:
        cli = _parse_args_string(cli)
    if isinstance(cli, dict):
        gk.update(cli)
    return gk


def _num(value: Any, cast: type) -> Any:
    if value is None or value == "":
        return None
    if cast is bool:
        return value if isinstance(value, bool) else str(value).lower() in {"true", "1", "yes"}
    return cast(float(value)) if cast is int else cast(value)


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


def _spec_hash_covering(spec: str, used: list[str]) -> str | None:
    """``spec_hash(spec)`` if every hash in ``used`` is one of the spec's presets (or a kind's default)."""
    from r1bench.prompts import DEFAULT_SPEC, resolve_spec, spec_hash

    try:
        presets = {**resolve_spec(DEFAULT_SPEC), **resolve_spec(spec)}
        value = spec_hash(spec)
    except (KeyError, ValueError):
        return None
    return value if set(used) <= {p.hash for p in presets.values()} else None


def _prompt_hash(run: TaskRun, meta_hash: Any, *, strict: bool) -> str | None:
    """The prompt hash the records were made with; refuse (strict) if the task metadata says otherwise.

    Records carry the hash of the prompt actually rendered (one preset per doc kind); lm-eval merges
    ``--metadata`` over the YAML, so ``metadata.prompt_hash`` can be stale. When the records' hashes
    are those of the docs' stamped prompt spec, the run's hash is the spec's (as in the YAML), so a
    mixed-kind task, or a --limit run that met one kind only, compares like a full run.
    """
    where = run.samples_path or run.files.results_path
    used = sorted({str(r["prompt_hash"]) for d in run.docs for r in d.records if r.get("prompt_hash")})
    meta = None if meta_hash in (None, "") else str(meta_hash)
    if not used:
        return meta
    specs = {str(d.doc["r1_prompt_spec"]) for d in run.docs if d.doc.get("r1_prompt_spec")}
    value = _spec_hash_covering(specs.pop(), used) if len(specs) == 1 else None
    if value is None and len(used) == 1:
        value = used[0]
    if value is None:
        msg = (f"the records were made with {len(used)} different prompts ({', '.join(used)}) and no "
               "single stamped r1_prompt_spec accounts for them")
        if strict:
            raise ResultsFileError(where, msg, entry=run.task, field="prompt_hash")
        log.warning("%s: %s", where, msg)
        return meta
    if meta is not None and meta != value:
        msg = (f"the records were made with prompt_hash {value!r} but the task metadata says {meta!r} "
               "(lm-eval merges --metadata over the YAML, so the metadata can be stale); fix the task "
               "YAML / --metadata so they agree, or re-run")
        if strict:
            raise ResultsFileError(run.files.results_path, msg, entry=run.task,
                                   field=f"configs.{run.task}.metadata.prompt_hash")
        log.warning("%s: %s", where, msg)
    return value


def _dataset_fingerprint(run: TaskRun) -> str | None:
    """The docs' ``r1_dataset_fingerprint`` stamp, else one computed over the docs (None if partial)."""
    stamps = {str(d.doc["r1_dataset_fingerprint"]) for d in run.docs if d.doc.get("r1_dataset_fingerprint")}
    if len(stamps) > 1:
        raise ResultsFileError(run.samples_path, f"docs carry {len(stamps)} different r1_dataset_fingerprint "
                               "stamps (samples of different question selections mixed?)",
                               entry=run.task, field="doc.r1_dataset_fingerprint")
    if stamps:
        return stamps.pop()
    if not run.docs or is_partial(run) or any("id" not in d.doc or "answer" not in d.doc for d in run.docs):
        # A fingerprint over a --limit subset would not name the selection; unknown instead.
        return None
    from r1bench.datasets import dataset_fingerprint

    return dataset_fingerprint([d.doc for d in run.docs])


def _check_fingerprint(run: TaskRun, protocol: dict[str, Any]) -> None:
    """A stamped dataset fingerprint must be that of the docs' own (id, answer) pairs (full runs)."""
    stamp = protocol.get("dataset_fingerprint")
    if stamp is None or is_partial(run) or any("id" not in d.doc or "answer" not in d.doc for d in run.docs):
        return
    from r1bench.datasets import dataset_fingerprint

    mine = dataset_fingerprint([d.doc for d in run.docs])
    if mine != stamp:
        raise ResultsFileError(run.samples_path, f"the docs' questions and golds have fingerprint {mine}, "
                               f"not the stamped {stamp} (a gold answer was edited?)", entry=run.task,
                               field="doc.r1_dataset_fingerprint")


def task_protocol(run: TaskRun, *, strict: bool = True) -> dict[str, Any]:
    """The protocol of one task of a run (k, sampling, cap, prompt, grader, questions and their fingerprint).

    Prompt preset and hash come from what the samples record first (the docs' stamps, the records),
    then the task metadata; ``strict`` refuses a run whose records and metadata disagree on the hash.
    """
    results, task = run.results, run.task
    cfg = results["configs"][task]
    meta = cfg.get("metadata") or {}
    gk = _gen_kwargs(results, task)
    version = results.get("versions", {}).get(task, meta.get("version"))
    k = meta.get("k") or cfg.get("repeats")
    if k is None:
        raise ResultsFileError(run.files.results_path, "no k (metadata.k or repeats)",
                               entry=task, field=f"configs.{task}.metadata.k")
    grader_version = meta.get("grader_version")
    if run.docs:
        grader_version = grader_version or run.docs[0].records[0].get("grader_version")
    prompt_hash = _prompt_hash(run, meta.get("prompt_hash"), strict=strict)
    specs = {str(d.doc["r1_prompt_spec"]) for d in run.docs if d.doc.get("r1_prompt_spec")}
    prompt_preset = specs.pop() if len(specs) == 1 else meta.get("prompt_preset")
    n = (results.get("n-samples", {}).get(task) or {}).get("effective")
    guards = {d.doc.get("r1_loop_guard") for d in run.docs if d.doc.get("r1_loop_guard")}
    protocol = {
        "task": task,
        "task_version": None if version is None else str(version),
        "k": int(k),
        "temperature": _num(gk.get("temperature"), float),
        "top_p": _num(gk.get("top_p"), float),
        "max_gen_toks": _num(gk.get("max_gen_toks", gk.get("max_new_tokens")), int),
        "do_sample": _num(gk.get("do_sample"), bool),
        "prompt_preset": None if prompt_preset is None else str(prompt_preset),
        "prompt_hash": prompt_hash,
        "grader_version": None if grader_version is None else str(grader_version),
        "n_questions": int(n) if n is not None else (len(run.docs) or None),
        "dataset_fingerprint": _dataset_fingerprint(run),
    }
    if guards:  # a loop-guarded run (r1bench.local.loop_guard): never compared with unguarded ones
        protocol["loop_guard"] = sorted(guards)[0]
    return protocol


def _pct(x: float) -> float:
    return round(100.0 * float(x), 4)


def _score(values: list[float]) -> dict[str, Any]:
    lo, hi = bootstrap_ci(values)
    return {"value": _pct(np.mean(values)), "stderr": _pct(stderr(values)), "ci95": [_pct(lo), _pct(hi)]}


def score_summary(docs: list[SampleDoc], k: int) -> dict[str, Any]:
    """pass@1 and pass@k (with stderr, bootstrap CI) and rates from the records, in percent."""
    per_q_p1 = [float(np.mean([bool(r["correct"]) for r in d.records])) for d in docs]
    per_q_pk = [pass_at_k(len(d.records), sum(bool(r["correct"]) for r in d.records), k) for d in docs]
    allrecs = [r for d in docs for r in d.records]
    reasoning = [r.get("reasoning_tokens") for r in allrecs]
    return {
        "metrics": {"pass@1": _score(per_q_p1), "pass@k": _score(per_q_pk)},
        "rates": {
            "truncated": _pct(np.mean([bool(r["truncated"]) for r in allrecs])),
            "no_answer": _pct(np.mean([r.get("extracted") is None for r in allrecs])),
            "loop": _pct(np.mean([bool(r["loop_detected"]) for r in allrecs])),
        },
        "mean_completion_tokens": round(float(np.mean([r["completion_tokens"] for r in allrecs])), 2),
        "mean_reasoning_tokens": (round(float(np.mean(reasoning)), 2)
                                  if all(isinstance(x, (int, float)) for x in reasoning) else None),
    }


def _gold(d: SampleDoc) -> str:
    answer = d.doc.get("answer")
    return str(answer) if answer is not None else d.target


def regrade(run: TaskRun, *, timeout: float = 5.0) -> list[list[Any]]:
    """Grade every raw output of ``run`` again with r1bench's grader, against each doc's gold.

    Per doc, one :class:`~r1bench.records.SampleRecord` per saved record (in sample order). The
    inputs are those of the original scoring (``r1bench.lm_eval.filter.score_doc``): the raw output
    (lm-eval's ``resps``, else the record's ``raw_output``), the stamped token cap and pre-filled
    ``<think>``, and the saved finish_reason / API token count. A failed API request stays failed.
    """
    from r1bench.records import score_response

    kind = task_kind(run.task, run.docs)
    out = []
    for d in run.docs:
        gold = _gold(d)
        outputs = d.outputs if d.outputs is not None and len(d.outputs) == len(d.records) else None
        graded = []
        for i, rec in enumerate(d.records):
            extra = rec.get("extra") if isinstance(rec.get("extra"), dict) else {}
            failed = bool(extra.get("api_error"))
            idx = rec.get("sample_index", i)
            raw = rec.get("raw_output")
            if not failed and outputs is not None and isinstance(idx, int) and 0 <= idx < len(outputs):
                raw = outputs[idx]
            tokens = rec.get("completion_tokens")
            api_count = rec.get("tokens_estimated") is False and isinstance(tokens, int)
            graded.append(score_response(
                "" if failed or not isinstance(raw, str) else raw, gold, kind=kind,
                finish_reason=rec.get("finish_reason") if isinstance(rec.get("finish_reason"), str) else None,
                completion_tokens=tokens if api_count else None,
                max_gen_toks=d.doc.get("r1_max_gen_toks") if isinstance(d.doc.get("r1_max_gen_toks"), int) else None,
                starts_in_reasoning=bool(d.doc.get("r1_starts_in_reasoning")) and not failed,
                num_choices=len(d.doc.get("choices") or []) or 4, timeout=timeout))
        out.append(graded)
    return out


def _check_verdicts(run: TaskRun, regraded: list[list[Any]]) -> None:
    """Refuse a run whose stored verdicts differ from the re-grade; name the first differing sample."""
    for d, graded in zip(run.docs, regraded):
        for rec, new in zip(d.records, graded):
            if rec["correct"] is not new.correct:
                raise ResultsFileError(
                    run.samples_path,
                    f"doc {d.doc_id} sample {rec.get('sample_index', 0)} is stored as correct={rec['correct']} "
                    f"but r1bench's grader says {new.correct} (extracted {new.extracted!r}, gold "
                    f"{_gold(d)!r}: {new.reason}); the samples file was edited or graded by another grader "
                    "version: re-score it (lm-eval --predict_only + r1bench) instead of editing it",
                    entry=f"line {d.line}", field="filtered_resps.correct")


def _check_reported(run: TaskRun, summary: dict[str, Any], maj: float) -> None:
    """The results JSON's pass@1 (required) and maj@k must match the re-graded samples."""
    rp = run.files.results_path
    res = run.results["results"].get(run.task)
    res = res if isinstance(res, dict) else {}
    if "pass@1,r1" not in res:
        raise ResultsFileError(rp, "no reported pass@1 to cross-check against the samples (was the "
                               "results JSON edited?); re-run lm-eval or restore the file",
                               entry=run.task, field=f"results.{run.task}.pass@1,r1")
    # pass@k is not compared: it depends on k, which a board may fix above the run's own (the
    # board's k check names that problem); the entry stores the re-graded value either way.
    mine = {"pass@1,r1": summary["metrics"]["pass@1"]["value"], "maj@k,r1": _pct(maj)}
    for key, value in mine.items():
        if key not in res:
            continue
        reported = res[key]
        if (not isinstance(reported, (int, float)) or isinstance(reported, bool) or not np.isfinite(reported)
                or abs(_pct(reported) - value) > 1e-3):
            shown = _pct(reported) if isinstance(reported, (int, float)) and not isinstance(reported, bool) else reported
            raise ResultsFileError(rp, f"{key.split(',')[0]} {shown} disagrees with its samples file "
                                   f"re-graded by r1bench ({value})", entry=run.task,
                                   field=f"results.{run.task}.{key}")


def verify_run(run: TaskRun, protocol: dict[str, Any] | None = None) -> None:
    """Refuse a forged or mis-graded run: re-grade every raw output against the docs' golds and
    compare with the stored verdicts (first differing sample named), the results JSON's pass@1
    (which must be there) and maj@k, and the stamped dataset fingerprint with the docs' own."""
    protocol = protocol or task_protocol(run)
    _check_fingerprint(run, protocol)
    regraded = run.regraded if run.regraded is not None else regrade(run)
    _check_verdicts(run, regraded)
    from r1bench.grading import answer_equality
    from r1bench.metrics import maj_at_k

    equal = answer_equality(task_kind(run.task, run.docs))
    maj = float(np.mean([float(maj_at_k([g.extracted for g in graded], _gold(d), equal))
                         for d, graded in zip(run.docs, regraded)]))
    _check_reported(run, score_summary(run.docs, protocol["k"]), maj)


_SPACE = re.compile(r"[\s\x00-\x1f\x7f]+")


def clean_name(name: str) -> str:
    """A model name on one line: control characters and newlines become one space (table-safe)."""
    return _SPACE.sub(" ", name).strip()


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
    _check_verdicts(run, run.regraded)  # before the totals: names the first sample that differs
    summary = score_summary(run.docs, protocol["k"])
    res = run.results["results"].get(run.task, {})
    reported = res.get("pass@1,r1")
    mine = summary["metrics"]["pass@1"]["value"]
    if isinstance(reported, (int, float)) and abs(_pct(reported) - mine) > 1e-3:
        raise ResultsFileError(rp, f"pass@1 {_pct(reported)} disagrees with its samples file ({mine})",
                               entry=run.task, field=f"results.{run.task}.pass@1,r1")
    maj = res.get("maj@k,r1")
    if isinstance(maj, (int, float)):
        se = res.get("maj@k_stderr,r1")
        se = float(se) if isinstance(se, (int, float)) else None
        ci = None if se is None else [_pct(max(0.0, maj - 1.96 * se)), _pct(min(1.0, maj + 1.96 * se))]
        summary["metrics"]["maj@k"] = {"value": _pct(maj), "stderr": None if se is None else _pct(se), "ci95": ci}
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


def benchmark_of(task: str) -> str:
    """Leaderboard benchmark id of an lm-eval task name (``r1_math500`` -> ``math500``)."""
    try:
        return TASK_TO_BENCHMARK[task]
    except KeyError:
        raise KeyError(f"task {task!r} has no leaderboard (known: {', '.join(sorted(TASK_TO_BENCHMARK))})") from None


def task_kind(task: str, docs: list[SampleDoc] | None = None) -> str:
    """'math' or 'choice' for a task (from the benchmark table, else the docs' ``kind``)."""
    if task in TASK_TO_BENCHMARK:
        return BENCHMARKS[TASK_TO_BENCHMARK[task]].kind
    for d in docs or []:
        if d.doc.get("kind") in {"math", "choice"}:
            return str(d.doc["kind"])
    return "math"
