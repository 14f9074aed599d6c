"""Budget forcing in the local backends: r1bench-vllm's rounds (a stand-in engine that thinks for a
known number of tokens, then closes, then answers) and r1bench-hf's batched steps (a tiny random
Llama, and models biased to one token so the expected text is known)."""

from __future__ import annotations

import random
import re
from types import SimpleNamespace

import pytest
from local_model_helpers import FakeSamplingParams, biased_head, hf_model, instances

from r1bench.budget import FORCED_CLOSE
from r1bench.local.sampling import generate_with_store, open_store, plan_samples
from r1bench.local.vllm_core import VLLMSampler

EOS, CLOSE, WAIT, START = 2, 3, 4, 1
GEN = {"until": [], "do_sample": True, "temperature": 0.6, "top_p": 0.95, "max_gen_toks": 64}
IDENT = {"hub_id": "org/thinker", "revision": "main", "backend": "vllm"}
ANSWER = [50, 51, 52]  # " w50 w51 w52", then EOS


def tok_text(i: int) -> str:
    if i >= 1000:  # a character of an inserted string ("\n</think>\n\nFinal answer:")
        return chr(i - 1000)
    return {CLOSE: "</think>", WAIT: "Wait"}.get(i, f" w{i}")


def decode(ids: list[int]) -> str:
    return "".join(tok_text(i) for i in ids if i != EOS)


def encode_text(text: str) -> list[int]:
    ids = {"</think>": CLOSE, "Wait": WAIT}
    return [int(t[2:]) if t.startswith(" w") else ids[t] if t in ids else 1000 + ord(t)
            for t in re.findall(r" w\d+|</think>|Wait|.", text, re.S)]


def encode(contexts, max_gen_toks):
    return [[ord(c) % 50 + 20 for c in text] + [START] for text in contexts]


Params = FakeSamplingParams


def plan(context_seed: int) -> int:
    """The thinking length T (3..20) the stand-in draws for a sample from its first request's seed."""
    return random.Random(context_seed).randint(3, 20)


class Thinker:
    """Shaped like ``vllm.LLM``. The continuation after the prompt's START token is read back: the
    first thinking token (10 + T) says how long this sample thinks (T, plus 5 per "Wait"); then it
    writes ``</think>`` (token CLOSE), and after a close it answers ANSWER + EOS. Stop strings and
    ``max_tokens`` end a completion as vLLM's do (``stop_reason`` names the string)."""

    def __init__(self) -> None:
        self.calls: list[list[Params]] = []

    def _script(self, cont: list[int], seed: int) -> list[int]:
        if CLOSE in cont:  # answering: what is left of ANSWER + EOS after the last close
            after = cont[len(cont) - cont[::-1].index(CLOSE):]
            return (ANSWER + [EOS])[sum(t in ANSWER for t in after):]
        think = [t for t in cont if 10 <= t < 1000]
        total = (think[0] - 10 if think else plan(seed)) + 5 * cont.count(WAIT)
        out = [] if think else [10 + plan(seed)]
        out += [30 + (len(think) + len(out) + j) % 50 for j in range(total - len(think) - len(out))]
        return out + [CLOSE]

    def generate(self, prompts, sampling_params, use_tqdm=False):
        self.calls.append(list(sampling_params))
        outs = []
        for prompt, params in zip(prompts, sampling_params):
            ids = prompt["prompt_token_ids"]
            cont = ids[len(ids) - ids[::-1].index(START):]
            comps = []
            for child in range(params.n):
                script, toks, reason, why = self._script(cont, params.seed + child), [], "length", None
                for t in script[: params.max_tokens]:
                    toks.append(t)
                    if t == EOS:
                        reason = "stop"
                        break
                    if tok_text(t) in params.stop:
                        reason, why = "stop", tok_text(t)
                        break
                comps.append(SimpleNamespace(index=child, text=decode([t for t in toks if tok_text(t) != why]),
                                             token_ids=toks, finish_reason=reason, stop_reason=why))
            outs.append(SimpleNamespace(outputs=comps))
        return outs


def run_vllm(tmp_path, gen, k=3, questions=2, store="s", llm=None):
    llm = llm or Thinker()
    sampler = VLLMSampler(llm, make_params=Params, encode=encode, decode=decode, encode_text=encode_text,
                          eos=None, default_max_gen_toks=64)
    reqs = [SimpleNamespace(args=(f"question {q}", dict(gen))) for q in range(questions) for _ in range(k)]
    specs = plan_samples(reqs, backend="vllm", identity=IDENT, base_seed=1234)
    with open_store(tmp_path / store) as st:
        out = generate_with_store(specs, sampler, store=st, model_name="m", progress=False)
    return out, specs, llm


def test_vllm_budget_forces_the_close_at_b_tokens_then_answers(tmp_path):
    b = 2  # under every sample's thinking length (T >= 3): all closes are forced
    out, specs, llm = run_vllm(tmp_path, {**GEN, "thinking_budget": b})
    first = llm.calls[0]
    assert [(p.n, p.max_tokens, p.stop) for p in first] == [(3, b, ["</think>"])] * 2
    assert [p.seed for p in first] == [specs[0].seed, specs[3].seed]
    assert all("thinking_budget" not in vars(p) for call in llm.calls for p in call)
    for spec, resp in zip(specs, out):
        t = plan(spec.seed)
        assert str(resp) == f" w{10 + t} w31" + FORCED_CLOSE + "Final answer: w50 w51 w52"
        assert resp.budget == {"thinking_budget": b, "thinking_extend": 0, "thinking_tokens": b,
                               "answer_tokens": 4, "close": "forced", "extensions": 0}
        assert resp.finish_reason == "stop" and resp.usage == {"completion_tokens": b + 4, "reasoning_tokens": b}
    answer_round = llm.calls[1]  # every sample's answer step: n=1, its own seed, the rest of max_gen_toks
    assert [(p.n, p.max_tokens, p.stop) for p in answer_round] == [(1, 64 - b, [])] * 6
    assert len({p.seed for p in answer_round}) == 6


def test_vllm_budget_above_the_thinking_length_is_a_natural_close(tmp_path):
    out, specs, _ = run_vllm(tmp_path, {**GEN, "thinking_budget": 40})
    for spec, resp in zip(specs, out):
        t = plan(spec.seed)
        assert resp.budget["close"] == "natural" and resp.budget["thinking_tokens"] == t + 1  # + its </think>
        assert str(resp).count("</think>") == 1 and str(resp).endswith("</think> w50 w51 w52")
        assert resp.usage["completion_tokens"] == t + 1 + 4


def test_vllm_extend_replaces_the_first_close_with_wait(tmp_path):
    out, specs, _ = run_vllm(tmp_path, {**GEN, "thinking_extend": 1})
    for spec, resp in zip(specs, out):
        t = plan(spec.seed)
        assert resp.budget["extensions"] == 1 and resp.budget["close"] == "natural"
        # T tokens, Wait, 5 more, then the second close is kept.
        assert resp.budget["thinking_tokens"] == (t + 1) + (5 + 1)
        head, tail = str(resp).split("Wait")
        assert len(encode_text(head)) == t and tail.endswith("</think> w50 w51 w52")


def test_vllm_max_gen_toks_before_the_budget_is_a_length_cut(tmp_path):
    out, _, _ = run_vllm(tmp_path, {**GEN, "max_gen_toks": 2, "thinking_budget": 16})
    assert all(r.finish_reason == "length" and r.budget["close"] == "none" for r in out)
    assert all(r.usage == {"completion_tokens": 2} for r in out)


def test_vllm_budget_resumes_from_the_store_with_the_same_records(tmp_path):
    gen = {**GEN, "thinking_budget": 4}
    first, _, _ = run_vllm(tmp_path, gen)
    again, _, llm = run_vllm(tmp_path, gen)
    assert llm.calls == [] and all(r.from_store for r in again)
    assert [(str(r), r.budget, r.usage, r.finish_reason) for r in again] == \
        [(str(r), r.budget, r.usage, r.finish_reason) for r in first]
    # The unbudgeted run keys differ: nothing of the budgeted run is reused for it.
    plain, _, llm2 = run_vllm(tmp_path, GEN)
    assert sum(p.n for call in llm2.calls[:1] for p in call) == 6 and all(r.budget is None for r in plain)


# ----------------------------------------------------------------------------------------------- hf


@pytest.mark.parametrize(
    ("cont", "stops", "close_id", "close_str", "loop_at", "expected"),
    [
        ([1, 2, 3], [], None, None, None, ("abc", 3, "length")),  # the step's limit (3 tokens)
        ([1, 0, 0], [], None, None, None, ("a", 2, "eos")),  # end of sequence (id 0), counted
        ([1, 2, 7, 3], [], 7, None, None, ("ab", 3, "close")),  # </think> as one token (id 7), counted
        ([1, 2, 3, 4], [], None, "cd", None, ("ab", 4, "close")),  # </think> as a string over 2 tokens
        ([1, 2, 3, 4], ["b"], None, "cd", None, ("a", 2, "eos")),  # a user stop string before it
        ([1, 2, 2, 2], [], None, None, 2, ("ab", 2, "loop")),  # the loop guard fired after 2 tokens
        ([1, 2, 7, 3], [], None, None, None, ("abgc", 4, "length")),  # answer phase: no close id
    ],
)
def test_hf_finish_piece(cont, stops, close_id, close_str, loop_at, expected):
    from r1bench.local.hf import finish_piece

    piece = finish_piece(cont, eos_ids={0}, close_id=close_id, pad_id=9, loop_at=loop_at, limit=len(cont),
                         stops=stops, close_str=close_str, decode=lambda ids: "".join(chr(96 + t) for t in ids))
    assert (piece.text, piece.tokens, piece.ended) == expected


def test_hf_budget_forced_close_text_and_counts(tiny_llama, tmp_path):
    lm = hf_model(tiny_llama, tmp_path / "s")
    biased_head(lm, lm.tokenizer.encode(" the", add_special_tokens=False)[0])
    (out,) = lm.generate_until(instances(1, 1, {**GEN, "max_gen_toks": 12, "thinking_budget": 5}))
    assert str(out) == " the" * 5 + FORCED_CLOSE + "Final answer:" + " the" * 7
    assert out.finish_reason == "length" and out.usage == {"completion_tokens": 12, "reasoning_tokens": 5}
    assert out.budget == {"thinking_budget": 5, "thinking_extend": 0, "thinking_tokens": 5, "answer_tokens": 7,
                          "close": "forced", "extensions": 0}


def test_hf_extend_replaces_an_end_of_output_while_thinking_with_wait(tiny_llama, tmp_path):
    lm = hf_model(tiny_llama, tmp_path / "s")
    biased_head(lm, lm.tokenizer.eos_token_id)
    (out,) = lm.generate_until(instances(1, 1, {**GEN, "max_gen_toks": 12, "thinking_extend": 1}))
    # EOS at once (1 token), "Wait", EOS again: the model ended while thinking, no close.
    assert str(out) == "Wait" and out.finish_reason == "stop" and out.usage == {"completion_tokens": 2}
    assert (out.budget["extensions"], out.budget["close"], out.budget["thinking_tokens"]) == (1, "none", 2)


def test_hf_budget_samples_are_seeded_per_row_stored_and_resumed(tiny_llama, tmp_path):
    gen = {**GEN, "max_gen_toks": 8, "thinking_budget": 3}
    reqs = instances(2, 2, gen)
    one = hf_model(tiny_llama, tmp_path / "a", batch_size=1).generate_until(reqs)
    assert all(r.budget["close"] == "forced" and r.usage["completion_tokens"] == 8 for r in one)
    assert all(FORCED_CLOSE + "Final answer:" in r for r in one) and len(set(one)) == 4
    batched = hf_model(tiny_llama, tmp_path / "b", batch_size=4).generate_until(reqs)
    assert list(batched) == list(one)  # each row its own generator, whatever the batch
    again = hf_model(tiny_llama, tmp_path / "a").generate_until(reqs)
    assert all(r.from_store for r in again)
    assert [(str(r), r.budget, r.usage) for r in again] == [(str(r), r.budget, r.usage) for r in one]


def test_hf_bad_budget_option_is_one_line_before_generating(tiny_llama, tmp_path):
    lm = hf_model(tiny_llama, tmp_path / "s")
    with pytest.raises(ValueError, match=r"^thinking_budget must be an integer >= 1, got 'x'$"):
        lm.generate_until(instances(1, 1, {**GEN, "thinking_budget": "x"}))


def test_vllm_budget_steps_run_in_chunks_under_the_loop_guard_with_the_same_result(tmp_path):
    from r1bench.local.loop_guard import LoopGuard

    gen = {**GEN, "thinking_budget": 12}
    plain, _, _ = run_vllm(tmp_path, gen, store="plain")
    llm = Thinker()
    sampler = VLLMSampler(llm, make_params=Params, encode=encode, decode=decode, encode_text=encode_text,
                          eos=None, default_max_gen_toks=64, guard=LoopGuard(min_repeats=8, min_tokens=64),
                          chunk_tokens=3)
    reqs = [SimpleNamespace(args=(f"question {q}", dict(gen))) for q in range(2) for _ in range(3)]
    specs = plan_samples(reqs, backend="vllm", identity=IDENT, base_seed=1234)
    with open_store(tmp_path / "chunked") as st:
        chunked = generate_with_store(specs, sampler, store=st, model_name="m", progress=False)
    assert all(p.max_tokens <= 3 for call in llm.calls for p in call) and len(llm.calls) > 4
    assert [(str(r), r.budget, r.usage) for r in chunked] == [(str(r), r.budget, r.usage) for r in plain]


@pytest.mark.parametrize(("extend", "thinking", "extensions"), [(0, 1, 0), (1, 2, 1)])
def test_hf_close_as_one_token_ends_the_thinking(tiny_llama_close, tmp_path, extend, thinking, extensions):
    lm = hf_model(tiny_llama_close, tmp_path / "s")
    close_id = lm._think_close_id()
    assert close_id is not None
    biased_head(lm, close_id)  # the model writes </think> at once, every time
    gen = {**GEN, "max_gen_toks": 6, "thinking_budget": 4, "thinking_extend": extend}
    (out,) = lm.generate_until(instances(1, 1, gen))
    # Thinking: the close token (counted), or with one extension: close -> "Wait", close again.
    # Answer: no stop at </think> any more, so the model writes it until max_gen_toks.
    assert str(out) == "Wait" * extensions + "</think>" + "</think>" * (6 - thinking)
    assert out.budget["close"] == "natural" and out.budget["thinking_tokens"] == thinking
    assert out.budget["extensions"] == extensions and out.usage["completion_tokens"] == 6
