"""One verdict whichever way a response is graded: the public graders apply the length-cap rule
(an output cut at the length limit without any think tags has no answer) exactly as the record does."""

import pytest

from r1bench.grading import grade_choice_response, grade_math_response
from r1bench.records import score_response

# (text, gold, finish_reason, correct): what a careful reader says the sample is worth.
MATH = [
    # Cut at the limit, no tags: a template pre-filled <think>, every box is still reasoning.
    ("Okay, let me try x=5 so \\boxed{3}. Wait, maybe", "3", "length", False),
    ("The answer is 3.", "3", "length", False),
    ("So the final answer is \\boxed{3}", "3", "length", False),
    # Same texts, finished normally (or the engine did not say): an output without tags is all answer.
    ("So the final answer is \\boxed{3}", "3", "stop", True),
    ("So the final answer is \\boxed{3}", "3", None, True),
    ("The answer is 3.", "3", "stop", True),
    # Tags closed before the cut: the answer part was written in full.
    ("<think>x</think> \\boxed{3}", "3", "length", True),
    ("<think>x</think> \\boxed{4}", "3", "length", False),
    # Reasoning opened and never closed: no answer, whatever the engine said.
    ("<think>still thinking \\boxed{3}", "3", "length", False),
    ("<think>still thinking \\boxed{3}", "3", "stop", False),
]

CHOICE = [
    ("Option C fits best.\nAnswer: C", "C", "length", False),
    ("Option C fits best.\nAnswer: C", "C", "stop", True),
    ("<think>A? no.</think>\nAnswer: C", "C", "length", True),
    ("<think>A? no, maybe C", "C", "length", False),
]


@pytest.mark.parametrize("text,gold,finish_reason,correct", MATH)
def test_math_grader_and_record_agree(text, gold, finish_reason, correct):
    verdict = grade_math_response(text, gold, finish_reason=finish_reason)
    record = score_response(text, gold, finish_reason=finish_reason)
    assert verdict.correct is correct
    assert record.correct is correct
    assert (record.extracted, record.reason) == (verdict.extracted, verdict.reason)


@pytest.mark.parametrize("text,gold,finish_reason,correct", CHOICE)
def test_choice_grader_and_record_agree(text, gold, finish_reason, correct):
    verdict = grade_choice_response(text, gold, finish_reason=finish_reason)
    record = score_response(text, gold, kind="choice", finish_reason=finish_reason)
    assert verdict.correct is correct
    assert record.correct is correct
    assert (record.extracted, record.reason) == (verdict.extracted, verdict.reason)


def test_token_cap_counts_as_cut():
    # The engine said "stop" but used every token it was allowed: the record calls it truncated,
    # and the grader given truncated=True reaches the same verdict.
    text = "Let me see, so \\boxed{3}"
    record = score_response(text, "3", completion_tokens=512, max_gen_toks=512)
    assert record.truncated and not record.correct and record.extracted is None
    verdict = grade_math_response(text, "3", truncated=True)
    assert not verdict.correct and verdict.extracted is None
    assert "cut at the length limit" in verdict.reason and "'3'" in verdict.reason
    assert grade_math_response(text, "3").correct
