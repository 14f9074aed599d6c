"""Metrics: unbiased pass@k against brute force, mean pass@1, maj@k by equivalence, CI, errors."""

import itertools
import math

import pytest

from r1bench.metrics import (
    bootstrap_ci,
    doc_metrics,
    maj_at_k,
    majority_answer,
    mean_pass_at_1,
    pass_at_k,
    stderr,
    task_scores,
)


def brute_pass_at_k(n: int, c: int, k: int) -> float:
    """Probability that a random k-subset of n samples (c correct) contains a correct one."""
    samples = [True] * c + [False] * (n - c)
    subsets = list(itertools.combinations(range(n), k))
    return sum(any(samples[i] for i in s) for s in subsets) / len(subsets)


@pytest.mark.parametrize("n,c,k", [(4, 0, 1), (4, 1, 1), (4, 2, 2), (5, 1, 3), (6, 3, 4), (8, 8, 2), (8, 7, 8), (10, 2, 5)])
def test_pass_at_k_matches_brute_force(n, c, k):
    assert pass_at_k(n, c, k) == pytest.approx(brute_pass_at_k(n, c, k))


def test_pass_at_k_formula_large():
    n, c, k = 64, 10, 16
    expected = 1 - math.comb(n - c, k) / math.comb(n, k)
    assert pass_at_k(n, c, k) == pytest.approx(expected)


@pytest.mark.parametrize("n,c,k", [(3, 1, 4), (0, 0, 1), (4, 5, 1), (4, 1, 0)])
def test_pass_at_k_rejects_bad_input(n, c, k):
    with pytest.raises(ValueError):
        pass_at_k(n, c, k)


def test_mean_pass_at_1_is_mean_over_k():
    assert mean_pass_at_1([[True, False, False, False], [True, True, True, True]]) == pytest.approx(0.625)
    with pytest.raises(ValueError):
        mean_pass_at_1([])


def test_majority_groups_by_equivalence_not_string():
    # "1/2", "0.5" and "\frac{1}{2}" are one answer (3 votes) against "3" (2 votes).
    answers = ["3", "\\frac{1}{2}", "0.5", "3", "\\dfrac12"]
    assert majority_answer(answers) in {"\\frac{1}{2}", "0.5", "\\dfrac12"}
    assert maj_at_k(answers, "1/2")
    assert not maj_at_k(answers, "3")


def test_majority_ignores_missing_and_breaks_ties_by_first_seen():
    assert majority_answer([None, None, "4"]) == "4"
    assert majority_answer([None, ""]) is None
    assert majority_answer(["2", "5", "5", "2"]) == "2"
    assert not maj_at_k([None, None], "1")


def test_majority_with_letters():
    assert maj_at_k(["A", "B", "B"], "B", equal=lambda a, b: a == b)


def test_stderr_and_bootstrap():
    vals = [0.0, 1.0, 1.0, 0.0, 1.0, 0.5]
    assert stderr(vals) > 0
    lo, hi = bootstrap_ci(vals)
    assert 0 <= lo <= sum(vals) / len(vals) <= hi <= 1
    assert bootstrap_ci(vals) == bootstrap_ci(vals)  # seeded: reproducible
    assert stderr([1.0]) == 0.0


def test_stderr_exact():
    vals = [0.0, 1.0]
    assert stderr(vals) == pytest.approx(0.5)  # std (ddof=1) = 0.7071, / sqrt(2)


def _records(correct, answers):
    return [{"correct": c, "extracted": a, "truncated": False, "loop_detected": False, "completion_tokens": 1}
            for c, a in zip(correct, answers)]


def test_task_scores_full():
    # Was a test of the test-only metrics.summarize: the same figures through doc_metrics + task_scores.
    correct = [[True, False], [True, True], [False, False]]
    answers = [["1", "2"], ["5", "5.0"], ["x", "y"]]
    golds = ["1", "5", "z"]
    per_doc = [doc_metrics(_records(c, a), g, 2) for c, a, g in zip(correct, answers, golds)]
    s = task_scores(per_doc)
    assert len(per_doc) == 3 and all(len(c) == 2 for c in correct)
    assert s["pass@1"].value == pytest.approx((0.5 + 1 + 0) / 3)
    assert s["pass@k"].value == pytest.approx(2 / 3)
    assert s["maj@k"].value == pytest.approx(2 / 3)  # q1: tie 1 vs 2 -> first seen "1" (correct)
    assert s["pass@1"].ci95[0] <= s["pass@1"].value <= s["pass@1"].ci95[1]


def test_doc_metrics_refuses_fewer_than_k():
    with pytest.raises(ValueError, match="fewer than k=4"):
        [doc_metrics(_records(c, ["1"] * len(c)), "1", 4) for c in ([True] * 4, [True] * 3)]
