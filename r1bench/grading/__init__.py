"""Grading: the verdict on one response (split -> extract -> compare), bounded in time.

Every verdict rule lives in this package; this module only re-exports the public interface
(stable): :class:`Verdict`, :func:`math_equal`, :func:`grade_math_response`,
:func:`grade_choice_response`, the extractors, ``GRADER_VERSION`` (bump it whenever a verdict can
change, so leaderboard entries graded differently are told apart).

Where each rule lives: ``math_response`` (math grader), ``math`` (comparison stages),
``math_extract`` (math answer extraction), ``choice`` / ``choice_extract`` (multiple choice),
``extraction`` (the shared ``Extraction`` type and ``\\boxed{}`` scanner), ``verdict`` (the
verdict type and the length-cap rule), ``equality`` (answer comparison for votes), ``cache``
(the comparison caches). The ``r1bench grade`` command is :mod:`r1bench.grading_cli`.
"""

from __future__ import annotations

from r1bench.grading.choice import grade_choice_response, grade_choice_split, letters_equal
from r1bench.grading.choice_extract import extract_choice
from r1bench.grading.equality import answer_equality
from r1bench.grading.extraction import Extraction, find_boxed
from r1bench.grading.math import Comparison, compare_math, math_equal
from r1bench.grading.math_extract import computed_value, extract_math_answer
from r1bench.grading.math_response import grade_math_response, grade_math_split
from r1bench.grading.verdict import Verdict, cut_at_length

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
    "cut_at_length",
    "Extraction",
    "find_boxed",
    "extract_math_answer",
    "extract_choice",
    "computed_value",
]

GRADER_VERSION = "3"
