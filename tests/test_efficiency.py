"""Efficiency metrics on responses whose first correct candidate position is known by hand.

Token positions use a whitespace tokenizer (``str.split``) so the expected numbers are countable
by eye: the position is the number of words up to and including the first correct candidate.
"""

import pytest

from r1bench.efficiency import candidate_answers, count_self_corrections, measure_efficiency

WORDS = str.split


def test_first_correct_in_a_paragraph_final_line():
    reasoning = "Let me compute 2+2 = 4\n\nWait, let me double-check that sum. It is four indeed."
    eff = measure_efficiency(reasoning, "\\boxed{4}", "4", tokenizer=WORDS)
    # "Let me compute 2+2 = 4" is 6 words; the reasoning has 16 words.
    assert eff.reasoning_tokens == 16
    assert eff.first_correct_tokens == 6
    assert eff.overthinking_share == pytest.approx(10 / 16)
    assert eff.self_corrections == 2  # "Wait", "let me double-check"
    assert eff.answer_tokens == 1


def test_wrong_box_first_then_correct_statement():
    reasoning = "Try x: \\boxed{5} no that fails. Redo it carefully, so the answer is 4. Done now."
    eff = measure_efficiency(reasoning, "", "4", tokenizer=WORDS)
    # Up to "...the answer is 4" = 14 words; 16 words in all.
    assert eff.first_correct_tokens == 14
    assert eff.overthinking_share == pytest.approx(2 / 16)
    assert eff.candidates == 2


def test_equivalent_spelling_counts_as_correct():
    reasoning = "Half of it: \\boxed{\\frac{1}{2}} and then I keep checking for a while longer"
    eff = measure_efficiency(reasoning, "", "0.5", tokenizer=WORDS)
    assert eff.first_correct_tokens == 4


@pytest.mark.parametrize(
    "reasoning, gold",
    [
        ("I think it is \\boxed{5}. Maybe the answer is 6.", "4"),  # only wrong candidates
        ("No candidates at all here, just words.", "4"),
        ("", "4"),
    ],
)
def test_no_correct_candidate(reasoning, gold):
    eff = measure_efficiency(reasoning, "", gold, tokenizer=WORDS)
    assert eff.first_correct_tokens is None
    assert eff.overthinking_share is None


def test_choice_tasks_have_no_candidate_positions():
    eff = measure_efficiency("The answer is C. Wait, yes C.", "Answer: C", "C", kind="choice", tokenizer=WORDS)
    assert eff.first_correct_tokens is None
    assert eff.self_corrections == 1


def test_exact_engine_total_scales_the_position():
    reasoning = "a b c d e f g h i = 4\n\n" + "x " * 90
    # 11 words to the candidate, 101 in all: with an engine total of 202, position scales to ~22.
    eff = measure_efficiency(reasoning, "", "4", reasoning_tokens=202)
    assert eff.reasoning_tokens == 202
    assert 18 <= eff.first_correct_tokens <= 26
    assert eff.overthinking_share == pytest.approx(1 - eff.first_correct_tokens / 202)


@pytest.mark.parametrize(
    "text, n",
    [
        ("Wait, that is wrong. Alternatively, use symmetry. Let me double-check. Hmm.", 4),
        ("But wait, let me verify: actually, it holds.", 3),  # "But wait" is one correction
        ("等等，这不对。让我再检查一下。", 3),  # 等等, 不对, 再检查
        ("Waiting for the bus is not a self-correction.", 0),
        ("", 0),
    ],
)
def test_self_corrections(text, n):
    assert count_self_corrections(text) == n


def test_candidates_in_order_of_position():
    text = "First \\boxed{3}.\n\nThen y = 7\n\nSo the answer is 9."
    assert [c for _, c in candidate_answers(text)] == ["3", "7", "9"]


@pytest.mark.parametrize(
    "reasoning",
    [
        "\\boxed{" * 20_000,  # unclosed boxes
        "answer is " * 20_000,
        "= 1\n\n" * 20_000,
        "\\boxed{1/0}" * 500 + "\\boxed{\\sqrt[0]{4}}",
    ],
)
def test_hostile_reasoning_gives_a_value(reasoning):
    eff = measure_efficiency(reasoning, "", "4")
    assert eff.first_correct_tokens is None
