"""GPU check of ``r1bench-vllm`` on a real vLLM engine (the CPU tests use a stand-in engine).

    python benchmarks/vllm_check.py --model PATH_OR_HUB_ID [--questions 8 --k 4 --max-gen-toks 256]

Checks, printing each figure: (1) the k samples of a question go in one ``n=k`` request and are
distinct; (2) finish reasons and token counts equal what vLLM returned (``finish_reason``,
``len(token_ids)``); (3) a re-run reads every sample from the store and calls the engine 0 times;
(4) after dropping half the stored samples, only those are regenerated and the results are
identical; (5) one request per sample (``n_per_request=false``) draws the same samples as ``n=k``
(vLLM seeds parallel child c with seed + c); (6) budget forcing, ``thinking_budget=B``
(``--budget``, default 64): the first round is one ``n=k`` request per question with
``stop=["</think>"]`` and ``max_tokens=B``, every sample carries its budget record, a forced close
has exactly B thinking tokens and the close + answer cue in its text, completion tokens = thinking +
answer tokens, the mean thinking length is below the unbudgeted run's, and a re-run reads every
budgeted sample from the store with the same record; (7) ``thinking_extend=1`` extends some
samples (a reasoning model such as DeepSeek-R1-Distill-Qwen-1.5B closes its thinking well within
``--max-gen-toks 1024``), never more than once. Exits 1 on any failed check. Wall times and
tokens/s for ``n=k`` vs separate requests are printed with the setup.

    python benchmarks/vllm_check.py --model deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B --max-gen-toks 1024 --budget 128
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--questions", type=int, default=8)
    ap.add_argument("--k", type=int, default=4)
    ap.add_argument("--max-gen-toks", type=int, default=256)
    ap.add_argument("--max-model-len", type=int, default=2048)
    ap.add_argument("--budget", type=int, default=64, help="thinking_budget of the budget-forcing check")
    args = ap.parse_args()

    from lm_eval.api.instance import Instance

    import r1bench.local  # noqa: F401
    from r1bench.local.vllm import R1BenchVLLM

    store = Path(tempfile.mkdtemp(prefix="r1bench-vllm-check-"))
    lm = R1BenchVLLM.create_from_arg_string(
        f"pretrained={args.model},max_model_len={args.max_model_len},gpu_memory_utilization=0.5,"
        f"store_path={store},progress=false", {"batch_size": "auto"})
    gen = {"until": [], "do_sample": True, "temperature": 0.6, "top_p": 0.95, "max_gen_toks": args.max_gen_toks}
    reqs = [Instance("generate_until", {}, (f"What is {q} + {q * 7}? Think step by step.", dict(gen)),
                     idx=0, metadata=("check", q, args.k)) for q in range(args.questions) for _ in range(args.k)]

    calls: list[list[int]] = []
    seen: list = []
    original = lm.model.generate

    def counted(prompts, params, **kw):
        outs = original(prompts, params, **kw)
        calls.append([p.n for p in params])
        seen.extend(c for o in outs for c in o.outputs)
        return outs

    lm.model.generate = counted
    failures = 0

    def check(ok: bool, what: str) -> None:
        nonlocal failures
        print(("ok   " if ok else "FAIL ") + what)
        failures += not ok

    start = time.perf_counter()
    first = lm.generate_until(reqs)
    t_grouped = time.perf_counter() - start
    tokens = sum(r.usage["completion_tokens"] for r in first)
    print(f"n=k run: {len(first)} samples, {tokens} tokens, {t_grouped:.1f}s ({tokens / t_grouped:.0f} tok/s)")
    check(all(all(n == args.k for n in c) for c in calls), f"one n={args.k} request per question: {calls}")
    check(all(len(set(first[q * args.k:(q + 1) * args.k])) == args.k for q in range(args.questions)),
          "the k samples of each question are distinct")
    engine = sorted((c.finish_reason, len(c.token_ids)) for c in seen)
    ours = sorted((r.finish_reason, r.usage["completion_tokens"]) for r in first)
    check(engine == ours, f"finish reasons/token counts are vLLM's ({sorted(set(e[0] for e in engine))})")

    calls.clear()
    again = lm.generate_until(reqs)
    check(calls == [] and list(again) == list(first) and all(r.from_store for r in again),
          "a re-run reads every sample from the store")

    con = sqlite3.connect(store / "samples.sqlite")
    con.execute("DELETE FROM samples WHERE sample_index >= ?", (args.k // 2,))
    con.commit()
    con.close()
    calls.clear()
    resumed = lm.generate_until(reqs)
    check(sum(sum(c) for c in calls) == args.questions * (args.k - args.k // 2) and list(resumed) == list(first),
          f"resume regenerates only the dropped samples, identically ({calls})")

    lm.r1_n, lm.r1_fresh = False, True
    calls.clear()
    start = time.perf_counter()
    single = lm.generate_until(reqs)
    t_single = time.perf_counter() - start
    check(all(all(n == 1 for n in c) for c in calls), "n_per_request=false sends n=1 requests")
    same = sum(a == b for a, b in zip(single, first))
    check(same == len(first), f"separate requests draw the same samples as n=k ({same}/{len(first)})")
    print(f"separate requests: {t_single:.1f}s vs n=k {t_grouped:.1f}s")

    from r1bench.budget import FORCED_CLOSE

    b = args.budget
    budget_reqs = [Instance("generate_until", {}, (r.args[0], {**r.args[1], "thinking_budget": b}), idx=0,
                            metadata=r.metadata) for r in reqs]
    params_seen: list = []

    def recorded(prompts, params, **kw):
        params_seen.append(list(params))
        return counted(prompts, params, **kw)

    lm.model.generate = recorded
    lm.r1_n, lm.r1_fresh = True, False
    calls.clear()
    start = time.perf_counter()
    budgeted = lm.generate_until(budget_reqs)
    t_budget = time.perf_counter() - start
    first_round = params_seen[0]
    check(all(p.n == args.k and p.max_tokens == min(b, args.max_gen_toks) and "</think>" in p.stop
              for p in first_round), f"first budget round: n={args.k}, max_tokens={b}, stop has </think>")
    recs = [r.budget for r in budgeted]
    check(all(rec is not None and rec["thinking_budget"] == b and rec["thinking_tokens"] <= b for rec in recs),
          "every budgeted sample carries its record, thinking <= budget")
    forced = [r for r in budgeted if r.budget and r.budget["close"] == "forced"]
    check(all(r.budget["thinking_tokens"] == b and FORCED_CLOSE + "Final answer:" in r for r in forced),
          f"forced closes ({len(forced)}/{len(budgeted)}) have {b} thinking tokens and the close + cue")
    check(all(r.usage["completion_tokens"] == r.budget["thinking_tokens"] + r.budget["answer_tokens"]
              for r in budgeted), "completion tokens = thinking + answer tokens")
    think_b = sum(r.budget["thinking_tokens"] for r in budgeted) / len(budgeted)
    think_0 = sum(r.usage.get("reasoning_tokens", r.usage["completion_tokens"]) for r in first) / len(first)
    print(f"mean thinking tokens: budget {b}: {think_b:.1f}, unbudgeted: {think_0:.1f}; "
          f"{t_budget:.1f}s for {len(budgeted)} budgeted samples in {len(params_seen)} rounds")
    check(think_b < think_0, "budgeting shortens the mean thinking")
    calls.clear()
    again = lm.generate_until(budget_reqs)
    check(calls == [] and [(str(a), a.budget) for a in again] == [(str(r), r.budget) for r in budgeted],
          "a budgeted re-run reads every sample and its record from the store")
    ext_reqs = [Instance("generate_until", {}, (r.args[0], {**r.args[1], "thinking_extend": 1}), idx=0,
                         metadata=r.metadata) for r in reqs]
    extended = lm.generate_until(ext_reqs)
    n_ext = sum(r.budget["extensions"] for r in extended)
    check(0 < n_ext and all(r.budget["extensions"] <= 1 for r in extended),
          f"thinking_extend=1 extended {n_ext}/{len(extended)} samples, none twice")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
