"""The embedded r1_smoke set: present in the package, well formed, covers the answer types."""

from __future__ import annotations

from collections import Counter

import pytest

from r1bench.datasets import dataset_fingerprint, load_task_docs
from r1bench.datasets.smoke import KEYS, validate


def test_smoke_well_formed():
    docs = load_task_docs("r1_smoke")
    assert 10 <= len(docs) <= 14
    assert len({d["id"] for d in docs}) == len(docs)
    for doc in docs:
        validate(doc, doc["id"])
        assert tuple(doc) == KEYS
        text = doc["problem"] if doc["kind"] == "math" else doc["question"]
        assert len(text) < 120  # short prompts for a 135M model


def test_smoke_covers_answer_types():
    types = Counter(d["answer_type"] for d in load_task_docs("r1_smoke"))
    for needed in (
        "integer",
        "fraction",
        "decimal",
        "tuple",
        "interval",
        "set",
        "percentage",
        "aime_integer",
    ):
        assert types[needed] >= 1, needed
    assert types["choice"] == 2


def test_smoke_choice_docs():
    for doc in (d for d in load_task_docs("r1_smoke") if d["kind"] == "choice"):
        assert len(set(doc["choices"])) == 4 and doc["answer"] in "ABCD"


def test_smoke_is_stable():
    assert dataset_fingerprint(load_task_docs("r1_smoke")) == dataset_fingerprint(
        load_task_docs("r1_smoke")
    )


def test_smoke_rejects_options():
    with pytest.raises(TypeError):
        load_task_docs("r1_smoke", seed=1)


@pytest.mark.parametrize("doc", load_task_docs("r1_smoke"), ids=lambda d: d["id"])
def test_smoke_gold_grades_as_correct(doc):
    # the grader must accept each gold given the way the prompt asks for it
    from r1bench.grading import grade_choice_response, grade_math_response

    if doc["kind"] == "math":
        verdict = grade_math_response(f"The answer is $\\boxed{{{doc['answer']}}}$.", doc["answer"])
    else:
        verdict = grade_choice_response(f"Answer: {doc['answer']}", doc["answer"])
    assert verdict.correct, verdict
