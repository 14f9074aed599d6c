"""End to end through the real lm-eval CLI (subprocess) with `--include_path tasks`.

Fast tests use a tiny randomly initialised LlamaForCausalLM with SmolLM2's tokenizer (built here,
no hub): they check plumbing (k, metrics, samples file), not scores. Slow tests run the embedded
SmolLM2-135M-Instruct through `r1bench eval`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from r1bench.lm_eval import hooks, rescore

ROOT = Path(__file__).resolve().parents[1]
TASKS = ROOT / "tasks"
FIXTURE_DATA = ROOT / "tests" / "fixtures" / "data"
DEFAULT_K = {"r1_math500": 4, "r1_aime24": 64, "r1_gpqa_diamond": 8, "r1_moleculeqa100": 4, "r1_smoke": 2}


@pytest.fixture(scope="module")
def tiny_model(tiny_llama_1layer: Path) -> Path:
    """A 1-layer Llama with the embedded model's tokenizer and chat template (~10 MB, no hub)."""
    return tiny_llama_1layer


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", TOKENIZERS_PARALLELISM="false",
               HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    env.update(extra)
    return env


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    elapsed = time.monotonic() - start
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    print(f"[timing] {elapsed:.1f}s: {' '.join(cmd[1:6])} ...")
    return elapsed


def _outputs(out: Path) -> tuple[dict, dict[str, list[dict]]]:
    (results_path,) = out.glob("*/results_*.json")
    samples = {}
    for path in out.glob("*/samples_*.jsonl"):
        task = path.name[len("samples_") :].rsplit("_", 1)[0]
        samples[task] = [json.loads(line) for line in path.read_text().splitlines()]
    return json.loads(results_path.read_text()), samples


def _check_task(results: dict, samples: list[dict], task: str, k: int, n_docs: int) -> None:
    row = results["results"][task]
    for metric in hooks.METRICS:
        assert f"{metric},r1" in row and f"{metric}_stderr,r1" in row, metric
        assert row[f"{metric},r1"] >= 0
    cfg = results["configs"][task]
    assert cfg["repeats"] == k and cfg["metadata"]["k"] == k
    assert cfg["generation_kwargs"]["until"] == [] and cfg["generation_kwargs"]["temperature"] == 0.6
    assert results["n-samples"][task]["effective"] == n_docs == len(samples)
    for line in samples:
        (raw,) = line["resps"]
        (records,) = line["filtered_resps"]
        assert len(raw) == len(records) == k
        for i, (text, rec) in enumerate(zip(raw, records)):
            rec = json.loads(rec)
            assert rec["raw_output"] == text  # raw output untouched
            assert rec["sample_index"] == i and rec["task"] == task
            assert {"reasoning", "answer_text", "extracted", "correct", "truncated"} <= set(rec)
    # Scoring the saved samples again gives the numbers lm-eval reported.
    path_metrics = [{m: line[m] for m in hooks.METRICS} for line in samples]
    assert hooks.aggregate(path_metrics)["pass@1"] == pytest.approx(row["pass@1,r1"])


def _lm_eval(model: Path, out: Path, tasks: str, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "lm_eval", "run", "--model", "hf",
        "--model_args", f"pretrained={model},dtype=float32", "--device", "cpu",
        "--include_path", str(TASKS), "--tasks", tasks, "--apply_chat_template",
        "--output_path", str(out), "--log_samples", *extra,
    ]


def test_lm_eval_cli_runs_r1_smoke(tiny_model, tmp_path):
    out = tmp_path / "out"
    cmd = _lm_eval(tiny_model, out, "r1_smoke", "--gen_kwargs", "max_gen_toks=8", "--metadata", "max_gen_toks=8")
    _run(cmd, tmp_path, _env())
    results, samples = _outputs(out)
    _check_task(results, samples["r1_smoke"], "r1_smoke", 2, 12)
    assert results["configs"]["r1_smoke"]["generation_kwargs"]["max_gen_toks"] == 8
    # Sampling: the k copies of a prompt are different draws, not k copies of one sample.
    differing = sum(line["resps"][0][0] != line["resps"][0][1] for line in samples["r1_smoke"])
    assert differing >= 10
    # Rescoring the samples file is deterministic.
    (path,) = out.glob("*/samples_r1_smoke_*.jsonl")
    first, second = rescore.rescore_samples(path), rescore.rescore_samples(path)
    assert first == second
    for metric in hooks.METRICS:
        assert first["metrics"][metric] == pytest.approx(results["results"]["r1_smoke"][f"{metric},r1"])


def test_lm_eval_cli_runs_each_benchmark_from_fixtures(tiny_model, tmp_path):
    out = tmp_path / "out"
    tasks = ["r1_math500", "r1_aime24", "r1_gpqa_diamond", "r1_moleculeqa100"]
    cmd = _lm_eval(tiny_model, out, ",".join(tasks), "--limit", "2", "--gen_kwargs", "max_gen_toks=4")
    _run(cmd, tmp_path, _env(R1BENCH_DATA_DIR=str(FIXTURE_DATA), R1BENCH_SKIP_SHA256="1"))
    results, samples = _outputs(out)
    for task in tasks:
        _check_task(results, samples[task], task, DEFAULT_K[task], 2)
    gpqa = json.loads(samples["r1_gpqa_diamond"][0]["filtered_resps"][0][0])
    assert sorted(gpqa["extra"]["permutation"]) == [0, 1, 2, 3]
    prompt = samples["r1_gpqa_diamond"][0]["arguments"]["gen_args_0"]["arg_0"]
    assert "Answer: $LETTER" in prompt and "<|im_start|>assistant" in prompt  # chat template on


def test_r1bench_eval_sets_k_and_token_limit(tiny_model, tmp_path):
    out = tmp_path / "out"
    cmd = [
        sys.executable, "-m", "r1bench.cli", "eval", "--model", "hf",
        "--model_args", f"pretrained={tiny_model},dtype=float32", "--device", "cpu",
        "--tasks", "r1_smoke", "--k", "3", "--max-gen-toks", "5", "--limit", "2",
        "--output_path", str(out), "--log_samples",
    ]
    _run(cmd, tmp_path, _env())
    results, samples = _outputs(out)
    _check_task(results, samples["r1_smoke"], "r1_smoke", 3, 2)
    cfg = results["configs"]["r1_smoke"]
    assert cfg["generation_kwargs"]["max_gen_toks"] == 5 and cfg["metadata"]["max_gen_toks"] == 5
    assert results["config"]["gen_kwargs"]["max_gen_toks"] == 5
    assert all(line["doc"]["r1_max_gen_toks"] == 5 for line in samples["r1_smoke"])
    assert results["chat_template"]  # --apply_chat_template was added


@pytest.mark.slow
def test_r1bench_eval_smoke_with_the_embedded_model(tmp_path):
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "r1bench.cli", "eval", "--tasks", "r1_smoke", "--output_path", str(out), "--log_samples"]
    _run(cmd, tmp_path, _env())
    results, samples = _outputs(out)
    _check_task(results, samples["r1_smoke"], "r1_smoke", 2, 12)
    assert "SmolLM2" in results["config"]["model_args"]["pretrained"]


@pytest.mark.slow
@pytest.mark.shared_data()
def test_r1bench_eval_real_math500_and_aime24_offline(shared_data, tmp_path):
    out = tmp_path / "out"
    cmd = [
        sys.executable, "-m", "r1bench.cli", "eval", "--tasks", "r1_math500,r1_aime24",
        "--data-dir", str(shared_data), "--limit", "2", "--k", "2", "--max-gen-toks", "16",
        "--output_path", str(out), "--log_samples",
    ]
    _run(cmd, tmp_path, _env())
    results, samples = _outputs(out)
    for task in ("r1_math500", "r1_aime24"):
        _check_task(results, samples[task], task, 2, 2)
        assert results["configs"][task]["metadata"]["data_dir"] == str(shared_data.resolve())
    assert samples["r1_math500"][0]["doc"]["id"].startswith("test/")
    assert all(line["doc"]["answer"].isdigit() for line in samples["r1_aime24"])
