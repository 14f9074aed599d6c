"""Thin adapter between lm-eval 0.4.13 task YAMLs (``tasks/``) and the r1bench library.

The YAMLs call these functions with ``!function r1bench.lm_eval_glue.<name>``:

* :func:`load_dataset` (``custom_dataset``): docs from :func:`r1bench.datasets.load_task_docs`,
  stamped with the run's protocol (k, prompt spec and hash, token limit, tokenizer) so every
  later step, and every line of the samples file, is self-describing.
* :func:`doc_to_text` / :func:`doc_to_target`: the prompt preset and the gold answer.
* :class:`R1Filter` (the filter named ``r1``): each doc's k raw outputs -> k
  :class:`~r1bench.records.SampleRecord` dicts through :func:`r1bench.records.score_response`.
* :func:`process_results`: per-doc pass@1 (mean over k), pass@k, maj@k, truncated / no-answer /
  loop rates and mean completion tokens; lm-eval averages them over docs (``aggregation: mean``).
* :func:`rescore_samples`: the same scoring re-run on a saved ``samples_<task>_*.jsonl``.

No extraction or grading lives here: it all goes through :mod:`r1bench.records`.

``starts_in_reasoning`` (the chat template pre-fills ``<think>``, so outputs hold only
``</think>``): ``true``/``false`` from ``--metadata`` or ``--model_args``; ``auto`` (the default)
reads the tokenizer's chat template. lm-eval 0.4.13 loads the dataset before it knows whether
``--apply_chat_template`` is set and never tells the task, so ``auto`` assumes the template is
applied: a run without the chat template must pass ``--metadata '{"starts_in_reasoning": false}'``
(``r1bench eval --no-chat-template`` does so).

r1bench's backends (``r1bench-chat``, ``r1bench-hf``, ``r1bench-vllm``) return
:class:`r1bench.response.Response` objects carrying finish_reason and token counts, which the
records use (on rescoring, the saved records). An API request that failed comes back as a failure
sentinel (:mod:`r1bench.api.failures`); its record is scored as no answer, with ``finish_reason``
None and the error in ``extra["api_error"]``.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from lm_eval.api.filter import Filter
from lm_eval.api.registry import register_filter

from r1bench.prompts import DEFAULT_SPEC, render_prompt, resolve_spec

__all__ = [
    "METRICS",
    "RecordDict",
    "SampleCountError",
    "load_dataset",
    "stamp_docs",
    "doc_to_text",
    "doc_to_target",
    "score_doc",
    "R1Filter",
    "process_results",
    "aggregate",
    "rescore_samples",
]

logger = logging.getLogger(__name__)

#: Metric keys written per doc and averaged over docs (results JSON: ``"<key>,r1"``).
METRICS: tuple[str, ...] = (
    "pass@1",
    "pass@k",
    "maj@k",
    "truncated_rate",
    "no_answer_rate",
    "loop_rate",
    "mean_completion_tokens",
)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class RecordDict(dict):
    """A SampleRecord dict whose ``str()`` is JSON: lm-eval writes ``str(x)`` of every filtered
    response into the samples file, so each record there is a parseable JSON string."""

    def __str__(self) -> str:
        return json.dumps(self, ensure_ascii=False, default=str)


class SampleCountError(RuntimeError):
    """A doc has a number of generations different from the task's k (never score on fewer)."""


# --------------------------------------------------------------------------- loading docs


def load_dataset(**kwargs: Any) -> dict[str, Any]:
    """``custom_dataset`` hook: ``{"test": Dataset}`` of stamped docs for ``kwargs["r1_task"]``.

    lm-eval calls it with the task's ``metadata`` merged with ``--metadata`` and ``--model_args``
    (those win), plus ``dataset_kwargs``. Keys used: ``r1_task`` (required), ``k`` (required),
    ``prompt_preset``, ``max_gen_toks``, ``data_dir`` (else ``R1BENCH_DATA_DIR``),
    ``starts_in_reasoning`` (``auto``/true/false), ``tokenizer`` or ``pretrained`` (for exact token
    counts), ``dataset_options`` (a dict passed on to the loader).
    """
    import datasets

    from r1bench.datasets import dataset_fingerprint, load_task_docs

    task = kwargs.get("r1_task")
    if not task:
        raise ValueError("r1bench task YAML must set dataset_kwargs: {r1_task: <task name>}")
    _check_repeats_before_generation(task, kwargs.get("k"), follow=bool(kwargs.get("r1_repeats_follow_k")))
    options = dict(kwargs.get("dataset_options") or {})
    data_dir = kwargs.get("data_dir") or None
    docs = load_task_docs(task, data_dir=data_dir, **options)
    if not docs:
        raise ValueError(f"{task}: the loader returned no docs")
    tokenizer_name = _tokenizer_name(kwargs)
    stamped = stamp_docs(
        docs,
        task=task,
        k=kwargs.get("k"),
        prompt_spec=str(kwargs.get("prompt_preset") or DEFAULT_SPEC),
        max_gen_toks=kwargs.get("max_gen_toks"),
        starts_in_reasoning=_starts_in_reasoning(kwargs.get("starts_in_reasoning"), tokenizer_name),
        tokenizer=tokenizer_name,
    )
    fingerprint = dataset_fingerprint(docs)
    guard = _loop_guard_protocol(kwargs)
    for doc in stamped:
        doc["r1_dataset_fingerprint"] = fingerprint
        if guard is not None:  # only guarded runs carry it: unguarded docs stay as they were
            doc["r1_loop_guard"] = guard
    logger.info(
        "%s: %d docs, k=%s, prompt %s",
        task,
        len(stamped),
        stamped[0]["r1_k"],
        stamped[0]["r1_prompt_spec"],
    )
    return {"test": datasets.Dataset.from_list(_uniform(stamped))}


def stamp_docs(
    docs: Sequence[Mapping[str, Any]],
    *,
    task: str,
    k: Any,
    prompt_spec: str = DEFAULT_SPEC,
    max_gen_toks: Any = None,
    starts_in_reasoning: bool = False,
    tokenizer: str | None = None,
) -> list[dict[str, Any]]:
    """Copy ``docs`` adding ``r1_*`` protocol fields (task, k, prompt spec/hash, limits)."""
    if k is None:
        raise ValueError(f"{task}: metadata must set k (the number of samples per question)")
    k = int(k)
    if k < 1:
        raise ValueError(f"{task}: k must be >= 1, got {k}")
    presets = resolve_spec(prompt_spec)
    defaults = resolve_spec(DEFAULT_SPEC)
    out = []
    for doc in docs:
        kind = doc.get("kind", "math")
        preset = presets.get(kind) or defaults[kind]
        out.append(
            {
                **doc,
                "r1_task": task,
                "r1_k": k,
                "r1_prompt_spec": prompt_spec,
                "r1_prompt_hash": preset.hash,
                "r1_max_gen_toks": int(max_gen_toks) if max_gen_toks not in (None, "") else None,
                "r1_starts_in_reasoning": bool(starts_in_reasoning),
                "r1_tokenizer": tokenizer,
            }
        )
    return out


def _uniform(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Dataset.from_list takes its columns from the first row; mixed tasks (r1_smoke) have math and
    # choice docs with different fields, so give every doc every key.
    keys: dict[str, None] = {}
    for doc in docs:
        keys.update(dict.fromkeys(doc))
    return [{key: doc.get(key) for key in keys} for doc in docs]


def _loop_guard_protocol(kwargs: Mapping[str, Any]) -> str | None:
    """The loop guard settings of the run (model_args ``loop_guard=true`` and ``loop_guard_*``,
    which lm-eval hands the tasks as metadata) as a JSON string, or None when unguarded."""
    from r1bench.local.sampling import parse_bool

    if not parse_bool(kwargs.get("loop_guard", False)):
        return None
    settings = {k: str(v) for k, v in sorted(kwargs.items()) if k.startswith("loop_guard_")}
    return json.dumps({"loop_guard": True, **settings}, sort_keys=True)


def _tokenizer_name(kwargs: Mapping[str, Any]) -> str | None:
    name = kwargs.get("tokenizer") or kwargs.get("pretrained")
    return str(name) if name else None


@functools.lru_cache(maxsize=8)
def _load_tokenizer(name: str) -> Any | None:
    """The model's tokenizer when it is on disk (a folder or the HF cache), else None."""
    try:
        from transformers import AutoTokenizer

        local = Path(name).is_dir()
        return AutoTokenizer.from_pretrained(name, local_files_only=not local)
    except Exception as exc:  # noqa: BLE001 - any failure only means "estimate token counts"
        logger.warning("no tokenizer for %r (%s): token counts will be estimated", name, exc)
        return None


def _starts_in_reasoning(value: Any, tokenizer_name: str | None) -> bool:
    """``auto``: true when the model's chat template pre-fills ``<think>`` (DeepSeek-R1 distills).

    ``auto`` cannot see whether the run applies the chat template (lm-eval does not tell the
    task); runs without it pass ``starts_in_reasoning=false`` (see the module docstring).
    """
    text = str(value).strip().lower() if value is not None else "auto"
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if text != "auto":
        raise ValueError(f"starts_in_reasoning must be auto/true/false, got {value!r}")
    tok = _load_tokenizer(tokenizer_name) if tokenizer_name else None
    if tok is None or not getattr(tok, "chat_template", None):
        return False
    try:
        prompt = tok.apply_chat_template(
            [{"role": "user", "content": "x"}], tokenize=False, add_generation_prompt=True
        )
    except Exception:  # noqa: BLE001 - a template that cannot render has no pre-fill
        return False
    return str(prompt).rstrip().endswith("<think>")


# --------------------------------------------------------------------------- prompt, target


def doc_to_text(doc: Mapping[str, Any]) -> str:
    """The user message: the doc rendered with its stamped prompt spec."""
    return render_prompt(doc, doc.get("r1_prompt_spec") or DEFAULT_SPEC)


def _caller_repeats() -> int | None:
    """The ``repeats`` of the lm-eval task loading us, read from its ``download`` frame.

    lm-eval calls ``custom_dataset`` with the metadata only and offers no hook that sees both
    ``repeats`` and metadata ``k`` before generating, so a mismatch would surface only after every
    generation; the task object one frame up has both (lm-eval 0.4.13, ConfigurableTask.download).
    """
    frame = inspect.currentframe()
    try:
        f = frame.f_back.f_back if frame and frame.f_back else None
        for _ in range(4):
            if f is None:
                return None
            cfg = getattr(f.f_locals.get("self"), "config", None)
            repeats = getattr(cfg, "repeats", None)
            if isinstance(repeats, int):
                return repeats
            f = f.f_back
        return None
    finally:
        del frame


def _check_repeats_before_generation(task: str, k: Any, *, follow: bool) -> None:
    """Refuse at task load (before any generation) metadata ``k`` that the task's ``repeats``
    does not match, unless ``r1bench eval`` sets repeats from k right after loading (``follow``)."""
    repeats = _caller_repeats()
    if follow or repeats is None or k in (None, "") or int(k) == repeats:
        return
    raise ValueError(
        f"{task}: metadata k={k} but the task's repeats={repeats}, so pass@1 would not be over k samples "
        f"(caught before generating). Plain lm-eval cannot set repeats from the command line: use "
        f"`r1bench eval --k {k}`, or a task YAML with `repeats: {k}` and metadata `k: {k}`."
    )


def doc_to_target(doc: Mapping[str, Any]) -> str:
    """The gold answer (math: LaTeX string; choice: the letter)."""
    return str(doc["answer"])


# --------------------------------------------------------------------------- scoring


def _check_count(doc: Mapping[str, Any], n: int) -> int:
    k = int(doc.get("r1_k") or 0)
    if k < 1:
        raise SampleCountError(f"doc {doc.get('id')!r} carries no r1_k: was it loaded by r1bench?")
    if n != k:
        raise SampleCountError(
            f"{doc.get('r1_task')}: doc {doc.get('id')!r} has {n} generations but k={k}. "
            "pass@1 over a different number of samples is not reported. The task's `repeats` and "
            "metadata `k` must agree: use `r1bench eval --k K` (sets both) or a task variant."
        )
    return k


def score_doc(
    doc: Mapping[str, Any],
    outputs: Sequence[str | None],
    saved: Sequence[Mapping[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Score one doc's k raw outputs into k SampleRecord dicts (the ``r1`` filter's output).

    ``saved``: the doc's records from an earlier scoring (a samples file); their finish_reason,
    API token counts and API error are reused, since a new process has no API metadata. The dicts
    are :class:`RecordDict`, so the samples file shows each as a JSON string.
    """
    from r1bench.diagnostics import count_tokens
    from r1bench.records import score_response

    _check_count(doc, len(outputs))
    if saved is not None and len(saved) != len(outputs):
        saved = None
    name = doc.get("r1_tokenizer")
    tok = _load_tokenizer(name) if name else None
    encode: Callable[[str], list] | None = (
        (lambda s: tok.encode(s, add_special_tokens=False)) if tok is not None else None
    )
    kind = doc.get("kind", "math")
    base_extra: dict[str, Any] = {}
    if doc.get("permutation") is not None:
        base_extra["permutation"] = list(doc["permutation"])
    if encode is not None:
        base_extra["token_count"] = f"retokenized:{name}"
    records = []
    for i, raw in enumerate(outputs):
        extra = dict(base_extra)  # each sample its own: an API error belongs to one sample only
        text = raw if isinstance(raw, str) else ""
        # r1bench's backends (r1bench-chat, r1bench-hf, r1bench-vllm) return responses that carry
        # their finish_reason and token usage; a rescoring takes them from the saved record.
        meta = _saved_metadata(saved[i]) if saved is not None else _api_metadata(text)
        usage = meta.get("usage") or {}
        error = meta.get("error") or _failure_error(text)
        if error:
            # A failed request: no model output. Score it as empty (no answer, no tokens) and
            # record why; the samples file's raw `resps` still show the failure sentinel.
            extra["api_error"] = str(error)
            # (Not split as prefilled reasoning: no output is not an unfinished, truncated one.)
            text, usage, meta = "", {"completion_tokens": 0, "reasoning_tokens": 0}, {}
        elif usage and meta.get("source") == "engine":
            # Counted by the local engine on the generated token ids (r1bench-hf / r1bench-vllm).
            extra["engine_usage"] = dict(usage)
            extra["token_count"] = "engine"
        elif usage:
            extra["api_usage"] = dict(usage)
        if meta.get("latency") and not error:  # a streamed API sample's phase latency
            extra["api_latency"] = dict(meta["latency"])
        completion_tokens = usage.get("completion_tokens")
        if completion_tokens is None and encode is not None:
            completion_tokens = count_tokens(text, encode)
        record = score_response(
            text,
            str(doc["answer"]),
            kind=kind,
            task=str(doc.get("r1_task") or ""),
            doc_id=doc.get("id"),
            sample_index=i,
            prompt_hash=doc.get("r1_prompt_hash"),
            finish_reason=meta.get("finish_reason"),
            reasoning_tokens=usage.get("reasoning_tokens"),
            completion_tokens=completion_tokens,
            max_gen_toks=doc.get("r1_max_gen_toks"),
            starts_in_reasoning=bool(doc.get("r1_starts_in_reasoning")) and not error,
            num_choices=len(doc.get("choices") or []) or None,
            options=_shown_options(doc, saved[i] if saved is not None else None),
            tokenizer=encode,
            extra=extra,
        )
        records.append(RecordDict(record.to_dict()))
    return records


def _shown_options(doc: Mapping[str, Any], saved: Mapping[str, Any] | None) -> list[str] | None:
    """The option texts of a choice doc in the shown order (the doc's ``choices``), else those a
    saved record kept; None for math docs or when unknown."""
    if doc.get("kind") != "choice":
        return None
    choices = doc.get("choices")
    if isinstance(choices, list) and choices and all(isinstance(c, str) for c in choices):
        return list(choices)
    extra = saved.get("extra") if saved is not None and isinstance(saved.get("extra"), Mapping) else {}
    kept = extra.get("options")
    if isinstance(kept, list) and kept and all(isinstance(c, str) for c in kept):
        return list(kept)
    return None


def _api_metadata(text: str) -> dict[str, Any]:
    """finish_reason / usage / error carried by the response object itself
    (:class:`r1bench.response.Response`, returned by r1bench-chat, r1bench-hf and r1bench-vllm);
    ``{}`` for a plain string (another backend, or lm-eval's cache)."""
    from r1bench.response import response_metadata

    return response_metadata(text)


def _failure_error(text: str) -> str | None:
    """The error of an r1bench-chat failure sentinel (works in any process), else None."""
    from r1bench.api.failures import failure_error

    return failure_error(text)


def _saved_metadata(record: Mapping[str, Any]) -> dict[str, Any]:
    """finish_reason / API usage / API error of a saved record, in :func:`_api_metadata`'s shape.

    API token counts are those in ``extra["api_usage"]``; older records without it count as API
    counts when they were neither estimated nor retokenized.
    """
    extra = record.get("extra") if isinstance(record.get("extra"), Mapping) else {}
    meta: dict[str, Any] = {"finish_reason": record.get("finish_reason")}
    if extra.get("api_error"):
        meta["error"] = extra["api_error"]
    usage = extra.get("api_usage")
    if isinstance(extra.get("engine_usage"), Mapping):
        usage, meta["source"] = extra["engine_usage"], "engine"
    if isinstance(extra.get("api_latency"), Mapping):
        meta["latency"] = dict(extra["api_latency"])
    if isinstance(usage, Mapping):
        meta["usage"] = {k: v for k, v in usage.items() if isinstance(v, int)}
    elif (
        record.get("tokens_estimated") is False
        and not str(extra.get("token_count", "")).startswith("retokenized:")
        and isinstance(record.get("completion_tokens"), int)
    ):
        meta["usage"] = {"completion_tokens": record["completion_tokens"]}
    return meta


class R1Filter(Filter):
    """The ``r1`` filter: per doc, the list of k raw outputs -> the list of k record dicts."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)

    def apply(self, resps: Sequence[Sequence[str]], docs: Sequence[Mapping[str, Any]]) -> list:
        """Score every doc; on any error (wrong sample count, bad gold, tokenizer failure...) save
        all raw outputs first, then re-raise: generations may have cost hours."""
        try:
            for outs, doc in zip(resps, docs):
                _check_count(doc, len(outs))
            return [score_doc(doc, outs) for outs, doc in zip(resps, docs)]
        except Exception as exc:
            saved = _save_unscored(resps, docs)
            logger.error(
                "scoring failed (%s: %s); raw outputs saved to %s", type(exc).__name__, exc, saved
            )
            if isinstance(exc, SampleCountError):
                raise SampleCountError(f"{exc} Raw outputs saved to {saved}.") from None
            if hasattr(exc, "add_note"):  # Python 3.11+
                exc.add_note(f"r1bench: raw outputs saved to {saved}")
            raise


def _unscored_dir() -> Path:
    """Beside the run's output: ``$R1BENCH_UNSCORED_DIR`` (set by ``r1bench eval``), else lm-eval's
    ``--output_path`` from this process's command line, else the current folder."""
    env = os.environ.get("R1BENCH_UNSCORED_DIR")
    if env:
        return Path(env)
    argv = sys.argv
    for i, arg in enumerate(argv):
        if arg in ("--output_path", "-o") and i + 1 < len(argv):
            return Path(argv[i + 1])
        if arg.startswith("--output_path="):
            return Path(arg.split("=", 1)[1])
    return Path.cwd()


def _save_unscored(resps: Sequence[Sequence[str]], docs: Sequence[Mapping[str, Any]]) -> Path:
    # Generations may have cost hours: never lose them to a configuration error.
    task = str(docs[0].get("r1_task") or "task") if docs else "task"
    from r1bench.io import atomic_writer

    folder = _unscored_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"r1bench-unscored-{task}-{int(time.time())}-{os.getpid()}.jsonl"
    with atomic_writer(path) as fh:
        for doc, outs in zip(docs, resps):
            fh.write(json.dumps({"doc": dict(doc), "resps": [list(outs)]}, default=str) + "\n")
    return path


register_filter("r1")(R1Filter)


def _records_of(doc: Mapping[str, Any], results: Sequence[Any]) -> list[Mapping[str, Any]]:
    # lm-eval passes one entry per request; a generate_until doc has one request whose filtered
    # response is our list of k records (dicts, or their JSON strings when read back from a file).
    items = (
        list(results[0]) if len(results) == 1 and isinstance(results[0], list) else list(results)
    )
    records = []
    for item in items:
        if isinstance(item, str):
            with contextlib.suppress(json.JSONDecodeError):
                item = json.loads(item)
        if not isinstance(item, Mapping):
            raise TypeError(
                f"{doc.get('r1_task')}: process_results expects the `r1` filter's records, got "
                f"{type(item).__name__}; the task YAML must use filter_list with `function: r1`"
            )
        records.append(item)
    return records


def process_results(doc: Mapping[str, Any], results: Sequence[Any]) -> dict[str, float]:
    """Per-doc metrics over its k records (lm-eval averages each over docs)."""
    from r1bench.grading import answer_equality
    from r1bench.metrics import maj_at_k, pass_at_k

    records = _records_of(doc, results)
    k = _check_count(doc, len(records))
    correct = [bool(r["correct"]) for r in records]
    answers = [r.get("extracted") for r in records]
    equal = answer_equality(str(doc.get("kind", "math")))
    # The majority answer (grouped by equivalence) is compared with the gold itself.
    maj = maj_at_k(answers, str(doc["answer"]), equal)
    return {
        "pass@1": sum(correct) / k,
        "pass@k": pass_at_k(k, sum(correct), k),
        "maj@k": float(maj),
        "truncated_rate": sum(bool(r["truncated"]) for r in records) / k,
        "no_answer_rate": sum(r.get("extracted") is None for r in records) / k,
        "loop_rate": sum(bool(r["loop_detected"]) for r in records) / k,
        "mean_completion_tokens": sum(int(r["completion_tokens"]) for r in records) / k,
    }


def aggregate(per_doc: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Mean of each metric over docs (what lm-eval's ``aggregation: mean`` computes)."""
    if not per_doc:
        raise ValueError("no docs to aggregate")
    return {m: sum(float(d[m]) for d in per_doc) / len(per_doc) for m in METRICS}


def _saved_records(sample: Mapping[str, Any]) -> list[Mapping[str, Any]] | None:
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
                records = score_doc(doc, outputs, _saved_records(sample))
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
