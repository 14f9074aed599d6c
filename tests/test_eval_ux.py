"""What `r1bench eval` prints after a run: the headline per task with k in the metric names."""

from __future__ import annotations

import shutil
from pathlib import Path

from results_fixture import FIXTURE

from r1bench.eval_ux import headline_lines


def test_headline_names_k_and_n_and_lists_the_files(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path / "run")
    lines = headline_lines(tmp_path / "run", since=0.0, elapsed=10.0)
    math = next(line for line in lines if line.startswith("r1_math500:"))
    # Fixture MATH-500: per-question correct counts 4, 3, 1, 3, 3, 0 of 4 -> pass@1 14/24 = 58.3%;
    # 5 of 6 questions have a correct sample -> pass@4 83.3%; majorities right on 4 of 6 -> maj@4 66.7%.
    assert math.startswith("r1_math500: pass@1 58.3% (95% CI ")
    assert "pass@4 83.3%, maj@4 66.7%, k=4, n=6 questions" in math
    assert next(line for line in lines if line.startswith("r1_gpqa_diamond:")).count("k=8, n=4 questions") == 1
    assert any("tokens/s" in line for line in lines)
    assert any(line.startswith("results: ") and line.endswith(".json") for line in lines)
    assert any(line.startswith("samples: ") and "samples_r1_math500_" in line for line in lines)


def test_no_run_written_since_the_start_gives_no_headline(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path / "run")
    assert headline_lines(tmp_path / "run", since=4_000_000_000.0, elapsed=1.0) == []
    assert headline_lines(tmp_path / "missing", since=0.0, elapsed=1.0) == []


def test_model_context_reads_the_config_or_model_args(tmp_path: Path) -> None:
    import json

    from r1bench.eval_ux import model_context

    (tmp_path / "config.json").write_text(json.dumps({"model_type": "llama", "max_position_embeddings": 2048}))
    assert model_context("hf", f"pretrained={tmp_path},dtype=float32") == 2048
    assert model_context("vllm", f"pretrained={tmp_path},max_model_len=1024") == 1024
    assert model_context("r1bench-chat", "base_url=http://x/v1,model=m") is None
    assert model_context("hf", f"pretrained={tmp_path / 'missing'}") is None
