"""r1bench sweep: the table and plot come from the records of each budget's samples file; finished
budgets are skipped; the command line is checked before anything runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from r1bench import sweep

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _record(correct: bool, thinking: int, close: str, budget: int) -> str:
    return json.dumps({"correct": correct, "extracted": "5" if correct else "4", "truncated": False,
                       "loop_detected": False, "completion_tokens": thinking + 3, "reasoning_tokens": thinking,
                       "budget": {"thinking_budget": budget, "thinking_extend": 0, "thinking_tokens": thinking,
                                  "answer_tokens": 3, "close": close, "extensions": 0}})


def _write_run(root: Path, budget: int, questions: list[list[tuple[bool, int, str]]]) -> None:
    folder = root / f"budget_{budget}" / "model"
    folder.mkdir(parents=True)
    ts = "2026-11-30T10-00-00.000000"
    (folder / f"results_{ts}.json").write_text(json.dumps({"results": {}, "configs": {}, "config": {}}))
    lines = [json.dumps({"doc_id": q, "doc": {}, "target": "5",
                         "filtered_resps": [[_record(c, t, close, budget) for c, t, close in samples]]})
             for q, samples in enumerate(questions)]
    (folder / f"samples_r1_smoke_{ts}.jsonl").write_text("\n".join(lines) + "\n")


# (budget, per question: (correct, thinking tokens, close) per sample)
RUNS = {
    8: [[(False, 8, "forced"), (False, 8, "forced")], [(True, 8, "forced"), (False, 5, "natural")]],
    16: [[(True, 16, "forced"), (False, 12, "natural")], [(True, 10, "natural"), (True, 16, "forced")]],
    32: [[(True, 20, "natural"), (True, 31, "natural")], [(True, 9, "natural"), (True, 32, "forced")]],
}
# What a careful human reads off RUNS: pass@1 = mean over questions of the share correct.
EXPECTED = {  # budget: (pass@1, mean thinking tokens, forced-close share)
    8: (0.25, (8 + 8 + 8 + 5) / 4, 3 / 4),
    16: (0.75, (16 + 12 + 10 + 16) / 4, 2 / 4),
    32: (1.0, (20 + 31 + 9 + 32) / 4, 1 / 4),
}


@pytest.fixture
def sweep_dir(tmp_path):
    for budget, questions in RUNS.items():
        _write_run(tmp_path, budget, questions)
    return tmp_path


def test_table_numbers_come_from_the_records(sweep_dir):
    table = sweep.sweep_table(sweep_dir)
    assert table["budgets"] == [8, 16, 32] and table["tasks"] == ["r1_smoke"]
    got = {r["budget"]: (r["pass@1"], r["mean_thinking_tokens"], r["forced_close_share"]) for r in table["rows"]}
    assert got == pytest.approx(EXPECTED)
    rows = {r["budget"]: r for r in table["rows"]}
    assert rows[32]["pass@1_ci"] == [1.0, 1.0]  # every question always right: no spread
    lo, hi = rows[16]["pass@1_ci"]  # per-question means 0.5 and 1.0
    assert 0.5 <= lo <= 0.75 <= hi <= 1.0
    assert all(r["n_questions"] == 2 and r["n_samples"] == 4 for r in table["rows"])


def test_finished_budgets_are_skipped_and_a_missing_one_runs(sweep_dir, monkeypatch, capsys):
    from r1bench.lm_eval import cli as evaluate

    calls = []

    def fake_eval(argv):
        calls.append(argv)
        out = Path(argv[argv.index("--output_path") + 1])
        _write_run(out.parent, 64, [[(True, 40, "natural"), (True, 64, "forced")]])
        return 0

    monkeypatch.setattr(evaluate, "main", fake_eval)
    code = sweep.main(["--budgets", "8,16,32,64", "--sweep-dir", str(sweep_dir), "--tasks", "r1_smoke", "--limit", "2"])
    assert code == 0
    assert calls == [["--tasks", "r1_smoke", "--limit", "2", "--gen_kwargs", "thinking_budget=64",
                      "--output_path", str(sweep_dir / "budget_64"), "--no-view"]]
    table = json.loads((sweep_dir / "sweep.json").read_text())
    assert table["budgets"] == [8, 16, 32, 64] and table["kind"] == "budget_sweep"
    assert {r["budget"]: r["pass@1"] for r in table["rows"]}[64] == 1.0
    assert (sweep_dir / "sweep.png").read_bytes()[:8] == PNG_MAGIC
    assert "budget 8: done already" in capsys.readouterr().err


def test_an_incomplete_budget_run_is_resumed_and_never_counted(sweep_dir, monkeypatch):
    # r1bench eval marks a run with failed API requests "incomplete": the sweep re-runs that budget
    # (the store resends only the failures) and leaves it out of the table until it is complete.
    from r1bench.lm_eval import cli as evaluate

    (results,) = (sweep_dir / "budget_16").rglob("results_*.json")
    results.write_text(json.dumps({"results": {}, "configs": {}, "config": {}, "incomplete": True}))
    assert not sweep.finished_run(sweep_dir / "budget_16") and sweep.finished_run(sweep_dir / "budget_8")
    assert [r["budget"] for r in sweep.sweep_table(sweep_dir)["rows"]] == [8, 32]

    calls = []

    def fake_eval(argv):  # the resumed run completes
        calls.append(argv)
        results.write_text(json.dumps({"results": {}, "configs": {}, "config": {}, "incomplete": False}))
        return 0

    monkeypatch.setattr(evaluate, "main", fake_eval)
    assert sweep.main(["--budgets", "8,16,32", "--sweep-dir", str(sweep_dir), "--tasks", "r1_smoke"]) == 0
    assert [a[a.index("--gen_kwargs") + 1] for a in calls] == ["thinking_budget=16"]
    table = json.loads((sweep_dir / "sweep.json").read_text())
    assert {r["budget"]: r["pass@1"] for r in table["rows"]} == {8: 0.25, 16: 0.75, 32: 1.0}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--budgets", "512,abc"], "--budgets: 'abc' is not a positive integer (e.g. --budgets 512,1024,2048)"),
        (["--budgets", "0"], "--budgets: '0' is not a positive integer (e.g. --budgets 512,1024,2048)"),
        (["--budgets", ","], "--budgets: give at least one budget (e.g. --budgets 512,1024,2048)"),
        (["--budgets", "8", "--output_path", "x"], "--output_path: the sweep chooses each run's folder (use --sweep-dir)"),
        (["--budgets", "8", "--gen_kwargs", "thinking_budget=4"], "thinking_budget is set by --budgets, not --gen_kwargs"),
    ],
)
def test_bad_command_lines_are_one_line(argv, message, capsys):
    assert sweep.main(argv) == 2
    assert capsys.readouterr().err.strip() == f"r1bench sweep: error: {message}"


def test_budgets_are_sorted_and_distinct():
    assert sweep.parse_budgets("1024, 512,512,32768") == [512, 1024, 32768]
