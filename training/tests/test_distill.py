"""Distillation against a local fake teacher: grader filter, provenance, resume from the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from r1train.data.io import rows_sha256
from r1train.distill import load_questions, main, normalize_question
from r1train_fake_teacher import FakeTeacher

pytestmark = pytest.mark.server

QUESTIONS = [
    {"id": "q1", "problem": "What is 2 + 3?", "answer": "5"},
    {"id": "q2", "question": "What is 10 + 7?", "answer": "17"},
    {"id": "q3", "problem": "TRUNCATE: What is 1 + 1?", "answer": "2"},
]


def _write_questions(tmp_path: Path) -> Path:
    path = tmp_path / "questions.jsonl"
    path.write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS))
    return path


def _run(teacher: FakeTeacher, questions: Path, out: Path, *extra: str) -> int:
    return main([
        "--questions", str(questions), "--base-url", teacher.base_url, "--model", "fake-r1",
        "-k", "4", "--concurrency", "2", "--max-retries", "0", "--out", str(out), *extra,
    ])


def test_distill_keeps_only_graded_correct_traces(tmp_path: Path) -> None:
    questions = _write_questions(tmp_path)
    out = tmp_path / "distilled"
    with FakeTeacher() as teacher:
        assert _run(teacher, questions, out) == 0
        assert len(teacher.requests) == 12
        seeds = sorted({r["seed"] for r in teacher.requests})
        assert seeds == [0, 1, 2, 3]
    traces = [json.loads(line) for line in (out / "traces.jsonl").read_text().splitlines()]
    # Even seeds (sample 0 and 2) answer correctly for q1 and q2; q3 never closes an answer.
    assert [(t["id"], t["sample_index"]) for t in traces] == [("q1", 0), ("q1", 2), ("q2", 0), ("q2", 2)]
    for t in traces:
        user, assistant = t["messages"]
        assert user["role"] == "user" and "\\boxed{}" in user["content"]
        assert assistant["content"].startswith("<think>\nAdding gives ")
        assert "</think>\n\nThe sum is \\boxed{" + t["gold"] + "}." in assistant["content"]
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["teacher"]["model"] == "fake-r1"
    assert prov["k"] == 4 and prov["questions"]["count"] == 3
    assert prov["graded"] == 12 and prov["correct"] == 4 and prov["kept"] == 4
    assert prov["acceptance_rate"] == pytest.approx(4 / 12)
    assert prov["drop_reasons"] == {"wrong_answer": 4, "no_answer": 4}
    assert prov["train_data_sha256"] == rows_sha256({"messages": t["messages"]} for t in traces)
    assert prov["prompt"]["hash"] and prov["date"]
    samples = [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]
    assert len(samples) == 12 and sum(s["correct"] for s in samples) == 4


def test_distill_resumes_from_the_store(tmp_path: Path) -> None:
    questions = _write_questions(tmp_path)
    out = tmp_path / "distilled"
    with FakeTeacher() as teacher:
        assert _run(teacher, questions, out) == 0
        first = (out / "traces.jsonl").read_text()
        assert _run(teacher, questions, out) == 0
        assert len(teacher.requests) == 12  # the second run sent nothing
    assert (out / "traces.jsonl").read_text() == first


def test_max_per_question(tmp_path: Path) -> None:
    questions = _write_questions(tmp_path)
    out = tmp_path / "distilled"
    with FakeTeacher() as teacher:
        assert _run(teacher, questions, out, "--max-per-question", "1") == 0
    traces = (out / "traces.jsonl").read_text().splitlines()
    assert [json.loads(t)["id"] for t in traces] == ["q1", "q2"]


@pytest.mark.parametrize(
    "row, expected",
    [
        ({"problem": "p", "answer": 5}, {"kind": "math", "problem": "p", "answer": "5", "id": "0"}),
        ({"question": "q", "answer": "7", "id": 3}, {"kind": "math", "problem": "q", "id": "3"}),
        ({"question": "q", "choices": ["a", "b", "c", "d"], "answer": "B"}, {"kind": "choice", "answer": "B"}),
    ],
)
def test_normalize_question(row: dict, expected: dict) -> None:
    doc = normalize_question(row, 0)
    assert {k: doc[k] for k in expected} == expected


def test_question_without_gold_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"problem": "a", "answer": "1"}\n{"problem": "b"}\n')
    with pytest.raises(ValueError, match=r"q\.jsonl:2: question 1 has no 'answer'"):
        load_questions(str(path))


def test_sample_prompt_hash_is_the_per_kind_preset_hash(tmp_path: Path) -> None:
    """Records carry the hash of the preset that rendered the doc, as benchmark records do (not
    the spec hash over both presets), so distilled and benchmark samples can be joined on it."""
    from r1bench.prompts import DEFAULT_SPEC, get_preset, spec_hash

    questions = _write_questions(tmp_path)
    out = tmp_path / "distilled"
    with FakeTeacher() as teacher:
        assert _run(teacher, questions, out) == 0
    samples = [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]
    math_hash = get_preset("deepseek-r1").hash
    assert math_hash != spec_hash(DEFAULT_SPEC)  # the two-preset default spec: they differ
    assert {s["prompt_hash"] for s in samples} == {math_hash}
