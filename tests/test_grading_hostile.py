"""Hostile model output: every case gets a verdict (never an exception), within a time bound.

Each row is (name, response, gold, expected correctness). The bound is twice the symbolic timeout:
every stage, cheap ones included, is bounded and linear in the input length, so no single output
can stall a 30,000-sample run. The slowest case is printed.
"""

from __future__ import annotations

import time

import pytest

from r1bench.grading import Verdict, grade_math_response
from r1bench.records import score_response

TIMEOUT = 3.0
BOUND = 2 * TIMEOUT
KB = 1000

HOSTILE: list[tuple[str, str, str, bool]] = [
    # arithmetic that raises in a naive evaluator
    ("division by zero", r"\boxed{\frac{1}{0}}", "1", False),
    ("division by zero, slash", r"\boxed{1/0}", "1", False),
    ("zero to a negative power", r"\boxed{0^{-1/2}}", "0", False),
    ("zero to the minus one", r"\boxed{0^{-1}}", "0", False),
    ("zeroth root", r"\boxed{\sqrt[0]{4}}", "2", False),
    ("negative root index", r"\boxed{\sqrt[-2]{4}}", r"\frac{1}{2}", True),
    ("root of a negative", r"\boxed{\sqrt{-4}}", "2", False),
    ("fractional power of a negative", r"\boxed{(-8)^{1/3}}", "-2", False),
    ("binomial, negative k", r"\boxed{\binom{5}{-1}}", "1", False),
    ("binomial, negative n", r"\boxed{\binom{-5}{2}}", "1", False),
    ("binomial, huge n", r"\boxed{\binom{100000000}{50000000}}", "1", False),
    ("factorial of a negative", r"\boxed{(-3)!}", "1", False),
    ("factorial, huge", r"\boxed{100000!}", "1", False),
    ("factorial of a fraction", r"\boxed{(1/2)!}", "1", False),
    # deep nesting
    ("199 nested parentheses", r"\boxed{" + "(" * 199 + "1" + ")" * 199 + "}", "1", False),
    ("2000 nested parentheses", r"\boxed{" + "(" * 2000 + "1" + ")" * 2000 + "}", "1", False),
    ("2000 nested braces", r"\boxed{" + "{" * 2000 + "1" + "}" * 2000 + "}", "1", False),
    ("nested fractions", r"\boxed{" + r"\frac{1}{" * 300 + "2" + "}" * 300 + "}", "1", False),
    ("nested sqrt", r"\boxed{" + r"\sqrt{" * 500 + "4" + "}" * 500 + "}", "1", False),
    ("power tower", r"\boxed{" + "2^{" * 500 + "2" + "}" * 500 + "}", "4", False),
    ("10000 minus signs", r"\boxed{" + "-" * 10000 + "1}", "1", False),
    # huge numbers
    ("huge exponent", r"\boxed{10^{10^{10^{10}}}}", "1", False),
    ("big power", r"\boxed{9^{9^{9}}}", "1", False),
    ("2^100000", r"\boxed{2^{100000}}", "1", False),
    ("tiny power", r"\boxed{10^{-1000000}}", "0", False),
    ("scientific overflow", r"\boxed{1e999999}", "1", False),
    ("a 5000-digit number", r"\boxed{" + "9" * 5000 + "}", "1", False),
    ("a 100k-digit number", "The answer is " + "9" * 100 * KB + ".", "1", False),
    ("large matrix", r"\boxed{\begin{pmatrix}" + r"\\".join(["&".join(["1"] * 60)] * 60) + r"\end{pmatrix}}", "1", False),
    # shapes that are quadratic for naive regexes, at 200 KB
    ("'is \\(' x 40000", r"is \(" * 40 * KB, "1", False),
    ("'is $' x 50000", "is $" * 50 * KB, "1", False),
    ("'$' x 200000", "$" * 200 * KB, "1", False),
    ("'$$' x 100000", "$$" * 100 * KB, "1", False),
    ("'\\[' x 100000", "\\[" * 100 * KB, "1", False),
    ("'final answer is ' x 12500", "final answer is " * 12500, "1", False),
    ("'answer: ' x 25000", "answer: " * 25 * KB, "1", False),
    ("'The answer is $' x 14000", "The answer is $" * 14 * KB, "1", False),
    ("'\\boxed{' x 30000", "\\boxed{" * 30 * KB, "1", False),
    ("'\\boxed ' x 30000", "\\boxed " * 30 * KB, "1", False),
    ("'{' x 200000", "{" * 200 * KB, "1", False),
    ("'}' x 200000", "}" * 200 * KB, "1", False),
    ("'x = ' x 50000", "x = " * 50 * KB, "1", False),
    ("'1,' x 100000", "1," * 100 * KB + "1", "1", False),
    ("'a ' x 100000", "a " * 100 * KB, "1", False),
    ("'is 1 ' x 40000", "is 1 " * 40 * KB, "1", True),
    ("spaces then a number", " " * 200 * KB + "7", "7", True),
    ("one 200 KB line of words", "word " * 40 * KB + "so the value is 7", "7", True),
    ("'\\text{' x 30000", "\\text{" * 30 * KB, "1", False),
    ("'<think>' x 25000", "<think>" * 25 * KB, "1", False),
    ("'</think>' x 20000", "</think>" * 20 * KB + r"\boxed{1}", "1", True),
    ("boxed answer of 200 KB", r"\boxed{" + "1+" * 100 * KB + "1}", "1", False),
    ("boxed answer of 4900 chars", r"\boxed{" + "x+" * 2450 + "1}", "1", False),
    ("unit words x 1000", r"\boxed{5" + " cm" * 1000 + "}", "5", True),
    # 1 MB outputs
    ("1 MB of letters", "a" * 1000 * KB, "1", False),
    ("1 MB reasoning then a box", "<think>" + "hmm " * 250 * KB + r"</think> \boxed{7}", "7", True),
    ("1 MB looping answer", r"so \boxed{7} " * 80 * KB, "7", True),
    ("1 MB of digits", "7" * 1000 * KB, "7", False),
    # malformed text
    ("unbalanced braces", r"\boxed{" + "{" * 1000 + "7", "7", False),
    ("only closing braces", "}" * 1000 + r"\boxed{7}", "7", True),
    ("nul byte inside the box (invisible: the value is 7)", "\\boxed{7\x00}", "7", True),
    ("nul bytes around", "\x00" * 1000 + "\\boxed{7}" + "\x00" * 1000, "7", True),
    ("lone surrogate", "\\boxed{\ud800}", "7", False),
    ("lone surrogate in text", "\ud800 The answer is \\boxed{7}", "7", True),
    ("control characters", "\\boxed{\x1b[31m7\x1b[0m}", "7", False),
    ("code-like answer", r"\boxed{__import__('os').system('true')}", "1", False),
    ("empty box", r"\boxed{}", "1", False),
    ("empty output", "", "1", False),
]


_TIMINGS: list[tuple[float, str]] = []


@pytest.fixture(scope="module")
def timings() -> list[tuple[float, str]]:
    return _TIMINGS


@pytest.mark.parametrize("name,response,gold,expected", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_output_gets_a_bounded_verdict(name, response, gold, expected, timings):
    t0 = time.perf_counter()
    verdict = grade_math_response(response, gold, timeout=TIMEOUT)
    rec = score_response(response, gold, timeout=TIMEOUT)
    elapsed = time.perf_counter() - t0
    timings.append((elapsed, name))
    assert isinstance(verdict, Verdict) and verdict.reason
    assert verdict.correct is expected, verdict
    assert rec.correct is expected and rec.reason
    assert elapsed < BOUND, f"{name}: {elapsed:.2f} s"


def test_print_slowest_hostile_case(capsys):
    """Runs after the table (file order): the slowest case, for the record."""
    if not _TIMINGS:
        pytest.skip("run with the table to time it")
    slow = max(_TIMINGS)
    with capsys.disabled():
        print(f"\nslowest hostile case: {slow[1]!r} {slow[0]:.2f} s (grade + score_response;"
              f" bound {BOUND:g} s, {len(_TIMINGS)} cases)")
    assert slow[0] < BOUND


@pytest.mark.parametrize("response", [r"is \(" * 8 * KB, r"is \(" * 40 * KB])
def test_fallbacks_are_linear(response):
    """The unboxed fallbacks scan a bounded tail: 5x the input must not cost 25x the time."""
    t0 = time.perf_counter()
    grade_math_response(response, "1", timeout=TIMEOUT)
    assert time.perf_counter() - t0 < 1.0


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "-inf"])
def test_grade_timeout_must_be_positive_and_finite(value, capsys):
    from r1bench.grading_cli import main

    with pytest.raises(SystemExit) as exc:
        main([f"--timeout={value}", "--gold", "1", "--response", "1"])
    assert exc.value.code == 2
    assert "--timeout must be a positive number" in capsys.readouterr().err
