"""Prompt presets: exact protocol text, stable hashes, safe rendering, spec resolution."""

from __future__ import annotations

import pytest

from r1bench.prompts import (
    DEFAULT_SPEC,
    PRESETS,
    PromptPreset,
    get_preset,
    render_prompt,
    resolve_spec,
    spec_hash,
)

CHOICE_DOC = {"kind": "choice", "question": "Which is largest?", "choices": ["3", "9", "1", "5"], "answer": "B"}


def test_math_prompt_is_the_deepseek_r1_text():
    text = render_prompt({"kind": "math", "problem": "Compute $1+1$."}, "deepseek-r1")
    assert text == "Compute $1+1$.\nPlease reason step by step, and put your final answer within \\boxed{}."


def test_choice_prompt_is_the_simple_evals_text():
    text = render_prompt(CHOICE_DOC, "simple-evals-choice")
    assert text == (
        "Answer the following multiple choice question. The last line of your response should be "
        "of the following format: 'Answer: $LETTER' (without quotes) where LETTER is one of ABCD. "
        "Think step by step before answering.\n\nWhich is largest?\n\nA) 3\nB) 9\nC) 1\nD) 5"
    )


# Pinned on purpose: a change here means every published score's prompt changed. Bump the task
# versions (and this table) when it is intended.
@pytest.mark.parametrize(
    ("name", "expected"),
    [("deepseek-r1", "ddf728e6a28024d4"), ("simple-evals-choice", "000a829962b4f8ac")],
)
def test_preset_hashes_are_stable(name, expected):
    assert get_preset(name).hash == expected


def test_hash_ignores_name_but_not_template():
    p = get_preset("deepseek-r1")
    renamed = PromptPreset(name="other", kind=p.kind, template=p.template)
    edited = PromptPreset(name=p.name, kind=p.kind, template=p.template + " ")
    assert renamed.hash == p.hash
    assert edited.hash != p.hash


@pytest.mark.parametrize(
    "problem",
    ["What is {A}?", "Let {question} be {letters}", "Find $\\frac{1}{2}$ of {problem}", "{}{}{"],
)
def test_inserted_text_is_never_expanded(problem):
    text = render_prompt({"kind": "math", "problem": problem}, "deepseek-r1")
    assert text.startswith(problem + "\n")


def test_choice_text_with_placeholders_is_kept_verbatim():
    doc = {**CHOICE_DOC, "question": "Is {A} a letter?", "choices": ["{B}", "b", "c", "d"]}
    text = render_prompt(doc, "simple-evals-choice")
    assert "Is {A} a letter?" in text and "A) {B}" in text


def test_spec_picks_preset_by_doc_kind():
    math_doc = {"kind": "math", "problem": "p"}
    assert render_prompt(math_doc, DEFAULT_SPEC) == render_prompt(math_doc, "deepseek-r1")
    assert render_prompt(CHOICE_DOC, DEFAULT_SPEC) == render_prompt(CHOICE_DOC, "simple-evals-choice")
    # A single-kind spec falls back to the default preset for the other kind.
    assert render_prompt(CHOICE_DOC, "deepseek-r1") == render_prompt(CHOICE_DOC, "simple-evals-choice")


@pytest.mark.parametrize(
    ("spec", "error"),
    [("nope", KeyError), ("deepseek-r1+deepseek-r1", ValueError), ("", ValueError), ("+", ValueError)],
)
def test_bad_specs_raise(spec, error):
    with pytest.raises(error):
        resolve_spec(spec)


def test_spec_hash_single_and_combined():
    assert spec_hash("deepseek-r1") == PRESETS["deepseek-r1"].hash
    combined = spec_hash(DEFAULT_SPEC)
    assert combined not in {p.hash for p in PRESETS.values()}
    assert spec_hash("simple-evals-choice+deepseek-r1") == combined  # order does not matter


def test_more_than_four_choices_lists_all_letters():
    doc = {"kind": "choice", "question": "q", "choices": list("vwxyz")}
    text = render_prompt(doc, "simple-evals-choice")
    assert "one of ABCDE." in text and "E) z" in text
