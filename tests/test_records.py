"""score_response: one raw output -> one complete, serialisable per-sample record."""

import json

from r1bench.records import SampleRecord, score_response


def test_math_record_fields():
    raw = "<think>Try \\boxed{7}. No, recheck.</think>\nSo the answer is \\boxed{\\frac{1}{2}}."
    r = score_response(raw, "0.5", task="r1_math500", doc_id="q1", sample_index=3, prompt_hash="abc")
    assert r.correct and r.extracted == "\\frac{1}{2}" and r.rule == "boxed"
    assert r.reasoning.startswith("Try") and r.answer_text.startswith("So the answer")
    assert r.think_closed and not r.truncated and not r.loop_detected and r.dialect == "think"
    assert r.sample_index == 3 and r.prompt_hash == "abc" and r.grader_version
    assert r.completion_tokens > r.reasoning_tokens > 0 and r.tokens_estimated
    d = json.loads(json.dumps(r.to_dict()))
    assert SampleRecord.from_dict(d) == r


def test_truncated_and_looping_record():
    raw = "<think>" + "Wait, let me recheck that value once more. " * 50
    r = score_response(raw, "3", finish_reason="length")
    assert not r.correct and r.no_answer and r.truncated and r.loop_detected and not r.think_closed


def test_backend_token_counts_and_cap():
    r = score_response("<think>x</think> \\boxed{3}", "3", completion_tokens=512, max_gen_toks=512)
    assert r.correct and r.truncated and not r.tokens_estimated and r.completion_tokens == 512


def test_choice_record():
    r = score_response("<think>A? no.</think>\nAnswer: C", "C", kind="choice", extra={"permutation": [2, 0, 1, 3]})
    assert r.correct and r.extracted == "C" and r.grader == "r1bench-choice"
    assert r.extra["permutation"] == [2, 0, 1, 3]


def test_none_and_empty_output():
    for raw in (None, "", "   "):
        r = score_response(raw, "3")
        assert not r.correct and r.no_answer
