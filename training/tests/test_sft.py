"""SFT on the tiny model: LoRA and full fine-tuning change weights and lower the loss; the loss mask
covers exactly the assistant turn; stages chain; merge reproduces base+adapter; resume works."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from r1train.lineage import read_lineage
from r1train.sft import build_trainer, main, make_parser
from r1train_helpers import LORA, assistant_loss, make_traces, sft_argv, write_jsonl

torch.set_num_threads(1)


def _load(path: Path):
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)


@pytest.fixture()
def rows() -> list[dict]:
    return make_traces(8)


def test_lora_two_steps_changes_weights_and_lowers_loss(tiny_model_dir: Path, rows, tmp_path: Path) -> None:
    from peft import PeftModel
    from transformers import AutoTokenizer

    data = write_jsonl(tmp_path / "t.jsonl", rows)
    out = tmp_path / "lora"
    assert main(sft_argv(tiny_model_dir, data, out, *LORA, "--max_steps", "2", "--learning_rate", "1e-2")) == 0
    assert (out / "adapter_config.json").is_file() and not (out / "model.safetensors").exists()
    tok = AutoTokenizer.from_pretrained(out)
    base = _load(tiny_model_dir)
    before = assistant_loss(base, tok, rows)
    tuned = PeftModel.from_pretrained(_load(tiny_model_dir), out)
    lora_b = [p for n, p in tuned.named_parameters() if "lora_B" in n]
    assert len(lora_b) == 2 * 4 and all(p.abs().sum() > 0 for p in lora_b)  # B starts at zero
    after = assistant_loss(tuned, tok, rows)
    assert after < before - 0.05, (before, after)
    lineage = read_lineage(out)
    assert lineage["adapter"] is True and lineage["pretrained"] == str(tiny_model_dir)
    assert lineage["stages"][0]["method"] == "lora" and lineage["stages"][0]["global_steps"] == 2
    assert lineage["stages"][0]["lora"]["target_modules"] == ["q_proj", "k_proj", "v_proj", "o_proj"]


def test_full_finetune_with_packing_changes_weights_and_lowers_loss(tiny_model_dir: Path, rows, tmp_path: Path) -> None:
    from transformers import AutoTokenizer

    data = write_jsonl(tmp_path / "t.jsonl", rows)
    out = tmp_path / "full"
    assert main(sft_argv(tiny_model_dir, data, out, "--packing", "--max_steps", "2", "--learning_rate", "2e-3")) == 0
    tok = AutoTokenizer.from_pretrained(out)
    base, tuned = _load(tiny_model_dir), _load(out)
    changed = [n for (n, p), (_, q) in zip(base.named_parameters(), tuned.named_parameters()) if not torch.equal(p, q)]
    assert len(changed) == len(list(base.parameters()))
    assert assistant_loss(tuned, tok, rows) < assistant_loss(base, tok, rows) - 0.05
    lineage = read_lineage(out)
    assert lineage["adapter"] is False and lineage["stages"][0]["packing"] is True
    assert lineage["train_data_sha256"] == lineage["stages"][0]["train_data_sha256"]


@pytest.mark.parametrize("packing", [False, True])
def test_loss_mask_is_exactly_the_assistant_turn(tiny_model_dir: Path, tmp_path: Path, packing: bool) -> None:
    rows = make_traces(3)
    data = write_jsonl(tmp_path / "t.jsonl", rows)
    argv = sft_argv(tiny_model_dir, data, tmp_path / "o", "--max_steps", "1", *(["--packing"] if packing else []))
    prep = build_trainer(*make_parser().parse_args_and_config(argv))
    trainer, tok = prep.trainer, prep.trainer.processing_class
    assert prep.template == "chatml_think"
    batch = trainer.data_collator([trainer.train_dataset[i] for i in range(len(trainer.train_dataset))])
    ids, labels = batch["input_ids"].tolist(), batch["labels"].tolist()
    assert len(ids) == (1 if packing else 3)
    for n, row in enumerate(rows):
        full = tok.apply_chat_template(row["messages"], tokenize=True, return_dict=True)["input_ids"]
        prompt = tok.apply_chat_template(
            row["messages"][:1], tokenize=True, add_generation_prompt=True, return_dict=True
        )["input_ids"]
        # Prompt tokens masked, assistant content + <|im_end|> trained, the trailing "\n" masked.
        assert full[: len(prompt)] == prompt and tok.decode(full[-1:]) == "\n"
        mask = [0] * len(prompt) + [1] * (len(full) - len(prompt) - 1) + [0]
        assert tok.decode([t for t, m in zip(full, mask) if m]) == row["messages"][1]["content"] + "<|im_end|>"
        expected = [t if m else -100 for t, m in zip(full, mask)]
        seq, lab = (ids[0], labels[0]) if packing else (ids[n], labels[n])
        start = _find(seq, full) if packing else 0
        got = lab[start : start + len(full)]
        for i, (want, have) in enumerate(zip(expected, got)):
            assert want == have, f"row {n} token {i} ({tok.decode([full[i]])!r}): label {have}, expected {want}"
        if not packing:
            assert all(x == -100 for x in lab[len(full) :])  # padding is never trained
    trained = sum(x != -100 for row in labels for x in row)
    assert trained == sum(len(tok.encode(r["messages"][1]["content"] + "<|im_end|>")) for r in rows)


def _find(seq: list[int], sub: list[int]) -> int:
    for i in range(len(seq) - len(sub) + 1):
        if seq[i : i + len(sub)] == sub:
            return i
    raise AssertionError("row not found in the packed sequence")


def test_two_stage_recipe_stage2_starts_from_stage1(tiny_model_dir: Path, tmp_path: Path) -> None:
    import yaml

    math = write_jsonl(tmp_path / "math.jsonl", make_traces(8, seed=1))
    chem = write_jsonl(tmp_path / "chem.jsonl", make_traces(8, seed=2))
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(yaml.safe_dump({
        "model_name_or_path": str(tiny_model_dir),
        "output_dir": str(tmp_path / "run"),
        "max_steps": 1,
        "learning_rate": 1e-3,
        "stages": [
            {"name": "math", "dataset_name": str(math), "teacher": "teacher-a"},
            {"name": "chem", "dataset_name": str(chem), "use_peft": True, "lora_r": 8, "lora_alpha": 16,
             "lora_target_modules": ["q_proj", "v_proj"], "teacher": "teacher-b"},
        ],
    }))
    quick = ["--report_to", "none", "--save_strategy", "no", "--activation_checkpointing", "false",
             "--max_length", "256", "--dataloader_pin_memory", "false"]
    assert main([str(recipe), *quick]) == 0
    stage1, stage2 = tmp_path / "run" / "math", tmp_path / "run" / "chem"
    assert (stage1 / "model.safetensors").is_file() and (stage2 / "adapter_config.json").is_file()
    adapter_cfg = json.loads((stage2 / "adapter_config.json").read_text())
    assert adapter_cfg["base_model_name_or_path"] == str(stage1)
    lineage = read_lineage(stage2)
    assert lineage["base_model"] == str(tiny_model_dir)
    assert lineage["pretrained"] == str(stage1)
    assert [s["name"] for s in lineage["stages"]] == ["math", "chem"]
    assert [s["init_from"] for s in lineage["stages"]] == [str(tiny_model_dir), str(stage1)]
    assert lineage["teacher"] == "teacher-b" and lineage["recipe"]["sha256"]
    # Running only stage 2 again reads stage 1's saved output.
    assert main([str(recipe), "--stage", "chem", *quick]) == 0
    assert read_lineage(stage2)["stages"][0]["output_dir"] == str(stage1)


def test_merge_then_reload_matches_base_plus_adapter(tiny_model_dir: Path, rows, tmp_path: Path) -> None:
    from peft import PeftModel
    from r1train.merge import main as merge_main

    data = write_jsonl(tmp_path / "t.jsonl", rows)
    out = tmp_path / "lora"
    assert main(sft_argv(tiny_model_dir, data, out, *LORA, "--max_steps", "1", "--learning_rate", "1e-2")) == 0
    merged = tmp_path / "merged"
    assert merge_main([str(out), "-o", str(merged)]) == 0
    ids = torch.tensor([[1, 500, 2000, 30000, 77, 9]])
    with torch.no_grad():
        ref = PeftModel.from_pretrained(_load(tiny_model_dir), out).eval()(input_ids=ids).logits
        base = _load(tiny_model_dir).eval()(input_ids=ids).logits
        got = _load(merged).eval()(input_ids=ids).logits
    assert not torch.allclose(ref, base)
    torch.testing.assert_close(got, ref, rtol=1e-5, atol=1e-5)
    assert read_lineage(merged)["adapter"] is False
    assert (merged / "chat_template.jinja").read_text() == (out / "chat_template.jinja").read_text()


def test_resume_from_last_checkpoint(tiny_model_dir: Path, rows, tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "t.jsonl", rows)
    out = tmp_path / "resumable"
    argv = sft_argv(tiny_model_dir, data, out, *LORA, "--learning_rate", "1e-2")
    argv[argv.index("--save_strategy") + 1] = "steps"
    assert main([*argv, "--max_steps", "1", "--save_steps", "1"]) == 0
    assert (out / "checkpoint-1").is_dir()
    assert main([*argv, "--max_steps", "2", "--save_steps", "1", "--resume_from_checkpoint", "last"]) == 0
    state = json.loads((out / "trainer_state.json").read_text())
    assert state["global_step"] == 2
    # The resumed run trained only the second step.
    assert [h["step"] for h in state["log_history"] if "loss" in h] == [1, 2]
    assert read_lineage(out)["stages"][0]["global_steps"] == 2
