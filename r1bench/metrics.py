"""Metrics over k samples per question: mean pass@1, unbiased pass@k, maj@k, standard error, CI.

pass@1 is the R1 protocol's headline: for each question the fraction of its k samples that are
correct, averaged over questions. maj@k (a.k.a. cons@k) groups the k extracted answers by
*equivalence* (``math_equal``), not by string, so ``1/2`` and ``0.5`` vote together.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "pass_at_k",
    "mean_pass_at_1",
    "majority_answer",
    "maj_at_k",
    "stderr",
    "bootstrap_ci",
    "Summary",
    "summarize",
]


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k estimator from n samples with c correct: ``1 - C(n-c, k) / C(n, k)``."""
    if k <= 0 or n <= 0:
        raise ValueError(f"pass@k needs n >= 1 and k >= 1, got n={n}, k={k}")
    if k > n:
        raise ValueError(f"pass@{k} needs at least {k} samples, got {n}")
    if not 0 <= c <= n:
        raise ValueError(f"correct count {c} outside [0, {n}]")
    if n - c < k:
        return 1.0
    # Product form avoids huge binomials: prod_{i=n-c+1}^{n} (1 - k/i).
    return 1.0 - float(np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


def mean_pass_at_1(per_question: Sequence[Sequence[bool]]) -> float:
    """Mean over questions of the fraction of correct samples (pass@1 averaged over k)."""
    if not per_question:
        raise ValueError("no questions to score")
    return float(np.mean([sum(map(bool, q)) / len(q) for q in per_question]))


def majority_answer(
    answers: Sequence[str | None],
    equal: Callable[[str, str], bool] | None = None,
) -> str | None:
    """The most common answer, grouping by ``equal`` (default :func:`math_equal`); ties: earliest.

    ``None`` (no answer extracted) never votes.
    """
    if equal is None:
        from r1bench.grading import math_equal

        equal = math_equal
    reps: list[str] = []
    counts: list[int] = []
    first_seen: list[int] = []
    for i, ans in enumerate(answers):
        if ans is None or not str(ans).strip():
            continue
        for j, rep in enumerate(reps):
            if ans == rep or equal(ans, rep):
                counts[j] += 1
                break
        else:
            reps.append(ans)
            counts.append(1)
            first_seen.append(i)
    if not reps:
        return None
    best = max(range(len(reps)), key=lambda j: (counts[j], -first_seen[j]))
    return reps[best]


def maj_at_k(
    answers: Sequence[str | None],
    gold: str,
    equal: Callable[[str, str], bool] | None = None,
) -> bool:
    """True when the majority answer (grouped by equivalence) equals ``gold``."""
    if equal is None:
        from r1bench.grading import math_equal

        equal = math_equal
    winner = majority_answer(answers, equal)
    return winner is not None and bool(equal(winner, gold))


def stderr(values: Sequence[float]) -> float:
    """Standard error of the mean over questions (sample std / sqrt(n)); 0 for one value."""
    arr = np.asarray(values, dtype=float)
    if arr.size < 2:
        return 0.0
    return float(arr.std(ddof=1) / math.sqrt(arr.size))


def bootstrap_ci(
    values: Sequence[float],
    *,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap CI of the mean, resampling questions (seeded: reproducible)."""
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        raise ValueError("no values for a confidence interval")
    rng = np.random.default_rng(seed)
    means = arr[rng.integers(0, arr.size, size=(n_resamples, arr.size))].mean(axis=1)
    alpha = (1.0 - confidence) / 2
    lo, hi = np.quantile(means, [alpha, 1 - alpha])
    return float(lo), float(hi)


@dataclass(frozen=True)
class Summary:
    """Aggregate scores of one task; fractions in [0, 1]."""

    n_questions: int
    k: int
    pass_at_1: float
    pass_at_1_stderr: float
    pass_at_1_ci: tuple[float, float]
    pass_at_k: float
    maj_at_k: float


def summarize(
    per_question_correct: Sequence[Sequence[bool]],
    per_question_answers: Sequence[Sequence[str | None]] | None = None,
    golds: Sequence[str] | None = None,
    *,
    k: int | None = None,
    equal: Callable[[str, str], bool] | None = None,
) -> Summary:
    """pass@1 (mean over k) with stderr and bootstrap CI, pass@k and maj@k over all questions.

    Every question must have at least ``k`` samples (default: the smallest count seen); fewer is
    an error, never a silently smaller k.
    """
    if not per_question_correct:
        raise ValueError("no questions to summarize")
    sizes = [len(q) for q in per_question_correct]
    k = k or min(sizes)
    short = [i for i, s in enumerate(sizes) if s < k]
    if short:
        raise ValueError(f"{len(short)} question(s) have fewer than k={k} samples (first: #{short[0]})")
    p1 = [sum(map(bool, q)) / len(q) for q in per_question_correct]
    pk = [pass_at_k(len(q), sum(map(bool, q)), k) for q in per_question_correct]
    if per_question_answers is not None and golds is not None:
        maj = [float(maj_at_k(a, g, equal)) for a, g in zip(per_question_answers, golds)]
        maj_score = float(np.mean(maj))
    else:
        maj_score = float("nan")
    return Summary(
        n_questions=len(p1),
        k=k,
        pass_at_1=float(np.mean(p1)),
        pass_at_1_stderr=stderr(p1),
        pass_at_1_ci=bootstrap_ci(p1),
        pass_at_k=float(np.mean(pk)),
        maj_at_k=maj_score,
    )
