"""Grading speed and accuracy: r1bench's grader against plain math-verify on the same responses.

    python benchmarks/grading_speed.py                      # 4,000 synthetic responses
    python benchmarks/grading_speed.py --n 32000 --jobs 2   # the 500 x 64 job
    python benchmarks/grading_speed.py --data ../shared/data/HuggingFaceH4/MATH-500/test.jsonl

Responses are synthetic but shaped like R1 output: a few thousand characters of reasoning with
intermediate (sometimes wrong) boxes, then the final answer in one of many equivalent spellings
of the gold (label: correct) or a perturbed value (label: wrong), plus truncated outputs and
outputs without a final answer. Labels are known by construction, so both graders' accuracy is
measured on the same cases. Prints cases/second for each grader, the ratio and the slowest case.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

# Golds in MATH-500's style (used when --data is not given).
DEFAULT_GOLDS = [
    "5", "-3", "0", "12", "100", "2016", "033", "\\frac{1}{2}", "\\frac{3}{4}", "\\frac{5}{2}", "-\\frac{7}{3}",
    "0.5", "1.25", "\\sqrt{2}", "2\\sqrt{3}", "\\frac{\\sqrt{3}}{2}", "3\\sqrt{5}", "\\pi", "2\\pi",
    "\\frac{\\pi}{4}", "(3, \\frac{\\pi}{2})", "(1,2)", "(-1, 4)", "[2,5)", "(-\\infty, 3]", "\\{1,2,3\\}",
    "1, -2", "x^2+2x+1", "2x+3", "\\frac{x+1}{x-1}", "10", "1000", "25", "50", "7", "64", "81", "13",
    "\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "\\text{(C)}", "1 \\pm \\sqrt{2}", "3+4i",
    "y = 2x + 3", "\\frac{1}{6}", "\\frac{11}{36}", "\\$18.90", "25^\\circ", "40\\%", "6\\sqrt{2}",
    "2^{10}", "4.5", "-1", "\\frac{2}{3}", "19", "120", "\\frac{9}{4}", "\\sqrt{13}", "15", "\\text{Monday}",
]

REASONING_LINES = [
    "Let me think about this carefully. First, I'll set up the equation from the problem statement.",
    "We have $a + b = 10$ and $ab = 21$, so the roots satisfy $t^2 - 10t + 21 = 0$.",
    "Wait, that doesn't look right. Let me recompute: $\\frac{3}{4} \\cdot 8 = 6$.",
    "So the intermediate value is \\boxed{42}, but I should double check this.",
    "Hmm, actually I made an arithmetic error in the previous step. Let me redo it.",
    "By the Pythagorean theorem, $c = \\sqrt{a^2 + b^2} = \\sqrt{9 + 16} = 5$.",
    "Alternatively, consider the substitution $u = x - 1$, which simplifies the integral.",
    "Checking the boundary cases $x = 0$ and $x = 1$ gives consistent results.",
]


def equivalent_forms(gold: str) -> list[str]:
    """Spellings a model might use for the gold (all correct by construction)."""
    forms = [gold, f" {gold} ", gold.replace("\\frac", "\\dfrac")]
    if not re.fullmatch(r"\d{1,3}(,\d{3})+", gold):  # "58, 500" is a list, not 58,500
        forms.append(gold.replace(",", ", "))
    if gold.startswith("(") and gold.endswith(")"):
        forms.append("\\left" + gold[:-1] + "\\right)")
    m = re.fullmatch(r"-?\d+", gold)
    if m:
        v = int(gold)
        forms += [str(v), f"{v}.", f"{v}.0" if abs(v) < 10**6 else str(v)]
        if abs(v) >= 1000:
            forms.append(f"{v:,}")
    m = re.fullmatch(r"\\frac\{(\d+)\}\{(\d+)\}", gold)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        forms += [f"{a}/{b}", f"\\frac{{{2 * a}}}{{{2 * b}}}"]
        if len(str(a / b)) < 8:
            forms.append(str(a / b))
    if gold == "x^2+2x+1":
        forms.append("(x+1)^2")
    if gold == "\\{1,2,3\\}":
        forms.append("\\{3, 1, 2\\}")
    if gold == "1, -2":
        forms.append("-2, 1")
    return forms


def wrong_forms(gold: str, rng: random.Random) -> list[str]:
    """Plausible wrong answers for the gold."""
    m = re.fullmatch(r"-?\d+", gold)
    if m:
        v = int(gold)
        return [str(w) for w in (v + 1, v * 10, -v - 1) if w != v]
    # Change the first digit, and append a term: both change the value (units stay untouched).
    bumped = re.sub(r"\d", lambda d: str((int(d.group(0)) + 1) % 10), gold, count=1)
    out = [bumped if bumped != gold else gold + "+1", f"{gold}+7" if "\\text" not in gold and "\\mbox" not in gold else "7"]
    if gold.startswith("(") and "," in gold:
        out.append("[" + gold[1:])
    return [w for w in out if w != gold]


def make_response(answer: str | None, rng: random.Random, *, truncated: bool = False) -> str:
    body = "\n".join(rng.choice(REASONING_LINES) for _ in range(rng.randint(20, 60)))
    if truncated:
        return "<think>\n" + body
    final = "" if answer is None else f"**Final Answer**\n\n\\[\n\\boxed{{{answer}}}\n\\]"
    summary = "So, putting everything together, the answer follows from the computation above."
    return f"<think>\n{body}\n</think>\n\n{summary}\n\n{final}"


def build_cases(golds: list[str], n: int, seed: int = 0) -> list[tuple[str, str, bool]]:
    rng = random.Random(seed)
    cases = []
    for i in range(n):
        gold = golds[i % len(golds)]
        r = rng.random()
        if r < 0.55:
            cases.append((make_response(rng.choice(equivalent_forms(gold)), rng), gold, True))
        elif r < 0.90:
            wrong = wrong_forms(gold, rng)
            cases.append((make_response(rng.choice(wrong), rng), gold, False) if wrong else (make_response("7", rng), gold, gold == "7"))
        elif r < 0.95:
            cases.append((make_response(None, rng), gold, False))
        else:
            cases.append((make_response(None, rng, truncated=True), gold, False))
    return cases


def _grade_chunk(chunk: list[tuple[str, str]]) -> list[tuple[bool, float]]:
    from r1bench.grading import grade_math_response

    out = []
    for resp, gold in chunk:
        t = time.perf_counter()
        ok = grade_math_response(resp, gold).correct
        out.append((ok, time.perf_counter() - t))
    return out


def run_r1bench(cases, jobs: int) -> tuple[list[bool], list[float], float]:
    pairs = [(r, g) for r, g, _ in cases]
    start = time.perf_counter()
    if jobs <= 1:
        results = _grade_chunk(pairs)
    else:
        size = (len(pairs) + jobs * 8 - 1) // (jobs * 8)
        chunks = [pairs[i : i + size] for i in range(0, len(pairs), size)]
        with ProcessPoolExecutor(jobs) as pool:
            results = [x for part in pool.map(_grade_chunk, chunks) for x in part]
    wall = time.perf_counter() - start
    return [ok for ok, _ in results], [t for _, t in results], wall


def run_math_verify(cases) -> tuple[list[bool], list[float], float]:
    from math_verify import LatexExtractionConfig, parse, verify

    verdicts, times = [], []
    start = time.perf_counter()
    for resp, gold, _ in cases:
        t = time.perf_counter()
        try:
            ok = bool(verify(parse(f"${gold}$"), parse(resp, extraction_config=[LatexExtractionConfig()])))
        except Exception:  # noqa: BLE001 - a crash counts as "not correct"
            ok = False
        verdicts.append(ok)
        times.append(time.perf_counter() - t)
    return verdicts, times, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=4000, help="number of synthetic responses (default 4000)")
    ap.add_argument("--jobs", type=int, default=1, help="grading processes for r1bench (default 1)")
    ap.add_argument("--mv-n", type=int, default=None, help="responses for plain math-verify (default: same as --n, capped at 4000)")
    ap.add_argument("--data", type=Path, help="a MATH-500 style JSONL whose `answer` fields become the golds")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    golds = DEFAULT_GOLDS
    if args.data:
        golds = [json.loads(line)["answer"] for line in args.data.read_text().splitlines() if line.strip()]
    cases = build_cases(golds, args.n, args.seed)
    labels = [lab for _, _, lab in cases]
    print(f"{len(cases)} responses over {len(golds)} golds ({sum(labels)} correct by construction)")

    from r1bench.grading import grade_math_response

    grade_math_response(cases[0][0], cases[0][1])  # warm the symbolic worker outside the timing

    v1, t1, wall1 = run_r1bench(cases, args.jobs)
    acc1 = sum(a == b for a, b in zip(v1, labels)) / len(labels)
    mv_n = min(args.mv_n or args.n, len(cases))
    v2, t2, wall2 = run_math_verify(cases[:mv_n])
    acc2 = sum(a == b for a, b in zip(v2, labels[:mv_n])) / mv_n
    rate1, rate2 = len(cases) / wall1, mv_n / wall2
    slow = max(range(len(t1)), key=t1.__getitem__)
    print(f"r1bench      : {rate1:9.1f} cases/s  wall {wall1:7.2f} s  accuracy {acc1:.4f}  ({args.jobs} process(es))")
    print(f"math-verify  : {rate2:9.1f} cases/s  wall {wall2:7.2f} s  accuracy {acc2:.4f}  ({mv_n} cases, 1 process)")
    print(f"speed ratio  : {rate1 / rate2:.1f}x")
    print(f"r1bench per-case median {statistics.median(t1) * 1e3:.2f} ms, slowest {t1[slow] * 1e3:.1f} ms "
          f"(gold {cases[slow][1]!r})")
    print(f"projected 32,000-response job: {32000 / rate1:.1f} s")
    wrong = [(cases[i][1], v1[i], labels[i]) for i in range(len(cases)) if v1[i] != labels[i]]
    if wrong:
        print(f"r1bench disagreements with labels: {len(wrong)} (first: {wrong[:3]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
