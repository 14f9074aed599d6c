"""Every shipped recipe parses into r1train's config classes with no unknown key; stages expand."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from r1train.sft import expand_recipe, make_parser

RECIPES = Path(__file__).resolve().parents[1] / "recipes"
# SFT recipes; the GRPO ones (*/grpo/) are checked in test_grpo.py with the GRPO parser.
CONFIGS = sorted(p for p in RECIPES.glob("*/*/config_*.yaml") if p.parent.name != "grpo")


def test_the_three_experiments_are_there() -> None:
    names = {str(p.relative_to(RECIPES)) for p in CONFIGS}
    assert names == {
        "Qwen2.5-Math-1.5B/sft/config_stratos.yaml",
        "Qwen2.5-3B/sft_lora/config_chem.yaml",
        "Qwen2.5-1.5B-Instruct/lora/config_alpaca.yaml",
    }


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: str(p.relative_to(RECIPES)))
def test_recipe_parses(path: Path, tmp_path: Path) -> None:
    stages, overrides = expand_recipe(yaml.safe_load(path.read_text()), ["--output_dir", str(tmp_path)])
    for cfg in stages:
        cfg = {**cfg, "bf16": False}  # this CPU machine cannot check bf16
        remaining = make_parser().set_defaults_with_config(**cfg)
        assert remaining == [], f"unknown keys in {path}: {remaining}"


@pytest.mark.parametrize(
    "path, expected",
    [
        ("Qwen2.5-Math-1.5B/sft/config_stratos.yaml", {"packing": True, "learning_rate": 2e-5, "num_train_epochs": 1, "use_peft": None}),
        ("Qwen2.5-1.5B-Instruct/lora/config_alpaca.yaml", {"lora_r": 8, "lora_alpha": 16, "lora_dropout": 0.05, "learning_rate": 3e-4, "max_length": 1024}),
    ],
)
def test_recipe_values_match_the_design(path: str, expected: dict) -> None:
    cfg = yaml.safe_load((RECIPES / path).read_text())
    assert {k: cfg.get(k) for k in expected} == expected
    if "lora_r" in expected:
        assert len(cfg["lora_target_modules"]) == 7


def test_two_stage_recipe_expands_and_chains() -> None:
    cfg = yaml.safe_load((RECIPES / "Qwen2.5-3B/sft_lora/config_chem.yaml").read_text())
    stages, rest = expand_recipe(cfg, ["--output_dir", "/x", "--max_steps", "3"])
    assert rest == ["--max_steps", "3"]
    assert [s["stage_name"] for s in stages] == ["math", "chem"]
    assert [s["output_dir"] for s in stages] == ["/x/math", "/x/chem"]
    assert stages[1]["model_name_or_path"] == "/x/math"
    assert stages[1]["use_peft"] and not stages[0].get("use_peft")
    assert (stages[1]["lora_r"], stages[1]["lora_alpha"], stages[1]["lora_dropout"]) == (8, 16, 0.2)
    assert stages[1]["lora_target_modules"] == ["q_proj", "k_proj", "v_proj", "o_proj"]


@pytest.mark.parametrize("name", ["zero3.yaml", "ddp.yaml"])
def test_accelerate_configs(name: str) -> None:
    cfg = yaml.safe_load((RECIPES / "accelerate_configs" / name).read_text())
    assert cfg["mixed_precision"] == "bf16"
    if name == "zero3.yaml":
        assert cfg["distributed_type"] == "DEEPSPEED" and cfg["deepspeed_config"]["zero_stage"] == 3
