"""Labeled multiple-choice answers in the shapes chat models write when they do not follow the
"Answer: X" instruction, with and without the shown options; plus hostile inputs.

Each row: the answer part of a response (questions made up), the gold letter, the letter a careful
human grader says the response commits to (None: it does not commit to exactly one option), and the
option texts in the shown order where the row needs them.
"""

from __future__ import annotations

import time

import pytest

from r1bench.grading import Verdict, grade_choice_response
from r1bench.records import score_response

N = None

_OPTS_ENERGY = ["12.4 kJ/mol", "25.1 kJ/mol", "38.9 kJ/mol", "42.7 kJ/mol"]
_OPTS_NUM = ["-1.2", "-0.4", "0.4", "1.2"]
_OPTS_REAGENT = ["lithium aluminium hydride", "sodium borohydride", "potassium permanganate", "ozone"]
_OPTS_FRAC = ["\\frac{1}{2}", "\\frac{1}{3}", "\\frac{2}{3}", "\\frac{3}{4}"]
_OPTS_TEMP = ["1.2 \\times 10^3 K", "2.4 \\times 10^3 K", "4.8 \\times 10^3 K", "9.6 \\times 10^3 K"]
_OPTS_DUP = ["4", "4.0", "8", "16"]  # two options with the same value: content is ambiguous
_OPTS_MASS = ["60 g", "72 g", "80 g", "85 g"]

_REASONING = (
    "The enthalpy change follows from Hess's law: the formation enthalpies of the products minus those "
    "of the reactants. Option A is far too small and option C ignores the phase change. "
)

# (answer part, gold, expected letter[, options])
LETTER_SHAPES: list[tuple] = [
    (_REASONING + "Therefore, the correct option is **D. 42.7 kJ/mol**.", "D", "D"),
    (_REASONING + "Therefore, the correct option is **D. 42.7 kJ/mol**.", "A", "D"),
    ("Putting both parts together, the correct answer is **C. (7/2)ħω, 6**", "C", "C"),
    ("The energy of the third level and its degeneracy match.\n\n**Option A. 12**", "A", "A"),
    ("T = \\frac{hc}{\\lambda k} gives\n\\boxed{2.4 \\times 10^3 \\, \\text{K}}  This corresponds to option B.", "B", "B"),
    ("Reduce first, then protect the alcohol. Therefore, the correct sequence of steps is option D.", "D", "D"),
    ("Answer: (B)", "B", "B"),
    ("\\boxed{C}", "C", "C"),
    ("\\textbf{(B)}", "B", "B"),
    ("The answer is: **C. No, because the easement terminated.**", "C", "C"),
    ("Therefore, the correct answer is:\nC. pH decreases slightly, while neutrality remains the same.", "C", "C"),
    ("The answer is \\( \\boxed{E} \\).", "E", "E"),
    ("The answer is \\(D\\).", "D", "D"),
    ("Therefore, the answer is:\n\\[\nThe answer is \\text{(H)}.\n\\]", "H", "H"),
    ("The answer is **(I. Flexible)**.", "I", "I"),
    ("Comparing the cost per bar, the best buy is option D, with a cost per bar of $2.25.", "D", "D"),
    ("The calculated value is 2500 V, which is not offered. The closest option is (J) 20 V.", "J", "J"),
    ("The answer is (E) 18%. However, rounding to the nearest tenth, the answer is (F) 19%.", "F", "F"),
    ("经过分析，答案是 B", "B", "B"),
    ("综上所述，正确答案：C", "C", "C"),
    ("由以上推导可知，选 D", "D", "D"),
    ("所以答案为（Ａ）。", "A", "A"),
    ("选项A是错误的，因为它忽略了相变。选项B也不对。\n\n答案：C", "C", "C"),
    ("Working through each option, only the last one survives.\n\nD", "D", "D"),
    ("The correct choice is therefore **(A)**.", "A", "A"),
    ("The right option here is D, since the ring survives.", "D", "D"),
    ("So the answer is most likely C.", "C", "C"),
    ("**Final Answer:** (D) 42.7 kJ/mol", "D", "D"),
    ("Answer – B", "B", "B"),
    ("Option **C** is correct: the ester is untouched.", "C", "C"),
    ("**D) 42.7 kJ/mol**", "D", "D"),
    ("故选：C", "C", "C"),
    ("因此正确的选项是B。", "B", "B"),
    ("The final answer is $\\boxed{\\text{B}}$.", "B", "B"),
    ("After checking the units again:\n\n**B**", "B", "B"),
    # Hedges and non-answers stay uncommitted.
    ("The answer is A or C, depending on the solvent.", "A", N),
    ("It is either B or D; I cannot tell without the spectrum.", "B", N),
    ("The answer is **B** and **G**.", "B", N),
    ("Option G is correct because it keeps the ring intact. Option I is correct because it is milder.", "G", N),
    ("The closest option is (B) January 28th, but this is not the correct answer.", "B", N),
    ("The closest option is:\n\nA. 12.7%\n\nHowever, this is not the correct answer, as it is the annual rate.", "A", N),
    ("Answer: Cannot be determined from the given information.", "C", N),
    ("Therefore, I cannot provide an answer for the last question.", "I", N),
    ("A. 12\nB. 14\nC. 16\nD. 18", "A", N),
    ("I. The trace of A^2 is nonnegative. This is not true in general. " * 8, "I", N),
]

CONTENT_SHAPES: list[tuple] = [
    ("The enthalpy change is \\boxed{-0.4}.", "B", "B", _OPTS_NUM),
    ("So the value is \\boxed{0.4}", "C", "C", _OPTS_NUM),
    ("The selective reducing agent here is **sodium borohydride**.", "B", "B", _OPTS_REAGENT),
    ("Hence the correct reagent is **Sodium Borohydride**, which leaves the ester alone.", "B", "B", _OPTS_REAGENT),
    ("The answer is ozone.", "D", "D", _OPTS_REAGENT),
    ("Weighing the reagents once more.\n\n**Sodium borohydride**", "B", "B", _OPTS_REAGENT),
    # An option named only while ruling it out is no answer.
    ("**Ozone** would cleave the ring, so it is ruled out.\n\nThe milder hydride is the one to use.", "D", N,
     _OPTS_REAGENT),
    ("Therefore the probability is \\boxed{\\dfrac{2}{3}}.", "C", "C", _OPTS_FRAC),
    ("The answer is \\(\\frac{1}{4}\\).", "A", N, _OPTS_FRAC),  # no option has 1/4
    ("\\boxed{2.4 \\times 10^3 \\, \\text{K}}", "B", "B", _OPTS_TEMP),
    ("The answer is 80", "C", "C", _OPTS_MASS),
    ("Since both masses are used, the answer is 85 g.", "D", "D", _OPTS_MASS),
    ("The ratio is \\boxed{4}.", "A", N, _OPTS_DUP),  # two options with the value 4: ambiguous
    ("The answer is \\boxed{7}.", "A", N, _OPTS_DUP),  # no option: no answer
    # An explicit letter wins over content that points elsewhere.
    ("\\boxed{-0.4}\n\nAnswer: C", "C", "C", _OPTS_NUM),
    ("The reagent is sodium borohydride, so the answer is (A).", "A", "A", _OPTS_REAGENT),
    # Without the options, content is no answer.
    ("The enthalpy change is \\boxed{-0.4}.", "B", N, None),
]


def _ids(rows: list[tuple], group: str) -> list[str]:
    return [f"{group}-{i:02d}[{str(r[0]).replace(chr(10), '|')[:36]}]" for i, r in enumerate(rows)]


def _check(v: Verdict, gold: str, expected: str | None) -> None:
    assert v.extracted == expected
    assert v.correct == (expected == gold)
    assert v.reason, "every verdict names why"
    if expected is not None:
        assert v.rule, "every extraction names its rule"


@pytest.mark.parametrize("row", LETTER_SHAPES, ids=_ids(LETTER_SHAPES, "letter"))
def test_letter_shapes(row: tuple) -> None:
    answer, gold, expected = row
    v = grade_choice_response("<think>\nweighing the options\n</think>\n\n" + answer, gold, num_choices=10)
    _check(v, gold, expected)


@pytest.mark.parametrize("row", LETTER_SHAPES, ids=_ids(LETTER_SHAPES, "letter-no-think"))
def test_letter_shapes_without_reasoning_tags(row: tuple) -> None:
    answer, gold, expected = row
    _check(grade_choice_response(answer, gold, num_choices=10), gold, expected)


@pytest.mark.parametrize("row", CONTENT_SHAPES, ids=_ids(CONTENT_SHAPES, "content"))
def test_content_shapes(row: tuple) -> None:
    answer, gold, expected, options = row
    v = grade_choice_response("<think>\nlet me compute\n</think>\n" + answer, gold, options)
    _check(v, gold, expected)


def test_options_fix_num_choices() -> None:
    assert grade_choice_response("Answer: E", "E", ["a", "b", "c", "d", "e"]).extracted == "E"
    assert grade_choice_response("Answer: E", "A", ["a", "b", "c", "d"]).extracted is None
    with pytest.raises(ValueError):
        grade_choice_response("Answer: A", "A", ["a", "b"], num_choices=4)
    with pytest.raises(ValueError):
        grade_choice_response("Answer: A", "A", "ABCD")  # a string is not a list of options


def test_record_keeps_options_and_rescoring_agrees() -> None:
    text = "<think>compute</think>The enthalpy change is \\boxed{-0.4}."
    rec = score_response(text, "B", kind="choice", options=_OPTS_NUM)
    assert rec.correct and rec.extracted == "B" and rec.rule == "boxed_content"
    assert rec.extra["options"] == _OPTS_NUM
    again = score_response(rec.raw_output, rec.gold, kind="choice", options=rec.extra["options"])
    assert (again.correct, again.extracted, again.rule) == (rec.correct, rec.extracted, rec.rule)


def test_glue_passes_the_shown_options() -> None:
    from r1bench.lm_eval.filter import score_doc

    doc = {"id": "q1", "kind": "choice", "answer": "B", "choices": _OPTS_NUM, "r1_k": 1}
    (rec,) = score_doc(doc, ["<think>x</think>So \\boxed{-0.4}"])
    assert rec["extracted"] == "B" and rec["correct"] and rec["extra"]["options"] == _OPTS_NUM


def test_grade_cli_reads_options(tmp_path) -> None:
    import json

    from r1bench.grading_cli import main

    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(json.dumps({"response": "\\boxed{-0.4}", "gold": "B", "kind": "choice",
                               "options": _OPTS_NUM}) + "\n", encoding="utf-8")
    assert main(["--input", str(src), "--output", str(out)]) == 0
    row = json.loads(out.read_text(encoding="utf-8"))
    assert row["correct"] is True and row["extracted"] == "B"


# ---------------------------------------------------------------- hostile answers

_N = 200_000
HOSTILE: list[tuple[str, str]] = [
    ("answer-colons", "Answer: " * (_N // 8)),
    ("open-parens", "(" * _N),
    ("correct-words", "the correct " * (_N // 12)),
    ("bold-markers", "**" * (_N // 2)),
    ("unclosed-boxes", "\\boxed{" * (_N // 7)),
    ("unclosed-text", "\\text{" * (_N // 6)),
    ("zh-select", "选" * _N),
    ("hedge-chain", "A or " * (_N // 5)),
    ("blank-lines-after-heading", "Answer\n" + "\n" * _N + "x"),
    ("option-lines", "Option A. 1\n" * (_N // 12)),
    ("is-chain", "A is " * (_N // 5)),
    ("dollars", "$" * _N),
    ("letters", "A " * (_N // 2)),
    ("closing-braces", "}" * _N),
    ("answer-is-chain", "The answer is " * (_N // 14)),
    ("nul-and-controls", "\x00\x01\x02Answer:\x00" * (_N // 12)),
    ("long-number-box", "\\boxed{" + "9" * 5000 + "}"),
    ("deep-box", "\\boxed{" + "{" * 5000 + "1" + "}" * 5000 + "}"),
    # Long blank runs inside the scanned tail after a phrase that expects a letter: two adjacent
    # optional-whitespace steps would backtrack quadratically over them.
    ("heading-then-spaces", "x" * _N + "Answer\n" + " " * 19_000 + "x"),
    ("heading-then-newlines", "x" * _N + "Answer\n" + "\n" * 19_000 + "x"),
    ("colon-then-tabs", "x" * _N + "Answer:" + "\t" * 19_000 + "x"),
    ("answer-is-then-nbsp", "x" * _N + "the answer is" + "\u00a0" * 19_000 + "x"),
    ("zh-then-spaces", "x" * _N + "答案" + " " * 19_000 + "x"),
    # Shapes of the free-form rules (per-option verdicts, "answer that ... is (X)", closest option,
    # arrows, sub-parts, a stated value on the last line).
    ("verdict-marks", "A ✗, B ✓, " * (_N // 10)),
    ("answer-that", "answer that " * (_N // 12)),
    ("closest-chain", "the closest " * (_N // 12)),
    ("arrows", "→ " * (_N // 2)),
    ("sub-parts", "for part (a) " * (_N // 13)),
    ("equals-chain", "x" * _N + "\n" + "= " * 140),
    ("check-option-lines", "check option C:\n" * (_N // 16)),
]
_BOUND_S = 10.0  # generous: a stuck regex takes minutes here, a linear one milliseconds


@pytest.mark.parametrize(("name", "text"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_answers_get_a_verdict(name: str, text: str) -> None:
    start = time.monotonic()
    v = grade_choice_response("<think>x</think>" + text, "A", _OPTS_FRAC)
    rec = score_response(text, "A", kind="choice", options=_OPTS_FRAC)
    assert time.monotonic() - start < _BOUND_S
    assert isinstance(v, Verdict) and v.reason and isinstance(rec.reason, str)
