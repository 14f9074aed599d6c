"""split_reasoning: every think-tag dialect, truncation, and 'last </think> wins'."""

import pytest

from r1bench.reasoning import split_reasoning

CASES = [
    # (id, text, kwargs, reasoning, answer, think_closed, dialect)
    ("think", "<think>work</think>\nThe answer is 3.", {}, "work", "The answer is 3.", True, "think"),
    ("think-box-inside", "<think>try \\boxed{7}</think> so \\boxed{8}", {}, "try \\boxed{7}", "so \\boxed{8}", True, "think"),
    ("prefilled", "work here\n</think>\nanswer", {}, "work here", "answer", True, "prefilled_think"),
    ("prefilled-flag-closed", "work</think>ans", {"starts_in_reasoning": True}, "work", "ans", True, "think"),
    ("prefilled-flag-truncated", "still thinking \\boxed{3}", {"starts_in_reasoning": True}, "still thinking \\boxed{3}", "", False, "think"),
    ("no-tags", "Just the answer: \\boxed{4}", {}, "", "Just the answer: \\boxed{4}", True, "none"),
    ("unclosed", "<think>long reasoning \\boxed{5} and more", {}, "long reasoning \\boxed{5} and more", "", False, "think"),
    ("several-close-last-wins", "<think>a</think>b</think>c", {}, "a</think>b", "c", True, "think"),
    ("spaced-tags", "< think >x</ think >y", {}, "x", "y", True, "think"),
    ("upper-tags", "<THINK>x</THINK>y", {}, "x", "y", True, "think"),
    ("empty", "", {}, "", "", True, "none"),
    ("none-input", None, {}, "", "", True, "none"),
    ("empty-prefilled", "", {"starts_in_reasoning": True}, "", "", False, "none"),
    ("stratos", "<|begin_of_thought|>\nthink\n<|end_of_thought|>\n\n<|begin_of_solution|>\nsol \\boxed{2}\n<|end_of_solution|>", {}, "think", "sol \\boxed{2}", True, "thought_solution"),
    ("stratos-no-solution-tag", "<|begin_of_thought|>t<|end_of_thought|> final", {}, "t", "final", True, "thought_solution"),
    ("stratos-unclosed", "<|begin_of_thought|>thinking forever", {}, "thinking forever", "", False, "thought_solution"),
    ("stratos-solution-only", "pre <|begin_of_solution|>s<|end_of_solution|>", {}, "pre", "s", True, "thought_solution"),
]


@pytest.mark.parametrize("text,kwargs,reasoning,answer,closed,dialect", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_split(text, kwargs, reasoning, answer, closed, dialect):
    s = split_reasoning(text, **kwargs)
    assert (s.reasoning, s.answer, s.think_closed, s.dialect) == (reasoning, answer, closed, dialect)


def test_has_answer():
    assert split_reasoning("<think>x</think> 3").has_answer
    assert not split_reasoning("<think>x").has_answer
