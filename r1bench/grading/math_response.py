"""Math grading of one response: split -> extract -> compare with the gold, bounded in time.

The comparison itself (normalise -> exact -> structure -> numeric -> symbolic) is
:mod:`r1bench.grading.math`; the extraction :mod:`r1bench.grading.math_extract`. Never raises on
model text: every failure is a wrong :class:`Verdict` with its reason.
"""

from __future__ import annotations

from r1bench.grading.cache import BoundedCache
from r1bench.grading.math import Comparison, compare_math
from r1bench.grading.math_extract import Extraction, computed_value, extract_math_answer
from r1bench.grading.verdict import Verdict, cut_at_length
from r1bench.reasoning import ReasoningSplit, split_reasoning

__all__ = ["grade_math_response", "grade_math_split"]


def grade_math_response(
    response: str | None,
    gold: str,
    *,
    timeout: float = 5.0,
    starts_in_reasoning: bool = False,
    finish_reason: str | None = None,
    truncated: bool = False,
) -> Verdict:
    """Verdict for a full model response against a gold answer string.

    Only the text after the last ``</think>`` is read; an unclosed reasoning block has no answer.
    ``timeout`` bounds each symbolic comparison (seconds), in any thread or process.
    ``finish_reason`` / ``truncated``: what the engine said; an output cut at the length limit
    without any think tags has no answer (:func:`~r1bench.grading.verdict.cut_at_length`), the
    same verdict :func:`r1bench.records.score_response` records.
    """
    split = split_reasoning(response or "", starts_in_reasoning=starts_in_reasoning)
    return grade_math_split(split, gold, timeout=timeout, finish_reason=finish_reason, truncated=truncated)


def grade_math_split(
    split: ReasoningSplit,
    gold: str,
    *,
    timeout: float = 5.0,
    finish_reason: str | None = None,
    truncated: bool = False,
) -> Verdict:
    """:func:`grade_math_response` on a response already split (callers that also keep the split)."""
    try:
        verdict = _grade_answer_text(split, str(gold), timeout)
    except Exception as e:  # noqa: BLE001 - a grader bug on one output is a verdict, not a lost run
        verdict = Verdict(False, None, None, f"grading failed ({type(e).__name__}: {str(e)[:120]})")
    return cut_at_length(verdict, dialect=split.dialect, truncated=truncated, finish_reason=finish_reason)


def _grade_answer_text(split: ReasoningSplit, gold: str, timeout: float) -> Verdict:
    """The verdict on the answer text of ``split`` (before the length-cap rule)."""
    if not split.think_closed:
        return Verdict(False, None, None, "reasoning never closed (truncated): no answer")
    try:
        ext = extract_math_answer(split.answer_text)
    except Exception as e:  # noqa: BLE001 - model text never raises out of the grader: a verdict
        return Verdict(False, None, None, f"extraction failed ({type(e).__name__}): no answer")
    if ext.extracted is None:
        return Verdict(False, None, None, "no final answer found after the reasoning")
    if ext.rule == "boxed_multi" and 1 < len(ext.parts) <= 6 and all(
        _compare_cached(part, ext.parts[-1], timeout).equal for part in ext.parts[:-1]
    ):
        # "$\boxed{15\frac{39}{40}}$, or $\boxed{\frac{639}{40}}$": two spellings of one value,
        # not a two-element list.
        ext = Extraction(ext.parts[-1], "boxed")
    cmp = _compare_cached(ext.extracted, gold, timeout)
    if not cmp.equal and ext.rule not in ("boxed", "boxed_multi") and "=" not in gold:
        # An unboxed final "so $t(g(16)) = t(4) = 3-2 = 1$.": the value the computation ends in.
        value = computed_value(ext.extracted, stated=ext.rule == "stated_value")
        if value is not None:
            last = _compare_cached(value, gold, timeout)
            if last.equal:
                return Verdict(True, value, ext.rule, f"equal at stage {last.stage} (last side of a computation)")
    detail = f" ({cmp.detail})" if cmp.detail else ""
    if cmp.equal:
        return Verdict(True, ext.extracted, ext.rule, f"equal at stage {cmp.stage}{detail}")
    return Verdict(False, ext.extracted, ext.rule, f"not equal at stage {cmp.stage}{detail}")


# k samples of one question often state the same answer: each (extracted, gold) pair is compared
# once per process (normalisation, structure, numeric and the symbolic stage's worker trip).
_COMPARISONS: BoundedCache[tuple[str, str], Comparison] = BoundedCache(100_000)


def _compare_cached(extracted: str, gold: str, timeout: float) -> Comparison:
    key = (extracted, gold)
    hit = _COMPARISONS.get(key)
    if hit is not None:
        return hit
    cmp = compare_math(extracted, gold, timeout=timeout)
    # A symbolic "not equal" may be a timeout or a killed worker (machine load, not the answers):
    # only verdicts that say why they are final are kept.
    if cmp.equal or cmp.stage != "symbolic" or cmp.detail.startswith(("different", "unparsable")):
        _COMPARISONS.put(key, cmp)
    return cmp
