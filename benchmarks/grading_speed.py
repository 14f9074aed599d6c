"""Grading speed and accuracy: r1bench's grader against plain math-verify on the same responses.

    python benchmarks/grading_speed.py                      # 4,000 synthetic responses
    python benchmarks/grading_speed.py --n 32000 --jobs 2   # the 500 x 64 job
    python benchmarks/grading_speed.py --data ../shared/data/HuggingFaceH4/MATH-500/test.jsonl
    python benchmarks/grading_speed.py --realistic --data ../shared/data/HuggingFaceH4/MATH-500/test.jsonl
    python benchmarks/grading_speed.py --realistic --k 64 --jobs 2 --data ...   # + the 500 x 64 job

Responses are synthetic but shaped like R1 output: a few thousand characters of reasoning with
intermediate (sometimes wrong) boxes, then the final answer in one of many equivalent spellings
of the gold (label: correct) or a perturbed value (label: wrong), plus truncated outputs and
outputs without a final answer. Labels are known by construction, so both graders' accuracy is
measured on the same cases. Prints cases/second for each grader, the ratio and the slowest case.

``--realistic`` uses MATH-500's own human solutions instead: every solution as an R1-style
response (half with a ``<think>`` block made from the solution's own sentences) graded against its
``answer``, and the same solution with the boxed answer shifted (integer +1, numerator +1, a digit
bumped, a symbol or word changed) as the negative. Both graders grade each case in turn (same
load), each pair seen once (cold caches); prints ms/case, the ratio, accuracy against the labels,
the slowest case and the setup. With ``--k 64`` it then grades 500 x 64 distinct responses
(different reasoning, correct spellings, random near-miss wrong answers) with ``--jobs``
processes and prints the total time (``--mv-n N``: plain math-verify on N of them too).
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


# ---------------------------------------------------------------- realistic: MATH-500 solutions

_FRAC_RE = re.compile(r"(-?)\\[dt]?frac\{(\d+)\}\{(\d+)\}")
_R1_OPENERS = [
    "Okay, let's see. I need to solve this problem.",
    "Alright, so I have this problem here.",
    "Okay, so I need to figure this out step by step.",
    "Hmm, let me start by reading the problem again carefully.",
]
_R1_FILLERS = [
    "Wait, let me double-check that step.",
    "Hmm, is that right? Let me verify.",
    "Let me make sure I didn't make an arithmetic mistake.",
    "So that part seems fine.",
    "Alternatively, maybe there's a simpler way to see this.",
    "Wait, no, that's not quite it. Let me redo this.",
    "Yes, that checks out.",
    "Let me think about the edge cases too.",
]
_CLOSERS = [
    "{solution}",
    "{solution}\n\n**Final Answer**\n\\[\n\\boxed{{{ans}}}\n\\]",
    "To solve the problem, we proceed as follows.\n\n{body}\n\nThus, the answer is $\\boxed{{{ans}}}$.",
    "**Step-by-step solution:**\n\n{body}\n\nThe final answer is $\\boxed{{{ans}}}$.",
    "{body}\n\nTherefore, the answer is \\(\\boxed{{{ans}}}\\).",
]


def _sentences(text: str) -> list[str]:
    """The solution's prose split into sentences (asy drawings dropped, boxes unwrapped)."""
    text = re.sub(r"\[asy\].*?\[/asy\]", "", text, flags=re.DOTALL)
    text = re.sub(r"\\boxed\{", "{", text)
    return [x.strip() for x in re.split(r"(?<=[.!?])\s+(?=[A-Z$\\])", text) if x.strip()]


def think_block(solution: str, rng: random.Random, lines: int | None = None) -> str:
    """An R1-style reasoning block built from the solution's own sentences and hesitations."""
    sents = _sentences(solution) or [solution]
    out = [rng.choice(_R1_OPENERS)]
    for _ in range(lines or rng.randint(6, 30)):
        out.append(rng.choice(sents) if rng.random() < 0.7 else rng.choice(_R1_FILLERS))
    return "<think>\n" + "\n\n".join(out) + "\n</think>\n\n"


def _unbox(text: str) -> str:
    """``text`` with every ``\\boxed{X}`` written as plain ``X``."""
    from r1bench.grading import find_boxed

    out, last = [], 0
    for start, end, content in find_boxed(text):
        out.append(text[last:start] + content)
        last = end
    return "".join(out) + text[last:]


def _replace_boxes(solution: str, ans: str) -> str:
    """The solution with every box's content replaced by ``ans`` (balanced braces)."""
    from r1bench.grading import find_boxed

    out, last = [], 0
    for start, end, _ in find_boxed(solution):
        out.append(solution[last:start] + "\\boxed{" + ans + "}")
        last = end
    return "".join(out) + solution[last:]


def _exact_decimal(num: int, den: int) -> str | None:
    """``num/den`` as a short exact decimal (0.375), or None when it does not terminate."""
    d = den
    for p in (2, 5):
        while d % p == 0:
            d //= p
    if d != 1:
        return None
    text = f"{num / den:.10f}".rstrip("0").rstrip(".")
    return text if len(text) <= 8 else None


def correct_spellings(gold: str, boxed: str) -> list[str]:
    """Equivalent spellings a model writes for ``gold`` (the solution's own box among them)."""
    forms = {gold, boxed}
    for f in list(forms):
        forms.add(f.replace("\\frac", "\\dfrac"))
        forms.add(re.sub(r"(?<![A-Za-z]) ", "", f))  # spaces go, except the one ending a command
        if f.startswith("(") and f.endswith(")") and "\\left" not in f:
            forms.add("\\left" + f[:-1] + "\\right)")
        if "\\left" in f:
            forms.add(f.replace("\\left", "").replace("\\right", ""))
    m = _FRAC_RE.fullmatch(gold)
    if m:
        sign, a, b = m.group(1), int(m.group(2)), int(m.group(3))
        forms.add(f"{sign}{a}/{b}")
        dec = _exact_decimal(a, b)
        if dec:
            forms.add(sign + dec)
    if re.fullmatch(r"\d{4,}", gold):
        forms.add(f"{int(gold):,}")
    return sorted(f for f in forms if f)


def _bump_digit(s: str, index: int, delta: int = 1) -> str:
    """The ``index``-th digit of ``s`` moved by ``delta`` (mod 10); digits of a unit after the
    value (``15\\mbox{ cm}^2``) are left alone, since a changed unit exponent is dropped with the unit."""
    unit = re.search(r"\\(?:mbox|text)\{\s*[A-Za-z]", s)
    end = unit.start() if unit and re.search(r"\d", s[: unit.start()]) else len(s)
    spans = [m.start() for m in re.finditer(r"\d", s[:end])]
    if not spans:
        return s
    i = spans[index % len(spans)]
    return s[:i] + str((int(s[i]) + delta) % 10) + s[i + 1 :]


def shifted_answers(gold: str, others: list[str]) -> list[str]:
    """Near-miss wrong answers computed from the gold's structure, nearest first.

    Integers +1, -1, +2, ...; fractions numerator +1, denominator +1; decimals last digit +1; other
    answers a digit bumped (first digit first), a sign flipped; answers without digits a changed
    symbol or word (``others`` supplies other problems' word answers).
    """
    out: list[str] = []
    if re.fullmatch(r"-?\d+", gold):
        v = int(gold)
        out = [str(v + d) for d in (1, -1, 2, -2, 10, -10, 3, 5)] + [str(2 * v), str(-v), str(v * 10)]
    elif m := _FRAC_RE.fullmatch(gold):
        sign, a, b = m.group(1), int(m.group(2)), int(m.group(3))
        out = [f"{sign}\\frac{{{x}}}{{{y}}}" for x, y in ((a + 1, b), (a, b + 1), (b, a), (a - 1, b), (a, b - 1),
                                                       (2 * a, b), (a + 2, b)) if x > 0 and y > 0 and x * b != y * a]
        out.append(("" if sign else "-") + f"\\frac{{{a}}}{{{b}}}")
    elif re.fullmatch(r"-?\d*\.\d+", gold):
        out = [_bump_digit(gold, -1), _bump_digit(gold, -1, -1), _bump_digit(gold, 0), _bump_digit(gold, -2)]
    elif re.search(r"\d", gold):
        digits = len(re.findall(r"\d", gold))
        out = [_bump_digit(gold, i, d) for d in (1, -1, 2) for i in range(min(digits, 4))]
        if gold.startswith("-"):
            out.append(gold[1:])
        else:
            out.append("-" + gold if not gold.startswith(("(", "[", "\\{", "\\begin", "\\text")) else gold + "+1")
    else:
        swaps = {"p - q": ["q - p", "p + q"], "\\pi": ["2\\pi", "\\frac{\\pi}{2}"], "\\cot x": ["\\tan x", "-\\cot x"]}
        if gold in swaps:
            out = swaps[gold]
        elif m := re.fullmatch(r"\\text\{\(([A-E])\)\}", gold):
            out = [f"\\text{{({c})}}" for c in "ABCDE" if c != m.group(1)]
        else:
            out = [o for o in others if o != gold]
    seen: list[str] = []
    for w in out:
        if w != gold and w not in seen:
            seen.append(w)
    return seen


def random_wrong_answer(gold: str, others: list[str], rng: random.Random) -> str | None:
    """One near-miss wrong answer drawn at random (a model's k samples rarely repeat a wrong value)."""
    if re.fullmatch(r"-?\d+", gold):
        v = int(gold)
        w = rng.choice([v + rng.choice([d for d in range(-60, 61) if d]), 2 * v + 1, -v - 1, v * 10 + rng.randint(1, 9)])
        return str(w) if w != v else str(v + 1)
    if m := _FRAC_RE.fullmatch(gold):
        sign, a, b = m.group(1), int(m.group(2)), int(m.group(3))
        for _ in range(20):
            x, y = a + rng.randint(-3, 6), b + rng.randint(-3, 9)
            if x > 0 and y > 0 and x * b != y * a:
                return f"{sign}\\frac{{{x}}}{{{y}}}" if rng.random() < 0.8 else f"{sign}{x}/{y}"
        return None
    digits = len(re.findall(r"\d", gold))
    if digits:
        # One digit only: two changes can land on an equal value (6\\sqrt{2} -> 3\\sqrt{8}).
        w = _bump_digit(gold, rng.randrange(digits), rng.randint(1, 9))
        # A model does not write \\frac{\\pi}{0}, \\dfrac40 or 2/0.
        return w if w != gold and not re.search(r"\{0+\}|/0|frac\s*\d\s*0", w) else None
    near = shifted_answers(gold, others)
    return rng.choice(near) if near else None


def _word_answers(rows: list[dict]) -> list[str]:
    """The golds that are words (``\\text{Evelyn}``): each one's near miss is another word."""
    return sorted({r["answer"] for r in rows if re.fullmatch(r"\\text\{[A-Za-z ]+\}", r["answer"])})


def load_math500(path: Path) -> list[dict]:
    from r1bench.grading import find_boxed

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for row in rows:
        boxes = find_boxed(row["solution"])
        row["boxed"] = boxes[-1][2] if boxes else row["answer"]
    return rows


def realistic_cases(rows: list[dict], seed: int = 0) -> list[tuple[str, str, bool]]:
    """Each human solution (label correct) and the same solution with its answer shifted (wrong)."""
    rng = random.Random(seed)
    words = _word_answers(rows)
    cases = []
    for row in rows:
        think = think_block(row["solution"], rng) if rng.random() < 0.5 else ""
        wrong = shifted_answers(row["answer"], words)[0]
        cases.append((think + row["solution"], row["answer"], True))
        cases.append((think + _replace_boxes(row["solution"], wrong), row["answer"], False))
    return cases


def sampled_responses(rows: list[dict], k: int, seed: int = 0) -> list[tuple[str, str, bool]]:
    """``k`` distinct R1-style responses per problem, as a model's k samples would be.

    About 65% correct (each in one of the gold's spellings), 27% a near-miss wrong answer drawn at
    random (so wrong values rarely repeat), 4% an unboxed "final answer is" sentence, 4% truncated
    in the reasoning; every response has its own reasoning block, so no two are the same text.
    """
    rng = random.Random(seed)
    words = _word_answers(rows)
    cases = []
    for row in rows:
        gold, sol = row["answer"], row["solution"]
        right = correct_spellings(gold, row["boxed"])
        body = re.sub(r"\[asy\].*?\[/asy\]", "", sol, flags=re.DOTALL)
        if "\\boxed" in body:  # up to the sentence that states the boxed answer, boxes unwrapped
            cut = body.rfind("\\boxed")
            body = body[: max(body.rfind(". ", 0, cut) + 1, body.rfind("\n", 0, cut), 0)].rstrip()
        body = _unbox(body)
        for _ in range(k):
            r = rng.random()
            think = think_block(sol, rng)
            if r < 0.04:
                cases.append((think[: -len("\n</think>\n\n")], gold, False))
                continue
            ans = None if r < 0.69 else random_wrong_answer(gold, words, rng)
            ok = ans is None
            ans = rng.choice(right) if ok else ans
            if r > 0.96:
                cases.append((think + f"{body}\n\nThe final answer is ${ans}$.", gold, ok))
                continue
            tmpl = rng.choice(_CLOSERS)
            text = _replace_boxes(sol, ans) if tmpl == "{solution}" else tmpl.format(
                solution=_replace_boxes(sol, ans), body=body, ans=ans)
            cases.append((think + text, gold, ok))
    return cases


def _grade_chunk(chunk: list[tuple[str, str]]) -> list[tuple[bool, float]]:
    from r1bench.grading import grade_math_response

    out = []
    for resp, gold in chunk:
        t = time.perf_counter()
        ok = grade_math_response(resp, gold).correct
        out.append((ok, time.perf_counter() - t))
    return out


def _start_worker() -> None:
    """Start a grading process's symbolic worker up front (its total still counts the start)."""
    from r1bench.grading.symbolic import symbolic_equal

    symbolic_equal("\\sin y", "\\cos y")


def run_r1bench(cases, jobs: int) -> tuple[list[bool], list[float], float]:
    pairs = [(r, g) for r, g, _ in cases]
    start = time.perf_counter()
    if jobs <= 1:
        results = _grade_chunk(pairs)
    else:
        size = (len(pairs) + jobs * 8 - 1) // (jobs * 8)
        chunks = [pairs[i : i + size] for i in range(0, len(pairs), size)]
        with ProcessPoolExecutor(jobs, initializer=_start_worker) as pool:
            results = [x for part in pool.map(_grade_chunk, chunks) for x in part]
    wall = time.perf_counter() - start
    return [ok for ok, _ in results], [t for _, t in results], wall


def run_math_verify(cases, *, latex_only: bool = True) -> tuple[list[bool], list[float], float]:
    """Plain math-verify as a user calls it: ``verify(parse("$gold$"), parse(response))``."""
    from math_verify import LatexExtractionConfig, parse, verify

    cfg = {"extraction_config": [LatexExtractionConfig()]} if latex_only else {}
    verdicts, times = [], []
    start = time.perf_counter()
    for resp, gold, _ in cases:
        t = time.perf_counter()
        try:
            ok = bool(verify(parse(f"${gold}$"), parse(resp, **cfg)))
        except Exception:  # noqa: BLE001 - a crash counts as "not correct"
            ok = False
        verdicts.append(ok)
        times.append(time.perf_counter() - t)
    return verdicts, times, time.perf_counter() - start


def _setup_line(jobs: int) -> str:
    import os
    import platform
    from importlib.metadata import version

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = f", load average {os.getloadavg()[0]:.1f}"
    return (f"setup: {cpu}, {os.cpu_count()} cores{load}, Python {platform.python_version()}, "
            f"math-verify {version('math-verify')}, r1bench grading processes: {jobs}")


def _summary(name: str, verdicts: list[bool], labels: list[bool], ms: float) -> str:
    right_pos = sum(v for v, lab in zip(verdicts, labels) if lab)
    right_neg = sum(not v for v, lab in zip(verdicts, labels) if not lab)
    acc = (right_pos + right_neg) / max(1, len(labels))
    return (f"{name:<12} : {ms:6.2f} ms/case  accuracy {acc:.4f}  (correct ones accepted {right_pos}/{sum(labels)}, "
            f"wrong ones rejected {right_neg}/{len(labels) - sum(labels)})")


def grade_both(cases) -> tuple[list[bool], list[float], list[bool], list[float]]:
    """Each case graded by r1bench, then by plain math-verify, alternating, so that both see the
    same load on a shared machine. Plain math-verify is called as a user calls it:
    ``verify(parse("$gold$"), parse(response))`` with its default extraction and timeouts."""
    from math_verify import parse, verify

    from r1bench.grading import grade_math_response
    from r1bench.grading import math as grading_math

    v1, t1, v2, t2 = [], [], [], []
    for resp, gold, _ in cases:
        # Cold: no normal form or value kept from the case before (it may share this gold).
        grading_math._normalize_cached.cache_clear()
        grading_math._value_cached.cache_clear()
        t = time.perf_counter()
        v1.append(grade_math_response(resp, gold).correct)
        t1.append(time.perf_counter() - t)
        t = time.perf_counter()
        try:
            ok = bool(verify(parse(f"${gold}$"), parse(resp)))
        except Exception:  # noqa: BLE001 - a crash counts as "not correct"
            ok = False
        v2.append(ok)
        t2.append(time.perf_counter() - t)
    return v1, t1, v2, t2


def realistic(args: argparse.Namespace) -> int:
    """Both graders on MATH-500 solutions + shifted negatives; then the 500 x k job."""
    from math_verify import parse, verify

    from r1bench.grading import grade_math_response
    from r1bench.grading.symbolic import symbolic_equal

    rows = load_math500(args.data)
    cases = realistic_cases(rows, args.seed)
    labels = [lab for _, _, lab in cases]
    print(_setup_line(1))
    print(f"realistic set: {len(rows)} MATH-500 human solutions (label correct) + the same {len(rows)} with the answer "
          f"shifted (label wrong) = {len(cases)} cases, mean response {statistics.mean(len(c[0]) for c in cases):.0f} "
          f"chars, {sum(c[0].startswith('<think>') for c in cases)} with a <think> block")
    # Once-per-process costs outside the per-case figures: the symbolic worker's start (imports of
    # sympy and math-verify) and math-verify's imports, each on a pair that is not in the set, so
    # every case below is graded with cold answer caches.
    t = time.perf_counter()
    grade_math_response("</think> \\boxed{y+1}", "1+y")
    symbolic_equal("\\sin y", "\\cos y")
    verify(parse("$\\sin y$"), parse("\\boxed{\\cos y}"))
    print(f"start-up (once per process, not in the per-case figures): {time.perf_counter() - t:.2f} s")
    v1, t1, v2, t2 = grade_both(cases)
    ms1, ms2 = sum(t1) / len(cases) * 1e3, sum(t2) / len(cases) * 1e3
    print(_summary("r1bench", v1, labels, ms1))
    print(_summary("math-verify", v2, labels, ms2))
    print(f"speed ratio  : {ms2 / ms1:.1f}x per case (target >= 5x); graded alternately, caches cold: "
          f"every (answer, gold) pair graded once")
    for name, times in (("r1bench", t1), ("math-verify", t2)):
        i = max(range(len(times)), key=times.__getitem__)
        print(f"slowest {name:<11}: {times[i] * 1e3:7.1f} ms  gold {cases[i][1]!r}  label {cases[i][2]}  "
              f"(median {statistics.median(times) * 1e3:.2f} ms)")
    for name, verdicts in (("r1bench", v1), ("math-verify", v2)):
        wrong = [(cases[i][1], labels[i]) for i in range(len(cases)) if verdicts[i] != labels[i]]
        if wrong:
            print(f"{name} disagreements with labels: {len(wrong)} (gold, label): {wrong[:6]}")
    if args.k:
        job = sampled_responses(rows, args.k, args.seed)
        jl = [lab for _, _, lab in job]
        print(f"\n{len(rows)} x {args.k} job: {len(job)} responses ({len({c[0] for c in job})} distinct texts, "
              f"{len({(c[1], grade_answer_key(c[0])) for c in job})} distinct final answers, {sum(jl)} correct by "
              f"construction), mean {statistics.mean(len(c[0]) for c in job):.0f} chars")
        print(_setup_line(args.jobs))
        start = time.perf_counter()
        vj, tj, _ = run_r1bench(job, args.jobs)
        total = time.perf_counter() - start
        i = max(range(len(tj)), key=tj.__getitem__)
        print(f"r1bench      : {total:6.1f} s for {len(job)} responses on {args.jobs} process(es), start-up included "
              f"({total / len(job) * 1e3:.2f} ms/response), accuracy {_accuracy(vj, jl):.4f}; slowest "
              f"{tj[i] * 1e3:.1f} ms (gold {job[i][1]!r}, answer {grade_answer_key(job[i][0])!r})")
        bad = [(job[i][1], grade_answer_key(job[i][0]), jl[i]) for i in range(len(job)) if vj[i] != jl[i]]
        if bad:
            print(f"r1bench disagreements with labels: {len(bad)} (gold, answer, label): {sorted(set(bad))[:8]}")
        if args.mv_n:
            step = max(1, len(job) // args.mv_n)
            sub = job[::step][: args.mv_n]
            vm, _, wallm = run_math_verify(sub, latex_only=False)
            print(f"math-verify  : {wallm / len(sub) * 1e3:6.2f} ms/response on every {step}th ({len(sub)}), accuracy "
                  f"{_accuracy(vm, [c[2] for c in sub]):.4f}; the whole job: ~{wallm / len(sub) * len(job):.0f} s on one process")
    return 0


def grade_answer_key(response: str) -> str | None:
    """The final answer r1bench extracts (to count distinct answers in the job)."""
    from r1bench.grading import extract_math_answer
    from r1bench.reasoning import split_reasoning

    split = split_reasoning(response)
    return extract_math_answer(split.answer_text).extracted if split.think_closed else None


def _accuracy(verdicts: list[bool], labels: list[bool]) -> float:
    return sum(a == b for a, b in zip(verdicts, labels)) / max(1, len(labels))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=4000, help="number of synthetic responses (default 4000)")
    ap.add_argument("--jobs", type=int, default=1, help="grading processes for r1bench (default 1)")
    ap.add_argument("--mv-n", type=int, default=None, help="responses for plain math-verify (default: same as --n, capped at 4000)")
    ap.add_argument("--data", type=Path, help="a MATH-500 style JSONL whose `answer` fields become the golds")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--realistic", action="store_true",
                    help="MATH-500 human solutions + shifted-answer negatives (needs --data)")
    ap.add_argument("--k", type=int, default=0, help="with --realistic: also grade k distinct responses per problem")
    args = ap.parse_args(argv)
    if args.realistic:
        if not args.data:
            ap.error("--realistic needs --data <MATH-500 test.jsonl>")
        return realistic(args)

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
