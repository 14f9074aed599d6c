"""What `leaderboard add` pays to re-grade a run: r1bench.results.ingest.regrade on a MATH-500-sized run.

    python benchmarks/ingest_regrade.py                 # 500 questions x k=4 = 2,000 samples
    python benchmarks/ingest_regrade.py --docs 30 --k 64 --data ../shared/data/HuggingFaceH4/MATH-500/test.jsonl

The run is built in memory the way lm-eval saves it: docs with MATH-500-style golds (from --data
when given) and k R1-shaped responses per doc from benchmarks/grading_speed.py (equivalent
spellings of the gold, perturbed values, truncated and answerless outputs), each with the record
score_response made for it. Prints samples/second of the re-grade and checks that every stored
verdict is reproduced (the re-grade must agree with the original grading, or `add` would refuse
honest runs).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from grading_speed import DEFAULT_GOLDS, build_cases  # noqa: E402

from r1bench.records import score_response  # noqa: E402
from r1bench.results.ingest import RunFiles, SampleDoc, TaskRun, regrade  # noqa: E402


def build_run(golds: list[str], docs: int, k: int) -> TaskRun:
    cases = build_cases(golds, docs * k, seed=1)
    out = []
    for d in range(docs):
        gold = cases[d * k][1]
        chunk = [(resp, gold) for resp, _, _ in cases[d * k:(d + 1) * k]]
        records = []
        for i, (resp, g) in enumerate(chunk):
            rec = score_response(resp, g, kind="math", sample_index=i, max_gen_toks=32768)
            records.append(rec.to_dict())
        doc = {"id": f"doc{d}", "kind": "math", "answer": gold, "r1_max_gen_toks": 32768,
               "r1_starts_in_reasoning": False}
        out.append(SampleDoc(d, doc, gold, records, d + 1, [r for r, _ in chunk]))
    files = RunFiles(Path("results_bench.json"), "bench", {})
    return TaskRun(files, {"results": {}, "configs": {}, "config": {}}, "r1_math500", out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=500)
    ap.add_argument("--k", type=int, default=4)
    ap.add_argument("--data", type=Path, help="MATH-500 test.jsonl for real golds")
    args = ap.parse_args(argv)
    golds = DEFAULT_GOLDS
    if args.data:
        golds = [json.loads(x)["answer"] for x in args.data.read_text().splitlines() if x.strip()]
    run = build_run(golds, args.docs, args.k)
    n = sum(len(d.records) for d in run.docs)
    start = time.perf_counter()
    graded = regrade(run)
    elapsed = time.perf_counter() - start
    differ = sum(r["correct"] is not g.correct for d, gs in zip(run.docs, graded) for r, g in zip(d.records, gs))
    print(f"setup: {platform.python_version()} on {platform.machine()}, 1 process; {args.docs} docs x k={args.k} "
          f"= {n} samples; golds from {args.data or 'grading_speed.DEFAULT_GOLDS'}")
    print(f"re-grade: {elapsed:.2f} s, {n / elapsed:,.0f} samples/s; verdicts differing from the stored ones: {differ}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
