"""Test helpers: argv for a short CPU SFT run, and the assistant-only loss of a model on rows."""

from __future__ import annotations

import json
from pathlib import Path

FAST = [
    "--per_device_train_batch_size", "8", "--max_length", "256", "--report_to", "none",
    "--logging_steps", "1", "--save_strategy", "no", "--seed", "0", "--dataloader_pin_memory", "false",
    "--activation_checkpointing", "false",
]
LORA = ["--use_peft", "--lora_r", "8", "--lora_alpha", "16", "--lora_dropout", "0.0",
        "--lora_target_modules", "q_proj", "k_proj", "v_proj", "o_proj"]


def sft_argv(model: Path, data: Path, out: Path, *extra: str) -> list[str]:
    return ["--model_name_or_path", str(model), "--dataset_name", str(data), "--output_dir", str(out), *FAST, *extra]


def assistant_loss(model, tokenizer, rows: list[dict]) -> float:
    """Mean NLL over assistant tokens (same mask as training), no gradient."""
    import torch
    from r1train.templates import CHATML_THINK_TRAINING

    total, count = 0.0, 0
    model.eval()
    with torch.no_grad():
        for row in rows:
            enc = tokenizer.apply_chat_template(
                row["messages"], chat_template=CHATML_THINK_TRAINING, tokenize=True, return_dict=True,
                return_assistant_tokens_mask=True,
            )
            ids = torch.tensor([enc["input_ids"]])
            labels = ids.clone()
            labels[0, torch.tensor(enc["assistant_masks"]) == 0] = -100
            n = int((labels[0, 1:] != -100).sum())
            total += float(model(input_ids=ids, labels=labels).loss) * n
            count += n
    return total / count


def make_traces(n: int, *, seed: int = 0, spread: bool = False) -> list[dict]:
    """``n`` small arithmetic traces in ``messages`` form; ``spread`` varies the reasoning length a lot."""
    import random

    rng = random.Random(seed)
    rows = []
    for i in range(n):
        a, b = rng.randint(2, 40), rng.randint(2, 40)
        steps = rng.choice([1, 2, 3, 6, 12, 25]) if spread else 1 + i % 3
        reasoning = " ".join(f"Step {k}: {a} plus {b} is {a + b}." for k in range(steps))
        rows.append(
            {
                "messages": [
                    {"role": "user", "content": f"What is {a} + {b}?"},
                    {"role": "assistant", "content": f"<think>\n{reasoning}\n</think>\n\n\\boxed{{{a + b}}}"},
                ]
            }
        )
    return rows


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path
