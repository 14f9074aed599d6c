"""``r1train grpo``: reinforcement learning (GRPO) with r1bench's verifier as the reward (TRL's GRPOTrainer).

    r1train grpo training/recipes/SmolLM2-135M-Instruct/grpo/config_smoke_cpu.yaml      # 2 steps on CPU
    accelerate launch --config_file training/recipes/accelerate_configs/zero2.yaml \\
        -m r1train.grpo training/recipes/Qwen2.5-Math-1.5B/grpo/config_math.yaml
    r1train grpo recipe.yaml --max_steps 2 --output_dir /tmp/run   # flags override the recipe

A recipe is a flat YAML of TRL/transformers/r1train fields. Rewards come from
:mod:`r1bench.rewards` by name (``reward_funcs: [accuracy, format]``) with TRL's ``reward_weights``.
Each question is rendered with r1bench's evaluation prompt (``prompt_spec``) unless the data has a
``prompt`` column; the gold comes from ``answer`` (or the last ``\\boxed{}`` of ``solution``).
The run writes the model (or LoRA adapter), the tokenizer and ``lineage.json`` (method ``grpo``,
reward names and weights, data hash), which ``r1train eval`` carries into the leaderboard.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["GRPOResult", "make_parser", "prompt_rows", "load_prompt_dataset", "build_trainer", "train", "main"]

logger = logging.getLogger(__name__)

# ``model_name_or_path: default`` is r1bench's embedded SmolLM2 (converted once to a local folder).
DEFAULT_MODEL = "default"
_PROMPT_KEYS = ("problem", "question", "query", "instruction")
_GOLD_KEYS = ("answer", "solution", "gold", "ground_truth")


@dataclass
class GRPOResult:
    """What a GRPO run produced."""

    output_dir: str
    adapter: bool
    global_steps: int
    rewards: list[dict[str, float]]
    lineage: dict[str, Any]


def make_parser() -> Any:
    """TRL's parser over r1train's GRPO config dataclasses."""
    from trl import TrlParser

    from r1train.configs import R1GRPOConfig, R1GRPOScriptArguments, R1ModelConfig

    return TrlParser((R1GRPOScriptArguments, R1GRPOConfig, R1ModelConfig), prog="r1train grpo")


def _messages(prompt: Any, system_prompt: str | None) -> list[dict[str, str]] | None:
    if isinstance(prompt, str) and prompt.strip():
        msgs = [{"role": "user", "content": prompt}]
    elif isinstance(prompt, list) and prompt and all(isinstance(m, dict) and "content" in m for m in prompt):
        msgs = [{"role": str(m.get("role", "user")), "content": str(m["content"])} for m in prompt]
    else:
        return None
    if system_prompt and msgs[0]["role"] != "system":
        msgs = [{"role": "system", "content": system_prompt}, *msgs]
    return msgs


def prompt_rows(
    rows: Any, script_args: Any
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Turn source rows into GRPO rows ``{prompt (chat messages), answer, kind, id}``.

    A ``prompt`` column is used as is; otherwise the question is rendered with r1bench's prompt
    presets (``prompt_spec``), as at evaluation time. Rows without a question or a gold are dropped
    and counted. Returns (rows, counts of kept and dropped-by-reason).
    """
    from r1bench.prompts import render_prompt
    from r1bench.rewards import _gold_of

    out: list[dict[str, Any]] = []
    counts = {"kept": 0, "no_question": 0, "no_gold": 0}
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            counts["no_question"] += 1
            continue
        kind = "choice" if row.get("kind") == "choice" else "math"
        col = script_args.prompt_column
        prompt: Any = row.get(col) if col else row.get("prompt")
        if prompt is None:
            try:
                if kind == "choice":
                    prompt = render_prompt({"kind": "choice", "question": row["question"], "choices": row["choices"]},
                                           script_args.prompt_spec)
                else:
                    problem = next((row[k] for k in _PROMPT_KEYS if isinstance(row.get(k), str) and row[k].strip()), None)
                    prompt = render_prompt({"kind": "math", "problem": problem}, script_args.prompt_spec) if problem else None
            except (KeyError, TypeError, ValueError):
                prompt = None
        messages = _messages(prompt, script_args.system_prompt)
        if messages is None:
            counts["no_question"] += 1
            continue
        keys = (script_args.answer_column,) if script_args.answer_column else _GOLD_KEYS
        gold = next((g for g in (_gold_of(row.get(k)) for k in keys) if g is not None), None)
        if gold is None:
            counts["no_gold"] += 1
            continue
        out.append({"prompt": messages, "answer": gold, "kind": kind, "id": str(row.get("id", i))})
        counts["kept"] += 1
        if script_args.max_train_rows is not None and len(out) >= script_args.max_train_rows:
            break
    return out, counts


def load_prompt_dataset(script_args: Any) -> tuple[Any, dict[str, int], str]:
    """Read the questions (local file/folder or hub id); returns (datasets.Dataset, counts, sha256)."""
    from datasets import Dataset

    from r1train.data.io import iter_source_rows, rows_sha256

    name = script_args.dataset_name
    if Path(name).exists():
        rows: Any = (r.data for r in iter_source_rows(name))
    else:
        from datasets import load_dataset

        rows = load_dataset(name, name=script_args.dataset_config, split=script_args.dataset_train_split)
    records, counts = prompt_rows(rows, script_args)
    if not records:
        raise ValueError(f"{name}: no usable questions (need a question and a gold answer per row): {counts}")
    return Dataset.from_list(records), counts, rows_sha256(records)


def _prefills_think(tokenizer: Any) -> bool:
    """True when the chat template's generation prompt ends inside ``<think>`` (R1-distill templates)."""
    if not getattr(tokenizer, "chat_template", None):
        return False
    try:
        text = tokenizer.apply_chat_template([{"role": "user", "content": "x"}], tokenize=False, add_generation_prompt=True)
    except Exception:  # noqa: BLE001 - a template that cannot render has no prefill to detect
        return False
    return str(text).rstrip().endswith("<think>")


@dataclass
class _Prepared:
    trainer: Any
    counts: dict[str, int]
    data_sha: str
    rows: int
    reward_names: list[str]
    reward_params: dict[str, dict]
    starts_in_reasoning: bool


def build_trainer(script_args: Any, training_args: Any, model_args: Any) -> _Prepared:
    """Tokenizer, questions, r1bench rewards (weighted in the recipe), then TRL's GRPOTrainer."""
    import torch
    from transformers import AutoTokenizer
    from trl import GRPOTrainer, get_peft_config

    from r1bench.rewards import get_reward_funcs

    if not model_args.model_name_or_path:
        raise ValueError("model_name_or_path is required")
    if model_args.model_name_or_path == DEFAULT_MODEL and not Path(DEFAULT_MODEL).exists():
        from r1bench.models.default import ensure_default_model

        model_args.model_name_or_path = str(ensure_default_model())
    weights = training_args.reward_weights
    if weights is not None and len(weights) != len(script_args.reward_funcs):
        raise ValueError(f"reward_weights has {len(weights)} values for {len(script_args.reward_funcs)} reward_funcs")
    tokenizer = AutoTokenizer.from_pretrained(
        model_args.tokenizer_name_or_path or model_args.model_name_or_path,
        trust_remote_code=training_args.trust_remote_code,
    )
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    flag = script_args.starts_in_reasoning.lower()
    starts = _prefills_think(tokenizer) if flag == "auto" else flag == "true"
    params = script_args.reward_params()
    for name in ("accuracy", "format", "cosine"):
        if name in params:
            params[name] = {**params[name], "starts_in_reasoning": starts}
    reward_funcs = get_reward_funcs(script_args.reward_funcs, params)
    dataset, counts, data_sha = load_prompt_dataset(script_args)
    logger.info("questions %s: %s", script_args.dataset_name, counts)

    dtype = model_args.dtype
    if dtype in (None, "auto"):
        dtype = torch.bfloat16 if training_args.bf16 else torch.float32
    training_args.model_init_kwargs = {
        "dtype": dtype,
        "revision": model_args.model_revision,
        "attn_implementation": model_args.attn_implementation,
        **(training_args.model_init_kwargs or {}),
    }
    trainer = GRPOTrainer(
        model=model_args.model_name_or_path,
        reward_funcs=reward_funcs,
        args=training_args,
        train_dataset=dataset,
        processing_class=tokenizer,
        peft_config=get_peft_config(model_args),
    )
    return _Prepared(trainer, counts, data_sha, len(dataset), list(script_args.reward_funcs), params, starts)


def _reward_log(log_history: list[dict[str, Any]]) -> list[dict[str, float]]:
    """The logged reward means per step (``reward`` and ``rewards/<name>/mean``) from TRL's history."""
    out = []
    for entry in log_history:
        keys = [k for k in entry if k == "reward" or (k.startswith("rewards/") and k.endswith("/mean"))]
        if keys:
            out.append({"step": entry.get("step"), **{k: float(entry[k]) for k in keys}})
    return out


def train(script_args: Any, training_args: Any, model_args: Any, *, recipe_path: str | None = None) -> GRPOResult:
    """Run GRPO: questions -> rewards -> GRPOTrainer (LoRA when ``use_peft``) -> save + lineage."""
    from r1train.lineage import build_lineage, read_lineage, recipe_info, write_lineage
    from r1train.merge import merge_adapter
    from r1train.sft import train_and_save

    prep = build_trainer(script_args, training_args, model_args)
    trainer = prep.trainer
    out, result = train_and_save(trainer, training_args)

    adapter = bool(model_args.use_peft)
    weights = list(training_args.reward_weights or [1.0] * len(prep.reward_names))
    rewards = _reward_log(trainer.state.log_history)
    start = model_args.model_name_or_path
    previous = read_lineage(start) if Path(start).is_dir() else None
    stage = {
        "name": "grpo",
        "method": "grpo",
        "peft": "lora" if adapter else None,
        "init_from": start,
        "dataset": script_args.dataset_name,
        "train_data_sha256": prep.data_sha,
        "rows": prep.rows,
        "questions": prep.counts,
        "rewards": dict(zip(prep.reward_names, weights)),
        "reward_params": prep.reward_params,
        "starts_in_reasoning": prep.starts_in_reasoning,
        "output_dir": str(out),
        "num_generations": training_args.num_generations,
        "max_completion_length": training_args.max_completion_length,
        "temperature": training_args.temperature,
        "beta": training_args.beta,
        "loss_type": training_args.loss_type,
        "use_vllm": training_args.use_vllm,
        "learning_rate": training_args.learning_rate,
        "global_steps": trainer.state.global_step,
        "reward_log": rewards,
        "lora": (
            {"r": model_args.lora_r, "alpha": model_args.lora_alpha, "dropout": model_args.lora_dropout,
             "target_modules": model_args.lora_target_modules}
            if adapter else None
        ),
    }
    lineage = build_lineage(
        stage=stage, previous=previous, base_model=start, recipe=recipe_info(recipe_path),
        adapter=adapter, pretrained=start if adapter else str(out),
    )
    if trainer.accelerator.is_main_process:
        write_lineage(out, lineage)
        if adapter and script_args.merge_adapter:
            merge_adapter(out, out / "merged", base=start)
    return GRPOResult(str(out), adapter, trainer.state.global_step, rewards, lineage)


def main(argv: list[str] | None = None) -> int:
    """CLI: ``r1train grpo [RECIPE.yaml] [--any_trl_flag value ...]``."""
    from r1train.sft import recipe_argv

    parsed = recipe_argv(argv, __doc__, make_parser)
    if parsed is None:
        return 0
    recipe, argv = parsed
    if recipe is not None and not Path(recipe).is_file():
        print(f"r1train grpo: {recipe}: no such recipe file", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        script_args, training_args, model_args = make_parser().parse_args_and_config(
            [*(["--config", recipe] if recipe else []), *argv]
        )
        result = train(script_args, training_args, model_args, recipe_path=recipe)
    except (ValueError, KeyError, OSError) as err:  # recipe, data or model not usable: one line, no traceback
        print(f"r1train grpo: {str(err).splitlines()[0] if str(err) else type(err).__name__}", file=sys.stderr)
        return 2
    kind = "adapter" if result.adapter else "model"
    for entry in result.rewards:
        parts = ", ".join(f"{k} {v:.3f}" for k, v in entry.items() if k != "step")
        print(f"step {entry['step']}: {parts}")
    print(f"grpo: {kind} saved to {result.output_dir} after {result.global_steps} steps")
    return 0


if __name__ == "__main__":
    sys.exit(main())
