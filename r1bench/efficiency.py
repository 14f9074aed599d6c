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
patterns and distinct candidate strings are graded once each. When the gold is a plain number, the
grader's own numeric evaluator decides each candidate (microseconds; a candidate it cannot read as a
number is not that number); otherwise each distinct candidate goes through :func:`~r1bench.grading.math_equal`, at most ``max_graded`` of them per
sample, each with the grader's time bound, all of them within ``budget`` seconds. Math answers only: for choice tasks the candidate
positions are not defined and ``first_correct_tokens`` is ``None``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from r1bench.diagnostics import count_tokens
from r1bench.grading import find_boxed, math_equal
from r1bench.grading.normalize import normalize_answer
from r1bench.grading.numeric import evaluate, numbers_close

__all__ = ["Efficiency", "candidate_answers", "count_self_corrections", "measure_efficiency"]

_MAX_SCAN = 400_000  # characters of reasoning scanned for candidates (a 32k-token output is ~120k)
_MAX_CANDIDATE = 200  # longer "answers" are sentences, not values

# "the answer is X", "final answer: X", "answer = X" up to the end of the sentence or line. The
# span is bounded ({1,200}) so a long line cannot make the scan quadratic.
_STATEMENT_RE = re.compile(
    r"(?:\banswer\s+(?:is|should\s+be|would\s+be|=)|\banswer\s*:)\s*(?:\$+|\\\(|\\\[)?\s*"
    r"([^\n]{1,200}?)\s*(?:\$+|\\\)|\\\])?\s*(?:\.\s|\.$|,\s|;|\n|$)",
    re.IGNORECASE | re.MULTILINE,
)
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


@dataclass(frozen=True)
class Efficiency:
    """Efficiency figures of one sample; see the module docstring for each field."""

    reasoning_tokens: int
    answer_tokens: int
    first_correct_tokens: int | None
    overthinking_share: float | None
    self_corrections: int
    candidates: int

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
        return normalize_answer(text)
    except Exception:  # hostile text: compared by the grader instead
        return None


def _plain_number(text: str):
    """The exact value of a plain numeric answer ("12", "\\frac{3}{4}", "2^{10}"), else None."""
    try:
        return evaluate(normalize_answer(text))
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
    for m in _STATEMENT_RE.finditer(text):
        if (c := _clean(m.group(1))) is not None:
            found.setdefault(m.end(1), c)
    pos = 0
    for para in text.split("\n\n"):
        stripped = para.rstrip()
        last_nl = stripped.rfind("\n")
        line = stripped[last_nl + 1 :]
        m = _FINAL_EQ_RE.search(line[-300:]) if line else None
        if m and (c := _clean(m.group(1))) is not None:
            found.setdefault(pos + len(stripped), c)
        pos += len(para) + 2
    return [(offset + p, found[p]) for p in sorted(found)]


def count_self_corrections(text: str) -> int:
    """How often the text second-guesses itself ("wait", "alternatively", "让我再检查", ...)."""
    return len(_SELF_CORRECTION_RE.findall((text or "").lower()))


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
    Never raises on model text.
    """
    n_reason = reasoning_tokens if reasoning_tokens is not None else count_tokens(reasoning, tokenizer)
    n_answer = answer_tokens if answer_tokens is not None else count_tokens(answer_text, tokenizer)
    corrections = count_self_corrections(reasoning)
    if kind != "math" or not reasoning or gold is None or str(gold).strip() == "":
        return Efficiency(n_reason, n_answer, None, None, corrections, 0)
    cands = candidate_answers(reasoning)
    gold_value = _plain_number(str(gold))
    verdicts: dict[str, bool] = {}
    final_norm = _normalized(final_answer) if final_answer and final_correct is not None else None
    deadline = time.monotonic() + budget
    graded = 0
    first_pos: int | None = None
    for pos, cand in cands:
        if cand not in verdicts:
            if final_norm is not None and _normalized(cand) == final_norm:
                verdicts[cand] = bool(final_correct)
            elif gold_value is not None:
                # A plain-number gold: only a candidate the numeric evaluator reads can equal it.
                value = _plain_number(cand)
                verdicts[cand] = value is not None and numbers_close(value, gold_value)
            elif graded < max_graded and (left := deadline - time.monotonic()) > 0.05:
                graded += 1
                try:
                    verdicts[cand] = math_equal(cand, str(gold), timeout=min(timeout, left))
                except Exception:  # a grader failure is "not correct", never an error here
                    verdicts[cand] = False
            else:
                verdicts[cand] = False
        if verdicts[cand]:
            first_pos = pos
            break
    if first_pos is None:
        return Efficiency(n_reason, n_answer, None, None, corrections, len(cands))
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
    return Efficiency(n_reason, n_answer, first, share, corrections, len(cands))
