"""lm-eval task hooks of the r1bench tasks (``tasks/_r1_template_yaml`` names them with
``!function r1bench.lm_eval.hooks.<name>``).

* :func:`load_dataset` (``custom_dataset``): docs from :func:`r1bench.datasets.load_task_docs`,
  stamped with the run's protocol (k, prompt spec and hash, token limit, tokenizer) so every
  later step, and every line of the samples file, is self-describing.
* :func:`doc_to_text` / :func:`doc_to_target`: the prompt preset and the gold answer.
* :func:`process_results`: per-doc pass@1 (mean over k), pass@k, maj@k, truncated / no-answer /
  loop rates and mean completion tokens over the records of the ``r1`` filter
  (:mod:`r1bench.lm_eval.filter`); lm-eval averages them over docs (``aggregation: mean``).

No extraction or grading lives here: it all goes through :mod:`r1bench.records`.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from r1bench.lm_eval import chat_template
from r1bench.metrics import METRICS
from r1bench.prompts import DEFAULT_SPEC, render_prompt, resolve_spec

__all__ = [
    "METRICS",
    "SampleCountError",
    "check_count",
    "load_dataset",
    "stamp_docs",
    "doc_to_text",
    "doc_to_target",
    "process_results",
    "aggregate",
]

logger = logging.getLogger(__name__)

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
    options = dict(kwargs.get("dataset_options") or {})
    data_dir = kwargs.get("data_dir") or None
    docs = load_task_docs(task, data_dir=data_dir, **options)
    if not docs:
        raise ValueError(f"{task}: the loader returned no docs")
    tokenizer_name = chat_template.tokenizer_name(kwargs)
    stamped = stamp_docs(
        docs,
        task=task,
        k=kwargs.get("k"),
        prompt_spec=str(kwargs.get("prompt_preset") or DEFAULT_SPEC),
        max_gen_toks=kwargs.get("max_gen_toks"),
        starts_in_reasoning=chat_template.starts_in_reasoning(kwargs.get("starts_in_reasoning"), tokenizer_name),
        tokenizer=tokenizer_name,
    )
    fingerprint = dataset_fingerprint(docs)
    guard = _loop_guard_protocol(kwargs)
    clamped = kwargs.get("max_gen_toks_clamped")  # set by R1Task when the model's context is short
    for doc in stamped:
        doc["r1_dataset_fingerprint"] = fingerprint
        if guard is not None:  # only guarded runs carry it: unguarded docs stay as they were
            doc["r1_loop_guard"] = guard
        if isinstance(clamped, Mapping) and clamped.get("requested") is not None:
            doc["r1_max_gen_toks_requested"] = int(clamped["requested"])
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


# --------------------------------------------------------------------------- prompt, target


def doc_to_text(doc: Mapping[str, Any]) -> str:
    """The user message: the doc rendered with its stamped prompt spec."""
    return render_prompt(doc, doc.get("r1_prompt_spec") or DEFAULT_SPEC)


def doc_to_target(doc: Mapping[str, Any]) -> str:
    """The gold answer (math: LaTeX string; choice: the letter)."""
    return str(doc["answer"])


# --------------------------------------------------------------------------- scoring


def check_count(doc: Mapping[str, Any], n: int) -> int:
    """The doc's k, when it got exactly k generations; else :class:`SampleCountError` (pass@1 is
    never reported over fewer samples)."""
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
    """Per-doc metrics over its k records (:func:`r1bench.metrics.doc_metrics`); lm-eval averages
    each over docs (``aggregation: mean``)."""
    from r1bench.grading import answer_equality
    from r1bench.metrics import doc_metrics

    records = _records_of(doc, results)
    k = check_count(doc, len(records))
    # The majority answer (grouped by equivalence) is compared with the gold itself.
    equal = answer_equality(str(doc.get("kind", "math")))
    return doc_metrics(records, str(doc["answer"]), k, equal=equal)


def aggregate(per_doc: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Mean of each metric over docs (:func:`r1bench.metrics.aggregate`: what lm-eval's
    ``aggregation: mean`` computes)."""
    from r1bench.metrics import aggregate as aggregate_docs

    return aggregate_docs(per_doc)
