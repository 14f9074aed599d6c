"""Grading: the verdict on one response (split -> extract -> compare), bounded in time.

Public interface (stable): :class:`Verdict`, :func:`math_equal`, :func:`grade_math_response`,
:func:`grade_choice_response`, ``GRADER_VERSION`` (bump it whenever a verdict can change, so
leaderboard entries graded differently are told apart).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from r1bench.extract import Extraction, computed_value, extract_math_answer
from r1bench.grading.choice import grade_choice_response, grade_choice_split
from r1bench.grading.math import Comparison, compare_math, math_equal
from r1bench.grading.verdict import Verdict
from r1bench.reasoning import ReasoningSplit, split_reasoning

__all__ = [
    "GRADER_VERSION",
    "Verdict",
    "Comparison",
    "math_equal",
    "compare_math",
    "grade_math_response",
    "grade_choice_response",
    "grade_math_split",
    "grade_choice_split",
    "letters_equal",
    "answer_equality",
]

GRADER_VERSION = "2"


def letters_equal(a: str, b: str) -> bool:
    """Two option letters are the same answer ("c" and " C" too)."""
    return str(a).strip().upper() == str(b).strip().upper()


def answer_equality(kind: str) -> Callable[[str, str], bool]:
    """How answers of a task kind are compared (for maj@k voting and gold checks): option letters
    for ``choice``, :func:`math_equal` (prediction first: it is asymmetric) otherwise."""
    return letters_equal if kind == "choice" else math_equal


def grade_math_response(
    response: str | None,
    gold: str,
    *,
    timeout: float = 5.0,
    starts_in_reasoning: bool = False,
) -> Verdict:
    """Verdict for a full model response against a gold answer string.

    Only the text after the last ``</think>`` is read; an unclosed reasoning block has no answer.
    ``timeout`` bounds each symbolic comparison (seconds), in any thread or process.
    """
    split = split_reasoning(response or "", starts_in_reasoning=starts_in_reasoning)
    return grade_math_split(split, gold, timeout=timeout)


def grade_math_split(split: ReasoningSplit, gold: str, *, timeout: float = 5.0) -> Verdict:
    """:func:`grade_math_response` on a response already split (callers that also keep the split)."""
    if not split.think_closed:
        return Verdict(False, None, None, "reasoning never closed (truncated): no answer")
    try:
        ext = extract_math_answer(split.answer)
    except Exception as e:  # noqa: BLE001 - model text never raises out of the grader: a verdict
        return Verdict(False, None, None, f"extraction failed ({type(e).__name__}): no answer")
    if ext.answer is None:
        return Verdict(False, None, None, "no final answer found after the reasoning")
    if ext.rule == "boxed_multi" and 1 < len(ext.parts) <= 6 and all(
        _compare_cached(part, ext.parts[-1], timeout).equal for part in ext.parts[:-1]
    ):
        # "$\boxed{15\frac{39}{40}}$, or $\boxed{\frac{639}{40}}$": two spellings of one value,
        # not a two-element list.
        ext = Extraction(ext.parts[-1], "boxed")
    cmp = _compare_cached(ext.answer, str(gold), timeout)
    if not cmp.equal and ext.rule not in ("boxed", "boxed_multi") and "=" not in str(gold):
        # An unboxed final "so $t(g(16)) = t(4) = 3-2 = 1$.": the value the computation ends in.
        value = computed_value(ext.answer, stated=ext.rule == "stated_value")
        if value is not None:
            last = _compare_cached(value, str(gold), timeout)
            if last.equal:
                return Verdict(True, value, ext.rule, f"equal at stage {last.stage} (last side of a computation)")
    detail = f" ({cmp.detail})" if cmp.detail else ""
    if cmp.equal:
        return Verdict(True, ext.answer, ext.rule, f"equal at stage {cmp.stage}{detail}")
    return Verdict(False, ext.answer, ext.rule, f"not equal at stage {cmp.stage}{detail}")


# k samples of one question often state the same answer: each (answer, gold) pair is compared once
# per process (normalisation, structure, numeric and the symbolic stage's worker trip).
_COMPARISONS: OrderedDict[tuple[str, str], Comparison] = OrderedDict()
_COMPARISONS_LOCK = threading.Lock()
_COMPARISONS_SIZE = 100_000


def _compare_cached(answer: str, gold: str, timeout: float) -> Comparison:
    key = (answer, gold)
    with _COMPARISONS_LOCK:
        hit = _COMPARISONS.get(key)
        if hit is not None:
            _COMPARISONS.move_to_end(key)
            return hit
    cmp = compare_math(answer, gold, timeout=timeout)
    # A symbolic "not equal" may be a timeout or a killed worker (machine load, not the answers):
    # only verdicts that say why they are final are kept.
    if cmp.equal or cmp.stage != "symbolic" or cmp.detail.startswith(("different", "unparsable")):
        with _COMPARISONS_LOCK:
            _COMPARISONS[key] = cmp
            if len(_COMPARISONS) > _COMPARISONS_SIZE:
                _COMPARISONS.popitem(last=False)
    return cmp
