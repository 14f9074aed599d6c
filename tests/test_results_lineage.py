"""One lineage schema for r1train (writer) and the leaderboard (reader): what r1train writes is read
without a warning and mapped onto the entry's fields."""

from __future__ import annotations

import json
import logging

from r1train import lineage as r1train_lineage

from r1bench.results.lineage import LINEAGE_FILE, R1TRAIN_KEYS, read_lineage_file


def _two_stage_lineage() -> dict:
    """What r1train writes for LoRA SFT then GRPO, merged, then evaluated (the keys each step adds)."""
    sft = r1train_lineage.build_lineage(
        stage={"name": "sft", "method": "lora", "teacher": "deepseek-ai/DeepSeek-R1", "train_data_sha256": "ab" * 32},
        previous=None, base_model="Qwen/Qwen2.5-1.5B-Instruct", recipe={"name": "q/lora/config", "sha256": "cd" * 32},
        adapter=True, pretrained="Qwen/Qwen2.5-1.5B-Instruct")
    grpo = r1train_lineage.build_lineage(
        stage={"name": "grpo", "method": "grpo", "rewards": {"accuracy": 1.0, "format": 0.2}},
        previous=sft, base_model="Qwen/Qwen2.5-1.5B-Instruct", recipe=None, adapter=False, pretrained="/m")
    return {**grpo, "merged_from": "/adapter", "evaluated_model": "/m", "eval_command": "r1bench eval --tasks x"}


def test_r1train_uses_the_shared_file_name():
    assert r1train_lineage.LINEAGE_FILE == LINEAGE_FILE == "lineage.json"


def test_what_r1train_writes_is_read_without_warnings(tmp_path, caplog):
    data = _two_stage_lineage()
    assert set(data) <= set(R1TRAIN_KEYS)
    with caplog.at_level(logging.WARNING):
        path = r1train_lineage.write_lineage(tmp_path, data)
        mapped = read_lineage_file(path)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert mapped == {
        "base_model": "Qwen/Qwen2.5-1.5B-Instruct",
        "teacher": "deepseek-ai/DeepSeek-R1",
        "data_hash": None,  # the last stage (GRPO) trained on no trace file
        "recipe": None,
        "method": "lora+grpo",
        "rewards": "accuracy=1.0,format=0.2",
    }


def test_a_key_outside_the_schema_is_written_with_a_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        path = r1train_lineage.write_lineage(tmp_path, {"base_model": "b", "colour": "blue"})
    assert json.loads(path.read_text()) == {"base_model": "b", "colour": "blue"}
    assert "colour" in caplog.text
