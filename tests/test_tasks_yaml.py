"""The task YAMLs: R1 protocol values, consistent metadata, registration with lm-eval, READMEs."""

from __future__ import annotations

from pathlib import Path

import pytest
from lm_eval.tasks import TaskManager
from lm_eval.tasks._yaml_loader import load_yaml

from r1bench.grading import GRADER_VERSION
from r1bench.lm_eval.hooks import METRICS
from r1bench.prompts import spec_hash

ROOT = Path(__file__).resolve().parents[1]
TASKS = ROOT / "tasks"
FIXTURE_DATA = ROOT / "tests" / "fixtures" / "data"

# Defaults from docs/design.md section 2 (open-r1's reproduction); r1_smoke is the CPU smoke test.
EXPECTED = {
    "r1_math500": (4, 32768, "deepseek-r1"),
    "r1_aime24": (64, 32768, "deepseek-r1"),
    "r1_gpqa_diamond": (8, 32768, "simple-evals-choice"),
    "r1_moleculeqa100": (4, 32768, "simple-evals-choice"),
    "r1_smoke": (2, 128, "deepseek-r1+simple-evals-choice"),
}


def _cfg(task: str) -> dict:
    return load_yaml(TASKS / task / f"{task}.yaml", resolve_func=True)


@pytest.mark.parametrize("task", sorted(EXPECTED))
def test_protocol(task):
    cfg = _cfg(task)
    k, max_toks, preset = EXPECTED[task]
    gen = cfg["generation_kwargs"]
    assert gen["until"] == []
    assert gen["do_sample"] is True
    assert gen["temperature"] == 0.6 and gen["top_p"] == 0.95
    assert gen["max_gen_toks"] == max_toks
    assert cfg["repeats"] == k
    assert cfg["num_fewshot"] == 0 and "description" not in cfg  # no system prompt
    assert cfg["dataset_kwargs"]["r1_task"] == task == cfg["task"]


@pytest.mark.parametrize("task", sorted(EXPECTED))
def test_metadata_matches_config(task):
    cfg = _cfg(task)
    meta = cfg["metadata"]
    k, max_toks, preset = EXPECTED[task]
    assert meta["k"] == cfg["repeats"] == k
    assert meta["max_gen_toks"] == cfg["generation_kwargs"]["max_gen_toks"]
    assert meta["prompt_preset"] == preset
    assert meta["prompt_hash"] == spec_hash(preset), "prompt changed: update the hash and bump version"
    assert meta["grader_version"] == GRADER_VERSION, "grader changed: update grader_version and bump version"
    assert meta["version"] >= 1.0


@pytest.mark.parametrize("task", sorted(EXPECTED))
def test_scoring_goes_through_the_r1_filter(task):
    cfg = _cfg(task)
    assert [f["name"] for f in cfg["filter_list"]] == ["r1"]
    assert cfg["filter_list"][0]["filter"] == [{"function": "r1"}]
    assert [m["metric"] for m in cfg["metric_list"]] == list(METRICS)
    assert all(m["aggregation"] == "mean" for m in cfg["metric_list"])


@pytest.mark.parametrize("task", sorted(EXPECTED))
def test_each_task_has_a_readme(task):
    text = (TASKS / task / "README.md").read_text()
    for heading in ("## Protocol", "## Metrics", "## How to run", "## Changelog"):
        assert heading in text, f"{task}/README.md lacks {heading}"


def test_lm_eval_registers_the_tasks_and_the_suite(monkeypatch):
    monkeypatch.setenv("R1BENCH_DATA_DIR", str(FIXTURE_DATA))
    monkeypatch.setenv("R1BENCH_SKIP_SHA256", "1")  # fixtures are small files in the real schemas
    tm = TaskManager(include_path=str(TASKS), include_defaults=False)
    assert set(EXPECTED) <= set(tm.all_subtasks)
    assert "r1_suite" in tm.all_groups
    assert not any(name.startswith("_") for name in tm.all_tasks)  # the template is not a task
    loaded = tm.load(["r1_suite"])
    assert set(loaded["tasks"]) == {"r1_math500", "r1_aime24", "r1_gpqa_diamond", "r1_moleculeqa100"}
    for name, task in loaded["tasks"].items():
        docs = list(task.test_docs())
        assert docs and all(d["r1_k"] == EXPECTED[name][0] for d in docs)
        assert task.config.repeats == EXPECTED[name][0]
