"""The cheap probe before math-verify: it decides only what is certain, and defers the rest.

Expected verdicts are what a careful human says; ``None`` means the probe must leave the pair to
math-verify (a shape it cannot be sure of). Pairs are normalised answers, as the grader passes them.
"""

import pytest

from r1bench.grading import grade_math_response
from r1bench.grading.symbolic import prescreen

CASES = [
    # Expressions in one-letter variables: a near miss differs at a rational point.
    ("x^6-x^4+x^3-x^2+x-1", "x^5-x^4+x^3-x^2+x-1", "different"),
    ("(a+6)(b+2)", "(a+5)(b+2)", "different"),
    ("\\frac{21+9a}{20}", "\\frac{11+9a}{20}", "different"),
    ("7r^2-4r-24", "6r^2-4r-24", "different"),
    ("3k+2", "2k+2", "different"),
    ("2\\pi r", "\\pi r", "different"),
    ("2k+1", "2n+1", "different"),  # another variable is another answer
    ("\\sqrt{x^2}", "x", "different"),  # |x|, not x: the negative point shows it
    # ... and the same function at three points (one negative) is the same answer.
    ("(x+1)^2", "x^2+2x+1", "equal"),
    ("\\frac{x^2-1}{x-1}", "x+1", "equal"),
    ("x\\pi", "\\pi x", "equal"),
    ("2(a+b)", "2a+2b", "equal"),
    # Words.
    ("Navin", "Evelyn", "different"),
    ("C", "A", "different"),
    # Complex numbers a+bi, by their parts.
    ("7-5i", "6-5i", "different"),
    ("6+0i", "6+9i", "different"),
    ("-2+8i", "-2+7i", "different"),
    ("2i", "0+2i", "equal"),
    ("-i", "-1i", "equal"),
    ("\\frac{3}{5}+\\frac{4}{5}i", "0.6+0.8i", "equal"),
    # Linear equations in two or more variables: equal up to a nonzero factor.
    ("6x-7y+11z+4=0", "5x-7y+11z+4=0", "different"),
    ("5x-7y+11z+4=9", "5x-7y+11z+4=0", "different"),
    ("10x-14y+22z+8=0", "5x-7y+11z+4=0", "equal"),
    ("2x-y+3=0", "y=2x+3", "equal"),
    ("x=2y", "y=2x", "different"),
    # Left to math-verify.
    ("2x=4", "x=2", None),  # one variable: math-verify solves for the value
    ("x^2=1", "x=1", None),  # not linear
    ("\\sqrt{x}+1", "1+\\sqrt{x}", None),  # a root of a negative stops the probe
    ("1.4142x", "\\sqrt{2}x", None),  # close but not equal: a rounding question
    ("\\tan x", "\\cot x", None),  # functions the evaluator does not know
    ("f(x)", "f(y)", None),  # a letter applied to parentheses may be a function
    ("\\frac{x}{2}", "x/2", None),  # "/" with implicit multiplication is ambiguous
    ("x_1+x_2", "x_2+x_1", None),  # subscripts
    ("(1+i)^2", "2i", None),  # i not in a+bi form
    ("e^{x}", "e^{x+1}", None),  # e is a constant to math-verify
    ("\\sqrt{12}", "2\\sqrt{3}", None),  # no variables: the numeric stage's business
]


@pytest.mark.parametrize("pred,gold,expected", CASES, ids=[f"{p}|{g}" for p, g, _ in CASES])
def test_prescreen(pred, gold, expected):
    r = prescreen(pred, gold)
    assert (r.outcome if r is not None else None) == expected


GRADED = [
    ("<think>t</think> The answer is $\\boxed{x^6 - x^4 + x^3 - x^2 + x - 1}$.", "x^5 - x^4 + x^3 - x^2 + x - 1", False),
    ("<think>t</think> So $\\boxed{(x+1)^2}$.", "x^2+2x+1", True),
    ("<think>t</think> $\\boxed{7 - 5i}$", "6 - 5i", False),
    ("<think>t</think> $\\boxed{10x - 14y + 22z + 8 = 0}$", "5x - 7y + 11z + 4 = 0", True),
    ("<think>t</think> $\\boxed{\\text{Navin}}$", "\\text{Evelyn}", False),
]


@pytest.mark.parametrize("response,gold,expected", GRADED)
def test_graded_through_the_probe(response, gold, expected):
    v = grade_math_response(response, gold)
    assert v.correct is expected
    assert v.reason.split(" at stage ")[1].startswith("symbolic")
