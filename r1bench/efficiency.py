"""Reasoning efficiency of one sample: how much of the thinking was needed.

For every sample (no judge, no length filter) this finds where a correct answer first appeared in
the reasoning and counts the self-corrections:

* ``first_correct_tokens``: the token position at which a correct *candidate* answer was first
  written inside the reasoning. Candidates are ``\\boxed{}`` values, "the answer is ..." statements
  and the value after the last ``=`` of a paragraph's final line, each graded against the gold with
  r1bench's own math grader.
* ``overthinking_share``: the reasoning tokens after that point over all reasoning tokens (0.0: the
  thinking stopped as soon as the answer was found; 0.9: nine tenths re-checked a found answer).
* ``self_corrections``: "wait", "alternatively", "let me double-check" ... (and Chinese equivalents).

Bounded: candidates are scanned over at most the last ``_MAX_SCAN`` characters with linear
patterns and each distinct candidate string is decided once per sample, cheapest rule first: the
final answer's spelling takes its verdict, the gold's own spelling is correct, against a plain-number
gold the candidate's exact value decides (microseconds; a candidate the numeric evaluator cannot
read is not that number), otherwise the grader's cheap stages (:func:`~r1bench.grading.compare_math`
with ``symbolic=False``). Only pairs those leave undecided go to math-verify: at most ``max_graded``
per sample, each with the grader's time bound, all within ``budget`` seconds (the start of
math-verify's worker process not counted, so a run's first sample is measured like any other).
A candidate left ungraded by the cap or the budget is counted in ``unchecked``. Math answers only:
for choice tasks the candidate positions are not defined and ``first_correct_tokens`` is ``None``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any

from r1bench.diagnostics import count_tokens
from r1bench.grading import compare_math, find_boxed
from r1bench.grading.math import normalize_cached
from r1bench.grading.numeric import evaluate, numbers_close
from r1bench.grading.symbolic import startup_seconds

__all__ = ["Efficiency", "candidate_answers", "count_self_corrections", "measure_efficiency"]

_MAX_SCAN = 400_000  # characters of reasoning scanned for candidates (a 32k-token output is ~120k)
_MAX_CANDIDATE = 200  # longer "answers" are sentences, not values
_PLAIN_INT_RE = re.compile(r"-?(?:0|[1-9][0-9]{0,17})")  # two in five candidates: no parse needed

# "the answer is X", "final answer: X", "answer = X" up to the end of the sentence or line. The
# span is bounded ({1,200}) so a long line cannot make the scan quadratic.
_STATEMENT_RE = re.compile(
    r"(?:\banswer\s+(?:is|should\s+be|would\s+be|=)|\banswer\s*:)\s*(?:\$+|\\\(|\\\[)?\s*"
    r"([^\n]{1,200}?)\s*(?:\$+|\\\)|\\\])?\s*(?:\.\s|\.$|,\s|;|\n|$)",
    re.IGNORECASE | re.MULTILINE,
)
_ANSWER_WORD_RE = re.compile("answer", re.IGNORECASE)  # the same case folding as _STATEMENT_RE
# Paragraph-final lines whose last "=" is followed by a short value.
_FINAL_EQ_RE = re.compile(r"=\s*\$?\s*([^=\n$]{1,60}?)\s*\$?\s*\.?\s*$")

# Matched on the lower-cased text; the leading character class lets the scan skip most positions.
_SELF_CORRECTION_RE = re.compile(
    r"(?=[wahbol等不或再重验])(?:\bbut wait\b|\bwait\b|\balternatively\b|\bhmm+\b"
    r"|\bon second thought\b|\bactually,"
    r"|\blet me (?:double[- ]?check|re-?check|check again|verify|re-?verify|reconsider|re-?examine"
    r"|re-?evaluate|think again)\b"
    r"|等等|等一下|不对|或者说|再检查|再确认|重新考虑|验证一下)"
)

# The literal each alternative of _SELF_CORRECTION_RE starts with.
_SELF_CORRECTION_STARTS = ("but wait", "wait", "alternatively", "hmm", "on second thought", "actually,",
                           "let me ", "等等", "等一下", "不对", "或者说", "再检查", "再确认", "重新考虑", "验证一下")


@dataclass(frozen=True)
class Efficiency:
    """Efficiency figures of one sample; see the module docstring for each field."""

    reasoning_tokens: int
    answer_tokens: int
    first_correct_tokens: int | None
    overthinking_share: float | None
    self_corrections: int
    candidates: int
    # Distinct candidates before the first correct one (all, when none was) left ungraded because
    # the math-verify cap or the time budget ran out: 0 means the position is exact.
    unchecked: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _clean(value: str) -> str | None:
    v = value.strip().strip("*_").strip()
    v = v.rstrip(".,;:").strip()
    if v.startswith("$") and v.endswith("$"):
        v = v.strip("$").strip()
    if not v or len(v) > _MAX_CANDIDATE:
        return None
    return v


def _normalized(text: str) -> str | None:
    try:
        return normalize_cached(text)  # the grader's cache: compare_math normalises the same text again
    except Exception:  # hostile text: compared by the grader instead
        return None


def _number(norm: str | None):
    """The exact value of a normalised plain numeric answer ("12", "\\frac{3}{4}", "2^{10}"), else None."""
    if norm is None:
        return None
    try:
        return evaluate(norm)
    except Exception:  # not a plain number (or hostile text): the full grader decides
        return None


def candidate_answers(reasoning: str) -> list[tuple[int, str]]:
    """Candidate answers in ``reasoning`` as (character position where the candidate ends, text),
    in order of position; boxes, answer statements and paragraph-final ``= value`` lines."""
    offset = max(0, len(reasoning) - _MAX_SCAN)
    text = reasoning[offset:]
    found: dict[int, str] = {}
    for _start, end, content in find_boxed(text):
        if (c := _clean(content)) is not None:
            found.setdefault(end, c)
    # Every statement starts at the word "answer": the pattern is tried there only (same matches
    # as finditer, a fraction of the time: the alternation is not tried at every character).
    done = 0
    for w in _ANSWER_WORD_RE.finditer(text):
        if w.start() < done:
            continue
        if (m := _STATEMENT_RE.match(text, w.start())) is not None:
            done = m.end()
            if (c := _clean(m.group(1))) is not None:
                found.setdefault(m.end(1), c)
    pos = 0
    for para in text.split("\n\n"):
        stripped = para.rstrip()
        tail = stripped[stripped.rfind("\n") + 1 :][-300:]
        # Only the line's last "=" can start a match (the value admits no "=").
        if (eq := tail.rfind("=")) >= 0 and (m := _FINAL_EQ_RE.match(tail, eq)) is not None:
            if (c := _clean(m.group(1))) is not None:
                found.setdefault(pos + len(stripped), c)
        pos += len(para) + 2
    return [(offset + p, found[p]) for p in sorted(found)]


def count_self_corrections(text: str) -> int:
    """How often the text second-guesses itself ("wait", "alternatively", "让我再检查", ...)."""
    low = (text or "").lower()
    # A match starts where one of these literals does: the pattern is tried only there (same
    # count as findall, without trying the alternation at every character of a 100k-character text).
    starts = sorted({i for lit in _SELF_CORRECTION_STARTS for i in _occurrences(low, lit)})
    count = done = 0
    for i in starts:
        if i >= done and (m := _SELF_CORRECTION_RE.match(low, i)) is not None:
            count += 1
            done = m.end()
    return count


def _occurrences(text: str, literal: str) -> list[int]:
    out, i = [], text.find(literal)
    while i != -1:
        out.append(i)
        i = text.find(literal, i + 1)
    return out


def measure_efficiency(
    reasoning: str,
    answer_text: str,
    gold: str | None,
    *,
    kind: str = "math",
    reasoning_tokens: int | None = None,
    answer_tokens: int | None = None,
    tokenizer: Callable[[str], list] | None = None,
    final_answer: str | None = None,
    final_correct: bool | None = None,
    max_graded: int = 4,
    timeout: float = 1.0,
    budget: float = 1.0,
) -> Efficiency:
    """Efficiency of one sample from its split and gold.

    ``reasoning_tokens`` / ``answer_tokens``: exact counts from the engine when known (positions are
    then scaled to them), else counted with ``tokenizer`` or estimated. ``final_answer`` /
    ``final_correct``: the sample's extracted answer and its verdict, when already graded: a
    candidate spelled like it (after normalisation) takes that verdict without grading again.
    ``max_graded``: candidates that may go to math-verify; ``budget``: seconds for them (the start
    of math-verify's worker process not counted). Never raises on model text.
    """
    n_reason = reasoning_tokens if reasoning_tokens is not None else count_tokens(reasoning, tokenizer)
    n_answer = answer_tokens if answer_tokens is not None else count_tokens(answer_text, tokenizer)
    corrections = count_self_corrections(reasoning)
    if kind != "math" or not reasoning or gold is None or str(gold).strip() == "":
        return Efficiency(n_reason, n_answer, None, None, corrections, 0)
    cands = candidate_answers(reasoning)
    first_pos, unchecked = _first_correct(cands, str(gold), final_answer, final_correct,
                                          max_graded=max_graded, timeout=timeout, budget=budget)
    if first_pos is None:
        return Efficiency(n_reason, n_answer, None, None, corrections, len(cands), unchecked)
    if tokenizer is not None:
        first = count_tokens(reasoning[:first_pos], tokenizer)
        if reasoning_tokens is not None:  # the engine's total is the exact one: scale to it
            first = round(first * n_reason / max(1, count_tokens(reasoning, tokenizer)))
    else:
        # No tokenizer: the position in characters, scaled to the token total (an estimate, as
        # the total itself is unless the engine gave it).
        first = round(n_reason * first_pos / max(1, len(reasoning)))
    first = min(first, n_reason)
    share = (n_reason - first) / n_reason if n_reason else 0.0
    return Efficiency(n_reason, n_answer, first, share, corrections, len(cands), unchecked)


def _first_correct(
    cands: list[tuple[int, str]],
    gold: str,
    final_answer: str | None,
    final_correct: bool | None,
    *,
    max_graded: int,
    timeout: float,
    budget: float,
) -> tuple[int | None, int]:
    """Position of the first candidate equal to ``gold``, and how many distinct candidates before it
    (all, when none is) were left ungraded because ``max_graded`` or ``budget`` ran out.

    Each distinct spelling is decided once, cheapest rule first: the final answer's spelling takes
    its verdict; the gold's own spelling is correct; against a plain-number gold, the candidate's
    exact value decides; otherwise the grader's cheap stages (``compare_math(symbolic=False)``),
    and math-verify only for a pair those leave undecided.
    """
    gold_norm = _normalized(gold)
    gold_value = _number(gold_norm)
    final_norm = _normalized(final_answer) if final_answer and final_correct is not None else None
    verdicts: dict[str, bool | None] = {}
    start, startup0 = time.monotonic(), startup_seconds()
    graded = unchecked = 0
    for pos, cand in cands:
        if cand not in verdicts:
            left = budget - (time.monotonic() - start) + (startup_seconds() - startup0)
            if left <= 0:  # out of time (tens of thousands of distinct candidates): not graded
                verdicts[cand] = None
                unchecked += 1
                continue
            # A plain integer is its own normal form and value (checked in tests).
            plain = _PLAIN_INT_RE.fullmatch(cand) is not None
            norm = cand if plain else _normalized(cand)
            verdict: bool | None
            if final_norm is not None and norm == final_norm:
                verdict = bool(final_correct)
            elif gold_norm is not None and norm == gold_norm:
                verdict = True
            elif gold_value is not None:
                # A plain-number gold: only a candidate the numeric evaluator reads can equal it.
                value = Fraction(int(cand)) if plain else _number(norm)
                verdict = value is not None and numbers_close(value, gold_value)
            else:
                outcome = _graded(cand, gold, timeout, left, graded < max_graded)
                verdict = None if outcome is None else outcome[0]
                graded += outcome is not None and outcome[1]
            verdicts[cand] = verdict
            unchecked += verdict is None
        if verdicts[cand]:
            return pos, unchecked
    return None, unchecked


def _graded(cand: str, gold: str, timeout: float, left: float, may_verify: bool) -> tuple[bool, bool] | None:
    """(equal, whether math-verify was asked) for a pair that is not a plain number against a plain
    number; None when math-verify was needed but not allowed (cap reached or no time left)."""
    try:
        cheap = compare_math(cand, gold, symbolic=False)
        if cheap.stage != "undecided":
            return cheap.equal, False
        if not may_verify or left <= 0.05:
            return None
        full = compare_math(cand, gold, timeout=min(timeout, left))
        if not full.equal and "timeout" in full.detail:
            return None  # out of time, not a verdict: counted as unchecked
        return full.equal, True
    except Exception:  # a grader failure is "not correct", never an error here
        return False, True
