"""Tokens the opt-in loop guard (``loop_guard=true``) saves on looping students, and what it costs.

    python benchmarks/loop_guard_savings.py                 # vLLM-path stand-in + hf tiny model
    python benchmarks/loop_guard_savings.py --samples 2000 --max-gen-toks 32768 --skip-hf

1. r1bench-vllm's sampler (:class:`r1bench.local.vllm_core.VLLMSampler`, chunked loop check)
   over a stand-in engine that behaves like a looping 1B student at the R1 protocol's 32,768-token
   cap: every sample writes a random "reasoning" prefix (200-6,000 tokens, no repeats); a share
   ``--loop-share`` of them then repeat one span (period 5-300 tokens, the sentence-to-paragraph
   loops reported for 0.5B-1B distills) until the cap, the others end with EOS after 100-4,000
   more tokens. Prints tokens generated without and with the guard, tokens saved, how many looping
   samples were stopped and how many ending samples were wrongly stopped (must be 0).
2. r1bench-hf on a tiny random Llama (hidden 64, 2 layers) whose output head is biased to one
   token (a period-1 loop) at ``--hf-max-gen-toks``: tokens and wall time without and with the
   guard (``transformers`` StoppingCriteria checked every 16 tokens), and the guard's overhead on
   a non-looping sample of the same length.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from r1bench.local.loop_guard import LoopGuard  # noqa: E402
from r1bench.local.sampling import generate_with_store, open_store, plan_samples  # noqa: E402
from r1bench.local.vllm_core import VLLMSampler  # noqa: E402

EOS = 2


class LoopingStudent:
    """vLLM-shaped stand-in: ``generate(prompts, params)``; each sample's whole token sequence is
    fixed by its prompt's first id (the sample id), so a continuation continues the same sample."""

    def __init__(self, cap: int, loop_share: float, seed: int = 0) -> None:
        self.cap, self.loop_share, self.seed = cap, loop_share, seed
        self.tokens = 0
        self._cache: dict[int, tuple[list[int], bool]] = {}

    def sequence(self, sid: int) -> tuple[list[int], bool]:
        if sid not in self._cache:
            rng = random.Random(f"{self.seed}:{sid}")
            prefix = [rng.randint(100, 50_000) for _ in range(rng.randint(200, 6000))]
            if rng.random() < self.loop_share:
                span = [rng.randint(100, 50_000) for _ in range(rng.randint(5, 300))]
                body = (prefix + span * (self.cap // len(span) + 1))[: self.cap]
                self._cache[sid] = (body, True)
            else:
                tail = [rng.randint(100, 50_000) for _ in range(rng.randint(100, 4000))]
                self._cache[sid] = ((prefix + tail)[: self.cap - 1] + [EOS], False)
        return self._cache[sid]

    def generate(self, prompts, sampling_params, use_tqdm=False):
        outs = []
        for prompt, params in zip(prompts, sampling_params):
            ids = prompt["prompt_token_ids"]
            seq, _ = self.sequence(ids[0])
            done = len(ids) - 1  # prompt = [sample id] + tokens generated so far
            piece = seq[done : done + params.max_tokens]
            reason = "stop" if piece and piece[-1] == EOS else "length"
            self.tokens += len(piece)
            outs.append(SimpleNamespace(outputs=[SimpleNamespace(index=0, text="", token_ids=piece,
                                                                 finish_reason=reason)]))
        return outs


class Params(SimpleNamespace):
    def __init__(self, **kw):
        super().__init__(**kw)


def run_vllm_stand_in(n: int, cap: int, loop_share: float, chunk: int) -> None:
    reqs = [SimpleNamespace(args=(f"sample {i}", {"until": [], "max_gen_toks": cap, "temperature": 0.6}))
            for i in range(n)]
    specs = plan_samples(reqs, backend="vllm", identity={"bench": "loop"}, base_seed=0)
    rows = {}
    for label, guard in (("no guard", None), ("loop guard", LoopGuard())):
        engine = LoopingStudent(cap, loop_share)
        sampler = VLLMSampler(engine, make_params=Params,
                              encode=lambda ctxs, _m: [[int(c.split()[1])] for c in ctxs],
                              eos=None, default_max_gen_toks=cap, guard=guard, chunk_tokens=chunk)
        start = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp)) as store:
            out = generate_with_store(specs, sampler, store=store, model_name="stand-in", progress=False)
        elapsed = time.perf_counter() - start
        looping = [engine.sequence(i)[1] for i in range(n)]
        stopped = [r.finish_reason == "loop" for r in out]
        rows[label] = (engine.tokens, elapsed, sum(s and lp for s, lp in zip(stopped, looping)),
                       sum(s and not lp for s, lp in zip(stopped, looping)), sum(looping))
    base, guarded = rows["no guard"][0], rows["loop guard"][0]
    print(f"== vLLM path, stand-in looping student: {n} samples, cap {cap} tokens, "
          f"{loop_share:.0%} looping (period 5-300), chunk {chunk} tokens, guard {LoopGuard()}")
    for label, (tokens, elapsed, caught, wrong, n_loop) in rows.items():
        print(f"{label:>10}: {tokens:>12,} tokens generated; loops stopped {caught}/{n_loop}; "
              f"ending samples wrongly stopped {wrong}; driver+checks {elapsed:.2f}s")
    print(f"     saved: {base - guarded:,} tokens ({(base - guarded) / base:.1%} of the run, "
          f"{(base - guarded) / max(1, rows['loop guard'][2]):,.0f} per looping sample)")


def run_hf(max_gen_toks: int) -> None:
    import torch
    from lm_eval.api.instance import Instance
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from r1bench.local.hf import R1BenchHF
    from r1bench.models.default import ensure_default_model

    torch.set_num_threads(1)
    tok = AutoTokenizer.from_pretrained(ensure_default_model())
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=max_gen_toks + 256,
                      bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id)
    with tempfile.TemporaryDirectory() as tmp:
        LlamaForCausalLM(cfg).save_pretrained(tmp)
        tok.save_pretrained(tmp)
        gen = {"until": [], "do_sample": True, "temperature": 0.6, "top_p": 0.95, "max_gen_toks": max_gen_toks}
        reqs = [Instance("generate_until", {}, ("Loop, please.", gen), idx=0, metadata=("bench", 0, 1))]
        print(f"== hf path, tiny random Llama (hidden 64, 2 layers), 1 sample, cap {max_gen_toks} tokens, CPU 1 thread")
        for looping in (True, False):
            for guard in ("false", "true"):
                lm = R1BenchHF.create_from_arg_string(
                    f"pretrained={tmp},dtype=float32,max_length={max_gen_toks + 256},progress=false,"
                    f"store_path={tmp}/store_{looping}_{guard},loop_guard={guard}", {"batch_size": 1, "device": "cpu"})
                if looping:  # bias the head to one token: a period-1 loop
                    head = torch.nn.Linear(64, len(tok), bias=True)
                    with torch.no_grad():
                        head.weight.zero_()
                        head.bias.zero_()
                        head.bias[tok.encode(" the", add_special_tokens=False)[0]] = 50.0
                    lm.model.lm_head = head
                else:  # the random model with its end-of-sequence tokens masked: runs to the cap
                    head = torch.nn.Linear(64, len(tok), bias=True)
                    with torch.no_grad():
                        head.weight.copy_(lm.model.lm_head.weight)
                        head.bias.zero_()
                        for eos in lm._eos_ids():
                            head.bias[eos] = -1e9
                    lm.model.lm_head = head
                start = time.perf_counter()
                (out,) = lm.generate_until(reqs)
                elapsed = time.perf_counter() - start
                kind = "looping    " if looping else "not looping"
                print(f"{kind} guard={guard:<5}: {out.usage['completion_tokens']:>6} tokens, "
                      f"finish_reason={out.finish_reason:<6} {elapsed:6.2f}s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=500)
    ap.add_argument("--max-gen-toks", type=int, default=32768)
    ap.add_argument("--loop-share", type=float, default=0.3)
    ap.add_argument("--chunk", type=int, default=1024)
    ap.add_argument("--hf-max-gen-toks", type=int, default=1024)
    ap.add_argument("--skip-hf", action="store_true")
    args = ap.parse_args()
    run_vllm_stand_in(args.samples, args.max_gen_toks, args.loop_share, args.chunk)
    if not args.skip_hf:
        run_hf(args.hf_max_gen_toks)


if __name__ == "__main__":
    main()
