"""Reward throughput: r1bench's accuracy reward against open-r1's math-verify reward on the same completions.

    python benchmarks/reward_throughput.py                       # MATH-500 from ../shared/data
    python benchmarks/reward_throughput.py --data PATH/test.jsonl --limit 200 --batch 64

Completions are MATH-500's human-written solutions wrapped as R1 outputs: the solution (with its own
``\\boxed{}``) as the reasoning inside ``<think>...</think>``, then a final line with a boxed answer.
Positives box the problem's gold answer; negatives box the gold of the next problem whose answer
differs as a string (a shifted answer), so the labels are known by construction (a few shifted
answers may still be equivalent, e.g. ``\\frac12`` and ``0.5``: they count against both graders).

r1bench: ``r1bench.rewards.accuracy_reward`` called on batches of ``--batch`` completions (TRL's
signature, default threads and timeouts). open-r1 style: for each completion, math-verify's
``parse`` of the gold (``LatexExtractionConfig``) and of the full completion (boxed first, no
malformed operators), then ``verify``, in one process as open-r1's ``accuracy_reward`` does.
Prints the setup, completions/second for each, their ratio, and the agreement of each with the
labels (on positives and negatives separately). Also times the format and loop rewards. Start-up is
not timed: r1bench's symbolic worker processes are started (once per training run) and
math-verify's grammar loaded by a warm-up on other completions first.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "HuggingFaceH4" / "MATH-500" / "test.jsonl"


def load_problems(path: Path, limit: int | None) -> list[dict]:
    """MATH-500 rows (problem, solution, answer)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows[:limit] if limit else rows


def make_completions(rows: list[dict]) -> tuple[list[str], list[str], list[bool]]:
    """(completions, golds, labels): a positive and a shifted-answer negative per problem."""
    comps, golds, labels = [], [], []
    n = len(rows)
    for i, row in enumerate(rows):
        gold = row["answer"]
        reasoning = row["solution"].strip()
        comps.append(f"<think>\n{reasoning}\n</think>\n\nThe final answer is $\\boxed{{{gold}}}$.")
        golds.append(gold)
        labels.append(True)
        for j in range(1, n):
            other = rows[(i + j) % n]["answer"]
            if other.replace(" ", "") != gold.replace(" ", ""):
                break
        comps.append(f"<think>\n{reasoning}\n</think>\n\nThe final answer is $\\boxed{{{other}}}$.")
        golds.append(gold)
        labels.append(False)
    return comps, golds, labels


def openr1_accuracy(contents: list[str], solutions: list[str]) -> list[float]:
    """open-r1's math-verify accuracy reward, as its rewards.py calls it (parse gold, parse answer, verify)."""
    from latex2sympy2_extended import NormalizationConfig
    from math_verify import LatexExtractionConfig, parse, verify

    rewards = []
    for content, sol in zip(contents, solutions):
        # open-r1 passes the dataset's solution; MATH-500's answer column wrapped in $...$ parses as LaTeX.
        gold_parsed = parse(f"${sol}$", extraction_mode="first_match", extraction_config=[LatexExtractionConfig()])
        if len(gold_parsed) == 0:
            rewards.append(1.0)  # open-r1 skips (rewards 1) an unparseable gold
            continue
        answer_parsed = parse(
            content,
            extraction_config=[
                LatexExtractionConfig(
                    normalization_config=NormalizationConfig(
                        nits=False, malformed_operators=False, basic_latex=True, equations=True, boxed="all", units=True,
                    ),
                    boxed_match_priority=0,
                    try_extract_without_anchor=False,
                )
            ],
            extraction_mode="first_match",
        )
        try:
            rewards.append(float(verify(answer_parsed, gold_parsed)))
        except Exception:  # noqa: BLE001 - open-r1 scores a failed verify as 0
            rewards.append(0.0)
    return rewards


def agreement(scores: list[float | None], labels: list[bool]) -> tuple[float, float, float]:
    """(overall, on positives, on negatives) share of completions scored as labelled."""
    ok = [(s == 1.0) == lab for s, lab in zip(scores, labels)]
    pos = [o for o, lab in zip(ok, labels) if lab]
    neg = [o for o, lab in zip(ok, labels) if not lab]
    return sum(ok) / len(ok), sum(pos) / max(1, len(pos)), sum(neg) / max(1, len(neg))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="MATH-500 test.jsonl")
    p.add_argument("--limit", type=int, default=None, help="use only the first N problems")
    p.add_argument("--batch", type=int, default=64, help="completions per reward call (a GRPO step's batch)")
    args = p.parse_args(argv)
    if not args.data.is_file():
        print(f"reward_throughput: {args.data}: not found (pass --data PATH/MATH-500/test.jsonl)", file=sys.stderr)
        return 2

    sys.path.insert(0, str(REPO))
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    # open-r1's config passes equations=True, which latex2sympy2 now warns about on every parse.
    logging.getLogger("latex2sympy2_extended").setLevel(logging.ERROR)
    logging.getLogger("latex2sympy2_extended.math_normalization").setLevel(logging.ERROR)
    from r1bench.rewards import accuracy_reward, format_reward, loop_penalty

    rows = load_problems(args.data, args.limit)
    comps, golds, labels = make_completions(rows)
    mean_chars = sum(map(len, comps)) / len(comps)
    try:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "n/a"
    print(f"setup: {len(rows)} MATH-500 problems -> {len(comps)} completions ({labels.count(True)} right, "
          f"{labels.count(False)} shifted-answer wrong), mean {mean_chars:.0f} chars")
    print(f"       python {platform.python_version()}, {os.cpu_count()} CPUs, load average {load}; "
          f"r1bench batch {args.batch}, default threads/timeouts; open-r1 style: one process, sequential")

    # Warm-up outside the timing: start all of r1bench's symbolic worker processes (one symbolic
    # comparison per worker, concurrently) and load math-verify's grammar in this process.
    warm_c = [f"<think>x</think> \\boxed{{x^{k}+{k}}}" for k in range(2, 18)]
    warm_g = [f"(x+{k})^2" for k in range(2, 18)]
    accuracy_reward(warm_c, answer=warm_g)
    openr1_accuracy(warm_c, warm_g)

    t0 = time.perf_counter()
    ours: list[float | None] = []
    for i in range(0, len(comps), args.batch):
        ours += accuracy_reward(comps[i : i + args.batch], answer=golds[i : i + args.batch])
    t_ours = time.perf_counter() - t0

    t0 = time.perf_counter()
    theirs = openr1_accuracy(comps, golds)
    t_theirs = time.perf_counter() - t0

    rate_ours, rate_theirs = len(comps) / t_ours, len(comps) / t_theirs
    a_ours, a_theirs = agreement(ours, labels), agreement(theirs, labels)
    print(f"r1bench accuracy reward : {rate_ours:8.1f} completions/s ({t_ours:.2f} s)  agreement with labels "
          f"{a_ours[0]:.1%} (right {a_ours[1]:.1%}, wrong {a_ours[2]:.1%})")
    print(f"open-r1 math-verify     : {rate_theirs:8.1f} completions/s ({t_theirs:.2f} s)  agreement with labels "
          f"{a_theirs[0]:.1%} (right {a_theirs[1]:.1%}, wrong {a_theirs[2]:.1%})")
    print(f"speed ratio r1bench / math-verify: {rate_ours / rate_theirs:.1f}x")
    disagree = [i for i, (a, b) in enumerate(zip(ours, theirs)) if (a == 1.0) != (b == 1.0)]
    print(f"the two disagree on {len(disagree)} completions; labels side with r1bench on "
          f"{sum((ours[i] == 1.0) == labels[i] for i in disagree)} of them")

    for name, fn in (("format", format_reward), ("loop", loop_penalty)):
        t0 = time.perf_counter()
        fn(comps)
        dt = time.perf_counter() - t0
        print(f"r1bench {name} reward{' ' * (7 - len(name))}: {len(comps) / dt:8.1f} completions/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
