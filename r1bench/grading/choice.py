"""Multiple-choice grading: extract the committed letter from the answer part and compare."""

from __future__ import annotations

from r1bench.extract import extract_choice
from r1bench.grading.verdict import Verdict
from r1bench.reasoning import ReasoningSplit, split_reasoning

__all__ = ["grade_choice_response", "grade_choice_split"]


def grade_choice_response(
    response: str | None,
    gold_letter: str,
    *,
    num_choices: int = 4,
    starts_in_reasoning: bool = False,
) -> Verdict:
    """Verdict for a multiple-choice response against ``gold_letter`` (A, B, ...).

    Only the text after the reasoning is read; a response that never commits to one letter gets
    ``extracted=None`` and is wrong.
    """
    split = split_reasoning(response or "", starts_in_reasoning=starts_in_reasoning)
    return grade_choice_split(split, gold_letter, num_choices=num_choices)


def grade_choice_split(split: ReasoningSplit, gold_letter: str, *, num_choices: int = 4) -> Verdict:
    """:func:`grade_choice_response` on a response already split (callers that keep the split)."""
    gold = str(gold_letter).strip().strip("()").upper()
    if len(gold) != 1 or not gold.isalpha():
        raise ValueError(f"gold letter must be a single letter, got {gold_letter!r}")
    if not split.think_closed:
        return Verdict(False, None, None, "reasoning never closed (truncated): no answer", "r1bench-choice")
    ext = extract_choice(split.answer, num_choices=num_choices)
    if ext.answer is None:
        return Verdict(False, None, None, "no committed option letter found", "r1bench-choice")
    if ext.answer == gold:
        return Verdict(True, ext.answer, ext.rule, f"letter {ext.answer} matches", "r1bench-choice")
    return Verdict(False, ext.answer, ext.rule, f"letter {ext.answer} != gold {gold}", "r1bench-choice")
