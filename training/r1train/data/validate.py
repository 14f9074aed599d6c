"""Validate converted traces and report what was kept and what was dropped, and why.

Reasons a row is dropped (``DROP_REASONS``): ``bad_row`` (not convertible: missing fields, not JSON),
``empty_reasoning``, ``unclosed_tags`` (reasoning opened and never closed, or stray tags),
``no_final_answer`` (nothing after ``</think>``, or no extractable answer when asked), ``too_long``
(longer than the training sequence limit once rendered with the chat template).
"""

from __future__ import annotations

import logging
import statistics
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from r1train.data.convert import ConversionError, ConvertedRow, convert_row
from r1train.data.io import SourceRow

__all__ = [
    "DROP_REASONS",
    "AnswerCheck",
    "ValidationReport",
    "validate_row",
    "convert_and_validate",
    "chat_token_counter",
]

logger = logging.getLogger(__name__)

DROP_REASONS = ("bad_row", "empty_reasoning", "unclosed_tags", "no_final_answer", "too_long")
AnswerCheck = Literal["nonempty", "math", "choice"]
TokenCounter = Callable[[list[dict[str, str]]], int]
_EXAMPLES_PER_REASON = 5


def chat_token_counter(tokenizer: Any) -> TokenCounter:
    """Count a conversation's tokens as training will see them: rendered with the chat template."""

    def count(messages: list[dict[str, str]]) -> int:
        ids = tokenizer.apply_chat_template(messages, tokenize=True)
        if isinstance(ids, dict) or hasattr(ids, "keys"):
            ids = ids["input_ids"]
        return len(ids)

    return count


def _default_counter(messages: list[dict[str, str]]) -> int:
    from r1bench.diagnostics import count_tokens

    return sum(count_tokens(m["content"]) for m in messages) + 4 * len(messages)


def validate_row(
    row: ConvertedRow,
    *,
    max_length: int | None = None,
    token_counter: TokenCounter | None = None,
    answer_check: AnswerCheck = "nonempty",
    allow_empty_reasoning: bool = False,
) -> tuple[str | None, int | None]:
    """Return ``(drop_reason or None, token count or None)`` for one converted row.

    ``answer_check="math"`` / ``"choice"`` also asks r1bench's extractor for an answer (a boxed
    value / a committed letter), which the grader would need at evaluation time.
    """
    if not row.think_closed or not row.tags_ok:
        return "unclosed_tags", None
    if not row.reasoning.strip() and not allow_empty_reasoning:
        return "empty_reasoning", None
    if not row.answer.strip():
        return "no_final_answer", None
    if answer_check == "math":
        from r1bench.grading import extract_math_answer

        if extract_math_answer(row.answer).extracted is None:
            return "no_final_answer", None
    elif answer_check == "choice":
        from r1bench.grading import extract_choice

        if extract_choice(row.answer).extracted is None:
            return "no_final_answer", None
    n_tokens = None
    if max_length is not None or token_counter is not None:
        n_tokens = (token_counter or _default_counter)(row.messages)
        if max_length is not None and n_tokens > max_length:
            return "too_long", n_tokens
    return None, n_tokens


@dataclass
class ValidationReport:
    """Counts of rows kept and dropped per reason, with example locations for each reason."""

    total: int = 0
    kept: int = 0
    dropped: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)
    formats: Counter = field(default_factory=Counter)
    kept_tokens: list[int] = field(default_factory=list, repr=False)
    max_length: int | None = None

    def drop(self, reason: str, where: str, detail: str = "") -> None:
        self.dropped[reason] += 1
        ex = self.examples.setdefault(reason, [])
        if len(ex) < _EXAMPLES_PER_REASON:
            ex.append(f"{where}: {detail}" if detail else where)

    def to_dict(self) -> dict[str, Any]:
        tokens = sorted(self.kept_tokens)
        stats = (
            {"min": tokens[0], "median": statistics.median(tokens), "max": tokens[-1], "sum": sum(tokens)}
            if tokens
            else None
        )
        return {
            "total": self.total,
            "kept": self.kept,
            "dropped": {r: self.dropped.get(r, 0) for r in DROP_REASONS},
            "examples": self.examples,
            "formats": dict(self.formats),
            "max_length": self.max_length,
            "kept_tokens": stats,
        }

    def format(self) -> str:
        """A short human-readable report."""
        lines = [f"rows: {self.total}  kept: {self.kept}  dropped: {self.total - self.kept}"]
        if self.formats:
            lines.append("formats: " + ", ".join(f"{k} {v}" for k, v in sorted(self.formats.items())))
        for reason in DROP_REASONS:
            n = self.dropped.get(reason, 0)
            if n:
                lines.append(f"  dropped {reason}: {n}")
                lines += [f"    e.g. {ex}" for ex in self.examples.get(reason, [])]
        stats = self.to_dict()["kept_tokens"]
        if stats:
            lines.append(f"kept tokens: min {stats['min']}, median {stats['median']}, max {stats['max']}")
        return "\n".join(lines)


def convert_and_validate(
    rows: Iterable[SourceRow],
    *,
    fmt: str = "auto",
    keep_system: bool = False,
    max_length: int | None = None,
    token_counter: TokenCounter | None = None,
    answer_check: AnswerCheck = "nonempty",
    allow_empty_reasoning: bool = False,
) -> tuple[list[ConvertedRow], ValidationReport]:
    """Convert and validate rows; returns the kept rows (in order) and the report. Never raises on a row."""
    report = ValidationReport(max_length=max_length)
    kept: list[ConvertedRow] = []
    for src in rows:
        report.total += 1
        if src.data is None:
            report.drop("bad_row", src.where, "not valid JSON")
            continue
        try:
            conv = convert_row(src.data, fmt, keep_system=keep_system)
        except ConversionError as err:
            report.drop("bad_row", src.where, str(err))
            continue
        report.formats[conv.source_format] += 1
        reason, n_tokens = validate_row(
            conv,
            max_length=max_length,
            token_counter=token_counter,
            answer_check=answer_check,
            allow_empty_reasoning=allow_empty_reasoning,
        )
        if reason is not None:
            report.drop(reason, src.where, f"{n_tokens} tokens" if reason == "too_long" else "")
            continue
        kept.append(conv)
        report.kept += 1
        if n_tokens is not None:
            report.kept_tokens.append(n_tokens)
    logger.info("validated %d rows: kept %d, dropped %s", report.total, report.kept, dict(report.dropped))
    return kept, report
