"""Labeled extraction cases: find_boxed, extract_math_answer, extract_choice and split_reasoning.

Each row is what a careful human reading the text would take as the final answer (None when the
text does not commit to one); where two rule names would be equally right the rule is left open.
"""

from __future__ import annotations

import pytest

from r1bench.grading import extract_choice, extract_math_answer, find_boxed
from r1bench.reasoning import split_reasoning

ANY = object()  # any non-None rule name


def _ids(rows: list[tuple], group: str) -> list[str]:
    return [f"{group}-{i:02d}[{str(r[0]).replace(chr(10), '|')[:40]}]" for i, r in enumerate(rows)]


# ---------------------------------------------------------------- find_boxed

_DEEP = "\\boxed{" + "{" * 50 + "1" + "}" * 50 + "}"

FIND_BOXED: list[tuple[str, list[str]]] = [
    ("\\boxed{5}", ["5"]),
    ("\\boxed{\\frac{1}{2}}", ["\\frac{1}{2}"]),
    ("\\boxed 5", ["5"]),
    ("$\\boxed 5$", ["5"]),
    ("so \\boxed 5.", ["5"]),
    ("\\fbox{12}", ["12"]),
    ("\\framebox{3}", ["3"]),
    ("\\boxed{1} then \\boxed{2}", ["1", "2"]),
    ("\\boxed{\\{1,2\\}}", ["\\{1,2\\}"]),
    ("\\boxed{\\frac{1}{2", []),
    ("\\boxedfoo{3}", []),
    ("no box here", []),
    ("\\boxed{ 7 }", ["7"]),
    ("\\boxed {7}", ["7"]),
    ("\\boxed{a{b{c}}}", ["a{b{c}}"]),
    ("\\boxed{\\text{(C)}}", ["\\text{(C)}"]),
    (_DEEP, ["{" * 50 + "1" + "}" * 50]),
    (
        "\\boxed{\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}}",
        ["\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}"],
    ),
    ("\\boxed{x \\in [2,5)}", ["x \\in [2,5)"]),
]


@pytest.mark.parametrize(("text", "expected"), FIND_BOXED, ids=_ids(FIND_BOXED, "find_boxed"))
def test_find_boxed(text: str, expected: list[str]) -> None:
    assert [c for _, _, c in find_boxed(text)] == expected


def test_find_boxed_positions() -> None:
    assert find_boxed("ab \\boxed{5} cd") == [(3, 12, "5")]


# ---------------------------------------------------------------- extract_math_answer

EXTRACT_MATH: list[tuple[str, str | None, object]] = [
    ("\\boxed{5}", "5", "boxed"),
    ("\\boxed 5", "5", "boxed"),
    ("The answer is $\\boxed{5}$, i.e. five.", "5", "boxed"),
    ("\\boxed{2}, \\boxed{3}", "2, 3", "boxed_multi"),
    ("$\\boxed{2}$ and $\\boxed{3}$", "2, 3", "boxed_multi"),
    ("\\boxed{-1} \\quad \\boxed{1}", "-1, 1", "boxed_multi"),
    ("first \\boxed{3}. Then we fix the sign error: \\boxed{4}", "4", "boxed"),
    ("The final answer is 5. \\boxed{6}", "6", "boxed"),
    ("The final answer is 5", "5", "final_answer_phrase"),
    ("The final answer is $\\frac{1}{2}$.", "\\frac{1}{2}", "final_answer_phrase"),
    ("**Final Answer**\n\n$\\dfrac{3}{4}$", "\\dfrac{3}{4}", "final_answer_heading"),
    ("Long work.\n\n**Final Answer:** 33", "33", ANY),
    ("Answer: 5", "5", "answer_line"),
    ("So the answer is 12.", "12", "answer_is_phrase"),
    ("$\\frac{1}{2}$", "\\frac{1}{2}", "bare_math"),
    ("\\(\\sqrt{2}\\)", "\\sqrt{2}", "bare_math"),
    ("42", "42", "bare_number"),
    ("", None, None),
    ("   \n", None, None),
    ("I don't know.", None, None),
    ("\\boxed{}", None, None),
    ("The answer is \\boxed{\\frac{1}{2", None, None),
    ("We tried many things and could not finish the computation", None, None),
]


@pytest.mark.parametrize(
    ("text", "answer", "rule"), EXTRACT_MATH, ids=_ids(EXTRACT_MATH, "extract_math")
)
def test_extract_math_answer(text: str, answer: str | None, rule: object) -> None:
    ext = extract_math_answer(text)
    assert ext.answer == answer
    if rule is ANY:
        assert ext.rule is not None
    else:
        assert ext.rule == rule


# ---------------------------------------------------------------- extract_choice

_OPTIONS = "A. 12\nB. 14\nC. 16\nD. 18"

EXTRACT_CHOICE: list[tuple[str, int, str | None, object]] = [
    ("Answer: C", 4, "C", "answer_line"),
    ("**Answer:** (C)", 4, "C", "answer_line"),
    ("answer: b", 4, "B", "answer_line"),
    ("Answer: $B$", 4, "B", "answer_line"),
    (_OPTIONS + "\n\nAnswer: B", 4, "B", "answer_line"),
    ("\\boxed{C}", 4, "C", "boxed_letter"),
    ("The answer is C", 4, "C", "answer_is"),
    ("The answer is C. Hmm, actually the answer is B.", 4, "B", "answer_is"),
    ("\\textbf{(C)}", 4, "C", ANY),
    ("the correct option is: B. Paris", 4, "B", ANY),
    ("Therefore, (B) is correct", 4, "B", "is_correct"),
    ("I choose D.", 4, "D", "select"),
    ("Answer: E", 5, "E", "answer_line"),
    ("Answer: E", 4, None, None),
    ("Answer: F", 6, "F", "answer_line"),
    ("C", 4, "C", "bare_letter"),
    ("C) Paris", 4, "C", "bare_letter"),
    ("B. 42", 4, "B", ANY),
    ("The answer is A or C.", 4, None, None),
    ("It is either A or C.", 4, None, None),
    ("", 4, None, None),
    ("I'm not sure.", 4, None, None),
    (_OPTIONS, 4, None, None),
]


@pytest.mark.parametrize(
    ("text", "num", "letter", "rule"), EXTRACT_CHOICE, ids=_ids(EXTRACT_CHOICE, "extract_choice")
)
def test_extract_choice(text: str, num: int, letter: str | None, rule: object) -> None:
    ext = extract_choice(text, num_choices=num)
    assert ext.answer == letter
    if rule is ANY:
        assert ext.rule is not None
    else:
        assert ext.rule == rule


def test_extract_choice_rejects_bad_num_choices() -> None:
    with pytest.raises(ValueError):
        extract_choice("Answer: A", num_choices=1)


# ---------------------------------------------------------------- split_reasoning

_BT, _ET = "<|begin_of_thought|>", "<|end_of_thought|>"
_BS, _ES = "<|begin_of_solution|>", "<|end_of_solution|>"

# (text, starts_in_reasoning, reasoning (None: not checked), answer, think_closed, dialects)
SPLIT: list[tuple[str | None, bool, str | None, str, bool, set[str]]] = [
    ("<think>r</think>a", False, "r", "a", True, {"think"}),
    ("<think>\nr\n</think>\n\na\n", False, "r", "a", True, {"think"}),
    ("r</think>a", False, "r", "a", True, {"prefilled_think"}),
    ("r</think>a", True, "r", "a", True, {"think", "prefilled_think"}),
    ("<think>\nr</think>a", True, "r", "a", True, {"think", "prefilled_think"}),
    ("a", False, "", "a", True, {"none"}),
    ("a", True, "a", "", False, {"think", "prefilled_think"}),
    ("<think>r \\boxed{1}", False, "r \\boxed{1}", "", False, {"think"}),
    ("", False, "", "", True, {"none"}),
    (None, False, "", "", True, {"none"}),
    ("", True, "", "", False, {"none", "think", "prefilled_think"}),
    ("<think>a</think>b<think>c</think>d", False, None, "d", True, {"think"}),
    ("<think></think>a", False, "", "a", True, {"think"}),
    ("<THINK>r</ think>a", False, "r", "a", True, {"think"}),
    (f"{_BT}r{_ET}{_BS}s{_ES}", False, "r", "s", True, {"thought_solution"}),
    (f"{_BT}\nr\n{_ET}\n\ns", False, "r", "s", True, {"thought_solution"}),
    (f"{_BT}r \\boxed{{2}}", False, "r \\boxed{2}", "", False, {"thought_solution"}),
    (f"{_BT}r{_ET}\n{_BS}\ns\n{_ES}\ntrailing", False, "r", "s", True, {"thought_solution"}),
]


@pytest.mark.parametrize(
    ("text", "starts", "reasoning", "answer", "closed", "dialects"), SPLIT, ids=_ids(SPLIT, "split")
)
def test_split_reasoning(
    text: str | None,
    starts: bool,
    reasoning: str | None,
    answer: str,
    closed: bool,
    dialects: set[str],
) -> None:
    s = split_reasoning(text, starts_in_reasoning=starts)
    assert s.answer == answer
    assert s.think_closed is closed
    assert s.dialect in dialects
    if reasoning is not None:
        assert s.reasoning == reasoning
