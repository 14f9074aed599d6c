"""Cost of the efficiency metrics (first correct candidate, overthinking share, self-corrections).

    python benchmarks/efficiency_overhead.py --data ../shared/data/HuggingFaceH4/MATH-500/test.jsonl

Two workloads built from MATH-500's human solutions (realistic text, not repeated spellings):
* typical: each solution as the reasoning (its own box inside), the gold as the answer;
* long: ~32k-token reasoning made of 40 other problems' solutions (hundreds of wrong candidate
  boxes and "= value" lines) before the problem's own solution: the worst case the metrics face.
Measured as scoring calls it (token totals and the final verdict already known), so the figure is
the overhead the metrics add to scoring. Prints ms per sample and seconds per 1,000 samples for
each, and the slowest sample.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import time
from pathlib import Path

from r1bench.diagnostics import count_tokens
from r1bench.efficiency import candidate_answers, measure_efficiency


def _load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _run(cases: list[tuple[str, str]]) -> tuple[list[float], int]:
    times, found = [], 0
    for reasoning, gold in cases:
        # As score_response calls it: token totals and the final verdict are already known.
        n_reason = count_tokens(reasoning)
        t0 = time.perf_counter()
        eff = measure_efficiency(reasoning, f"\\boxed{{{gold}}}", gold, reasoning_tokens=n_reason,
                                 answer_tokens=3, final_answer=gold, final_correct=True)
        times.append(time.perf_counter() - t0)
        found += eff.first_correct_tokens is not None
    return times, found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data/HuggingFaceH4/MATH-500/test.jsonl"))
    ap.add_argument("--n-long", type=int, default=100, help="long (~32k-token) samples")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rows = _load(args.data)
    rng = random.Random(args.seed)
    typical = [(r["solution"], r["answer"]) for r in rows]
    long_cases = []
    for r in rng.sample(rows, min(args.n_long, len(rows))):
        others = rng.sample(rows, 40)
        reasoning = "\n\n".join(o["solution"] for o in others) + "\n\nNow the actual problem.\n\n" + r["solution"]
        long_cases.append((reasoning, r["answer"]))
    print(f"setup: {platform.processor() or platform.machine()}, python {platform.python_version()}, "
          f"one process; data {args.data.name} ({len(rows)} problems)")
    # Warm the grader (worker start-up is a one-off per process, not a per-sample cost).
    measure_efficiency(typical[0][0], "", typical[0][1])
    for name, cases in (("typical", typical), ("long", long_cases)):
        toks = statistics.mean(count_tokens(c[0]) for c in cases)
        cands = statistics.mean(len(candidate_answers(c[0])) for c in cases)
        times, found = _run(cases)
        ms = 1000 * statistics.mean(times)
        print(f"{name:8s} n={len(cases):4d}  ~{toks:,.0f} reasoning tokens, {cands:.0f} candidates/sample; "
              f"first correct found in {found}/{len(cases)}; {ms:.2f} ms/sample "
              f"({ms:.2f} s per 1,000), p50 {1000 * statistics.median(times):.2f} ms, "
              f"slowest {1000 * max(times):.1f} ms")


if __name__ == "__main__":
    main()
