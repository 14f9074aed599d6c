"""Multiple-choice grading: the option the answer part commits to (a letter, or the text of exactly
one shown option), compared with the gold letter. Never raises on model text."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from r1bench.grading.choice_extract import extract_choice, match_option
from r1bench.grading.math import math_equal
from r1bench.grading.verdict import Verdict, cut_at_length
from r1bench.reasoning import ReasoningSplit, split_reasoning

__all__ = ["grade_choice_response", "grade_choice_split", "letters_equal"]

_GRADER = "r1bench-choice"
_OPTION_BUDGET = 2.0  # seconds, all value comparisons of one answer with the options together


def grade_choice_response(
    response: str | None,
    gold_letter: str,
    options: Sequence[str] | None = None,
    *,
    num_choices: int | None = None,
    starts_in_reasoning: bool = False,
    finish_reason: str | None = None,
    truncated: bool = False,
) -> Verdict:
    """Verdict for a multiple-choice response against ``gold_letter`` (A, B, ...).

    ``options``: the option texts in the order they were shown (A first), when known; then an
    answer that names an option by content (``\\boxed{-0.4}``, "the answer is **NaBH4**") counts as
    that option's letter when it matches exactly one. An explicit letter always wins over content.
    Only the text after the reasoning is read; a response that never commits to one option gets
    ``extracted=None`` and is wrong. ``num_choices`` defaults to ``len(options)``, else 4.
    ``finish_reason`` / ``truncated``: the length-cap rule, as for math
    (:func:`~r1bench.grading.verdict.cut_at_length`).
    """
    split = split_reasoning(response or "", starts_in_reasoning=starts_in_reasoning)
    return grade_choice_split(split, gold_letter, options, num_choices=num_choices,
                              finish_reason=finish_reason, truncated=truncated)


def _check_args(gold_letter: str, options: Sequence[str] | None, num_choices: int | None) -> tuple[str, int]:
    """The gold letter and option count, or ValueError for a caller's mistake (not model text)."""
    gold = str(gold_letter).strip().strip("()").upper()
    if len(gold) != 1 or not gold.isalpha():
        raise ValueError(f"gold letter must be a single letter, got {gold_letter!r}")
    if options is not None:
        if isinstance(options, str) or not all(isinstance(o, str) for o in options):
            raise ValueError("options must be a list of option texts (strings), in the shown order")
        if num_choices is not None and num_choices != len(options):
            raise ValueError(f"num_choices={num_choices} but {len(options)} options were given")
        num_choices = len(options)
    n = 4 if num_choices is None else int(num_choices)
    if not 2 <= n <= 10:
        raise ValueError(f"num_choices must be in 2..10, got {n}")
    return gold, n


def _bounded_math_equal(budget: float) -> Callable[[str, str], bool]:
    """:func:`math_equal` that shares one time budget across all its calls (then answers False)."""
    deadline = time.monotonic() + budget

    def equal(a: str, b: str) -> bool:
        left = deadline - time.monotonic()
        return left > 0.05 and math_equal(a, b, timeout=min(left, 0.5))

    return equal


def grade_choice_split(
    split: ReasoningSplit,
    gold_letter: str,
    options: Sequence[str] | None = None,
    *,
    num_choices: int | None = None,
    finish_reason: str | None = None,
    truncated: bool = False,
) -> Verdict:
    """:func:`grade_choice_response` on a response already split (callers that keep the split)."""
    gold, n = _check_args(gold_letter, options, num_choices)
    verdict = _grade_answer_text(split, gold, options, n)
    return cut_at_length(verdict, dialect=split.dialect, truncated=truncated, finish_reason=finish_reason)


def _grade_answer_text(split: ReasoningSplit, gold: str, options: Sequence[str] | None, n: int) -> Verdict:
    """The verdict on the answer text of ``split`` (before the length-cap rule)."""
    if not split.think_closed:
        return Verdict(False, None, None, "reasoning never closed (truncated): no answer", _GRADER)
    try:
        ext = extract_choice(split.answer_text, num_choices=n)
        how = "letter"
        if ext.extracted is None and ext.rule is None and options:  # no explicit slot declined
            ext = match_option(split.answer_text, list(options), equal=_bounded_math_equal(_OPTION_BUDGET))
            how = "option content"
    except Exception as exc:  # noqa: BLE001 - model text must never raise out of a grader
        return Verdict(False, None, None, f"could not read an option ({type(exc).__name__}): no answer", _GRADER)
    if ext.extracted is None:
        reason = "no committed option letter found"
        if ext.rule is not None:
            reason = f"the answer slot ({ext.rule}) names no single option"
        elif options:
            reason += " and no single option named by its content"
        return Verdict(False, None, ext.rule, reason, _GRADER)
    if ext.extracted == gold:
        return Verdict(True, ext.extracted, ext.rule, f"{how} {ext.extracted} matches", _GRADER)
    return Verdict(False, ext.extracted, ext.rule, f"{how} {ext.extracted} != gold {gold}", _GRADER)


def letters_equal(a: str, b: str) -> bool:
    """Two option letters are the same answer ("c" and " C" too)."""
    return str(a).strip().upper() == str(b).strip().upper()
