"""SFT throughput of the tiny model on CPU, with and without packing, on traces whose lengths spread
like real reasoning traces (log-normal: many short, a long tail).

    python benchmarks/train_throughput.py [--rows 96] [--max-length 1024] [--batch-size 8] [--threads 1]

Prints real (non-padding) training tokens per second for both runs and their ratio. Each run is one
epoch over the same rows through ``r1train``'s SFT path (TRL SFTTrainer, assistant-only loss).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

_WORDS = "so we add the two numbers then check the carry and compare with the bound again wait".split()


def make_rows(n: int, seed: int, max_words: int) -> list[dict]:
    """Traces with log-normal reasoning lengths (median ~120 words, long tail up to ``max_words``)."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        words = min(max_words, max(10, int(rng.lognormvariate(math.log(120), 0.9))))
        reasoning = " ".join(rng.choice(_WORDS) for _ in range(words))
        rows.append({"messages": [
            {"role": "user", "content": f"Problem {i}: what is {i} + {2 * i}?"},
            {"role": "assistant", "content": f"<think>\n{reasoning}\n</think>\n\n\\boxed{{{3 * i}}}"},
        ]})
    return rows


def build_tiny_model(out: Path) -> Path:
    """The test suite's tiny Llama (hidden 64, 2 layers) with the embedded SmolLM2 tokenizer."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from r1bench.models.default import ensure_default_model

    tok = AutoTokenizer.from_pretrained(ensure_default_model())
    config = LlamaConfig(vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=2048,
                         tie_word_embeddings=True, bos_token_id=tok.bos_token_id,
                         eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id)
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(out)
    tok.save_pretrained(out)
    return out


def run(model: Path, data: Path, out: Path, *, packing: bool, max_length: int, batch_size: int) -> dict:
    """One epoch of SFT; returns real tokens, seconds and tokens/s (timed around ``train()`` only)."""
    from r1train.sft import build_trainer, make_parser

    argv = ["--model_name_or_path", str(model), "--dataset_name", str(data), "--output_dir", str(out),
            "--num_train_epochs", "1", "--per_device_train_batch_size", str(batch_size),
            "--max_length", str(max_length), "--report_to", "none", "--save_strategy", "no",
            "--logging_steps", "1000", "--disable_tqdm", "true", "--dataloader_pin_memory", "false",
            "--activation_checkpointing", "false", "--learning_rate", "1e-4", "--seed", "0"]
    if packing:
        argv.append("--packing")
    trainer = build_trainer(*make_parser().parse_args_and_config(argv)).trainer
    ds = trainer.train_dataset
    real = sum(len(x) for x in ds["input_ids"])
    padded = 0
    if not packing:
        lengths = [len(x) for x in ds["input_ids"]]
        padded = sum(max(lengths[i : i + batch_size]) * len(lengths[i : i + batch_size])
                     for i in range(0, len(lengths), batch_size))
    start = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - start
    return {"packing": packing, "tokens": real, "sequences": len(ds), "steps": trainer.state.global_step,
            "padded_tokens": padded, "seconds": round(seconds, 2), "tokens_per_s": round(real / seconds, 1)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=96)
    p.add_argument("--max-length", type=int, default=1024)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", default=None, help="also write the figures here")
    args = p.parse_args(argv)

    import torch
    from transformers.utils import logging as hf_logging

    torch.set_num_threads(args.threads)
    hf_logging.set_verbosity_error()
    tmp = Path(tempfile.mkdtemp(prefix="r1train-bench-"))
    try:
        model = build_tiny_model(tmp / "model")
        rows = make_rows(args.rows, args.seed, max_words=args.max_length // 2)
        data = tmp / "traces.jsonl"
        data.write_text("".join(json.dumps(r) + "\n" for r in rows))
        results = [run(model, data, tmp / f"out{int(pk)}", packing=pk, max_length=args.max_length,
                       batch_size=args.batch_size) for pk in (False, True)]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    lengths = [len(r["messages"][1]["content"].split()) for r in rows]
    print(f"tiny Llama (hidden 64, 2 layers, vocab 49152), CPU, {args.threads} thread(s); {args.rows} traces, "
          f"reasoning words median {statistics.median(lengths):.0f}, max {max(lengths)}; "
          f"max_length {args.max_length}, batch {args.batch_size}")
    for r in results:
        label = "packing   " if r["packing"] else "no packing"
        extra = "" if r["packing"] else f", {r['padded_tokens']} tokens with padding"
        print(f"{label}: {r['tokens_per_s']:8.1f} tokens/s  ({r['tokens']} tokens in {r['sequences']} sequences, "
              f"{r['steps']} steps, {r['seconds']} s{extra})")
    ratio = results[1]["tokens_per_s"] / results[0]["tokens_per_s"]
    print(f"packing / no packing: {ratio:.2f}x")
    if args.json:
        Path(args.json).write_text(json.dumps({"runs": results, "ratio": ratio}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
