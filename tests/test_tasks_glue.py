"""The lm-eval glue without a model: stamping, the `r1` filter, process_results, rescoring."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from r1bench.lm_eval import chat_template, hooks, metadata, rescore
from r1bench.lm_eval import filter as r1filter
from r1bench.prompts import get_preset


def _doc(kind="math", k=4, answer="5", **extra):
    base = (
        {"id": "q1", "kind": "math", "problem": "What is 2+3?", "answer": answer}
        if kind == "math"
        else {"id": "c1", "kind": "choice", "question": "Pick B.", "choices": ["a", "b", "c", "d"], "answer": answer}
    )
    base.update(extra)
    spec = "deepseek-r1" if kind == "math" else "simple-evals-choice"
    return hooks.stamp_docs([base], task="r1_test", k=k, prompt_spec=spec, max_gen_toks=100)[0]


def _score(doc, outputs):
    return hooks.process_results(doc, [r1filter.score_doc(doc, outputs)])


def test_stamp_docs_adds_protocol_fields():
    doc = _doc()
    assert doc["r1_k"] == 4 and doc["r1_task"] == "r1_test"
    assert doc["r1_prompt_hash"] == get_preset("deepseek-r1").hash
    assert doc["r1_max_gen_toks"] == 100 and doc["r1_starts_in_reasoning"] is False


@pytest.mark.parametrize("k", [None, 0, -2])
def test_stamp_docs_needs_a_positive_k(k):
    with pytest.raises(ValueError):
        hooks.stamp_docs([{"id": "x", "kind": "math", "problem": "p", "answer": "1"}], task="t", k=k)


def test_doc_to_text_and_target():
    doc = _doc()
    assert hooks.doc_to_text(doc) == get_preset("deepseek-r1").render(doc)
    assert hooks.doc_to_target(_doc("choice", answer="B")) == "B"


def test_score_doc_strips_reasoning_and_keeps_raw():
    raw = "<think>maybe \\boxed{3}</think> So the answer is \\boxed{5}."
    records = r1filter.score_doc(_doc(k=2), [raw, "no idea"])
    assert [r["sample_index"] for r in records] == [0, 1]
    first = records[0]
    assert first["raw_output"] == raw
    assert "\\boxed{3}" in first["reasoning"] and "\\boxed{3}" not in first["answer_text"]
    assert first["correct"] is True and first["extracted"] is not None
    assert records[1]["correct"] is False and records[1]["extracted"] is None
    assert first["prompt_hash"] == get_preset("deepseek-r1").hash
    # str() is JSON, so lm-eval's samples file (which writes str(x)) holds parseable records.
    assert json.loads(str(first)) == dict(first)


def test_gpqa_permutation_is_in_the_record():
    doc = _doc("choice", k=1, answer="B", permutation=[2, 0, 1, 3])
    (record,) = r1filter.score_doc(doc, ["Answer: B"])
    assert record["extra"]["permutation"] == [2, 0, 1, 3]
    assert record["correct"] is True


B5, B4 = "\\boxed{5}", "\\boxed{4}"


@pytest.mark.parametrize(
    ("kind", "gold", "outputs", "expected"),
    [
        # all right
        ("math", "5", [B5] * 4, {"pass@1": 1.0, "pass@k": 1.0, "maj@k": 1.0, "no_answer_rate": 0.0}),
        # half right, majority right, one without an answer
        ("math", "5", [B5, B5, B4, "nothing"], {"pass@1": 0.5, "pass@k": 1.0, "maj@k": 1.0, "no_answer_rate": 0.25}),
        # one right, majority wrong
        ("math", "5", [B4, B4, B5, B4], {"pass@1": 0.25, "pass@k": 1.0, "maj@k": 0.0}),
        # none right
        ("math", "5", [B4] * 4, {"pass@1": 0.0, "pass@k": 0.0, "maj@k": 0.0}),
        # equivalent answers vote together: 1/2 and 0.5 beat 3 and 7
        ("math", "\\frac{1}{2}", ["\\boxed{1/2}", "\\boxed{0.5}", "\\boxed{3}", "\\boxed{7}"], {"pass@1": 0.5, "maj@k": 1.0}),
        # AIME zero padding
        ("math", "33", ["\\boxed{033}"] * 2 + [B4] * 2, {"pass@1": 0.5, "maj@k": 1.0}),
        # reasoning never closed: truncated, no answer, even with a box inside
        ("math", "5", ["<think>\\boxed{5} and then"] * 4, {"pass@1": 0.0, "truncated_rate": 1.0, "no_answer_rate": 1.0}),
        # letters group case-insensitively
        ("choice", "B", ["Answer: B", "Answer: b", "Answer: C", "Answer: D"], {"pass@1": 0.5, "maj@k": 1.0}),
        ("choice", "B", ["Answer: C", "Answer: C", "Answer: B", "Answer: A"], {"pass@1": 0.25, "maj@k": 0.0}),
    ],
)
def test_process_results_table(kind, gold, outputs, expected):
    doc = _doc(kind, k=len(outputs), answer=gold)
    metrics = _score(doc, outputs)
    assert set(metrics) == set(hooks.METRICS)
    for key, value in expected.items():
        assert metrics[key] == pytest.approx(value), key


def test_pass_at_k_is_unbiased_for_k_samples():
    metrics = _score(_doc(k=4), [B5, B4, B4, B4])
    assert metrics["pass@k"] == 1.0  # n == k: any correct sample passes


def test_loop_and_tokens():
    loop = "I think so. " * 200
    metrics = _score(_doc(k=2), [loop, B5])
    assert metrics["loop_rate"] == 0.5
    assert metrics["mean_completion_tokens"] > 100


class _WordTokenizer:
    def encode(self, text, add_special_tokens=False):
        return text.split()


@pytest.mark.parametrize(("limit", "truncated"), [(3, 1.0), (9, 1.0), (10, 0.0), (None, 0.0)])
def test_cap_hit_counts_as_truncated_with_a_tokenizer(monkeypatch, limit, truncated):
    monkeypatch.setattr(chat_template, "load_tokenizer", lambda name: _WordTokenizer())
    doc = {**_doc(k=1), "r1_tokenizer": "words", "r1_max_gen_toks": limit}
    records = r1filter.score_doc(doc, ["one two three four five six seven eight \\boxed{5}"])
    assert records[0]["completion_tokens"] == 9 and records[0]["tokens_estimated"] is False
    assert records[0]["extra"]["token_count"] == "retokenized:words"
    assert hooks.process_results(doc, [records])["truncated_rate"] == truncated


def test_without_a_tokenizer_counts_are_estimates():
    (record,) = r1filter.score_doc(_doc(k=1), ["some words \\boxed{5}"])
    assert record["tokens_estimated"] is True and record["completion_tokens"] > 0


@pytest.mark.parametrize("n", [1, 3, 5])
def test_wrong_sample_count_raises_in_process_results(n):
    doc = _doc(k=4)
    records = r1filter.score_doc({**doc, "r1_k": n}, [B5] * n)
    with pytest.raises(hooks.SampleCountError, match="k=4"):
        hooks.process_results(doc, [records])


def test_filter_saves_outputs_then_raises_on_fewer_than_k(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    docs = [_doc(k=2), _doc(k=2)]
    with pytest.raises(hooks.SampleCountError, match="saved to"):
        r1filter.R1Filter().apply([[B5, B5], [B5]], docs)
    (saved,) = tmp_path.glob("r1bench-unscored-*.jsonl")
    lines = [json.loads(x) for x in saved.read_text().splitlines()]
    assert [len(x["resps"][0]) for x in lines] == [2, 1]


def test_filter_returns_records_per_doc():
    docs = [_doc(k=2), _doc("choice", k=2, answer="A")]
    out = r1filter.R1Filter().apply([[B5, B4], ["Answer: A", "Answer: B"]], docs)
    assert [[r["correct"] for r in recs] for recs in out] == [[True, False], [True, False]]


def test_process_results_rejects_unfiltered_text():
    with pytest.raises(TypeError, match="function: r1"):
        hooks.process_results(_doc(k=1), ["\\boxed{5}"])


def test_process_results_accepts_json_strings_from_a_samples_file():
    doc = _doc(k=2)
    records = r1filter.score_doc(doc, [B5, B4])
    assert hooks.process_results(doc, [[str(r) for r in records]]) == hooks.process_results(doc, [records])


def test_aggregate_is_the_mean_over_docs():
    per_doc = [_score(_doc(k=2), [B5, B5]), _score(_doc(k=2), [B4, B5])]
    agg = hooks.aggregate(per_doc)
    assert agg["pass@1"] == pytest.approx(0.75)
    with pytest.raises(ValueError):
        hooks.aggregate([])


def _write_samples(path, docs_outputs):
    with path.open("w") as fh:
        for i, (doc, outputs) in enumerate(docs_outputs):
            records = r1filter.score_doc(doc, outputs)
            metrics = hooks.process_results(doc, [records])
            line = {"doc_id": i, "doc": doc, "resps": [outputs], "filtered_resps": [[str(r) for r in records]], "filter": "r1", **metrics}
            fh.write(json.dumps(line) + "\n")


def test_rescore_samples_twice_gives_identical_numbers(tmp_path):
    path = tmp_path / "samples_r1_test.jsonl"
    _write_samples(path, [(_doc(k=3), [B5, B4, "x"]), (_doc("choice", k=3, answer="C"), ["Answer: C"] * 3)])
    first, second = rescore.rescore_samples(path), rescore.rescore_samples(path)
    assert first == second
    assert first["n_docs"] == 2 and first["k"] == 3
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    for key in hooks.METRICS:
        assert first["metrics"][key] == pytest.approx(sum(x[key] for x in lines) / 2)


def test_rescore_names_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    _write_samples(path, [(_doc(k=2), [B5, B5])])
    with path.open("a") as fh:
        fh.write("{not json\n")
    with pytest.raises(ValueError, match=r"bad.jsonl:2"):
        rescore.rescore_samples(path)


def test_rescore_catches_missing_samples(tmp_path):
    path = tmp_path / "short.jsonl"
    doc = _doc(k=2)
    path.write_text(json.dumps({"doc": doc, "resps": [[B5]], "filter": "r1"}) + "\n")
    with pytest.raises(hooks.SampleCountError, match=r"short.jsonl:1"):
        rescore.rescore_samples(path)


def test_load_dataset_returns_uniform_test_split():
    data = hooks.load_dataset(r1_task="r1_smoke", k=2, prompt_preset="deepseek-r1+simple-evals-choice", max_gen_toks=64)
    test = data["test"]
    kinds = set(test["kind"])
    assert kinds == {"math", "choice"}
    assert set(test["r1_k"]) == {2} and set(test["r1_max_gen_toks"]) == {64}
    for doc in test:
        assert hooks.doc_to_text(doc)


@pytest.mark.parametrize(("kwargs", "error"), [({"k": 2}, "r1_task"), ({"r1_task": "r1_smoke"}, "k")])
def test_load_dataset_needs_task_and_k(kwargs, error):
    with pytest.raises(ValueError, match=error):
        hooks.load_dataset(**kwargs)


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("0", False), (False, False), (None, False), ("auto", False)])
def test_starts_in_reasoning_values(value, expected):
    assert chat_template.starts_in_reasoning(value, None) is expected


def test_starts_in_reasoning_rejects_junk():
    with pytest.raises(ValueError):
        chat_template.starts_in_reasoning("maybe", None)


class _TemplateTokenizer:
    def __init__(self, suffix):
        self.chat_template = "x"
        self.suffix = suffix

    def apply_chat_template(self, messages, tokenize=False, add_generation_prompt=True):
        return "<|User|>" + messages[0]["content"] + "<|Assistant|>" + self.suffix


@pytest.mark.parametrize(("suffix", "expected"), [("<think>\n", True), ("", False)])
def test_starts_in_reasoning_auto_reads_the_chat_template(monkeypatch, suffix, expected):
    monkeypatch.setattr(chat_template, "load_tokenizer", lambda name: _TemplateTokenizer(suffix))
    assert chat_template.starts_in_reasoning("auto", "some-model") is expected


def test_prefilled_think_without_close_has_no_answer():
    doc = {**_doc(k=1), "r1_starts_in_reasoning": True}
    (record,) = r1filter.score_doc(doc, ["thinking \\boxed{5} still thinking"])
    assert record["extracted"] is None and record["truncated"] is True
    (closed,) = r1filter.score_doc(doc, ["thinking</think> \\boxed{5}"])
    assert closed["correct"] is True


# --------------------------------------------------------------------------- API failures and metadata


def _fake_api(meta_by_text):
    """A stand-in for r1bench-chat's in-process metadata (finish_reason / usage per text)."""
    return lambda text: dict(meta_by_text.get(text, {}))


def test_an_api_error_belongs_to_its_own_sample_only():
    from r1bench.api.failures import make_failure_text

    failed = make_failure_text("HTTP 500: boom")
    doc = _doc("choice", k=4, answer="B", permutation=[1, 0, 2, 3])
    records = r1filter.score_doc(doc, ["Answer: B", failed, "Answer: B", "Answer: C"])
    assert ["api_error" in r["extra"] for r in records] == [False, True, False, False]
    bad = records[1]
    assert bad["extra"]["api_error"] == "HTTP 500: boom" and bad["extra"]["permutation"] == [1, 0, 2, 3]
    assert bad["extracted"] is None and bad["correct"] is False and bad["finish_reason"] is None
    assert bad["raw_output"] == "" and bad["completion_tokens"] == 0 and bad["truncated"] is False
    assert [r["correct"] for r in records] == [True, False, True, False]


def test_a_failure_under_a_prefilled_think_is_not_counted_as_truncated():
    from r1bench.api.failures import make_failure_text

    doc = {**_doc(k=2), "r1_starts_in_reasoning": True}
    records = r1filter.score_doc(doc, ["x</think>\\boxed{5}", make_failure_text("timeout")])
    metrics = hooks.process_results(doc, [records])
    assert metrics["truncated_rate"] == 0.0 and metrics["no_answer_rate"] == 0.5


@pytest.mark.parametrize("kind", ["math", "choice"])
@pytest.mark.parametrize("starts_in_reasoning", [False, True])
def test_a_failure_sentinel_is_never_graded_as_an_answer(kind, starts_in_reasoning):
    from r1bench.api.failures import is_failure_text, make_failure_text
    from r1bench.grading import grade_choice_response, grade_math_response

    for error in ("HTTP 400: answer is 3 (A)", "", None):
        text = make_failure_text(error)
        assert is_failure_text(text) and not is_failure_text(text + " ")
        if kind == "math":
            verdict = grade_math_response(text, "0", starts_in_reasoning=starts_in_reasoning)
        else:
            verdict = grade_choice_response(text, "A", starts_in_reasoning=starts_in_reasoning)
        assert verdict.extracted is None and not verdict.correct


def test_failure_sentinels_are_unique_and_keep_their_error_in_process():
    from r1bench.api.failures import (
        FAILURE_PREFIX,
        UNKNOWN_FAILURE,
        failure_error,
        make_failure_text,
    )

    texts = [make_failure_text(f"error {i}") for i in range(50)]
    assert len(set(texts)) == 50
    assert [failure_error(t) for t in texts] == [f"error {i}" for i in range(50)]
    assert failure_error(FAILURE_PREFIX + "z" * 20 + "]") == UNKNOWN_FAILURE  # another process's
    assert failure_error("") is None and failure_error("\\boxed{5}") is None


def test_rescoring_an_api_run_reproduces_truncation_and_token_counts(tmp_path, monkeypatch):
    from r1bench.api.failures import make_failure_text

    cut = "<think>long thoughts that were cut by the limit"
    answered = "<think>ok</think>\\boxed{5}"
    failed = make_failure_text("HTTP 503")
    # finish_reason "length" with closed reasoning is truncated only because the API says so.
    cut_closed = "<think>r</think>The answer is \\boxed{5} and then"
    meta = {
        cut: {"finish_reason": "length", "usage": {"completion_tokens": 1000, "reasoning_tokens": 990}},
        answered: {"finish_reason": "stop", "usage": {"completion_tokens": 32}},
        cut_closed: {"finish_reason": "length", "usage": {"completion_tokens": 1000}},
    }
    monkeypatch.setattr(metadata, "live_metadata", _fake_api(meta))
    docs_outputs = [
        (_doc(k=4), [cut, answered, failed, cut_closed]),
        (_doc(k=4, answer="4"), [answered, answered, cut, answered]),
    ]
    path = tmp_path / "samples_r1_test.jsonl"
    _write_samples(path, docs_outputs)
    original = [json.loads(x) for x in path.read_text().splitlines()]
    assert original[0]["truncated_rate"] == 0.5 and original[0]["mean_completion_tokens"] == (1000 + 32 + 1000) / 4

    monkeypatch.setattr(metadata, "live_metadata", lambda text: {})  # a new process: metadata gone
    rescored = rescore.rescore_samples(path)
    for line, per_doc in zip(original, rescored["per_doc"]):
        assert per_doc == {key: line[key] for key in hooks.METRICS}
    # Record by record too: the saved finish_reason, API counts and API error come back.
    doc, outputs = docs_outputs[0]
    saved = [json.loads(r) for r in original[0]["filtered_resps"][0]]
    again = r1filter.score_doc(doc, outputs, saved)
    assert [dict(r) for r in again] == saved
    assert saved[2]["extra"]["api_error"] == "HTTP 503"
    assert [r["finish_reason"] for r in saved] == ["length", "stop", None, "length"]


def test_filter_saves_outputs_on_any_scoring_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    good, bad = _doc(k=2), _doc(k=2)
    del bad["answer"]  # a bad gold: scoring raises after the generations are done
    with pytest.raises(KeyError):
        r1filter.R1Filter().apply([[B5, B5], [B4, B5]], [good, bad])
    (saved,) = tmp_path.glob("r1bench-unscored-*.jsonl")
    lines = [json.loads(x) for x in saved.read_text().splitlines()]
    assert [x["resps"][0] for x in lines] == [[B5, B5], [B4, B5]]


def _rec(extracted, correct):
    return {"extracted": extracted, "correct": correct, "truncated": False, "loop_detected": False,
            "completion_tokens": 10}


@pytest.mark.parametrize(
    ("kind", "gold", "records", "maj"),
    [
        # the majority is decided against the gold, not by its first member's verdict
        ("choice", "B", [_rec("b", False), _rec("B", True), _rec("C", False)], 1.0),
        ("choice", "B", [_rec("C", True), _rec("C", False), _rec("B", True)], 0.0),
        ("math", "1/2", [_rec("0.5", False), _rec("\\frac{1}{2}", True), _rec("3", False)], 1.0),
        ("math", "1/2", [_rec(None, False), _rec(None, False), _rec("3", False)], 0.0),
        ("math", "1/2", [_rec(None, False)] * 3, 0.0),
    ],
)
def test_maj_at_k_compares_the_majority_answer_with_the_gold(kind, gold, records, maj):
    from r1bench.grading import answer_equality
    from r1bench.metrics import maj_at_k

    doc = _doc(kind, k=len(records), answer=gold)
    assert hooks.process_results(doc, [records])["maj@k"] == maj
    equal = answer_equality(kind)
    assert maj == float(maj_at_k([r["extracted"] for r in records], gold, equal))


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--no-chat-template"], False),
        (["--no-chat-template", "--metadata", '{"starts_in_reasoning": true}'], True),
        (["--no-chat-template", "--model_args", "base_url=x,model=y,starts_in_reasoning=true"], None),
        ([], None),
    ],
)
def test_no_chat_template_turns_starts_in_reasoning_off(argv, expected):
    import argparse

    from r1bench.lm_eval import cli as evaluate

    _, opts = evaluate.translate_args(argv, default_model=Path("/nonexistent/model"))
    meta = {}
    if "--metadata" in argv:
        meta = json.loads(argv[argv.index("--metadata") + 1])
    model_args = argv[argv.index("--model_args") + 1] if "--model_args" in argv else None
    ns = argparse.Namespace(metadata=meta, model_args=model_args, gen_kwargs=None)
    out = {**meta, **evaluate._r1_metadata(ns, opts)}
    assert out.get("starts_in_reasoning") == expected


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("false", False)])
def test_starts_in_reasoning_from_model_args_reaches_the_docs(value, expected):
    # lm-eval merges --model_args into the metadata the dataset hook receives.
    data = hooks.load_dataset(r1_task="r1_smoke", k=1, base_url="http://x/v1", model="m", starts_in_reasoning=value)
    assert set(data["test"]["r1_starts_in_reasoning"]) == {expected}


@pytest.mark.parametrize("how", ["env", "argv", "argv="])
def test_unscored_outputs_go_beside_the_run_output(tmp_path, monkeypatch, how):
    out = tmp_path / "run-output"
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("R1BENCH_UNSCORED_DIR", raising=False)
    if how == "env":
        monkeypatch.setenv("R1BENCH_UNSCORED_DIR", str(out))
    elif how == "argv":
        monkeypatch.setattr(sys, "argv", ["lm_eval", "--output_path", str(out), "--tasks", "r1_smoke"])
    else:
        monkeypatch.setattr(sys, "argv", ["lm_eval", f"--output_path={out}"])
    with pytest.raises(hooks.SampleCountError, match="saved to"):
        r1filter.R1Filter().apply([[B5, B5], [B5]], [_doc(k=2), _doc(k=2)])
    assert len(list(out.glob("r1bench-unscored-*.jsonl"))) == 1
    assert list(tmp_path.glob("r1bench-unscored-*.jsonl")) == []


def test_plain_lm_eval_refuses_k_that_repeats_does_not_match_before_generating():
    from lm_eval.tasks import TaskManager

    from r1bench.task_configs import tasks_dir

    tm = TaskManager(include_defaults=False, include_path=str(tasks_dir()), metadata={"k": 3})
    with pytest.raises(ValueError, match=r"metadata k=3 but the task's repeats=2.*r1bench eval --k 3"):
        tm.load(["r1_smoke"])
    # the same k as repeats loads
    tm = TaskManager(include_defaults=False, include_path=str(tasks_dir()), metadata={"k": 2})
    assert tm.load(["r1_smoke"])["tasks"]["r1_smoke"].config.repeats == 2
