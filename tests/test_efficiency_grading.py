"""How efficiency decides its candidates: each distinct spelling once, cheap rules first, math-verify
for at most ``max_graded`` undecided ones (a cap that is recorded), start-up of math-verify's worker
never counted against a sample's time budget.

Positions use a whitespace tokenizer (``str.split``): the expected position is the number of words up
to and including the first correct candidate, countable by eye.
"""

import pytest

from r1bench.efficiency import _PLAIN_INT_RE, measure_efficiency
from r1bench.grading import compare_math
from r1bench.grading.normalize import normalize_answer
from r1bench.grading.numeric import evaluate
from r1bench.grading.symbolic import shutdown_workers, startup_seconds

WORDS = str.split

# Trigonometric identities: the grader's cheap stages cannot decide them, math-verify can.
WRONG_TRIG = ["\\tan{x}", "\\cos{2x}", "\\sin{x}", "\\cos^2{x}", "\\sec{x}"]  # none is \sin^2 x
RIGHT_TRIG = "1-\\cos^2{x}"


def _boxes(values: list[str]) -> str:
    return " ".join(f"\\boxed{{{v}}}" for v in values)  # one word per box (no spaces inside)


def test_correct_candidate_after_three_hundred_wrong_ones():
    wrong = [str(k) for k in range(100, 400)]  # 300 distinct wrong integers
    reasoning = _boxes(wrong) + " so \\boxed{\\frac{84}{2}} then I check it twice more"
    eff = measure_efficiency(reasoning, "", "42", tokenizer=WORDS)
    # 300 boxes + "so" + the correct box = 302 words; 302 + 6 more words = 308 in all.
    assert eff.first_correct_tokens == 302
    assert eff.reasoning_tokens == 308
    assert eff.overthinking_share == pytest.approx(6 / 308)
    assert eff.candidates == 301
    assert eff.unchecked == 0


def test_repeated_wrong_spellings_and_a_tuple_gold_decided_cheaply():
    # A tuple gold: each wrong tuple is told apart part by part, without math-verify.
    wrong = [f"({k},0)" for k in range(1, 151)] * 2  # 150 distinct spellings, each twice
    reasoning = _boxes(wrong) + " hence \\boxed{\\left(3,\\frac{\\pi}{2}\\right)} ."
    eff = measure_efficiency(reasoning, "", "(3, \\frac{\\pi}{2})", tokenizer=WORDS, max_graded=0)
    assert eff.first_correct_tokens == 302  # 300 boxes, "hence", the correct box
    assert eff.candidates == 301
    assert eff.unchecked == 0  # nothing needed math-verify, so the cap of 0 never bit


def test_cap_on_math_verify_is_hit_and_recorded():
    reasoning = _boxes(WRONG_TRIG) + " so " + _boxes([RIGHT_TRIG]) + " done"
    capped = measure_efficiency(reasoning, "", "\\sin^2 x", tokenizer=WORDS, max_graded=4)
    # Four wrong ones graded by math-verify; the fifth wrong one and the correct one are not.
    assert capped.first_correct_tokens is None
    assert capped.unchecked == 2
    assert capped.candidates == 6
    full = measure_efficiency(reasoning, "", "\\sin^2 x", tokenizer=WORDS, max_graded=6)
    assert full.first_correct_tokens == 7  # 5 boxes, "so", the correct box
    assert full.unchecked == 0


def test_a_runs_first_sample_gets_the_full_result():
    """Worker start-up (sympy and math-verify imports: 0.5-3 s) does not eat the sample's budget:
    with a fresh process state the second math-verify comparison still happens."""
    shutdown_workers()
    before = startup_seconds()
    # Pairs no other test grades (math-verify's verdicts are cached for the process).
    reasoning = "\\boxed{\\cot{x}} then \\boxed{\\frac{1-\\cos{2x}}{2}} and more words here"
    eff = measure_efficiency(reasoning, "", "\\sin^2 x", tokenizer=WORDS, budget=0.5, timeout=5.0)
    assert startup_seconds() > before  # a worker was started inside this call
    assert eff.first_correct_tokens == 3  # "\boxed{\cot{x}}", "then", the correct box
    assert eff.unchecked == 0


@pytest.mark.parametrize("text", ["0", "7", "-12", "100", "123456789012345678"])
def test_a_plain_integer_is_its_own_normal_form_and_value(text):
    """What the integer fast path assumes (it skips normalize_answer and the evaluator)."""
    assert _PLAIN_INT_RE.fullmatch(text)
    assert normalize_answer(text) == text
    assert evaluate(text) == int(text)


@pytest.mark.parametrize("text", ["007", "1.5", "+3", "1,000", "1e5", "- 4"])
def test_other_numbers_take_the_full_path(text):
    assert not _PLAIN_INT_RE.fullmatch(text)


@pytest.mark.parametrize(
    "pred, gold, equal, decided",
    [
        ("\\frac{1}{2}", "0.5", True, True),
        ("(1,2)", "(1,3)", False, True),  # told apart by the second part
        ("x^2+2x+1", "(x+1)^2", True, True),  # the fixed-point probe, no worker
        ("\\tan{x}", "\\sin^2 x", False, False),  # needs math-verify: not asked
        ("1-\\cos^2{x}", "\\sin^2 x", False, False),  # equal, but only math-verify knows
    ],
)
def test_compare_math_without_math_verify(pred, gold, equal, decided):
    c = compare_math(pred, gold, symbolic=False)
    assert (c.equal, c.stage != "undecided") == (equal, decided)


@pytest.mark.parametrize(
    "text, expected",
    [
        # A box longer than the near window (2,000 characters) is still paired, its content whole.
        ("\\boxed{" + "a" * 2500 + "} then \\boxed{7}", ["a" * 2500, "7"]),
        ("\\boxed{" + "{" * 1500 + "}" * 1500 + "} \\boxed{5}", ["{" * 1500 + "}" * 1500, "5"]),
        ("\\boxed{12 and then \\boxed{3}", ["3"]),  # the first box never closes: skipped
        ("\\boxed{a\\{b} \\boxed{\\\\{x}}", ["a\\{b", "\\\\{x}"]),  # escaped brace, escaped backslash
        ("}{ \\boxed{1}}}", ["1"]),
    ],
)
def test_boxes_paired_near_or_far(text, expected):
    from r1bench.grading import find_boxed

    assert [content for _, _, content in find_boxed(text)] == expected


def test_time_budget_leaves_candidates_unchecked_not_wrong():
    # 5,000 distinct unit fractions (each needs the normaliser and the evaluator, ~20 us or more) before
    # the correct one: far more than 0.01 s of work, so the rest is counted as unchecked. ~120k
    # characters: every box is within the scanned tail.
    wrong = [f"\\frac{{1}}{{{k}}}" for k in range(2, 5_002)]  # 1/2 ... 1/5001, none is 42
    reasoning = _boxes(wrong) + " \\boxed{42}"
    eff = measure_efficiency(reasoning, "", "42", tokenizer=WORDS, budget=0.01)
    assert eff.first_correct_tokens is None
    assert eff.unchecked > 0
    assert eff.candidates == 5_001
    full = measure_efficiency(reasoning, "", "42", tokenizer=WORDS, budget=30.0)
    assert (full.first_correct_tokens, full.unchecked) == (5_001, 0)
