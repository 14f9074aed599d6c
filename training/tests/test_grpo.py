"""``r1train grpo``: recipes parse, questions become prompts with a gold, a 2-step run on CPU writes
the model with its lineage (method grpo, reward weights) and logs the rewards; the embedded SmolLM2
recipe changes the weights (slow)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import yaml
from r1train.grpo import main, make_parser, prompt_rows
from r1train.lineage import read_lineage

torch.set_num_threads(1)

ROOT = Path(__file__).resolve().parents[2]
RECIPES = ROOT / "training" / "recipes"
GRPO_RECIPES = sorted(RECIPES.glob("*/grpo/config_*.yaml"))
SMOKE = ROOT / "r1bench" / "datasets" / "smoke.jsonl"
MATH_PROMPT = "\nPlease reason step by step, and put your final answer within \\boxed{}."


def test_grpo_recipes_are_there() -> None:
    names = {str(p.relative_to(RECIPES)) for p in GRPO_RECIPES}
    assert names == {"Qwen2.5-Math-1.5B/grpo/config_math.yaml", "SmolLM2-135M-Instruct/grpo/config_smoke_cpu.yaml"}


@pytest.mark.parametrize("path", GRPO_RECIPES, ids=lambda p: str(p.relative_to(RECIPES)))
def test_grpo_recipe_parses(path: Path) -> None:
    cfg = {**yaml.safe_load(path.read_text()), "bf16": False}  # this CPU machine cannot check bf16
    assert make_parser().set_defaults_with_config(**cfg) == []
    assert len(cfg["reward_funcs"]) == len(cfg["reward_weights"])
    assert cfg["reward_funcs"][:2] == ["accuracy", "format"]


class _Args:
    prompt_column = None
    answer_column = None
    prompt_spec = "deepseek-r1+simple-evals-choice"
    system_prompt = None
    max_train_rows = None


@pytest.mark.parametrize(
    "row, expected",
    [
        # MATH-style row: the gold is the solution's last boxed answer, the prompt r1bench's.
        ({"problem": "What is $1+1$?", "solution": "So $1+1=\\boxed{2}$."},
         {"prompt": [{"role": "user", "content": "What is $1+1$?" + MATH_PROMPT}], "answer": "2", "kind": "math"}),
        # answer wins over solution.
        ({"problem": "Halve 8.", "solution": "It is \\boxed{4}", "answer": "4.0"},
         {"prompt": [{"role": "user", "content": "Halve 8." + MATH_PROMPT}], "answer": "4.0", "kind": "math"}),
        # A chat prompt is used as is.
        ({"prompt": [{"role": "user", "content": "Say 3."}], "answer": "3"},
         {"prompt": [{"role": "user", "content": "Say 3."}], "answer": "3", "kind": "math"}),
        # A plain-string prompt becomes one user turn.
        ({"prompt": "Say 3.", "answer": 3},
         {"prompt": [{"role": "user", "content": "Say 3."}], "answer": "3", "kind": "math"}),
    ],
)
def test_prompt_rows(row: dict, expected: dict) -> None:
    rows, counts = prompt_rows([row], _Args())
    assert counts == {"kept": 1, "no_question": 0, "no_gold": 0}
    assert {k: rows[0][k] for k in expected} == expected


def test_prompt_rows_choice_and_drops() -> None:
    rows, counts = prompt_rows(
        [
            {"kind": "choice", "question": "Largest?", "choices": ["1", "9", "3", "5"], "answer": "B"},
            {"problem": "No gold here."},
            {"solution": "\\boxed{1}"},
            "not a row",
        ],
        _Args(),
    )
    assert counts == {"kept": 1, "no_question": 2, "no_gold": 1}
    content = rows[0]["prompt"][0]["content"]
    assert rows[0]["kind"] == "choice" and rows[0]["answer"] == "B"
    assert "Largest?" in content and "B) 9" in content


FAST = ["--num_generations", "2", "--per_device_train_batch_size", "4", "--max_completion_length", "8",
        "--max_steps", "2", "--learning_rate", "1e-3", "--report_to", "none", "--logging_steps", "1",
        "--save_strategy", "no", "--seed", "0", "--bf16", "false", "--activation_checkpointing", "false",
        "--use_cpu", "true", "--dataloader_pin_memory", "false"]


def test_tiny_model_two_steps_logs_rewards_and_lineage(tiny_model_dir: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "run"
    argv = ["--model_name_or_path", str(tiny_model_dir), "--dataset_name", str(SMOKE), "--output_dir", str(out),
            "--reward_funcs", "accuracy", "format", "loop", "--reward_weights", "1.0", "0.2", "0.5", *FAST]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "step 1: rewards/accuracy/mean" in printed and "step 2:" in printed
    assert (out / "model.safetensors").is_file()
    lineage = read_lineage(out)
    stage = lineage["stages"][-1]
    assert stage["method"] == "grpo" and stage["peft"] is None and stage["global_steps"] == 2
    assert stage["rewards"] == {"accuracy": 1.0, "format": 0.2, "loop": 0.5}
    assert stage["questions"] == {"kept": 12, "no_question": 0, "no_gold": 0}
    assert [e["step"] for e in stage["reward_log"]] == [1, 2]
    for entry in stage["reward_log"]:
        assert {"reward", "rewards/accuracy/mean", "rewards/format/mean", "rewards/loop/mean"} <= set(entry)
    state = json.loads((out / "trainer_state.json").read_text())
    assert any("rewards/accuracy/mean" in e for e in state["log_history"])


def test_tiny_model_lora_saves_an_adapter_with_lineage(tiny_model_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "lora"
    argv = ["--model_name_or_path", str(tiny_model_dir), "--dataset_name", str(SMOKE), "--output_dir", str(out),
            "--use_peft", "--lora_r", "4", "--lora_alpha", "8", "--lora_target_modules", "q_proj", "v_proj", *FAST]
    assert main(argv) == 0
    assert (out / "adapter_config.json").is_file() and not (out / "model.safetensors").exists()
    lineage = read_lineage(out)
    assert lineage["adapter"] is True and lineage["pretrained"] == str(tiny_model_dir)
    stage = lineage["stages"][-1]
    assert stage["peft"] == "lora" and stage["lora"]["r"] == 4
    assert stage["rewards"] == {"accuracy": 1.0, "format": 1.0}  # TRL's default weights: 1 each


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--reward_funcs", "accuracy", "bogus"], "unknown ['bogus']"),
        (["--reward_funcs", "accuracy", "format", "--reward_weights", "1.0"], "reward_weights has 1 values for 2"),
    ],
)
def test_bad_reward_config_is_one_line_error(tiny_model_dir: Path, tmp_path: Path, capsys, extra, message) -> None:
    argv = ["--model_name_or_path", str(tiny_model_dir), "--dataset_name", str(SMOKE),
            "--output_dir", str(tmp_path / "o"), *FAST, *extra]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_missing_recipe_file(capsys) -> None:
    assert main(["no/such/recipe.yaml"]) == 2
    assert "no such recipe file" in capsys.readouterr().err


@pytest.mark.slow
def test_smollm2_cpu_recipe_changes_weights_and_logs_rewards(tmp_path: Path, monkeypatch) -> None:
    """The README's CPU command: the embedded SmolLM2, 2 steps, accuracy + format (about a minute)."""
    from safetensors.torch import load_file

    from r1bench.models.default import ensure_default_model

    monkeypatch.chdir(ROOT)
    out = tmp_path / "smollm2-grpo"
    recipe = RECIPES / "SmolLM2-135M-Instruct" / "grpo" / "config_smoke_cpu.yaml"
    assert main([str(recipe), "--output_dir", str(out)]) == 0
    before = load_file(ensure_default_model() / "model.safetensors")
    after = load_file(out / "model.safetensors")
    name = "model.layers.0.self_attn.q_proj.weight"
    assert not torch.equal(before[name], after[name])
    stage = read_lineage(out)["stages"][-1]
    assert stage["rewards"] == {"accuracy": 1.0, "format": 0.2}
    assert len(stage["reward_log"]) == 2
    # The weights move only when some group's completions got different rewards.
    assert any(e["rewards/accuracy/mean"] > 0 for e in stage["reward_log"])
