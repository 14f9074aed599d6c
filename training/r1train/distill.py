"""``r1train distill``: collect teacher traces by rejection sampling against graded answers.

The teacher (any OpenAI-compatible server: DeepSeek-R1's API, vLLM, ``transformers serve``) answers
each question ``k`` times through r1bench's API backend (concurrency, retries, ``reasoning_content``,
a sample store that makes a re-run resume). Every answer goes through
:func:`r1bench.records.score_response`, the grader the benchmarks use, and only correct traces with
closed reasoning are kept. The output folder holds ``traces.jsonl`` (chat ``messages``, ready for
``r1train sft``), ``samples.jsonl`` (every graded sample) and ``provenance.json``.

    r1train distill --questions questions.jsonl --base-url https://api.deepseek.com/v1 \\
        --model deepseek-reasoner --api-key-env DEEPSEEK_API_KEY -k 4 --out data/r1-traces
"""

from __future__ import annotations

import argparse
import datetime as _dt
import logging
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from r1bench.io import atomic_write_json
from r1bench.registry import benchmark_tasks
from r1train.data.convert import format_assistant
from r1train.data.io import iter_source_rows, rows_sha256, write_jsonl

__all__ = ["DistillResult", "normalize_question", "load_questions", "distill", "main"]

logger = logging.getLogger(__name__)

# Benchmark tasks: distilling on them and then evaluating on them is contamination.
_EVAL_TASKS = {t.name for t in benchmark_tasks()}


@dataclass
class DistillResult:
    """Counts of one distillation run (also written to ``provenance.json``)."""

    questions: int
    samples: int
    failed: int
    graded: int
    correct: int
    kept: int
    questions_kept: int
    out_dir: str
    drop_reasons: dict[str, int] = field(default_factory=dict)

    @property
    def acceptance_rate(self) -> float:
        """Kept traces over answered (graded) samples."""
        return self.kept / self.graded if self.graded else 0.0


def normalize_question(row: dict[str, Any], index: int) -> dict[str, Any]:
    """A question row as an r1bench doc: ``id``, ``kind``, ``problem`` or ``question`` + ``choices``, ``answer``."""
    if "answer" not in row and "gold" not in row:
        raise ValueError(f"question {index} has no 'answer' (gold) field")
    doc = dict(row)
    doc["answer"] = str(row.get("answer", row.get("gold")))
    doc.setdefault("id", str(row.get("unique_id", index)))
    doc["id"] = str(doc["id"])
    if "kind" not in doc:
        doc["kind"] = "choice" if isinstance(row.get("choices"), list) else "math"
    if doc["kind"] == "math" and "problem" not in doc:
        if "question" not in doc:
            raise ValueError(f"question {index} has neither 'problem' nor 'question'")
        doc["problem"] = doc["question"]
    return doc


def load_questions(path: str | None = None, *, task: str | None = None, data_dir: str | None = None,
                   limit: int | None = None) -> tuple[list[dict[str, Any]], str]:
    """Questions from a file (JSONL/JSON/parquet) or an r1bench task; returns (docs, source label)."""
    if (path is None) == (task is None):
        raise ValueError("give exactly one of a questions file or --task")
    if task is not None:
        from r1bench.datasets import load_task_docs

        if task in _EVAL_TASKS:
            logger.warning("distilling on benchmark %s: do not evaluate the student on the same questions", task)
        docs = load_task_docs(task, data_dir=data_dir)
        source = f"task:{task}"
    else:
        docs = []
        for i, src in enumerate(iter_source_rows(path)):
            if not isinstance(src.data, dict):
                raise ValueError(f"{src.where}: not a JSON object")
            try:
                docs.append(normalize_question(src.data, i))
            except ValueError as err:
                raise ValueError(f"{src.where}: {err}") from None
        source = str(path)
    return docs[:limit], source


def distill(
    docs: list[dict[str, Any]],
    config: Any,
    *,
    out_dir: str | Path,
    k: int = 4,
    gen_kwargs: dict[str, Any] | None = None,
    prompt_spec: str | None = None,
    max_per_question: int | None = None,
    allow_no_reasoning: bool = False,
    source: str = "",
    progress: bool = True,
) -> DistillResult:
    """Ask the teacher ``k`` times per doc, grade, keep correct closed traces; write the dataset."""
    from r1bench.api import ChatRequest, run_chat_requests
    from r1bench.grading import GRADER_VERSION
    from r1bench.prompts import DEFAULT_SPEC, render_prompt, resolve_spec, spec_hash
    from r1bench.records import score_response

    spec = prompt_spec or DEFAULT_SPEC
    gen = {"temperature": 0.6, "top_p": 0.95, **(gen_kwargs or {})}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    prompts = [render_prompt(doc, spec) for doc in docs]
    # Per-kind preset hash, as in the benchmark records (a choice doc under a math-only spec is
    # rendered with the default choice preset, so it gets that preset's hash).
    presets, defaults = resolve_spec(spec), resolve_spec(DEFAULT_SPEC)
    hashes = [(presets.get(d["kind"]) or defaults[d["kind"]]).hash for d in docs]
    requests = [
        ChatRequest(messages=[{"role": "user", "content": p}], gen_kwargs=dict(gen), sample_index=j)
        for p in prompts
        for j in range(k)
    ]
    logger.info("asking %s for %d questions x %d samples", config.model, len(docs), k)
    results = run_chat_requests(requests, config, progress=progress)

    samples, kept_rows = [], []
    drops: Counter = Counter()
    kept_per_q: Counter = Counter()
    failed = graded = correct = 0
    for n, res in enumerate(results):
        doc, prompt = docs[n // k], prompts[n // k]
        sample = {"id": doc["id"], "sample_index": res.request.sample_index, "error": res.error}
        if not res.ok:
            failed += 1
            drops["request_failed"] += 1
            samples.append(sample)
            continue
        graded += 1
        usage = res.usage or {}
        rec = score_response(
            res.text,
            doc["answer"],
            kind=doc["kind"],
            task=source,
            doc_id=doc["id"],
            sample_index=res.request.sample_index,
            prompt_hash=hashes[n // k],
            finish_reason=res.finish_reason,
            completion_tokens=usage.get("completion_tokens"),
            max_gen_toks=gen.get("max_gen_toks") or gen.get("max_tokens"),
            num_choices=len(doc.get("choices") or []) or None,
            options=list(doc["choices"]) if doc.get("kind") == "choice" and doc.get("choices") else None,
        )
        samples.append({**sample, **rec.to_dict()})
        correct += rec.correct
        reason = None
        if not rec.correct:
            reason = "wrong_answer" if rec.extracted is not None else "no_answer"
        elif rec.truncated or not rec.think_closed:
            reason = "truncated"
        elif not rec.reasoning.strip() and not allow_no_reasoning:
            reason = "no_reasoning"
        elif max_per_question is not None and kept_per_q[doc["id"]] >= max_per_question:
            reason = "over_max_per_question"
        if reason is not None:
            drops[reason] += 1
            continue
        kept_per_q[doc["id"]] += 1
        content = format_assistant(rec.reasoning, rec.answer_text) if rec.reasoning.strip() else rec.answer_text
        kept_rows.append(
            {
                "messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": content}],
                "id": doc["id"],
                "sample_index": rec.sample_index,
                "gold": rec.gold,
                "extracted": rec.extracted,
            }
        )

    write_jsonl(kept_rows, out / "traces.jsonl")
    write_jsonl(samples, out / "samples.jsonl")
    result = DistillResult(
        questions=len(docs), samples=len(results), failed=failed, graded=graded, correct=correct,
        kept=len(kept_rows), questions_kept=len(kept_per_q), out_dir=str(out), drop_reasons=dict(drops),
    )
    import r1bench
    from r1train import __version__

    provenance = {
        "teacher": {"model": config.model, "base_url": config.base_url},
        "prompt": {"spec": spec, "hash": spec_hash(spec), "example": prompts[0] if prompts else None},
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "questions": {"source": source, "count": len(docs), "sha256": rows_sha256(docs)},
        "k": k,
        "sampling": {**gen, "seed": config.seed},
        "samples": result.samples,
        "failed": failed,
        "graded": graded,
        "correct": correct,
        "kept": result.kept,
        "questions_with_kept_trace": result.questions_kept,
        "acceptance_rate": round(result.acceptance_rate, 6),
        "drop_reasons": dict(drops),
        "max_per_question": max_per_question,
        "train_data_sha256": rows_sha256({"messages": r["messages"]} for r in kept_rows),
        "grader_version": GRADER_VERSION,
        "r1bench_version": r1bench.__version__,
        "r1train_version": __version__,
    }
    atomic_write_json(out / "provenance.json", provenance)
    if failed:
        logger.warning("%d samples failed; re-run the same command to retry only those", failed)
    return result


def main(argv: list[str] | None = None) -> int:
    """CLI for :func:`distill`."""
    from r1bench.prompts import DEFAULT_SPEC

    p = argparse.ArgumentParser(prog="r1train distill", description=__doc__.split("\n\n")[0])
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--questions", help="JSONL/JSON/parquet of questions: problem or question (+choices), answer")
    src.add_argument("--task", help="an r1bench task's docs (e.g. r1_smoke); benchmarks warn about contamination")
    p.add_argument("--data-dir", default=None, help="local data folder for --task")
    p.add_argument("--limit", type=int, default=None, help="use only the first N questions")
    p.add_argument("--base-url", required=True, help="teacher endpoint, e.g. http://127.0.0.1:8000/v1")
    p.add_argument("--model", required=True, help="teacher model name as the server knows it")
    p.add_argument("--api-key-env", default=None, help="environment variable holding the API key")
    p.add_argument("-k", type=int, default=4, help="answers per question (default 4)")
    p.add_argument("--temperature", type=float, default=0.6)
    p.add_argument("--top-p", type=float, default=0.95)
    p.add_argument("--max-tokens", type=int, default=32768, help="generation limit per answer")
    p.add_argument("--seed", type=int, default=0, help="base seed; sample i is sent seed+i")
    p.add_argument("--prompt-spec", default=DEFAULT_SPEC, help=f"r1bench prompt presets (default {DEFAULT_SPEC})")
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--max-retries", type=int, default=6)
    p.add_argument("--timeout", type=float, default=3600.0, help="seconds per attempt")
    p.add_argument("--max-per-question", type=int, default=None, help="keep at most N correct traces per question")
    p.add_argument("--allow-no-reasoning", action="store_true", help="keep correct answers without reasoning")
    p.add_argument("--fresh", action="store_true", help="ignore stored samples and ask again")
    p.add_argument("--out", required=True, help="output folder (traces.jsonl, samples.jsonl, provenance.json)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    from r1bench.api import ChatConfig

    try:
        docs, source = load_questions(args.questions, task=args.task, data_dir=args.data_dir, limit=args.limit)
    except (ValueError, FileNotFoundError) as err:
        print(f"r1train distill: {err}", file=sys.stderr)
        return 2
    config = ChatConfig(
        base_url=args.base_url, model=args.model, api_key_env=args.api_key_env,
        num_concurrent=args.concurrency, max_retries=args.max_retries, timeout=args.timeout,
        seed=args.seed, store_path=str(Path(args.out) / "teacher_store.sqlite"), fresh=args.fresh,
    )
    result = distill(
        docs, config, out_dir=args.out, k=args.k,
        gen_kwargs={"temperature": args.temperature, "top_p": args.top_p, "max_gen_toks": args.max_tokens},
        prompt_spec=args.prompt_spec, max_per_question=args.max_per_question,
        allow_no_reasoning=args.allow_no_reasoning, source=source,
    )
    print(
        f"{result.kept}/{result.graded} traces kept (acceptance {result.acceptance_rate:.1%}), "
        f"{result.questions_kept}/{result.questions} questions covered, {result.failed} failed -> {result.out_dir}"
    )
    return 1 if result.failed else 0
