"""Cost of the efficiency metrics (first correct candidate, overthinking share, self-corrections).

    python benchmarks/efficiency_overhead.py --data ../shared/data/HuggingFaceH4/MATH-500/test.jsonl

Workloads built from MATH-500's human solutions (realistic text, not repeated spellings):
* typical: each solution as the reasoning (its own box inside), the gold as the answer;
* long, found: other problems' solutions appended until the reasoning reaches ``--tokens``
  (32,000 by default, counted with the estimate the scorer uses), then the problem's own solution:
  hundreds of wrong candidate boxes and "= value" lines before the correct one;
* long, absent: the same length of other problems' solutions only (those whose answer is the gold
  left out), so the correct candidate never appears and every candidate is graded: the worst case.
Each long workload is reported for numeric golds (most of MATH-500) and non-numeric golds
(expressions, tuples, intervals: the ones that can reach math-verify) apart. Measured as scoring
calls it (token totals and the final verdict already known). The first call of the process is
timed on its own (cold: math-verify's worker not started) and its result compared with the same
sample's warm result. ``--check`` also grades every candidate of the long workloads with the full
grader and counts verdicts that differ from the metric's (slow: minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import time
from pathlib import Path

from r1bench.diagnostics import count_tokens
from r1bench.efficiency import candidate_answers, measure_efficiency
from r1bench.grading import math_equal
from r1bench.grading.normalize import normalize_answer
from r1bench.grading.numeric import evaluate


def _load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _numeric(gold: str) -> bool:
    try:
        evaluate(normalize_answer(gold))
        return True
    except Exception:  # noqa: BLE001 - not a plain number
        return False


def _long(rows: list[dict], target: dict, tokens: int, rng: random.Random, *, with_own: bool) -> str:
    """Other problems' solutions until ``tokens`` estimated tokens, then (``with_own``) the target's."""
    gold = normalize_answer(target["answer"])
    others = [o for o in rows if o is not target and normalize_answer(o["answer"]) != gold]
    rng.shuffle(others)
    parts, n = [], 0
    own = count_tokens(target["solution"]) if with_own else 0
    for o in others:
        if n + own >= tokens:
            break
        parts.append(o["solution"])
        n += count_tokens(o["solution"]) + 1
    if with_own:
        parts += ["Now the actual problem.", target["solution"]]
    return "\n\n".join(parts)


def _call(reasoning: str, gold: str, *, final: bool = True):
    # As score_response calls it: token totals (and, with ``final``, the final verdict) known.
    return measure_efficiency(reasoning, f"\\boxed{{{gold}}}", gold, reasoning_tokens=count_tokens(reasoning),
                              answer_tokens=3, final_answer=gold if final else None,
                              final_correct=True if final else None)


def _clear_caches() -> None:
    """The grader's answer caches in this process (its math-verify verdicts, normal forms, values),
    so no sample reuses another's work: the long samples are built from the same 500 solutions,
    which would repeat candidates far more than real outputs of different problems do. (The
    worker process's parse cache stays: it cannot be reached from here.)"""
    from r1bench.grading import math as grading_math
    from r1bench.grading import symbolic

    if hasattr(symbolic._cache, "clear"):
        symbolic._cache.clear()
    else:  # before BoundedCache.clear existed
        symbolic._cache._items.clear()
    for name in ("_value_cached", "_normalize_cached"):
        if hasattr(grading_math, name):  # absent before these caches existed
            getattr(grading_math, name).cache_clear()


def _run(cases: list[tuple[str, str]]) -> tuple[list[float], int, int]:
    times, found, unchecked = [], 0, 0
    for reasoning, gold in cases:
        n_reason = count_tokens(reasoning)
        _clear_caches()
        t0 = time.perf_counter()
        eff = measure_efficiency(reasoning, f"\\boxed{{{gold}}}", gold, reasoning_tokens=n_reason,
                                 answer_tokens=3, final_answer=gold, final_correct=True)
        times.append(time.perf_counter() - t0)
        found += eff.first_correct_tokens is not None
        unchecked += bool(getattr(eff, "unchecked", 0))
    return times, found, unchecked


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def _report(name: str, cases: list[tuple[str, str]]) -> None:
    toks = statistics.mean(count_tokens(c[0]) for c in cases)
    cands = [len(candidate_answers(c[0])) for c in cases]
    distinct = statistics.mean(len({c for _, c in candidate_answers(r)}) for r, _ in cases)
    times, found, unchecked = _run(cases)
    ms = [1000 * t for t in times]
    print(f"{name:26s} n={len(cases):3d} ~{toks:,.0f} tok, {statistics.mean(cands):.0f} cand/sample "
          f"({min(cands)}-{max(cands)}, {distinct:.0f} distinct); found {found}/{len(cases)}, unchecked {unchecked}; "
          f"ms mean {statistics.mean(ms):.2f} p50 {statistics.median(ms):.2f} p90 {_pct(ms, 0.9):.2f} "
          f"max {max(ms):.1f} ({statistics.mean(ms):.1f} s per 1,000)")


def _check(cases: list[tuple[str, str]]) -> tuple[int, int]:
    """(candidates compared, first-correct positions that differ from grading every candidate with
    math_equal in order, with no cap and no time budget)."""
    pairs, differ = 0, 0
    for reasoning, gold in cases:
        first = None
        for pos, cand in candidate_answers(reasoning):
            pairs += 1
            if math_equal(cand, gold, timeout=5.0):
                first = pos
                break
        eff = _call(reasoning, gold, final=False)  # every candidate graded: no final-verdict shortcut
        n = count_tokens(reasoning)
        expect = None if first is None else min(n, round(n * first / max(1, len(reasoning))))
        if eff.first_correct_tokens != expect:
            differ += 1
            print(f"  differs: gold {gold!r}: metric {eff.first_correct_tokens}, full grader {expect}")
    return pairs, differ


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data/HuggingFaceH4/MATH-500/test.jsonl"))
    ap.add_argument("--tokens", type=int, default=32_000, help="estimated reasoning tokens of a long sample")
    ap.add_argument("--n-long", type=int, default=40, help="long samples per gold kind (numeric, non-numeric)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--check", action="store_true", help="compare with the full grader on every candidate")
    args = ap.parse_args()
    rows = _load(args.data)
    rng = random.Random(args.seed)
    numeric = [r for r in rows if _numeric(r["answer"])]
    other = [r for r in rows if not _numeric(r["answer"])]
    picks = {"numeric": rng.sample(numeric, min(args.n_long, len(numeric))),
             "non-numeric": rng.sample(other, min(args.n_long, len(other)))}
    workloads = {"typical (all)": [(r["solution"], r["answer"]) for r in rows]}
    for kind, chosen in picks.items():
        for with_own, label in ((True, "found"), (False, "absent")):
            workloads[f"long {label}, {kind} gold"] = [
                (_long(rows, r, args.tokens, rng, with_own=with_own), r["answer"]) for r in chosen
            ]
    print(f"setup: {platform.processor() or platform.machine()}, python {platform.python_version()}, "
          f"one process, load avg {os.getloadavg()[0]:.1f}; data {args.data.name} ({len(rows)} problems, "
          f"{len(other)} non-numeric golds); long = {args.tokens:,} estimated tokens; times are "
          f"measure_efficiency alone, the grader's answer caches cleared before each sample, worker warm "
          f"unless said")
    # The first call of the process: a long non-numeric sample graded without the final verdict
    # (so math-verify is asked), its worker not started yet; then the same sample warm.
    reasoning, gold = workloads["long found, non-numeric gold"][0]
    t0 = time.perf_counter()
    cold = _call(reasoning, gold, final=False)
    first_ms = 1000 * (time.perf_counter() - t0)
    t0 = time.perf_counter()
    warm = _call(reasoning, gold, final=False)
    warm_ms = 1000 * (time.perf_counter() - t0)
    print(f"first call (cold: math-verify worker starting) {first_ms:.0f} ms, same sample warm {warm_ms:.1f} ms; "
          f"cold result {'equals' if cold == warm else 'DIFFERS from'} warm (first_correct_tokens "
          f"{cold.first_correct_tokens} vs {warm.first_correct_tokens}, unchecked "
          f"{getattr(cold, 'unchecked', '-')} vs {getattr(warm, 'unchecked', '-')})")
    for name, cases in workloads.items():
        _report(name, cases)
    if args.check:
        for name, cases in workloads.items():
            if name.startswith("long"):
                pairs, differ = _check(cases)
                print(f"check {name}: {pairs} candidates graded by math_equal in order; "
                      f"{differ}/{len(cases)} first-correct positions differ")


if __name__ == "__main__":
    main()
