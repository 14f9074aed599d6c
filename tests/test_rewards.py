"""r1bench.rewards: known rewards for known completions (correct, wrong, unclosed think, loop, hostile
text), chat-message completions, gold columns, the cosine schedule, and the time bound per completion."""

from __future__ import annotations

import time

import pytest

from r1bench import rewards
from r1bench.rewards import (
    REWARD_FUNCS,
    accuracy_reward,
    completion_text,
    format_reward,
    get_reward_funcs,
    loop_penalty,
    make_accuracy_reward,
    make_cosine_reward,
    make_format_reward,
    make_loop_penalty,
)

LOOP = "<think>\nLet me compute 2 + 3. " + "Wait, let me check that again. " * 60
HOSTILE = [
    None,
    12345,
    "",
    "\x00\ud800\uffff",
    "\\boxed{" * 5000,
    "<think>x</think>\\boxed{__import__('os').system('echo pwned')}",
    "<think>x</think>\\boxed{" + "(" * 3000 + "5" + ")" * 3000 + "}",
    "<think>x</think>\\boxed{9^{9^{9^{9^{9}}}}}",
    [{"role": "assistant", "content": None}],
    [{"no": "content"}],
    "</think>" * 2000,
]


@pytest.mark.parametrize(
    "completion, gold, expected",
    [
        ("<think>2 + 3 is 5.</think>\n\nThe answer is $\\boxed{5}$.", "5", 1.0),
        ("<think>2 + 3 is 5.</think>\n\\boxed{6}", "5", 0.0),
        # An answer only inside the unclosed reasoning is no answer.
        ("<think>2 + 3 is 5, so \\boxed{5}", "5", 0.0),
        # The rejected box inside the reasoning does not count; the final one does.
        ("<think>maybe \\boxed{6}? no, 5</think> \\boxed{5}", "5", 1.0),
        ("<think>maybe \\boxed{5}? no, 6</think> \\boxed{6}", "5", 0.0),
        # Equivalent forms are equal (the r1bench grader's job).
        ("<think>half</think> \\boxed{0.5}", "\\frac{1}{2}", 1.0),
        ("<think>ok</think> \\boxed{\\frac{3}{4}}", "\\dfrac34", 1.0),
        ("<think>ok</think> \\boxed{[-2,2]}", "[-2, 2]", 1.0),
        ("<think>ok</think> \\boxed{(-2,2)}", "[-2, 2]", 0.0),
        # Prefilled <think>: only the closing tag appears in the completion.
        ("2 + 3 = 5.\n</think>\n\\boxed{5}", "5", 1.0),
        # No answer after the reasoning.
        ("<think>2 + 3 is 5.</think>", "5", 0.0),
        (LOOP, "5", 0.0),
    ],
)
def test_accuracy_known_completions(completion: str, gold: str, expected: float) -> None:
    assert accuracy_reward([completion], answer=[gold]) == [expected]


def test_accuracy_reads_chat_messages_and_solution_column() -> None:
    chat = [[{"role": "assistant", "content": "<think>ok</think> \\boxed{7}"}],
            [{"role": "assistant", "content": "<think>ok</think> \\boxed{8}"}]]
    # A MATH-style worked solution: its last box is the gold.
    solution = ["We add: $3+4=\\boxed{7}$."] * 2
    assert accuracy_reward(chat, solution=solution) == [1.0, 0.0]
    # answer is preferred over solution.
    assert accuracy_reward(chat, answer=["8", "8"], solution=solution) == [0.0, 1.0]


def test_accuracy_choice_rows_by_kind_column() -> None:
    comps = ["<think>9 is largest</think> The answer is B.", "<think>hmm</think> Answer: C", "<think>x</think> \\boxed{5}"]
    assert accuracy_reward(comps, answer=["B", "B", "5"], kind=["choice", "choice", "math"]) == [1.0, 0.0, 1.0]


def test_accuracy_missing_gold_is_none_and_no_column_is_an_error() -> None:
    assert accuracy_reward(["<think>x</think> \\boxed{1}", "<think>x</think> \\boxed{1}"], answer=["1", None]) == [1.0, None]
    with pytest.raises(ValueError, match="no gold answers"):
        accuracy_reward(["\\boxed{1}"], prompts=["q"])


def test_starts_in_reasoning_makes_an_untagged_completion_unclosed() -> None:
    plain = "The answer is \\boxed{5}."
    assert accuracy_reward([plain], answer=["5"]) == [1.0]  # no tags at all: all of it is the answer
    assert make_accuracy_reward(starts_in_reasoning=True)([plain], answer=["5"]) == [0.0]


@pytest.mark.parametrize(
    "completion, expected",
    [
        ("<think>\nreason\n</think>\n\n\\boxed{5}", 1.0),
        ("reason\n</think>\n\\boxed{5}", 1.0),  # prefilled <think>
        ("<think>reason</think> the answer is 5", 0.0),  # no box
        ("<think>reason</think> \\boxed{5} or \\boxed{6}", 0.0),  # two final answers
        ("<think>reason</think> \\boxed{}", 0.0),  # empty box
        ("<think>reason \\boxed{5}", 0.0),  # never closed
        ("<think>a</think><think>b</think> \\boxed{5}", 0.0),  # closed twice
        ("<think></think> \\boxed{5}", 0.0),  # empty reasoning
        ("Sure! <think>a</think> \\boxed{5}", 0.0),  # text before <think>
        ("<think>a</think> \\boxed{5} <think>more", 0.0),  # reopened after the answer
        ("\\boxed{5}", 0.0),  # no reasoning at all
    ],
)
def test_format_known_completions(completion: str, expected: float) -> None:
    assert format_reward([completion]) == [expected]


def test_format_choice_and_any() -> None:
    comps = ["<think>x</think> The answer is C.", "<think>x</think> \\boxed{5}"]
    assert format_reward(comps, kind=["choice", "choice"]) == [1.0, 0.0]
    assert make_format_reward(answer="any")(comps) == [1.0, 1.0]


@pytest.mark.parametrize(
    "completion, expected",
    [
        (LOOP, -1.0),
        ("<think>" + "I think the answer is 5. " * 3 + "</think> \\boxed{5}", 0.0),
        ("<think>Short and sweet.</think> \\boxed{5}", 0.0),
        ("abcdefgh" * 100, -1.0),
    ],
)
def test_loop_penalty_known_completions(completion: str, expected: float) -> None:
    assert loop_penalty([completion]) == [expected]
    assert make_loop_penalty(penalty=-0.5)([completion]) == [expected / 2]


@pytest.mark.parametrize(
    "n_tokens, correct, expected",
    [
        (0, True, 1.0),
        (50, True, 0.75),
        (100, True, 0.5),
        (300, True, 0.5),  # past max_len: clamped, not rising again
        (0, False, -1.0),
        (50, False, -0.75),
        (100, False, -0.5),
    ],
)
def test_cosine_schedule(n_tokens: int, correct: bool, expected: float) -> None:
    cosine = make_cosine_reward(max_len=100)
    text = "<think>x</think> \\boxed{5}" if correct else "<think>x</think> \\boxed{4}"
    got = cosine([text], answer=["5"], completion_ids=[[0] * n_tokens])
    assert got[0] == pytest.approx(expected)


@pytest.mark.parametrize("name", sorted(REWARD_FUNCS))
def test_hostile_text_never_raises(name: str) -> None:
    fn = get_reward_funcs([name])[0]
    got = fn(HOSTILE, answer=["5"] * len(HOSTILE))
    assert len(got) == len(HOSTILE)
    assert all(isinstance(v, float) and v == v for v in got)  # floats, no NaN


def test_hostile_text_scores() -> None:
    # No hostile completion holds a correct final answer: each scores 0.0, none raises.
    assert accuracy_reward(HOSTILE, answer=["5"] * len(HOSTILE)) == [0.0] * len(HOSTILE)


@pytest.mark.parametrize(
    "completion, expected",
    [
        ("plain", "plain"),
        ([{"role": "assistant", "content": "a"}], "a"),
        ([{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}], "a"),
        ({"content": "c"}, "c"),
        (None, ""),
        (3, ""),
    ],
)
def test_completion_text(completion, expected: str) -> None:
    assert completion_text(completion) == expected


def test_each_completion_is_bounded_in_time(monkeypatch) -> None:
    """A completion whose verdict hangs scores 0.0 after time_limit; the others are graded."""
    real = rewards._verdict

    def slow(text, gold, kind, timeout, starts):
        if "HANG" in text:
            time.sleep(30)
        return real(text, gold, kind, timeout, starts)

    monkeypatch.setattr(rewards, "_verdict", slow)
    acc = make_accuracy_reward(time_limit=0.5, workers=2)
    comps = ["<think>x</think> \\boxed{5} HANG", "<think>x</think> \\boxed{5}", "<think>x</think> \\boxed{6}"]
    start = time.monotonic()
    got = acc(comps, answer=["5"] * 3)
    elapsed = time.monotonic() - start
    assert got == [0.0, 1.0, 0.0]
    assert elapsed < 5.0, elapsed
    # The next batch gets a fresh pool: the stuck thread does not take a grading slot.
    assert acc(comps[1:], answer=["5", "5"]) == [1.0, 0.0]


def test_real_symbolic_timeout_bounds_a_hard_comparison() -> None:
    """A comparison math-verify cannot finish quickly is cut at the symbolic timeout (no hang)."""
    acc = make_accuracy_reward(timeout=0.5, time_limit=5.0)
    start = time.monotonic()
    got = acc(["<think>x</think> \\boxed{\\int_0^x e^{t^2}\\sin(t^t)\\,dt}"], answer=["5"])
    assert got == [0.0]
    assert time.monotonic() - start < 10.0


def test_registry_and_names() -> None:
    funcs = get_reward_funcs(["accuracy", "format", "loop", "cosine"], {"loop": {"penalty": -0.25}})
    # TRL logs each reward under its __name__: rewards/<name>/mean.
    assert [f.__name__ for f in funcs] == ["accuracy", "format", "loop", "cosine"]
    assert funcs[2](["abcdefgh" * 100]) == [-0.25]
    with pytest.raises(KeyError, match="unknown reward"):
        get_reward_funcs(["speed"])
    with pytest.raises(KeyError, match="not selected"):
        get_reward_funcs(["accuracy"], {"loop": {}})


@pytest.mark.parametrize(
    "solution_str, ground_truth, extra_info, expected",
    [
        ("<think>x</think> \\boxed{5}", "5", None, 1.0),
        ("<think>x</think> \\boxed{5}", "The sum is $\\boxed{5}$.", {}, 1.0),
        ("<think>x \\boxed{5}", "5", None, 0.0),
        ("<think>x</think> The answer is B.", "B", {"kind": "choice"}, 1.0),
        ("<think>x</think> \\boxed{5}", None, None, 0.0),
    ],
)
def test_verl_compute_score(solution_str: str, ground_truth, extra_info, expected: float) -> None:
    assert rewards.compute_score("math", solution_str, ground_truth, extra_info) == expected
