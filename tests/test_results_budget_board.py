"""Budgeted runs on the leaderboard: each thinking budget on its own board, and a model's
accuracy-vs-budget curve (table and plot) built from those boards."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from results_fixture import FIXTURE, seed_store

from r1bench.results.build import render
from r1bench.results.leaderboard import load_board, save_board
from r1bench.results.leaderboard_cli import add_run

MODEL = "HuggingFaceTB/SmolLM2-135M-Instruct@abc1234"


def _run(tmp_path: Path, name: str, **gen: object) -> Path:
    """The fixture run, as if generated with these extra generation options."""
    dst = tmp_path / name
    shutil.copytree(FIXTURE, dst, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    results = next(dst.rglob("results_*.json"))
    data = json.loads(results.read_text())
    data["configs"]["r1_math500"]["generation_kwargs"].update(gen)
    results.write_text(json.dumps(data, indent=2))
    return dst


def _set_pass1(board: Path, value: float, ci: tuple[float, float]) -> None:
    """Give the board's only entry a hand-chosen pass@1 (the curve must show exactly these numbers)."""
    doc = load_board(board)
    (entry,) = doc["entries"]
    entry["metrics"]["pass@1"].update(value=value, ci95=list(ci))
    save_board(board, doc)


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    root = seed_store(tmp_path / "results")
    for name, gen in [("plain", {}), ("b512", {"thinking_budget": 512}), ("b1024", {"thinking_budget": "1024"})]:
        add_run(_run(tmp_path, name, **gen), results_dir=root, tasks=["r1_math500"])
    boards = root / "leaderboards"
    _set_pass1(boards / "math500.json", 60.0, (50.0, 70.0))
    _set_pass1(boards / "math500_budget512.json", 40.0, (30.5, 49.5))
    _set_pass1(boards / "math500_budget1024.json", 55.0, (45.0, 65.0))
    return root


def test_each_budget_gets_its_own_board_with_the_runs_protocol(store):
    boards = store / "leaderboards"
    assert sorted(p.name for p in boards.glob("math500*.json")) == [
        "math500.json", "math500_budget1024.json", "math500_budget512.json"]
    assert load_board(boards / "math500.json")["protocol"].get("thinking_budget") is None  # absent: unbudgeted
    for budget in (512, 1024):
        board = load_board(boards / f"math500_budget{budget}.json")
        assert board["protocol"]["thinking_budget"] == budget
        assert [e["protocol"]["thinking_budget"] for e in board["entries"]] == [budget]


def test_a_budgeted_run_with_extension_has_a_board_of_its_own(store, tmp_path):
    add_run(_run(tmp_path, "ext", thinking_budget=512, thinking_extend=1), results_dir=store, tasks=["r1_math500"])
    board = load_board(store / "leaderboards" / "math500_budget512_extend1.json")
    assert board["protocol"]["thinking_extend"] == 1 and board["protocol"]["thinking_extend_str"] == "Wait"


def test_the_leaderboard_shows_the_models_curve(store):
    out = render(store)
    md = out["LEADERBOARD.md"].decode()
    assert "## MATH-500: accuracy vs thinking budget" in md
    assert "| Model | budget 512 | budget 1024 | unbudgeted |" in md
    assert f"| {MODEL} | 40.0 (30.5–49.5) | 55.0 (45.0–65.0) | 60.0 (50.0–70.0) |" in md
    assert "plots/math500_budget.png" in md and out["plots/math500_budget.png"].startswith(b"\x89PNG")
    page = out["LEADERBOARD.html"].decode()
    assert "MATH-500: accuracy vs thinking budget" in page and "40.0 (30.5–49.5)" in page
    # The budgeted entries are also listed apart (never ranked with the unbudgeted board).
    assert md.count("off-protocol") >= 2


def test_no_budget_board_no_curve(tmp_path):
    root = seed_store(tmp_path / "results")
    add_run(_run(tmp_path, "plain"), results_dir=root, tasks=["r1_math500"])
    out = render(root)
    assert "accuracy vs thinking budget" not in out["LEADERBOARD.md"].decode()
    assert not any("_budget" in name for name in out)


def test_one_add_of_a_sweep_folder_fills_every_budget_board(tmp_path):
    root = seed_store(tmp_path / "results")
    sweep = tmp_path / "sweep"
    for budget in (512, 1024):
        _run(sweep, f"budget_{budget}", thinking_budget=budget)
    added = add_run(sweep, results_dir=root, tasks=["r1_math500"])
    assert sorted(path.name for path, ids, _ in added if ids) == ["math500_budget1024.json", "math500_budget512.json"]
    assert load_board(root / "leaderboards" / "math500.json")["entries"] == []


@pytest.mark.parametrize(("gen", "name"), [
    ({"thinking_budget": 64}, "math500_budget64.json"),
    ({"thinking_budget": 64, "thinking_answer_tokens": 32}, "math500_budget64_answer32.json"),
    ({"thinking_budget": 64, "thinking_answer_cue": "Final answer:"}, "math500_budget64.json"),  # the default
    ({"thinking_budget": 64, "thinking_answer_cue": "Answer:"}, "math500_budget64_cue"),
])
def test_runs_with_other_answer_options_get_other_boards(tmp_path, gen, name):
    root = seed_store(tmp_path / "results")
    ((path, ids, _),) = add_run(_run(tmp_path, "r", **gen), results_dir=root, tasks=["r1_math500"])
    assert path.name.startswith(name) and ids
    board = load_board(path)["protocol"]
    assert board["thinking_answer_tokens"] == gen.get("thinking_answer_tokens")
    assert board["thinking_answer_cue"] == gen.get("thinking_answer_cue", "Final answer:")
