"""Metrics over k samples per question: every score r1bench reports is computed here, once.

pass@1 is the R1 protocol's headline: for each question the fraction of its k samples that are
correct, averaged over questions. maj@k (a.k.a. cons@k) groups the k extracted answers by
*equivalence* (``math_equal``), not by string, so ``1/2`` and ``0.5`` vote together.

Two layers, used alike by the lm-eval task hooks (``process_results`` / ``aggregate``), the
leaderboard ingest and ``r1bench report``:

* :func:`doc_metrics`: one question's values from its per-sample records (the dicts of
  :class:`r1bench.records.SampleRecord`);
* :func:`aggregate` (means over questions, as lm-eval's ``aggregation: mean``) and
  :func:`task_scores` (pass@1, pass@k, maj@k with standard error and one CI method, the seeded
  bootstrap over questions);
* :func:`efficiency_summary`: the per-sample efficiency figures (:mod:`r1bench.efficiency`) as
  means and medians over a task's samples.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "pass_at_k",
    "mean_pass_at_1",
    "majority_answer",
    "maj_at_k",
    "stderr",
    "bootstrap_ci",
    "METRICS",
    "EFFICIENCY_FIELDS",
    "Score",
    "doc_metrics",
    "aggregate",
    "score",
    "task_scores",
    "efficiency_summary",
    "budget_summary",
]

#: Per-question metrics of :func:`doc_metrics`, averaged over questions (lm-eval ``aggregation: mean``;
#: results JSON: ``"<key>,r1"``).
METRICS: tuple[str, ...] = (
    "pass@1",
    "pass@k",
    "maj@k",
    "truncated_rate",
    "no_answer_rate",
    "loop_rate",
    "mean_completion_tokens",
)
#: Fields of a record's ``efficiency`` dict (:class:`r1bench.efficiency.Efficiency`) summarised per
#: task by :func:`efficiency_summary` (mean and median over samples).
EFFICIENCY_FIELDS: tuple[str, ...] = (
    "reasoning_tokens",
    "answer_tokens",
    "first_correct_tokens",
    "overthinking_share",
    "self_corrections",
)


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


def _efficiency_value(record: Mapping[str, Any], name: str) -> float | None:
    """One figure of a record's ``efficiency`` dict; None when absent (older records, choice tasks)."""
    eff = record.get("efficiency")
    value = eff.get(name) if isinstance(eff, Mapping) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return value


def doc_metrics(
    records: Sequence[Mapping[str, Any]],
    gold: str,
    k: int | None = None,
    *,
    equal: Callable[[str, str], bool] | None = None,
) -> dict[str, float]:
    """Every metric of one question from its n records (one dict per sample), keyed as :data:`METRICS`.

    pass@1 (fraction correct), unbiased pass@k (``k`` defaults to n; fewer than k records is an
    error), maj@k (the majority of all n extracted answers, grouped by ``equal``, against ``gold``),
    the truncated / no-answer / loop rates and the mean completion tokens.
    """
    n = len(records)
    if n == 0:
        raise ValueError("no records for this question")
    if k is not None and n < k:
        raise ValueError(f"{n} sample(s), fewer than k={k}: pass@1 over fewer samples is not reported")
    correct = sum(bool(r["correct"]) for r in records)
    return {
        "pass@1": correct / n,
        "pass@k": pass_at_k(n, correct, k or n),
        "maj@k": float(maj_at_k([r.get("extracted") for r in records], gold, equal)),
        "truncated_rate": sum(bool(r["truncated"]) for r in records) / n,
        "no_answer_rate": sum(r.get("extracted") is None for r in records) / n,
        "loop_rate": sum(bool(r["loop_detected"]) for r in records) / n,
        "mean_completion_tokens": sum(int(r["completion_tokens"]) for r in records) / n,
    }


def aggregate(per_doc: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Mean of each of :data:`METRICS` over questions (what lm-eval's ``aggregation: mean`` computes)."""
    if not per_doc:
        raise ValueError("no docs to aggregate")
    return {m: sum(float(d[m]) for d in per_doc) / len(per_doc) for m in METRICS}


@dataclass(frozen=True)
class Score:
    """A task score (a fraction in [0, 1]): mean over questions, its standard error, bootstrap 95% CI."""

    value: float
    stderr: float
    ci95: tuple[float, float]


def score(values: Sequence[float]) -> Score:
    """Mean of per-question values with :func:`stderr` and the seeded :func:`bootstrap_ci`."""
    if len(values) == 0:
        raise ValueError("no questions to score")
    return Score(float(np.mean(values)), stderr(values), bootstrap_ci(values))


def task_scores(per_doc: Sequence[Mapping[str, Any]]) -> dict[str, Score]:
    """pass@1, pass@k and maj@k of a task from :func:`doc_metrics` dicts, each with one CI method."""
    if not per_doc:
        raise ValueError("no questions to score")
    return {m: score([float(d[m]) for d in per_doc]) for m in ("pass@1", "pass@k", "maj@k")}


def efficiency_summary(records: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]] | None:
    """Per efficiency field, mean and median over the samples that have a value and their count;
    None when no record carries an ``efficiency`` dict (records from before it existed)."""
    if not any(isinstance(r.get("efficiency"), Mapping) for r in records):
        return None
    out: dict[str, dict[str, Any]] = {}
    for name in EFFICIENCY_FIELDS:
        values = [v for r in records if (v := _efficiency_value(r, name)) is not None]
        out[name] = {
            "mean": float(np.mean(values)) if values else None,
            "median": float(np.median(values)) if values else None,
            "n": len(values),
        }
    return out


def budget_summary(records: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """How budget forcing ended the thinking of a task's samples (their ``budget`` records): the
    options, the share of samples closed by force / by the model / extended, and the mean thinking
    tokens; None when no sample was budget-forced."""
    budgets = [r["budget"] for r in records if isinstance(r.get("budget"), Mapping)]
    if not budgets:
        return None
    thinking = [b["thinking_tokens"] for b in budgets if isinstance(b.get("thinking_tokens"), int)]
    return {
        "thinking_budget": budgets[0].get("thinking_budget"),
        "thinking_extend": budgets[0].get("thinking_extend"),
        "n": len(budgets),
        "forced_close_share": sum(b.get("close") == "forced" for b in budgets) / len(budgets),
        "natural_close_share": sum(b.get("close") == "natural" for b in budgets) / len(budgets),
        "extended_share": sum(int(b.get("extensions") or 0) > 0 for b in budgets) / len(budgets),
        "mean_thinking_tokens": float(np.mean(thinking)) if thinking else None,
    }

