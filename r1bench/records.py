"""The per-sample record: one model output, scored, with everything needed to audit the verdict.

:func:`score_response` is the single path from a raw output to a record; the lm-eval tasks, the
API backend, ``r1bench grade`` and ``r1train distill`` all call it, so a verdict never depends on
which backend produced the text.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from r1bench import __version__
from r1bench.diagnostics import count_tokens, detect_loop, is_truncated
from r1bench.efficiency import measure_efficiency
from r1bench.grading import GRADER_VERSION, grade_choice_split, grade_math_split
from r1bench.reasoning import split_reasoning

__all__ = ["SampleRecord", "score_response", "AnswerKind", "parse_saved_record", "flatten_filtered_resps"]

AnswerKind = Literal["math", "choice"]


@dataclass
class SampleRecord:
    """One scored sample (docs/design.md, section 4). JSON-serialisable through :meth:`to_dict`."""

    task: str
    doc_id: Any
    sample_index: int
    raw_output: str
    reasoning: str
    answer_text: str
    extracted: str | None
    gold: str
    correct: bool
    rule: str | None
    reason: str
    grader: str
    grader_version: str
    think_closed: bool
    dialect: str
    truncated: bool
    loop_detected: bool
    completion_tokens: int
    reasoning_tokens: int
    tokens_estimated: bool
    finish_reason: str | None = None
    prompt_hash: str | None = None
    r1bench_version: str = __version__
    extra: dict[str, Any] = field(default_factory=dict)
    # r1bench.efficiency.Efficiency as a dict: answer tokens, first correct candidate position in
    # the reasoning, overthinking share, self-corrections (empty in records saved before them).
    efficiency: dict[str, Any] = field(default_factory=dict)
    # r1bench.budget.BudgetOutcome.record for a budget-forced sample (thinking tokens used, forced
    # or natural close, extensions); None for an unbudgeted one.
    budget: dict[str, Any] | None = None

    @property
    def no_answer(self) -> bool:
        return self.extracted is None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SampleRecord:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


def score_response(
    raw_output: str | None,
    gold: str,
    *,
    kind: AnswerKind = "math",
    task: str = "",
    doc_id: Any = None,
    sample_index: int = 0,
    prompt_hash: str | None = None,
    finish_reason: str | None = None,
    completion_tokens: int | None = None,
    reasoning_tokens: int | None = None,
    max_gen_toks: int | None = None,
    starts_in_reasoning: bool = False,
    num_choices: int | None = None,
    options: list[str] | None = None,
    timeout: float = 5.0,
    tokenizer: Callable[[str], list] | None = None,
    extra: dict[str, Any] | None = None,
    budget: dict[str, Any] | None = None,
) -> SampleRecord:
    """Split, extract, grade and diagnose one raw output; never raises on any model text.

    Choice tasks: ``options`` are the option texts in the shown order (A first); they let an answer
    that names an option by content count, and are kept in ``extra["options"]`` so a later rescoring
    of the record alone gives the same verdict.
    """
    text = raw_output or ""
    split = split_reasoning(text, starts_in_reasoning=starts_in_reasoning)
    extra = dict(extra or {})
    estimated = completion_tokens is None
    n_completion = completion_tokens if completion_tokens is not None else count_tokens(text, tokenizer)
    n_reasoning = (
        reasoning_tokens if reasoning_tokens is not None else count_tokens(split.reasoning, tokenizer)
    )
    loop = detect_loop(text)
    truncated = is_truncated(
        think_closed=split.think_closed,
        finish_reason=finish_reason,
        completion_tokens=n_completion if not estimated else None,
        max_gen_toks=max_gen_toks,
    )
    # The verdict is the grader's alone (the length-cap rule included), graded from the same split
    # the record keeps (one pass over a possibly 1 MB output).
    if kind == "choice":
        if options is not None:
            options = [str(o) for o in options]
            extra["options"] = options
            num_choices = len(options)
        verdict = grade_choice_split(split, gold, options, num_choices=num_choices,
                                     finish_reason=finish_reason, truncated=truncated)
    else:
        verdict = grade_math_split(split, gold, timeout=timeout, finish_reason=finish_reason,
                                   truncated=truncated)
    eff = measure_efficiency(
        split.reasoning, split.answer_text, str(gold), kind=kind, reasoning_tokens=n_reasoning,
        answer_tokens=count_tokens(split.answer_text, tokenizer), final_answer=verdict.extracted,
        final_correct=verdict.correct,
    )
    return SampleRecord(
        task=task,
        doc_id=doc_id,
        sample_index=sample_index,
        raw_output=text,
        reasoning=split.reasoning,
        answer_text=split.answer_text,
        extracted=verdict.extracted,
        gold=str(gold),
        correct=verdict.correct,
        rule=verdict.rule,
        reason=verdict.reason,
        grader=verdict.grader,
        grader_version=GRADER_VERSION,
        think_closed=split.think_closed,
        dialect=split.dialect,
        truncated=truncated,
        # "loop": the backend's loop guard stopped a sample that was repeating (r1bench.local).
        loop_detected=loop.looping or finish_reason == "loop",
        completion_tokens=n_completion,
        reasoning_tokens=n_reasoning,
        tokens_estimated=estimated,
        finish_reason=finish_reason,
        prompt_hash=prompt_hash,
        extra=extra,
        efficiency=eff.to_dict(),
        budget=dict(budget) if budget else None,
    )


def parse_saved_record(value: Any, *, where: str = "") -> dict[str, Any]:
    """A record as lm-eval saved it in a samples file: a dict, a JSON string (what the ``r1`` filter
    writes) or a Python-literal string (older files); ValueError otherwise. Never runs code."""
    rec: Any = value
    if isinstance(value, str):
        try:
            rec = json.loads(value)
        except json.JSONDecodeError:
            try:
                rec = ast.literal_eval(value)  # literals only: never evaluates code
            except (ValueError, SyntaxError, MemoryError, RecursionError) as exc:
                raise ValueError(f"{where}: filtered response is not a record: {value[:80]!r}") from exc
    if not isinstance(rec, dict):
        raise ValueError(f"{where}: filtered response is a {type(rec).__name__}, not a record dict "
                         "(was the task run with the r1 filter?)")
    return rec


def flatten_filtered_resps(value: Any) -> list[Any]:
    """The k saved items of a samples line's ``filtered_resps`` (nested lists, or a list that
    lm-eval's ``sanitize_list`` stringified whole), in order."""
    if isinstance(value, (list, tuple)):
        out: list[Any] = []
        for item in value:
            out.extend(flatten_filtered_resps(item))
        return out
    if isinstance(value, str) and value.startswith("[") and value.endswith("]"):
        try:
            inner = ast.literal_eval(value)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return [value]
        return flatten_filtered_resps(inner) if isinstance(inner, list) else [value]
    return [value]
