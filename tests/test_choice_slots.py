"""Explicit answer slots: the Chinese exam format "【答案】 X <eoa>" and a JSON "answer" field.

The slot is the answer the prompt asked for, so it decides over letters named in the reasoning; a
slot that names several letters or none commits to no option (and the grader does not then look
for an option's content elsewhere). Shapes seen in public GAOKAO-Bench and ZeroEval outputs.
"""

import pytest

from r1bench.grading import grade_choice_response
from r1bench.grading.choice_extract import extract_choice

OPTIONS = ["红色", "蓝色", "绿色", "黄色"]


@pytest.mark.parametrize(
    "response, expected",
    [
        ("分析各选项，选项B错误。所以正确答案应该是C。 <eoe>\n【答案】C <eoa>", "C"),
        ("解析：故选项A正确。<eoe>\n\n【答案】: A <eoa>", "A"),
        ("……选项D也符合题意吗？不符合。 <eoe>\n【答案】：D<eoa>", "D"),
        ("因此答案为B。 <eoe>\n【答案】 B.①④ <eoa>", "B"),  # letter given with (mis-copied) option text
        ("所以，答案是 A 或 D。\n<eoe>\n【答案】: A, D <eoa>", None),  # two letters: a hedge
        ("正确的答案是A和C。 <eoe>\n【答案】: A 和 C <eoa>", None),
        ("选项都不对，答案是B吗？不是。 <eoe>\n【答案】无 <eoa>", None),  # names no option
        ("【答案】 AD <eoa>", None),  # two answers run together
        ('{\n  "reasoning": "Option (C) is wrong because ...; **(D) X** is a motor nerve.",\n  "answer": "A"\n}', "A"),
        ('```json\n{"reasoning": "...", "answer": "(B)"}\n```', "B"),
        ('{"reasoning": "...", "answer": "(D) (i), (ii), and (iii)"}', "D"),
        ('{"reasoning": "...", "answer": "B (with correction)"}', "B"),
        ('{"reasoning": "the correct answer is (C) and (B)", "answer": "B, C"}', None),
        ('{"reasoning": "...", "answer": "B (or D, both are correct)"}', None),
        ('{"reasoning": "The correct answer is **(A) 2/81** is closest", "answer": "None of the above"}', None),
        ('{"reasoning": "... so **(D) I and II**", "answer": null}', None),
    ],
)
def test_answer_slot(response, expected):
    assert extract_choice(response).answer == expected


def test_declined_slot_does_not_fall_back_to_option_content():
    response = "绿色和黄色都可能。 <eoe>\n【答案】: C, D <eoa>\n绿色"
    v = grade_choice_response(response, "C", OPTIONS)
    assert v.extracted is None and not v.correct
    assert "answer slot" in v.reason
