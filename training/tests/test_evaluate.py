"""``r1train eval``: the r1bench eval command for adapters and checkpoints, and lineage beside results."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import torch
from r1train.evaluate import attach_lineage, main, model_args_for
from r1train.sft import main as sft_main
from r1train_helpers import LORA, make_traces, sft_argv, write_jsonl

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def adapter_dir(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("eval")
    data = write_jsonl(tmp / "t.jsonl", make_traces(8))
    out = tmp / "adapter"
    assert sft_main(sft_argv(tiny_model_dir, data, out, *LORA, "--max_steps", "1", "--teacher", "fake-r1")) == 0
    return out


def test_adapter_is_loaded_directly_onto_its_base(adapter_dir: Path, tiny_model_dir: Path) -> None:
    args = model_args_for(adapter_dir, dtype="float32")
    assert args == f"pretrained={tiny_model_dir},peft={adapter_dir},dtype=float32,tokenizer={adapter_dir}"
    vllm = model_args_for(adapter_dir, backend="vllm", dtype="bfloat16")
    assert f"lora_local_path={adapter_dir},enable_lora=True,max_lora_rank=8" in vllm


def test_checkpoint_is_loaded_as_pretrained(tiny_model_dir: Path) -> None:
    assert model_args_for(tiny_model_dir, dtype="float32") == f"pretrained={tiny_model_dir},dtype=float32"


def test_dry_run_prints_the_command(adapter_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(adapter_dir), "--tasks", "r1_smoke", "--limit", "2", "--max-gen-toks", "16", "--dry-run",
                 "--device", "cpu", "--batch_size", "1"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("r1bench eval --model hf --model_args pretrained=")
    for part in ("--tasks r1_smoke", "--limit 2", "--max-gen-toks 16", "--log_samples", "--batch_size 1",
                 f"--output_path {adapter_dir / 'eval'}", "--device cpu"):
        assert part in err


def test_lineage_goes_beside_new_results(adapter_dir: Path, tmp_path: Path) -> None:
    start = time.time()
    run = tmp_path / "runs" / "model__x"
    run.mkdir(parents=True)
    (run / "results_2026.json").write_text("{}")
    written = attach_lineage(adapter_dir, tmp_path / "runs", since=start, eval_argv=["--tasks", "r1_smoke"])
    assert written == [run / "lineage.json"]
    lineage = json.loads(written[0].read_text())
    assert {"base_model", "teacher", "train_data_sha256", "recipe", "stages"} <= set(lineage)
    assert lineage["teacher"] == "fake-r1" and lineage["eval_command"] == "r1bench eval --tasks r1_smoke"


@pytest.mark.slow
def test_trained_adapter_through_lm_eval_on_r1_smoke(adapter_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "runs"
    rc = main([str(adapter_dir), "--tasks", "r1_smoke", "--limit", "2", "--max-gen-toks", "8",
               "--device", "cpu", "--output-path", str(out), "--batch_size", "1"])
    assert rc == 0
    results = list(out.rglob("results_*.json"))
    assert len(results) == 1
    data = json.loads(results[0].read_text())
    metrics = data["results"]["r1_smoke"]
    assert "pass@1,r1" in metrics and 0.0 <= metrics["pass@1,r1"] <= 1.0
    assert f"peft={adapter_dir}" in data["config"]["model_args"] if isinstance(data["config"]["model_args"], str) \
        else data["config"]["model_args"]["peft"] == str(adapter_dir)
    lineage = json.loads((results[0].parent / "lineage.json").read_text())
    assert lineage["stages"][0]["method"] == "lora" and lineage["teacher"] == "fake-r1"
    samples = list(out.rglob("samples_r1_smoke_*.jsonl"))
    assert samples and len(samples[0].read_text().splitlines()) == 2
