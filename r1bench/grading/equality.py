"""How two answers of a task kind compare, outside a verdict: maj@k votes and gold checks."""

from __future__ import annotations

from collections.abc import Callable

from r1bench.grading.choice import letters_equal
from r1bench.grading.math import math_equal

__all__ = ["answer_equality"]


def answer_equality(kind: str) -> Callable[[str, str], bool]:
    """How answers of a task kind are compared (for maj@k voting and gold checks): option letters
    for ``choice``, :func:`math_equal` (prediction first: it is asymmetric) otherwise."""
    return letters_equal if kind == "choice" else math_equal
