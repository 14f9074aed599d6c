"""Budget forcing through r1bench-chat against the fault server's scripted thinking model.

The scripted model (tests/api_servers/fault_server.py) writes ``<think>`` + N words + ``</think>``
+ " The answer is \\boxed{A}." one token per word, thinks EXT more words after a "Wait", and
continues any partial answer, so every expected count below is worked out by hand from N and EXT.
"""

from __future__ import annotations

import json

import pytest
from api_servers.fault_server import FaultServer, body_key
from lm_eval.api.instance import Instance

from r1bench.api import ChatConfig, ChatRequest, SampleStore, run_chat_requests, summarize_results
from r1bench.api.budget_client import BudgetPlan, parse_step_response, step_piece
from r1bench.budget import Step
from r1bench.lm_eval.chat import R1BenchChat
from r1bench.response import response_metadata

pytestmark = [pytest.mark.server, pytest.mark.timeout(180)]

N, EXT = 30, 4
PROMPT = f"Q ANSWER=5 THINK={N} EXT={EXT}"


@pytest.fixture(scope="module")
def tokenizer_dir():
    from r1bench.models.default import ensure_default_model

    return str(ensure_default_model())  # SmolLM2's ChatML template: "<|im_start|>assistant\n"


@pytest.fixture
def server():
    with FaultServer() as srv:
        yield srv


def _config(srv, tmp_path, mode, tokenizer_dir=None, **kw):
    extra = {"tokenizer": tokenizer_dir} if mode == "completions" else {}
    base = dict(base_url=srv.base_url, model="fault-model", store_path=str(tmp_path / f"store_{mode}"), seed=0,
                budget_mode=mode, timeout=5, max_retries=3, backoff_base=0.01, backoff_max=0.05, **extra)
    base.update(kw)
    return ChatConfig(**base)


def _req(gen, prompt=PROMPT, k=0):
    return ChatRequest([{"role": "user", "content": prompt}], {"max_gen_toks": 200, "until": [], **gen}, sample_index=k)


# Unbudgeted: <think> + 30 words + </think> = 32 thinking tokens, then 4 answer tokens.
# gen_kwargs -> (close, thinking_tokens, answer_tokens, extensions, steps, finish_reason, text fragment)
CASES = [
    ({"thinking_budget": 16}, "forced", 16, 4, 0, 2, "stop", "s0w14\n</think>\n\nFinal answer: The answer is \\boxed{5}."),
    ({"thinking_budget": "16"}, "forced", 16, 4, 0, 2, "stop", "Final answer: The answer is \\boxed{5}."),
    ({"thinking_extend": 1}, "natural", 37, 4, 1, 3, "stop", "s0w29Wait s1w0 s1w1 s1w2 s1w3</think> The answer"),
    ({"thinking_extend": 2}, "natural", 42, 4, 2, 4, "stop", "s1w3Wait s2w0 s2w1 s2w2 s2w3</think>"),
    ({"thinking_budget": 16, "thinking_extend": 2}, "forced", 16, 4, 0, 2, "stop", "Final answer:"),
    # closes at 32, "Wait", then only 2 of the budget left: cut at s1w1 and forced closed
    ({"thinking_budget": 34, "thinking_extend": 1}, "forced", 34, 4, 1, 3, "stop", "Wait s1w0 s1w1\n</think>"),
    # the budget is never reached: a natural close, as without a budget
    ({"thinking_budget": 100}, "natural", 32, 4, 0, 2, "stop", "s0w29</think> The answer is \\boxed{5}."),
    # max_gen_toks 10: 8 thinking tokens, then 2 answer tokens of 4: cut by the length limit
    ({"thinking_budget": 8, "max_gen_toks": 10}, "forced", 8, 2, 0, 2, "length", "Final answer: The answer"),
    ({"thinking_budget": 8, "thinking_answer_tokens": 3}, "forced", 8, 3, 0, 2, "length", "Final answer: The answer is"),
]


@pytest.mark.parametrize("mode", ["prefix", "completions"])
@pytest.mark.parametrize("gen, close, thinking, answer, extensions, steps, finish, fragment", CASES,
                         ids=[json.dumps(c[0]) for c in CASES])
def test_budget_phases(server, tmp_path, tokenizer_dir, mode, gen, close, thinking, answer, extensions, steps,
                       finish, fragment):
    cfg = _config(server, tmp_path, mode, tokenizer_dir)
    [res] = run_chat_requests([_req(gen)], cfg, progress=False)
    assert res.ok, res.error
    assert res.budget["close"] == close
    assert (res.budget["thinking_tokens"], res.budget["answer_tokens"]) == (thinking, answer)
    assert (res.budget["extensions"], res.budget["steps"]) == (extensions, steps)
    assert res.budget["budget_mode"] == mode
    assert res.finish_reason == finish
    assert fragment in res.text
    assert res.usage["completion_tokens"] == thinking + answer and res.usage["reasoning_tokens"] == thinking
    assert sum(server.received.values()) == steps  # one request per phase, none repeated


@pytest.mark.parametrize("mode", ["prefix", "completions"])
def test_budget_shortens_and_extend_lengthens_thinking(server, tmp_path, tokenizer_dir, mode):
    cfg = _config(server, tmp_path, mode, tokenizer_dir)
    prompts = [f"Q{i} ANSWER={i} THINK={20 + 5 * i}" for i in range(4)]  # 22, 27, 32, 37 thinking tokens
    plain = run_chat_requests([_req({}, p) for p in prompts], cfg, progress=False)
    budgeted = run_chat_requests([_req({"thinking_budget": 16}, p) for p in prompts], cfg, progress=False)
    extended = run_chat_requests([_req({"thinking_extend": 1}, p) for p in prompts], cfg, progress=False)
    assert [r.usage["reasoning_tokens"] for r in plain] == [22, 27, 32, 37]
    assert [r.budget["thinking_tokens"] for r in budgeted] == [16] * 4
    assert all(r.budget["close"] == "forced" for r in budgeted)
    assert [r.budget["thinking_tokens"] for r in extended] == [22 + 7, 27 + 7, 32 + 7, 37 + 7]  # + 6 words + </think>
    assert all(r.budget["extensions"] == 1 and "Wait" in r.text for r in extended)
    assert all(r.text.endswith(f"\\boxed{{{i}}}.") for rs in (plain, budgeted, extended) for i, r in enumerate(rs))


@pytest.mark.parametrize("base_url, mode, message", [
    ("http://127.0.0.1:9/v1", None, "pass budget_mode=completions,tokenizer="),
    ("https://api.openai.com/v1", "prefix", "OpenAI's API cannot continue a partial assistant message"),
    ("https://api.deepseek.com/beta", "prefix", "the DeepSeek API cannot cap or extend deepseek-reasoner's thinking"),
])
def test_budget_without_a_usable_mode_fails_in_one_line(tmp_path, base_url, mode, message):
    cfg = ChatConfig(base_url=base_url, model="m", store_path=str(tmp_path / "s"), budget_mode=mode)
    with pytest.raises(ValueError) as err:
        run_chat_requests([_req({"thinking_budget": 16})], cfg, progress=False)
    assert message in str(err.value) and "\n" not in str(err.value)
    assert not (tmp_path / "s").exists()  # refused before anything was sent or stored


def test_completions_mode_needs_a_tokenizer():
    with pytest.raises(ValueError, match="pass tokenizer=NAME_OR_PATH"):
        ChatConfig(base_url="http://127.0.0.1:9/v1", model="m", budget_mode="completions")


def test_bad_budget_value_fails_in_one_line(server, tmp_path):
    with pytest.raises(ValueError, match=r"^thinking_budget must be an integer >= 1, got 'abc'$"):
        run_chat_requests([_req({"thinking_budget": "abc"})], _config(server, tmp_path, "prefix"), progress=False)


# step response -> Piece.ended, for the thinking phase (stop at </think>) and the answer phase
STEP_ROWS = [
    ({"choices": [{"text": " a b", "finish_reason": "stop", "stop_reason": "</think>"}], "usage": {"completion_tokens": 3}}, "close", "eos"),
    ({"choices": [{"text": " a b", "finish_reason": "stop", "stop_reason": None}], "usage": {"completion_tokens": 3}}, "eos", "eos"),
    ({"choices": [{"text": " a b", "finish_reason": "stop", "matched_stop": "</think>"}], "usage": {"completion_tokens": 3}}, "close", "eos"),
    ({"choices": [{"text": " a b", "finish_reason": "stop"}], "usage": {"completion_tokens": 3}}, "close", "eos"),  # not said: close
    ({"choices": [{"text": " a b", "finish_reason": "length"}], "usage": {"completion_tokens": 2}}, "length", "length"),
    ({"choices": [{"message": {"reasoning_content": "a b", "content": " x"}, "finish_reason": "stop"}],
      "usage": {"completion_tokens": 4}}, "close", "eos"),
]


@pytest.mark.parametrize("body, thinking_ended, answer_ended", STEP_ROWS)
def test_step_piece(body, thinking_ended, answer_ended):
    result = parse_step_response(json.dumps(body))
    assert step_piece(result, Step(10, True, "thinking")).ended == thinking_ended
    assert step_piece(result, Step(10, False, "answer")).ended == answer_ended


def test_step_without_usage_fails_the_sample(tmp_path):
    result = parse_step_response(json.dumps({"choices": [{"text": "a", "finish_reason": "stop"}]}))
    with pytest.raises(ValueError, match="no usage.completion_tokens"):
        step_piece(result, Step(10, True, "thinking"))


def test_resume_does_not_regenerate_finished_phases(server, tmp_path):
    cfg = _config(server, tmp_path, "prefix", max_retries=1)
    reqs = [_req({"thinking_budget": 16}, f"Q{i} ANSWER={i} THINK=30", k) for i in range(3) for k in range(2)]
    server.fail_answer_phase = True  # every answer phase fails: the thinking phases finish and are stored
    first = run_chat_requests(reqs, cfg, progress=False)
    assert not any(r.ok for r in first)
    assert all("budget step 1 (answer)" in r.error and "HTTP 500" in r.error for r in first)
    thinking_keys = {k for k, n in server.served_ok.items() if n}
    assert len(thinking_keys) == 6  # one thinking phase per sample, answered once

    server.fail_answer_phase = False
    second = run_chat_requests(reqs, cfg, progress=False)
    assert all(r.ok and r.budget["close"] == "forced" for r in second)
    assert all(server.served_ok[k] == 1 for k in thinking_keys)  # never regenerated
    assert sum(server.served_ok.values()) == 12  # 6 thinking + 6 answer phases, each once

    # A fresh reference run on its own store gives the same samples.
    ref = run_chat_requests(reqs, _config(server, tmp_path, "prefix", store_path=str(tmp_path / "ref")), progress=False)
    assert [(r.text, r.budget) for r in ref] == [(r.text, r.budget) for r in second]

    # Everything finished: a third run sends nothing.
    before = sum(server.received.values())
    third = run_chat_requests(reqs, cfg, progress=False)
    assert sum(server.received.values()) == before and all(r.from_store for r in third)
    assert [r.budget for r in third] == [r.budget for r in second]


@pytest.mark.parametrize("mode", ["prefix", "completions"])
def test_budget_under_random_faults_loses_and_duplicates_nothing(tmp_path, tokenizer_dir, mode):
    # Faults on the first attempt of 40% of all requests (each phase is its own request). "empty" is
    # left out: a continuation may legitimately be empty (a model that closes its thinking at once).
    faults = ("500", "503", "drop", "reset", "badjson", "truncjson")
    reqs = [_req(gen, f"Q{i} {tag} ANSWER={i} THINK={10 + i}", k) for i in range(12) for k in range(2)
            for tag, gen in (("b", {"thinking_budget": 12}), ("e", {"thinking_extend": 1}))]
    with FaultServer() as clean:
        ref = run_chat_requests(reqs, _config(clean, tmp_path, mode, tokenizer_dir, store_path=str(tmp_path / "r")),
                                progress=False)
    with FaultServer(random_fault_rate=0.4, random_faults=faults) as srv:
        cfg = _config(srv, tmp_path, mode, tokenizer_dir, num_concurrent=6, max_retries=4)
        got = run_chat_requests(reqs, cfg, progress=False)
        assert all(r.ok for r in got), [r.error for r in got if not r.ok]
        assert any(len(b) > 1 for b in srv.behaviours.values())  # faults did happen
        assert all(n == 1 for n in srv.served_ok.values())  # each phase answered exactly once
        assert [(r.text, r.budget, r.finish_reason) for r in got] == [(r.text, r.budget, r.finish_reason) for r in ref]
        summary = summarize_results(got, cfg)
        assert (summary.total, summary.ok, summary.failed) == (48, 48, 0)
        with SampleStore(cfg.store_file) as store:
            assert store.counts()["failed"] == 0
        before = sum(srv.received.values())
        run_chat_requests(reqs, cfg, progress=False)
        assert sum(srv.received.values()) == before


def test_budget_key_differs_from_unbudgeted_and_between_options(server, tmp_path):
    cfg = _config(server, tmp_path, "prefix")
    results = run_chat_requests([_req({}), _req({"thinking_budget": 16}), _req({"thinking_budget": 17})], cfg,
                                progress=False)
    assert len({r.key for r in results}) == 3
    assert results[0].budget is None and results[1].budget["thinking_tokens"] == 16
    assert results[2].budget["thinking_tokens"] == 17
    plan = BudgetPlan.of(_req({"thinking_budget": 16}), cfg)
    assert "thinking_budget" not in plan.request.gen_kwargs  # never sent to the server
    assert all("thinking_budget" not in p for p in server.payloads.values())


def test_lm_eval_model_returns_budget_with_each_response(server, tmp_path):
    k = 2
    ctx = json.dumps([{"role": "user", "content": "Q0 ANSWER=3 THINK=40"}])
    gen = {"until": [], "max_gen_toks": 100, "thinking_budget": "16", "thinking_extend": "1"}
    instances = [Instance("generate_until", {"id": 0}, (ctx, gen), idx=0, metadata=("r1_fake", 0, k))] * k
    lm = R1BenchChat.create_from_arg_string(
        f"base_url={server.base_url},model=fault-model,seed=0,budget_mode=prefix,store_path={tmp_path / 'st'},"
        f"summary_path={tmp_path / 'sum.json'},progress=false", {"batch_size": 1, "device": None})
    texts = lm.generate_until(instances)
    metas = [response_metadata(t) for t in texts]
    assert [m["budget"]["close"] for m in metas] == ["forced", "forced"]
    assert [m["budget"]["thinking_tokens"] for m in metas] == [16, 16]
    assert [m["usage"]["reasoning_tokens"] for m in metas] == [16, 16]
    assert all(t.endswith("Final answer: The answer is \\boxed{3}.") for t in texts)
    assert len({body_key(p) for p in server.payloads.values()}) == 4  # 2 samples x 2 phases, distinct seeds


def test_lm_eval_model_budget_without_mode_is_one_line(server, tmp_path):
    ctx = json.dumps([{"role": "user", "content": "Q0 ANSWER=3"}])
    inst = Instance("generate_until", {"id": 0}, (ctx, {"until": [], "thinking_budget": 8}), idx=0,
                    metadata=("r1_fake", 0, 1))
    lm = R1BenchChat.create_from_arg_string(f"base_url={server.base_url},model=fault-model,store_path={tmp_path}",
                                            {"batch_size": 1, "device": None})
    with pytest.raises(ValueError, match="budget_mode=prefix"):
        lm.generate_until([inst])
    assert sum(server.received.values()) == 0


def test_store_status_counts_samples_not_their_phases(server, tmp_path, capsys):
    from r1bench.api.__main__ import main as api_main

    cfg = _config(server, tmp_path, "prefix", max_retries=0)
    reqs = [_req({"thinking_budget": 16}, f"Q{i} ANSWER={i} THINK=30", 0) for i in range(3)]
    reqs.append(_req({}, "Q9 ANSWER=9 THINK=30", 0))  # one unbudgeted sample: one row, no phases
    assert all(r.ok for r in run_chat_requests(reqs, cfg, progress=False))
    with SampleStore(cfg.store_file) as store:
        # 4 samples; the 3 budgeted ones took 2 phases each (thinking cut at 16, then the answer).
        assert store.counts() == {"ok": 4, "failed": 0} and store.step_count() == 6
    assert api_main(["status", "--store", str(cfg.store_file)]) == 0
    assert "4 ok, 0 failed (+ 6 budget-forcing phases kept for resume)" in capsys.readouterr().out


@pytest.mark.parametrize("gen, thinking, close, extensions", [
    (None, 32, None, None),  # unbudgeted: <think> + 30 words + </think>, counted by the server
    ("thinking_budget=16", 16, "forced", 0),
    ("thinking_extend=1", 32 + 7, "natural", 1),  # + "Wait" + 6 more words, closed again
])
def test_r1bench_eval_through_r1bench_chat_honours_the_budget(tmp_path, gen, thinking, close, extensions):
    """The issue's command line, through r1bench-chat against a local server that thinks 30 words."""
    import os
    import subprocess
    import sys

    with FaultServer(think_default=30) as srv:
        args = [sys.executable, "-m", "r1bench.cli", "eval", "--model", "r1bench-chat", "--tasks", "r1_smoke",
                "--limit", "2", "--log_samples", "--output_path", str(tmp_path / "out"), "--no-view",
                "--model_args", f"base_url={srv.base_url},model=fault-model,budget_mode=prefix,progress=False,"
                f"store_path={tmp_path / 'store'}"]
        if gen:
            args += ["--gen_kwargs", gen]
        proc = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=600,
                              env=dict(os.environ, HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    (samples,) = (tmp_path / "out").rglob("samples_r1_smoke_*.jsonl")
    records = [json.loads(r) for line in samples.read_text().splitlines()
               for r in json.loads(line)["filtered_resps"][0]]
    assert len(records) == 2 * 2  # 2 questions, k = 2
    assert {r["reasoning_tokens"] for r in records} == {thinking}
    if close is None:
        assert all(r["budget"] is None for r in records)
    else:
        assert {(r["budget"]["close"], r["budget"]["extensions"]) for r in records} == {(close, extensions)}
        headline = "thinking budget 16: closed by force 100.0%" if gen.startswith("thinking_budget") else \
            "thinking extend 1: closed by force 0.0%, by the model 100.0%, extended 100.0%"
        assert headline in proc.stdout  # the headline says the run was budget-forced
