"""Agreement with labeled math answers that nobody on this project wrote (tests/realworld/math/).

Sources: math-verify's own test tables (pairs, boxed responses, unboxed responses), NeMo-Skills'
``math_equal`` table, and MATH-500's human solutions (each against its own answer, and against the
answer shifted by one for integer answers). Rows marked ``policy`` are graded and printed but do
not count towards agreement: the other grader's label depends on a policy r1bench does not share
(each row says which). Prints agreement per source and fails under the floor of that source.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from r1bench.grading import grade_math_response, math_equal

HERE = Path(__file__).resolve().parent / "math"

# Agreement floors per source (fraction of non-policy rows). Set a little under what the grader
# reaches, so a regression fails loudly.
FLOORS = {
    "math_verify/pair": 0.98,
    "math_verify/boxed": 0.98,
    "math_verify/unboxed": 0.98,
    "nemo_skills/pair": 0.98,
    "math500_solutions/boxed": 0.995,
    "mario/pair": 0.97,
    "qwen25math/pair": 0.96,
    "verl/pair": 1.0,
    "verl/boxed": 1.0,
}


def _rows(shared_data: Path) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for name, prefix in (("math_verify_tests.jsonl", "math_verify"), ("nemo_skills_math_equal.jsonl", "nemo_skills")):
        for line in (HERE / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            out.setdefault(f"{prefix}/{row['kind']}", []).append(row)
    # Other graders' tables (MARIO, Qwen2.5-Math, verl): the source is the id's prefix.
    for line in (HERE / "heldout_graders.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        out.setdefault(f"{row['id'].split('::')[0]}/{row['kind']}", []).append(row)
    # MATH-500's own solutions, when the shared data folder has them (tests/conftest.py).
    math500 = shared_data / "HuggingFaceH4" / "MATH-500" / "test.jsonl"
    if math500.exists():
        rows = out.setdefault("math500_solutions/boxed", [])
        for line in math500.read_text(encoding="utf-8").splitlines():
            d = json.loads(line)
            rows.append({"id": d["unique_id"], "kind": "boxed", "response": d["solution"], "gold": d["answer"], "expected": True})
            if re.fullmatch(r"-?\d+", d["answer"]):  # a clearly wrong answer: the integer plus one
                rows.append({"id": d["unique_id"] + ":shifted", "kind": "boxed", "response": d["solution"],
                             "gold": str(int(d["answer"]) + 1), "expected": False})
    return out


def _verdict(row: dict) -> bool:
    if row["kind"] == "pair":
        return math_equal(row["response"], row["gold"], timeout=10.0)
    return grade_math_response(row["response"], row["gold"], timeout=10.0).correct


def test_math_corpus_agreement(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sources = _rows(shared_data)
    failures = []
    slowest = (0.0, "")
    lines = []
    for source, rows in sorted(sources.items()):
        agree = counted = policy_agree = policy_n = 0
        misses = []
        for row in rows:
            t0 = time.perf_counter()
            got = _verdict(row)
            dt = time.perf_counter() - t0
            if dt > slowest[0]:
                slowest = (dt, f"{source} {row['id']}")
            if row.get("policy"):
                policy_n += 1
                policy_agree += got == row["expected"]
                continue
            counted += 1
            if got == row["expected"]:
                agree += 1
            else:
                misses.append(f"    {row['id']}: expected {row['expected']}, got {got}")
        rate = agree / max(counted, 1)
        lines.append(f"{source:28s} {agree:4d}/{counted:<4d} = {rate:6.1%}  (floor {FLOORS.get(source, 0):.1%};"
                     f" policy rows: {policy_agree}/{policy_n} agree with the other grader)")
        lines += misses
        if rate < FLOORS.get(source, 0.0):
            failures.append(f"{source}: {rate:.1%} < {FLOORS[source]:.1%}")
    lines.append(f"slowest row: {slowest[0] * 1000:.0f} ms ({slowest[1]})")
    with capsys.disabled():
        print("\nmath corpus agreement\n" + "\n".join(lines))
    assert not failures, failures
