"""The task YAMLs are generated from the registry: the committed ones are current, and drift is caught."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

import r1bench.grading
from r1bench import task_configs
from r1bench.cli import main
from r1bench.registry import leaderboard_tasks
from r1bench.task_configs import check

TASKS = Path(__file__).resolve().parents[1] / "tasks"
# Every committed task YAML (one folder per task: a new task adds its own).
TASK_FILES = sorted(str(p.relative_to(TASKS)) for p in TASKS.glob("r1_*/r1_*.yaml"))


@pytest.fixture
def tasks_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "tasks"
    shutil.copytree(TASKS, folder)
    return folder


def test_committed_yamls_are_what_the_registry_generates(capsys) -> None:
    assert check(TASKS) == []
    assert main(["tasks", "check", "--tasks-dir", str(TASKS)]) == 0
    assert "every generated file matches" in capsys.readouterr().out


def test_aime24_yaml_as_lm_eval_reads_it() -> None:
    # The keys lm-eval saw before the YAMLs were generated (written out by hand).
    cfg = yaml.safe_load((TASKS / "r1_aime24" / "r1_aime24.yaml").read_text())
    assert cfg == {
        "include": "../_r1_template_yaml", "task": "r1_aime24", "dataset_kwargs": {"r1_task": "r1_aime24"},
        "repeats": 64,
        "metadata": {"version": 1.1, "k": 64, "prompt_preset": "deepseek-r1", "prompt_hash": "ddf728e6a28024d4",
                     "grader_version": "3", "max_gen_toks": 32768},
    }
    smoke = yaml.safe_load((TASKS / "r1_smoke" / "r1_smoke.yaml").read_text())
    assert smoke["generation_kwargs"] == {"until": [], "do_sample": True, "temperature": 0.6, "top_p": 0.95,
                                          "max_gen_toks": 128}
    group = yaml.safe_load((TASKS / "r1_suite.yaml").read_text())
    assert group == {"group": "r1_suite", "task": ["r1_math500", "r1_aime24", "r1_gpqa_diamond", "r1_moleculeqa100"],
                     "metadata": {"version": 1.0}}


def test_a_hand_edited_hash_is_named_and_write_repairs_it(tasks_copy: Path, capsys) -> None:
    path = tasks_copy / "r1_math500" / "r1_math500.yaml"
    path.write_text(path.read_text().replace("prompt_hash: ddf728e6a28024d4", "prompt_hash: 0000000000000000"))
    assert main(["tasks", "check", "--tasks-dir", str(tasks_copy)]) == 1
    err = capsys.readouterr().err
    assert f"{path}: differs from the registry" in err and "0000000000000000" in err
    assert "r1_aime24.yaml" not in err
    assert main(["tasks", "write", "--tasks-dir", str(tasks_copy)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {path}"
    assert main(["tasks", "check", "--tasks-dir", str(tasks_copy)]) == 0


def test_a_grader_version_bump_makes_every_task_yaml_stale(tasks_copy: Path, monkeypatch) -> None:
    monkeypatch.setattr(r1bench.grading, "GRADER_VERSION", "999")
    stale = check(tasks_copy)
    assert sorted(line.split(":", 1)[0] for line in stale) == sorted(str(tasks_copy / f) for f in TASK_FILES)


def test_a_missing_file_and_a_drifted_template_are_named(tasks_copy: Path) -> None:
    (tasks_copy / "r1_suite.yaml").unlink()
    template = tasks_copy / "_r1_template_yaml"
    template.write_text(template.read_text().replace("temperature: 0.6", "temperature: 0.7"))
    problems = check(tasks_copy)
    assert f"{tasks_copy / 'r1_suite.yaml'}: missing" in problems
    assert any(p.startswith(f"{template}: generation_kwargs") for p in problems)


def test_readme_facts_are_checked_and_a_readme_without_the_block_is_named(tasks_copy: Path) -> None:
    readme = tasks_copy / "r1_aime24" / "README.md"
    readme.write_text(readme.read_text().replace("k = 64 (`repeats: 64`", "k = 32 (`repeats: 32`"))
    other = tasks_copy / "r1_gpqa_diamond" / "README.md"
    other.write_text(other.read_text().replace("<!-- END generated -->", ""))
    problems = check(tasks_copy)
    assert any(p.startswith(f"{readme}: differs from the registry") and "k = 32" in p for p in problems)
    assert any(p.startswith(f"{other}: no generated facts block") for p in problems)
    assert len(problems) == 2


def test_the_schemas_list_exactly_the_leaderboard_ids(tasks_copy: Path, tmp_path: Path, monkeypatch) -> None:
    schemas = tmp_path / "schemas"
    shutil.copytree(task_configs.SCHEMAS, schemas)
    board = schemas / "leaderboard.schema.json"
    ids = json.dumps([t.leaderboard for t in leaderboard_tasks()])  # the registry's board ids, in order
    assert f'"benchmark": {{"enum": {ids}}}' in board.read_text()
    board.write_text(board.read_text().replace('"gpqa_diamond", ', ""))
    monkeypatch.setattr(task_configs, "SCHEMAS", schemas)
    (problem,) = check(tasks_copy)
    assert problem.startswith(f"{board}: differs from the registry") and "gpqa_diamond" in problem


def test_a_missing_board_is_created_empty_and_committed_boards_are_left_alone(tmp_path: Path, monkeypatch) -> None:
    boards = tmp_path / "leaderboards"
    shutil.copytree(TASKS.parent / "results" / "leaderboards", boards)
    monkeypatch.setattr(task_configs, "BOARDS", boards)
    committed = (boards / "gpqa_diamond.json").read_bytes()
    (boards / "gpqa_diamond.json").unlink()
    before = {p.name: p.read_bytes() for p in boards.glob("*.json")}
    assert check(TASKS) == [f"{boards / 'gpqa_diamond.json'}: missing"]
    written, problems = task_configs.write(TASKS)
    assert (written, problems) == ([boards / "gpqa_diamond.json"], [])
    # The same bytes as the committed empty board: the default protocol and the pinned question set.
    assert (boards / "gpqa_diamond.json").read_bytes() == committed
    assert {p.name: p.read_bytes() for p in boards.glob("*.json") if p.name != "gpqa_diamond.json"} == before
