"""r1bench-hf / r1bench-vllm: store keys, resume, distinct seeds, finish reasons, n=k, loop guard.

The vLLM logic runs against a stand-in engine shaped like vLLM (``generate(prompts, params)``
returning RequestOutput-like objects whose parallel samples follow vLLM V1's rule: child ``c`` of a
request seeded ``s`` is seeded ``s + c``). The hf logic runs on a tiny random Llama built here.
"""

from __future__ import annotations

import random
from pathlib import Path
from types import SimpleNamespace

import pytest
from local_model_helpers import FakeSamplingParams, biased_head, hf_model, instances

from r1bench.local.loop_guard import LoopGuard, find_token_loop
from r1bench.local.sampling import Generation, generate_with_store, open_store, plan_samples
from r1bench.local.vllm_core import VLLMSampler

GEN = {"until": [], "do_sample": True, "temperature": 0.6, "top_p": 0.95, "max_gen_toks": 40}
IDENT = {"hub_id": "org/model", "revision": "main", "backend": "hf"}


def _req(context, gen=GEN):
    return SimpleNamespace(args=(context, dict(gen)))


def _plan(reqs, identity=IDENT, seed=1234, options=None):
    return plan_samples(reqs, backend="hf", identity=identity, base_seed=seed, options=options)


# ----------------------------------------------------------------------------- keys and seeds


@pytest.mark.parametrize(
    ("change", "same_key"),
    [
        ({}, True),  # the same sample of the same request
        ({"identity": {**IDENT, "revision": "v2"}}, False),  # another revision of the model
        ({"identity": {**IDENT, "adapter": "abc123"}}, False),  # an adapter on top
        ({"identity": {**IDENT, "dtype": "bfloat16"}}, False),
        ({"context": "Q2"}, False),  # another prompt
        ({"gen": {**GEN, "temperature": 1.0}}, False),  # other generation parameters
        ({"gen": {**GEN, "max_gen_toks": 41}}, False),
        ({"options": {"loop_guard": {"min_repeats": 8}}}, False),  # guarded vs unguarded
        ({"seed": 7}, False),  # another base seed
        ({"index": 1}, False),  # the next sample of the same request
    ],
)
def test_store_key_changes_with_what_changes_the_sample(change, same_key):
    base = _plan([_req("Q1"), _req("Q1")])[0]
    reqs = [_req(change.get("context", "Q1"), change.get("gen", GEN))] * (change.get("index", 0) + 1)
    other = _plan(reqs, identity=change.get("identity", IDENT), seed=change.get("seed", 1234),
                  options=change.get("options"))[change.get("index", 0)]
    assert (base.key == other.key) is same_key


def test_repeats_get_consecutive_distinct_seeds_whatever_the_order():
    k = 4
    reqs = [_req("A")] * k + [_req("B")] * k
    specs = _plan(reqs)
    assert [s.sample_index for s in specs] == [0, 1, 2, 3] * 2
    a = [s.seed for s in specs[:k]]
    assert a == list(range(a[0], a[0] + k))  # group seed + index: what vLLM's n=k uses
    assert len({s.key for s in specs}) == 2 * k
    # Interleaved order (another batch layout): each (prompt, index) keeps its seed and key.
    mixed = _plan([_req("B"), _req("A")] * k)
    assert {(s.context, s.sample_index): s.key for s in mixed} == {(s.context, s.sample_index): s.key for s in specs}


# ----------------------------------------------------------------------------- store and resume


class _Killed(Exception):
    pass


def _engine(calls, kill_after=None):
    """Engine stand-in: a sample's text is a function of its seed; yields one sample per batch."""

    def run(specs):
        for spec in specs:
            if kill_after is not None and len(calls) >= kill_after:
                raise _Killed
            calls.append(spec.key)
            yield [(spec, Generation(f"text seed={spec.seed}", "stop", 3))]

    return run


def test_resume_generates_each_sample_once_and_matches_an_uninterrupted_run(tmp_path):
    reqs = [_req(f"Q{q}") for q in range(3) for _ in range(4)]
    specs = _plan(reqs)
    ref_calls: list[str] = []
    with open_store(tmp_path / "ref") as store:
        reference = generate_with_store(specs, _engine(ref_calls), store=store, model_name="m", progress=False)
    assert len(set(reference)) == 12  # k distinct samples per question

    calls: list[str] = []
    with open_store(tmp_path / "run") as store, pytest.raises(_Killed):
        generate_with_store(specs, _engine(calls, kill_after=5), store=store, model_name="m", progress=False)
    assert len(calls) == 5
    with open_store(tmp_path / "run") as store:
        resumed = generate_with_store(specs, _engine(calls), store=store, model_name="m", progress=False)
    assert sorted(calls) == sorted(ref_calls)  # every sample generated exactly once overall
    assert list(resumed) == list(reference)
    assert [r.from_store for r in resumed] == [True] * 5 + [False] * 7
    assert all(r.finish_reason == "stop" and r.usage == {"completion_tokens": 3} for r in resumed)
    assert all(r.source == "engine" for r in resumed)


# ----------------------------------------------------------------------------- vLLM stand-in

EOS_ID = 2
LOOP_MARK = 7  # a prompt holding this token makes the stand-in loop on a 4-token cycle


FakeParams = FakeSamplingParams


class FakeLLM:
    """Shaped like ``vllm.LLM``: ``generate(prompts, sampling_params)`` -> RequestOutput-likes."""

    def __init__(self, refuse_n: bool = False) -> None:
        self.refuse_n = refuse_n
        self.calls: list[list[FakeParams]] = []
        self.tokens = 0

    def _sample(self, prompt: list[int], seed: int, max_tokens: int):
        if LOOP_MARK in prompt:
            ids = [10 + (len(prompt) + i) % 4 for i in range(max_tokens)]
            return ids, "length"
        rng = random.Random(f"{prompt}:{seed}")
        body = [rng.randint(10, 99) for _ in range(rng.randint(1, 30))] + [EOS_ID]
        return (body[:max_tokens], "length") if len(body) > max_tokens else (body, "stop")

    def generate(self, prompts, sampling_params, use_tqdm=False):
        assert len(prompts) == len(sampling_params)
        if self.refuse_n and any(p.n > 1 for p in sampling_params):
            raise ValueError("n > 1 is not supported by this engine")
        self.calls.append(list(sampling_params))
        outs = []
        for prompt, params in zip(prompts, sampling_params):
            comps = []
            for child in reversed(range(params.n)):  # vLLM may finish children in any order
                ids, reason = self._sample(prompt["prompt_token_ids"], params.seed + child, params.max_tokens)
                self.tokens += len(ids)
                text = " ".join(str(t) for t in ids if t != EOS_ID)
                comps.append(SimpleNamespace(index=child, text=text, token_ids=ids, finish_reason=reason))
            outs.append(SimpleNamespace(outputs=comps))
        return outs


def _encode(contexts, max_gen_toks):
    return [[ord(c) % 50 + 20 for c in text] + ([LOOP_MARK] if "loop" in text else []) for text in contexts]


def _sampler(llm, **kw):
    return VLLMSampler(llm, make_params=FakeParams, encode=_encode, eos=None, default_max_gen_toks=16,
                       decode=lambda ids: " ".join(str(t) for t in ids if t != EOS_ID), **kw)


def _run_vllm(tmp_path, reqs, sampler, store="store"):
    specs = plan_samples(reqs, backend="vllm", identity=IDENT, base_seed=1234)
    with open_store(tmp_path / store) as st:
        return generate_with_store(specs, sampler, store=st, model_name="m", progress=False)


def test_vllm_k_samples_of_a_question_go_in_one_request(tmp_path):
    k = 4
    reqs = [_req(f"question {q}") for q in range(3) for _ in range(k)]
    llm = FakeLLM()
    out = _run_vllm(tmp_path, reqs, _sampler(llm))
    (call,) = llm.calls  # one generate() for the whole wave
    assert [p.n for p in call] == [k, k, k]
    specs = plan_samples(reqs, backend="vllm", identity=IDENT, base_seed=1234)
    assert [p.seed for p in call] == [specs[q * k].seed for q in range(3)]
    # Sample i of a question is the child seeded group_seed + i, in order, all distinct.
    for q in range(3):
        assert len(set(out[q * k:(q + 1) * k])) == k

    # The same run with one request per sample draws exactly the same samples.
    single = FakeLLM()
    again = _run_vllm(tmp_path, reqs, _sampler(single, n_per_request=False), store="store2")
    assert list(again) == list(out)
    assert [p.n for p in single.calls[0]] == [1] * 12


def test_vllm_falls_back_to_separate_requests_when_the_engine_refuses_n(tmp_path):
    reqs = [_req("question") for _ in range(3)]
    ref = _run_vllm(tmp_path, reqs, _sampler(FakeLLM()), store="ref")
    llm = FakeLLM(refuse_n=True)
    sampler = _sampler(llm)
    out = _run_vllm(tmp_path, reqs, sampler)
    assert list(out) == list(ref) and sampler.n_per_request is False
    assert [p.n for p in llm.calls[0]] == [1, 1, 1]


def test_vllm_resume_sends_only_the_missing_indices_and_matches(tmp_path):
    reqs4 = [_req("question")] * 4
    full = _run_vllm(tmp_path, reqs4, _sampler(FakeLLM()), store="full")
    llm = FakeLLM()
    _run_vllm(tmp_path, reqs4[:2], _sampler(llm))  # an earlier run with k=2: samples 0 and 1 stored
    llm2 = FakeLLM()
    out = _run_vllm(tmp_path, reqs4, _sampler(llm2))
    (call,) = llm2.calls
    assert [(p.n, p.seed) for p in call] == [(2, _plan(reqs4)[0].seed + 2)]
    assert list(out) == list(full) and [r.from_store for r in out] == [True, True, False, False]


@pytest.mark.parametrize("max_gen_toks", [200, 5])  # all samples end / most are cut
def test_vllm_finish_reasons_and_token_counts_are_the_engines(tmp_path, max_gen_toks):
    gen = {**GEN, "max_gen_toks": max_gen_toks}
    reqs = [_req(f"q{q}", gen) for q in range(6) for _ in range(2)]
    llm = FakeLLM()
    out = _run_vllm(tmp_path, reqs, _sampler(llm))
    specs = plan_samples(reqs, backend="vllm", identity=IDENT, base_seed=1234)
    for spec, resp in zip(specs, out):
        ids, reason = llm._sample(_encode([spec.context], 0)[0], spec.seed, max_gen_toks)
        assert resp.finish_reason == reason and resp.usage["completion_tokens"] == len(ids)


def test_vllm_loop_guard_stops_a_looping_sample_between_chunks(tmp_path):
    gen = {**GEN, "max_gen_toks": 4096}
    reqs = [_req("this one will loop", gen), _req("short", gen)]
    guard = LoopGuard(min_repeats=8, min_tokens=64, max_period=64)
    llm = FakeLLM()
    out = _run_vllm(tmp_path, reqs, _sampler(llm, guard=guard, chunk_tokens=128))
    assert out[0].finish_reason == "loop" and out[0].usage["completion_tokens"] == 128
    assert out[1].finish_reason == "stop"
    unguarded = FakeLLM()
    plain = _run_vllm(tmp_path, reqs, _sampler(unguarded), store="plain")
    assert plain[0].finish_reason == "length" and plain[0].usage["completion_tokens"] == 4096
    assert unguarded.tokens - llm.tokens == 4096 - 128


# ----------------------------------------------------------------------------- loop detection


@pytest.mark.parametrize(
    ("ids", "period"),
    [
        ([5] * 128, 1),  # one token 128 times
        ([5] * 127, None),  # one short of min_tokens
        ([1, 2, 3] + [9, 8, 7, 6] * 32, 4),  # a 4-token span 32 times after a prefix
        ([9, 8, 7, 6] * 31 + [9, 8, 7], None),  # 127 tokens of it: not yet
        (list(range(40)) * 8, 40),  # a 40-token span 8 times (320 tokens)
        (list(range(40)) * 7, None),  # only 7 times
        (list(range(300)), None),  # no repetition
        ([1, 2] * 100 + [3], None),  # the loop was left
    ],
)
def test_find_token_loop(ids, period):
    assert find_token_loop(ids, LoopGuard(min_repeats=8, min_tokens=128, max_period=64)) == period


# ----------------------------------------------------------------------------- hf


def _decode(ids):
    return "".join(chr(96 + t) for t in ids)


@pytest.mark.parametrize(
    ("cont", "loop_at", "until", "expected"),
    [
        ([1, 2, 0, 0], None, [], ("ab", "stop", 3)),  # EOS (id 0) is counted; padding after it is not
        ([1, 2, 3, 4], None, [], ("abcd", "length", 4)),  # the cap, no EOS
        ([1, 2, 3, 4], 2, [], ("ab", "loop", 2)),  # the guard fired after 2 tokens
        ([1, 0, 3, 3], 3, [], ("a", "stop", 2)),  # EOS before the guard fired
        ([1, 2, 3, 9, 9], None, ["c"], ("ab", "stop", 3)),  # stop string "c", then pad (9) rows
        ([1, 2, 3, 4, 5], None, ["cd"], ("ab", "stop", 4)),  # a stop string over two tokens
    ],
)
def test_hf_finish_row(cont, loop_at, until, expected):
    from r1bench.local.hf import finish_row

    gen = finish_row(cont, eos_ids={0}, pad_id=9, loop_at=loop_at, max_new_tokens=4 if len(cont) == 4 else 5,
                     until=until, decode=_decode)
    assert (gen.text, gen.finish_reason, gen.completion_tokens) == expected


def _count_generate(lm):
    calls = []
    original = lm.model.generate

    def counted(*a, **kw):
        calls.append(kw["input_ids"].shape[0])
        return original(*a, **kw)

    lm.model.generate = counted
    return calls


def test_hf_samples_are_seeded_per_row_stored_and_resumed(tiny_llama, tmp_path):
    gen = {**GEN, "max_gen_toks": 6}
    reqs = instances(2, 3, gen)
    one = hf_model(tiny_llama, tmp_path / "a", batch_size=1)
    calls = _count_generate(one)
    texts = one.generate_until(reqs)
    assert sum(calls) == 6
    assert len(set(texts[:3])) == 3 and len(set(texts[3:])) == 3  # k distinct samples
    assert all(t.finish_reason == "length" and t.usage["completion_tokens"] == 6 for t in texts)
    # Another batch size draws the same samples: each row has its own generator.
    batched = hf_model(tiny_llama, tmp_path / "b", batch_size=3)
    assert list(batched.generate_until(reqs)) == list(texts)
    # A re-run reads them all from the store and generates nothing.
    again = hf_model(tiny_llama, tmp_path / "a")
    calls = _count_generate(again)
    resumed = again.generate_until(reqs)
    assert calls == [] and list(resumed) == list(texts) and all(r.from_store for r in resumed)
    assert [r.finish_reason for r in resumed] == ["length"] * 6


def test_hf_finish_reason_stop_counts_the_eos_token(tiny_llama, tmp_path):
    lm = hf_model(tiny_llama, tmp_path / "s")
    biased_head(lm, lm.tokenizer.eos_token_id)
    (out,) = lm.generate_until(instances(1, 1, {**GEN, "max_gen_toks": 8}))
    assert out == "" and out.finish_reason == "stop" and out.usage == {"completion_tokens": 1}


def test_hf_loop_guard_stops_a_looping_sample(tiny_llama, tmp_path):
    gen = {**GEN, "max_gen_toks": 200}
    guarded = hf_model(tiny_llama, tmp_path / "g", loop_guard="true", loop_guard_min_tokens=32,
                  loop_guard_check_every=8)
    plain = hf_model(tiny_llama, tmp_path / "p")
    token = guarded.tokenizer.encode(" the", add_special_tokens=False)[0]
    biased_head(guarded, token)
    biased_head(plain, token)
    (looped,) = guarded.generate_until(instances(1, 1, gen))
    (capped,) = plain.generate_until(instances(1, 1, gen))
    assert capped.finish_reason == "length" and capped.usage["completion_tokens"] == 200
    assert looped.finish_reason == "loop" and looped.usage["completion_tokens"] == 32
    assert looped == " the" * 32


def test_local_models_are_registered_lazily():
    from lm_eval.api.registry import get_model, model_registry

    import r1bench.local  # noqa: F401  (registers; vLLM itself is not imported)

    assert get_model("r1bench-hf").__name__ == "R1BenchHF"
    assert get_model("hf").__name__ == "HFLM"  # lm-eval's own models are still there
    assert "r1bench-vllm" in model_registry.keys()


# ----------------------------------------------------------------------------- records


@pytest.mark.parametrize(
    ("text", "finish_reason", "tokens", "truncated", "loop"),
    [
        ("<think>ok</think>\\boxed{5}", "stop", 12, False, False),  # ended by EOS
        ("<think>ok</think>\\boxed{5} and then", "length", 100, True, False),  # at the cap
        ("<think>again again", "loop", 40, True, True),  # stopped by the loop guard
    ],
)
def test_records_take_the_engines_finish_reason_and_counts(tmp_path, text, finish_reason, tokens, truncated, loop):
    import json

    from r1bench.lm_eval import filter as r1filter
    from r1bench.lm_eval import hooks
    from r1bench.response import Response

    doc = hooks.stamp_docs([{"id": "q1", "kind": "math", "problem": "2+3?", "answer": "5"}], task="r1_test",
                          k=1, prompt_spec="deepseek-r1", max_gen_toks=100)[0]
    out = Response(text, finish_reason=finish_reason, usage={"completion_tokens": tokens}, source="engine")
    (rec,) = r1filter.score_doc(doc, [out])
    assert rec["finish_reason"] == finish_reason and rec["completion_tokens"] == tokens
    assert rec["tokens_estimated"] is False and rec["extra"]["token_count"] == "engine"
    assert rec["truncated"] is truncated and rec["loop_detected"] is loop
    # A rescoring in a new process (plain strings, the saved records) gives the same records.
    saved = [json.loads(str(rec))]
    assert [dict(r) for r in r1filter.score_doc(doc, [str(out)], saved)] == saved


def test_r1bench_eval_with_r1bench_hf_carries_finish_reasons_to_the_samples_file(tiny_llama, tmp_path):
    """Through lm-eval's own evaluator: the Response objects reach the r1 filter intact."""
    import json
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "out"
    env = dict(os.environ, OMP_NUM_THREADS="1", R1BENCH_LOCAL_STORE=str(tmp_path / "store"),
               PYTHONPATH=os.pathsep.join([str(root), str(root / "training"), os.environ.get("PYTHONPATH", "")]))
    cmd = [sys.executable, "-m", "r1bench.cli", "eval", "--model", "r1bench-hf", "--model_args",
           f"pretrained={tiny_llama},dtype=float32,progress=false", "--device", "cpu", "--tasks", "r1_smoke",
           "--limit", "2", "--max-gen-toks", "8", "--output_path", str(out), "--log_samples"]
    proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (path,) = out.glob("*/samples_r1_smoke_*.jsonl")
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    records = [json.loads(r) for line in lines for r in line["filtered_resps"][0]]
    assert len(records) == 4
    for rec in records:  # a random model rarely ends within 8 tokens: each is "length" at 8 or "stop"
        assert rec["extra"]["token_count"] == "engine" and rec["tokens_estimated"] is False
        assert (rec["finish_reason"], rec["completion_tokens"] == 8) in {("length", True), ("stop", False)}
    assert [line["resps"][0] for line in lines] == [[r["raw_output"] for r in
                                                    (json.loads(x) for x in line["filtered_resps"][0])]
                                                   for line in lines]
