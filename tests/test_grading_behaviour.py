"""Grader behaviour beyond the case tables: time bounds (any thread or process), pathological
input, untrusted text never executed, the Verdict interface."""

import os
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest

from r1bench.grading import (
    GRADER_VERSION,
    Verdict,
    grade_choice_response,
    grade_math_response,
    math_equal,
)
from r1bench.grading.symbolic import symbolic_equal

BOUND = 2.0  # seconds per symbolic comparison in these tests
SLACK = 4.0  # scheduling slack on a loaded 2-core machine


def test_verdict_interface():
    v = grade_math_response("<think>..</think> so \\boxed{\\dfrac{1}{2}}", "0.5")
    assert isinstance(v, Verdict)
    assert v.correct and bool(v) and v.extracted == "\\dfrac{1}{2}" and v.rule == "boxed"
    assert "equal" in v.reason
    w = grade_math_response("<think>..</think> \\boxed{3}", "4")
    assert not w and not w.correct and "not equal" in w.reason
    assert set(v.to_dict()) >= {"correct", "extracted", "rule", "reason", "grader"}
    assert GRADER_VERSION


def test_no_answer_reasons():
    assert "truncated" in grade_math_response("<think>\\boxed{3}", "3").reason
    assert "no final answer" in grade_math_response("<think>x</think> I am not sure.", "3").reason
    assert grade_choice_response("<think>A?", "A").reason.startswith("reasoning never closed")


def test_choice_gold_validation():
    with pytest.raises(ValueError):
        grade_choice_response("Answer: A", "AB")


PATHOLOGICAL = [
    ("nested-braces", "\\boxed{" + "{" * 5000 + "1" + "}" * 5000 + "}", "1"),
    ("unbalanced-braces", "\\boxed{" + "{" * 20000, "1"),
    ("tower", "\\boxed{10^{10^{10^{10}}}}", "10^{10^{10^{10}}}+1"),
    ("tower-vs-number", "\\boxed{10^{10^{10^{10}}}}", "5"),
    ("nested-radicals", "\\boxed{" + "\\sqrt{2+" * 40 + "2" + "}" * 40 + "}", "\\sqrt{2+\\sqrt{2}}"),
    ("factorial", "\\boxed{100000!}", "5"),
    ("huge-power", "\\boxed{(x+1)^{100000}}", "x^{100000}+1"),
    ("one-megabyte", "<think>" + "a" * 1_000_000 + "</think> \\boxed{" + "1+" * 2000 + "1}", "2001"),
    ("megabyte-no-think", "x " * 500_000 + "\\boxed{2}", "2"),
    ("many-boxes", "\\boxed{1} " * 50_000, "1"),
]


@pytest.mark.parametrize("response,gold", [c[1:] for c in PATHOLOGICAL], ids=[c[0] for c in PATHOLOGICAL])
def test_pathological_input_is_bounded(response, gold):
    start = time.monotonic()
    v = grade_math_response(response, gold, timeout=BOUND)
    elapsed = time.monotonic() - start
    assert isinstance(v, Verdict)
    assert elapsed < BOUND * 3 + SLACK, f"took {elapsed:.1f} s"


def test_symbolic_timeout_kills_and_recovers():
    # An expansion sympy cannot finish quickly; the worker is killed and the next call still works.
    hard = "(x+y+z+w+1)^{60}"
    start = time.monotonic()
    r = symbolic_equal(hard, "(x+y+z+w+2)^{60}", timeout=0.5)
    assert time.monotonic() - start < 0.5 + SLACK
    assert r.outcome in {"timeout", "different", "unparsable", "error"}
    assert not r.equal
    assert symbolic_equal("x^2+2x+1", "(x+1)^2", timeout=BOUND).equal


def _grade_in_worker(pair):
    response, gold = pair
    v = grade_math_response(response, gold, timeout=BOUND)
    return v.correct


CONCURRENT = [
    ("<think>a</think>\\boxed{(x+1)^2}", "x^2+2x+1", True),
    ("<think>a</think>\\boxed{\\frac{\\sqrt{8}}{2}}", "\\sqrt{2}", True),
    ("<think>a</think>\\boxed{10^{10^{10^{10}}}}", "7", False),
    ("<think>a</think>\\boxed{\\sin^2 x + \\cos^2 x}", "1", True),
    ("<think>a</think>\\boxed{x+2}", "x+3", False),
]


def test_bounded_in_threads():
    """math-verify's own SIGALRM timeout fails outside the main thread; ours must not."""
    with ThreadPoolExecutor(4) as pool:
        start = time.monotonic()
        got = list(pool.map(_grade_in_worker, [(r, g) for r, g, _ in CONCURRENT * 2]))
        elapsed = time.monotonic() - start
    assert got == [e for _, _, e in CONCURRENT * 2]
    assert elapsed < 60


def test_bounded_in_processes():
    with ProcessPoolExecutor(2) as pool:
        got = list(pool.map(_grade_in_worker, [(r, g) for r, g, _ in CONCURRENT]))
    assert got == [e for _, _, e in CONCURRENT]


PAYLOADS = [
    "__import__('os').system('touch {marker}')",
    "\\text{__import__('os').system('touch {marker}')}",
    "exec(\"open('{marker}','w')\")",
    "eval(compile('open(\"{marker}\",\"w\")','x','exec'))",
    "lambda: open('{marker}','w')",
    "x + __import__('subprocess').call(['touch','{marker}'])",
    "\\frac{__import__('os').system('touch {marker}')}{2}",
    "().__class__.__base__.__subclasses__()",
    "open('{marker}', 'w').write('pwned')",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_untrusted_output_never_executed(payload, tmp_path):
    marker = tmp_path / "pwned"
    text = payload.replace("{marker}", str(marker))
    for response in (f"\\boxed{{{text}}}", f"<think>x</think> The final answer is {text}", text):
        for gold in ("0", "x", "1/2", text):
            grade_math_response(response, gold, timeout=BOUND)
            math_equal(text, gold, timeout=BOUND)
    assert not marker.exists()
    assert not os.path.exists("pwned")
